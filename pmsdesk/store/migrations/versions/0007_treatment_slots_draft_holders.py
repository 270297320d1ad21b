"""One treatment per slot; drafts have a holder.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 00:30:00

visit: partial unique indexes (SQLite and PostgreSQL) so that among a course's treatment visits not
voided, each treatment number and each day is used once. A database that already holds such
duplicates cannot take the index: the upgrade stops and names them, so someone voids one of each pair
first (nothing is changed in the meantime).
visit_draft: who holds the draft (user name, full name), on which workstation, since when.
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

TREATMENT_SLOT = "kind = 'treatment' AND course_id IS NOT NULL AND deleted_at IS NULL"
SLOT_INDEXES = {"uq_visit_course_treatment_number": ["course_id", "treatment_number"],
                "uq_visit_course_treatment_day": ["course_id", "visit_date"]}


def _refuse_duplicates() -> None:
    connection = op.get_bind()
    for name, columns in SLOT_INDEXES.items():
        listed = ", ".join(columns)
        duplicates = connection.execute(sa.text(
            f"SELECT {listed}, count(*) FROM visit WHERE {TREATMENT_SLOT} AND {columns[1]} IS NOT NULL "
            f"GROUP BY {listed} HAVING count(*) > 1")).all()
        if duplicates:
            shown = "; ".join(f"course {row[0]}, {columns[1].replace('_', ' ')} {row[1]}: {row[2]} visits"
                              for row in duplicates)
            raise RuntimeError(f"treatment visits share a slot ({shown}); void the visit entered twice "
                               "with the older pmsdesk, then open the database again")


def upgrade() -> None:
    _refuse_duplicates()
    with op.batch_alter_table('visit') as batch:
        for name, columns in SLOT_INDEXES.items():
            batch.create_index(name, columns, unique=True, sqlite_where=sa.text(TREATMENT_SLOT),
                               postgresql_where=sa.text(TREATMENT_SLOT))
    with op.batch_alter_table('visit_draft') as batch:
        batch.add_column(sa.Column('holder_name', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True))
        batch.add_column(sa.Column('holder_full_name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True))
        batch.add_column(sa.Column('workstation', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True))
        batch.add_column(sa.Column('held_since', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('visit_draft') as batch:
        for column in ('held_since', 'workstation', 'holder_full_name', 'holder_name'):
            batch.drop_column(column)
    for name in SLOT_INDEXES:  # not batch mode: rebuilding visit would cascade-delete its assessments (see 0003)
        op.drop_index(name, table_name='visit')
