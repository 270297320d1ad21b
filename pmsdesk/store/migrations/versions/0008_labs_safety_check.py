"""Laboratory values and the pre-puncture safety check of a treatment visit.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 06:10:00

lab_assessment: one blood sample's values per visit (an assessment of the registry), with the
sample's own date. safety_check: the answers of the pre-puncture check, its result as found at the
save, and a neurologist's override (who, when, why, which items). Both are new tables: visit is not
touched. Both are audited by the store like every clinical table (pmsdesk.store.audit, AUDITED_TABLES).
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def _common() -> list:
    return [sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
            sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
            sa.Column('version', sa.Integer(), nullable=False),
            sa.Column('id', sa.Integer(), nullable=False),
            sa.Column('visit_id', sa.Integer(), nullable=False)]


def _keys(table: str) -> list:
    return [sa.ForeignKeyConstraint(['visit_id'], ['visit.id'], name=op.f(f'fk_{table}_visit_id_visit'),
                                    ondelete='CASCADE'),
            sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{table}')),
            sa.UniqueConstraint('visit_id', name=op.f(f'uq_{table}_visit_id'))]


def upgrade() -> None:
    op.create_table('lab_assessment', *_common(),
                    sa.Column('sampled_on', sa.Date(), nullable=True),
                    *(sa.Column(name, sa.Float(), nullable=True)
                      for name in ('platelets', 'inr', 'wbc', 'lymphocytes', 'alt', 'creatinine', 'egfr')),
                    *_keys('lab_assessment'))
    op.create_index(op.f('ix_lab_assessment_sampled_on'), 'lab_assessment', ['sampled_on'], unique=False)
    op.create_table('safety_check', *_common(),
                    sa.Column('antithrombotic', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
                    sa.Column('hours_since_last_dose', sa.Float(), nullable=True),
                    *(sa.Column(name, sa.Boolean(), nullable=True)
                      for name in ('pregnancy_possible', 'active_infection', 'methotrexate_allergy',
                                   'methotrexate_neurotoxicity')),
                    sa.Column('result', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
                    sa.Column('findings', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
                    sa.Column('override_by', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
                    sa.Column('override_name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
                    sa.Column('override_reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
                    sa.Column('override_at', sa.DateTime(timezone=True), nullable=True),
                    sa.Column('override_items', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
                    *_keys('safety_check'))


def downgrade() -> None:
    op.drop_table('safety_check')
    op.drop_index(op.f('ix_lab_assessment_sampled_on'), table_name='lab_assessment')
    op.drop_table('lab_assessment')
