"""Checks kept from an import, as they were recorded where the visit was first recorded.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 18:30:00

An archive carries the second-person check of a dose, a neurologist's override of a failed safety check
and a neurologist's clearance of a methotrexate neurotoxicity event; an import keeps them verbatim
(pmsdesk.domain.recorded_elsewhere) and names the file they came from: dose_check.imported_from,
safety_check.override_imported_from and adverse_event.clearance_imported_from. All are nullable: a
check made in this pmsdesk has none. Added and dropped in place, as 0009 did; the audit trail needs
nothing (a column added after a row's last entry holds its default, None).
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

COLUMNS = (
    ('dose_check', 'imported_from'),
    ('safety_check', 'override_imported_from'),
    ('adverse_event', 'clearance_imported_from'),
)


def upgrade() -> None:
    for table, name in COLUMNS:
        op.add_column(table, sa.Column(name, sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True))


def downgrade() -> None:
    for table, name in reversed(COLUMNS):
        op.drop_column(table, name)
