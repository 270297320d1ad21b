"""The intrathecal register, the second-person check and the structured procedure record.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 06:10:00
"""

from alembic import op  # noqa: F401 - filled in by the change that adds this revision's tables
import sqlalchemy as sa  # noqa: F401
import sqlmodel  # noqa: F401


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
