"""Revision 0007 adds the treatment-slot indexes: a database holding duplicate treatments (entered
before the rule) is refused with the slots named and left at 0006, untouched; down and up again
keeps every visit and draft."""

from __future__ import annotations

import sqlite3

import pytest
from alembic import command
from sample_data import TODAY

from pmsdesk.store.database import Database, DatabaseError, _alembic_config, current_revision, head_revision

COURSE = {"agent": "it_methotrexate", "planned_dose": "12.5", "dose_unit": "mg", "interval_weeks_min": "8",
          "start_date": "2026-01-05"}


def test_duplicate_treatments_stop_the_upgrade_naming_them_and_nothing_changes(clinic, database, patient, db_path):
    course = clinic.create_course(patient.id, COURSE)
    clinic.create_visit(patient.id, {"visit_date": TODAY.isoformat(), "kind": "treatment", "treatment_number": "8",
                                     "dose_given": "12.5", "dose_unit": "mg", "course_id": course.id})
    clinic.save_draft(patient.id, None, {"notes": "typed"})
    with database.engine.begin() as connection:
        command.downgrade(_alembic_config(connection), "0006")
    database.close()
    with sqlite3.connect(db_path) as raw:  # the duplicate of the issue: treatment 9, the same day
        raw.execute("INSERT INTO visit (patient_id, course_id, visit_date, kind, treatment_number, dose_given, "
                    "status, version, created_at, updated_at) SELECT patient_id, course_id, visit_date, kind, 9, "
                    "dose_given, status, 1, created_at, updated_at FROM visit")
    with pytest.raises(DatabaseError, match=f"course {course.id}, visit date {TODAY.isoformat()}: 2 visits"):
        Database.open(str(db_path))
    with sqlite3.connect(db_path) as raw:
        assert raw.execute("SELECT version_num FROM alembic_version").fetchone() == ("0006",)
        assert raw.execute("SELECT count(*) FROM visit").fetchone() == (2,)
        raw.execute("UPDATE visit SET deleted_at = '2026-11-20 10:00:00', deleted_reason = 'Entered twice' "
                    "WHERE treatment_number = 9")  # voided, as the older pmsdesk would
    reopened = Database.open(str(db_path))
    try:
        assert current_revision(reopened.engine) == head_revision()
        with sqlite3.connect(db_path) as raw:
            assert raw.execute("SELECT count(*) FROM visit_draft").fetchone() == (1,)
    finally:
        reopened.close()
