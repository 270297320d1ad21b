"""Research pseudonyms (subject code and date shift per patient) and remembered import column mappings.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 03:49:30

Both are new tables (pmsdesk.exchange): nothing existing changes.
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('import_column_mapping',
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('header_key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('mapping', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.PrimaryKeyConstraint('header_key', name=op.f('pk_import_column_mapping'))
    )
    op.create_table('research_pseudonym',
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('subject_code', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('date_shift_days', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_research_pseudonym_patient_id_patient'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('patient_id', name=op.f('pk_research_pseudonym')),
    sa.UniqueConstraint('subject_code', name=op.f('uq_research_pseudonym_subject_code'))
    )


def downgrade() -> None:
    op.drop_table('research_pseudonym')
    op.drop_table('import_column_mapping')
