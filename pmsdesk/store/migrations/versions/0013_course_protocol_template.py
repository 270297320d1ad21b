"""A treatment course names its protocol template (issue 19).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 19:55:00

treatment_course gains protocol_template, the key of a pmsdesk.domain.protocols seed template. It is
nullable: existing courses name none and keep their plain interval. The column is added and dropped in
place (ALTER TABLE); the audit trail needs nothing, a column added after a row's last entry holding its
default (None) as pmsdesk.store.audit expects.
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('treatment_course',
                  sa.Column('protocol_template', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True))


def downgrade() -> None:
    op.drop_column('treatment_course', 'protocol_template')
