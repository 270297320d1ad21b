"""The six-minute walk can be recorded as not completed, with a reason, instead of as 0 m.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 21:40:00

Two nullable columns; existing walks keep their distance.
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('six_minute_walk') as batch:
        batch.add_column(sa.Column('not_completed', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))
        batch.add_column(sa.Column('not_completed_note', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('six_minute_walk') as batch:
        batch.drop_column('not_completed_note')
        batch.drop_column('not_completed')
