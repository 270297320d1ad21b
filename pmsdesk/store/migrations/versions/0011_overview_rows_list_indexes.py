"""The clinic overview's computed rows, and the index the patient list reads visit counts by.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 12:40:00

patient_overview: each patient's overview row as last computed (derived, not audited). Triggers on the
rows it is computed from (visits, the followed assessments, relapses) delete a patient's row whenever one
of them is inserted, changed or deleted, by any program: the overview recomputes what is missing.
ix_visit_patient_id_visit_date serves a patient's visit count and last visit, read for the rows a screen shows.
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

# The tables an overview row is computed from: those with the patient's id, and those of a visit.
BY_PATIENT = ("visit", "relapse")
BY_VISIT = ("edss_assessment", "t25fw_assessment", "nhpt_assessment", "sdmt_assessment", "six_minute_walk")
OF_VISIT = "(SELECT patient_id FROM visit WHERE id = {row}.visit_id)"


def _sqlite_triggers() -> None:
    for table in BY_PATIENT + BY_VISIT:
        patient = "{row}.patient_id" if table in BY_PATIENT else OF_VISIT
        for verb, rows in (("INSERT", ("NEW",)), ("UPDATE", ("OLD", "NEW")), ("DELETE", ("OLD",))):
            deletes = " ".join(f"DELETE FROM patient_overview WHERE patient_id = {patient.format(row=row)};"
                               for row in rows)
            op.execute(f"CREATE TRIGGER {table}_overview_{verb.lower()} AFTER {verb} ON {table} "
                       f"FOR EACH ROW BEGIN {deletes} END")


def _postgresql_triggers() -> None:
    for kind, patient in (("patient", "{row}.patient_id"), ("visit", OF_VISIT)):
        old, new = (patient.format(row=row) for row in ("OLD", "NEW"))
        op.execute(f"CREATE FUNCTION pmsdesk_overview_stale_by_{kind}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                   f"BEGIN IF TG_OP <> 'INSERT' THEN DELETE FROM patient_overview WHERE patient_id = {old}; END IF; "
                   f"IF TG_OP <> 'DELETE' THEN DELETE FROM patient_overview WHERE patient_id = {new}; END IF; "
                   "RETURN NULL; END $$")
    for table in BY_PATIENT + BY_VISIT:
        kind = "patient" if table in BY_PATIENT else "visit"
        op.execute(f"CREATE TRIGGER {table}_overview_stale AFTER INSERT OR UPDATE OR DELETE ON {table} "
                   f"FOR EACH ROW EXECUTE FUNCTION pmsdesk_overview_stale_by_{kind}()")


def upgrade() -> None:
    op.create_table(
        'patient_overview',
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('patient_id', sa.Integer(), nullable=False),
        sa.Column('format', sa.Integer(), nullable=False),
        sa.Column('row', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_patient_overview_patient_id_patient'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('patient_id', name=op.f('pk_patient_overview')),
    )
    op.create_index('ix_visit_patient_id_visit_date', 'visit', ['patient_id', 'visit_date'])
    if op.get_context().dialect.name == "postgresql":
        _postgresql_triggers()
    else:
        _sqlite_triggers()


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        for table in BY_PATIENT + BY_VISIT:
            op.execute(f"DROP TRIGGER {table}_overview_stale ON {table}")
        for kind in ("patient", "visit"):
            op.execute(f"DROP FUNCTION pmsdesk_overview_stale_by_{kind}()")
    else:
        for table in BY_PATIENT + BY_VISIT:
            for verb in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER {table}_overview_{verb}")
    op.drop_index('ix_visit_patient_id_visit_date', table_name='visit')
    op.drop_table('patient_overview')
