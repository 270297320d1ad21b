"""Adverse events as a safety nurse records them: CTCAE terms, relatedness to procedure and drug.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 06:10:00
"""

from alembic import op  # noqa: F401 - filled in by the change that adds this revision's tables
import sqlalchemy as sa  # noqa: F401
import sqlmodel  # noqa: F401


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
