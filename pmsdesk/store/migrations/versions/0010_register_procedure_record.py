"""The intrathecal register, the second-person check and the structured procedure record.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 06:10:00

register_entry: per person and task (prescribe, check, administer) a training date and an expiry
(HSC 2008/001). dose_check: the second-person check of a visit's dose (who gives it, who checked,
when, and what was confirmed). visit: the structured procedure record's new columns (nullable; the
existing lp_level, lp_needle, lp_attempts, csf_removed_ml and performed_by keep their values). Both
new tables are audited by the store (pmsdesk.store.audit, AUDITED_TABLES).
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def _text(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


VISIT_COLUMNS = (
    ('dose_volume_ml', sa.Float()), ('dose_batch', _text(60)), ('assisted_by', _text(100)),
    ('puncture_time', _text(5)), ('lp_position', _text(20)), ('lp_needle_type', _text(16)),
    ('lp_needle_gauge', _text(4)), ('lp_levels_tried', sa.Integer()), ('lp_result', _text(16)),
    ('opening_pressure_cmh2o', sa.Float()), ('csf_appearance', _text(20)), ('csf_sampled_ml', sa.Float()),
    ('observation_notes', _text(500)), ('discharge_time', _text(5)),
)


def _common() -> list:
    return [sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
            sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
            sa.Column('version', sa.Integer(), nullable=False),
            sa.Column('id', sa.Integer(), nullable=False)]


def upgrade() -> None:
    op.create_table('register_entry', *_common(),
                    sa.Column('user_id', sa.Integer(), nullable=False),
                    sa.Column('task', _text(16), nullable=False),
                    sa.Column('trained_on', sa.Date(), nullable=False),
                    sa.Column('expires_on', sa.Date(), nullable=False),
                    sa.Column('ended_on', sa.Date(), nullable=True),
                    sa.Column('ended_reason', _text(200), nullable=True),
                    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'],
                                            name=op.f('fk_register_entry_user_id_user_account')),
                    sa.PrimaryKeyConstraint('id', name=op.f('pk_register_entry')))
    op.create_index(op.f('ix_register_entry_user_id'), 'register_entry', ['user_id'], unique=False)
    op.create_table('dose_check', *_common(),
                    sa.Column('visit_id', sa.Integer(), nullable=False),
                    sa.Column('administered_by', _text(60), nullable=False),
                    sa.Column('administered_name', _text(120), nullable=False),
                    sa.Column('checked_by', _text(60), nullable=False),
                    sa.Column('checked_name', _text(120), nullable=False),
                    sa.Column('checked_at', sa.DateTime(timezone=True), nullable=False),
                    sa.Column('agent', _text(100), nullable=False),
                    sa.Column('dose', sa.Float(), nullable=False),
                    sa.Column('dose_unit', _text(30), nullable=False),
                    sa.Column('route', _text(20), nullable=False),
                    sa.Column('lot', _text(60), nullable=True),
                    sa.Column('patient_identity', sa.Boolean(), nullable=False),
                    sa.ForeignKeyConstraint(['visit_id'], ['visit.id'], name=op.f('fk_dose_check_visit_id_visit'),
                                            ondelete='CASCADE'),
                    sa.PrimaryKeyConstraint('id', name=op.f('pk_dose_check')),
                    sa.UniqueConstraint('visit_id', name=op.f('uq_dose_check_visit_id')))
    for name, kind in VISIT_COLUMNS:  # plain ADD COLUMN: visit is never rebuilt (see 0003)
        op.add_column('visit', sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    # visit in place, never batch mode: rebuilding it would cascade-delete its assessments (see 0003)
    for name, _kind in reversed(VISIT_COLUMNS):
        op.execute(f"ALTER TABLE visit DROP COLUMN {name}")
    op.drop_table('dose_check')
    op.drop_index(op.f('ix_register_entry_user_id'), table_name='register_entry')
    op.drop_table('register_entry')
