"""Visit drafts: what was typed into a visit, kept until it is saved or discarded.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 03:20:20.763715
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('visit_draft',
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=True),
    sa.Column('raw', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_visit_draft_patient_id_patient'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['visit_id'], ['visit.id'], name=op.f('fk_visit_draft_visit_id_visit'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_visit_draft'))
    )
    with op.batch_alter_table('visit_draft', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_visit_draft_patient_id'), ['patient_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_visit_draft_visit_id'), ['visit_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('visit_draft', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_visit_draft_visit_id'))
        batch_op.drop_index(batch_op.f('ix_visit_draft_patient_id'))

    op.drop_table('visit_draft')
