"""Revision 0003 alters ``visit`` in place: with foreign keys on, rebuilding it (Alembic's batch mode)
would cascade-delete its assessments. Down and up again, every row stays."""

from __future__ import annotations

import sqlite3

from alembic import command
from sample_data import TODAY

from pmsdesk.services.clinic import Clinic
from pmsdesk.store.database import Database, _alembic_config, current_revision, head_revision


def counts(path) -> tuple[int, int, int]:
    connection = sqlite3.connect(path)
    try:
        return tuple(connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                     for table in ("visit", "sdmt_assessment", "adverse_event"))
    finally:
        connection.close()


def test_downgrading_past_0003_and_upgrading_again_keeps_every_visit_and_its_parts(clinic, database, patient,
                                                                                   db_path):
    clinic.create_visit(patient.id, {"visit_date": "2026-03-02", "kind": "assessment", "sdmt.score": "40",
                                     "adverse_events": [{"term": "fatigue", "onset_date": "2026-03-02"}]})
    with database.engine.begin() as connection:
        command.downgrade(_alembic_config(connection), "0002")
    assert current_revision(database.engine) == "0002"
    assert counts(db_path) == (1, 1, 1)
    database.close()

    reopened = Database.open(str(db_path))
    try:
        assert current_revision(reopened.engine) == head_revision()
        assert counts(db_path) == (1, 1, 1)
        (record,) = Clinic(reopened, today=lambda: TODAY).visit_records(patient.id)
        assert record.assessments["sdmt"].score == 40 and record.visit.signed_by is None
    finally:
        reopened.close()
