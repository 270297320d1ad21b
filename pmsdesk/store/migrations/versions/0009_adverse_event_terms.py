"""Adverse events as a safety nurse records them: CTCAE terms, relatedness to procedure and drug.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 06:10:00

adverse_event gains two answers, related_procedure and related_drug (CTEP attribution categories), and
a neurologist's clearance of a methotrexate neurotoxicity event (cleared_by, cleared_by_name,
cleared_at, clearance_reason). All are nullable: existing events read "not assessed" for both answers
and nothing is cleared. The earlier single answer, relatedness, is kept as recorded. New terms
(fever, radicular pain, chemical meningitis, neurotoxicity) are new stored values of term, which is
already text: no change. The columns are added and dropped in place (ALTER TABLE; SQLite 3.35+ drops
a plain column without rebuilding the table); the audit trail needs nothing, a column added after a
row's last entry holding its default (None) as pmsdesk.store.audit expects.
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

_TEXT = sqlmodel.sql.sqltypes.AutoString
COLUMNS = (
    ('related_procedure', _TEXT(length=16)),
    ('related_drug', _TEXT(length=16)),
    ('cleared_by', _TEXT(length=60)),
    ('cleared_by_name', _TEXT(length=120)),
    ('cleared_at', sa.DateTime(timezone=True)),
    ('clearance_reason', _TEXT(length=500)),
)


def upgrade() -> None:
    for name, kind in COLUMNS:
        op.add_column('adverse_event', sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    for name, _kind in reversed(COLUMNS):
        op.drop_column('adverse_event', name)
