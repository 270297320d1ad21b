"""Laboratory values and the pre-puncture safety check of a treatment visit.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 06:10:00
"""

from alembic import op  # noqa: F401 - filled in by the change that adds this revision's tables
import sqlalchemy as sa  # noqa: F401
import sqlmodel  # noqa: F401


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
