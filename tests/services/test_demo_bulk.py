"""The demo clinic's bulk path writes what one service call per row would write, audited the same way."""

from __future__ import annotations

import random

from sample_data import TODAY
from sqlalchemy import select

from pmsdesk.services import demo
from pmsdesk.services.clinic import Clinic
from pmsdesk.services.demo import create_demo_accounts, fill_demo_clinic
from pmsdesk.store import audit
from pmsdesk.store.tables import (AdverseEvent, DmtHistory, DoseCheck, EdssAssessment, LabAssessment, NhptAssessment,
                                  Patient, Relapse, SafetyCheck, SdmtAssessment, SixMinuteWalk, T25fwAssessment,
                                  TreatmentCourse, Visit)

CLINICAL_TABLES = (Patient, TreatmentCourse, Relapse, DmtHistory, Visit, EdssAssessment, T25fwAssessment,
                   NhptAssessment, SdmtAssessment, SixMinuteWalk, LabAssessment, AdverseEvent, SafetyCheck, DoseCheck)
MOVING = {"id", "created_at", "updated_at", "version", "checked_at", "override_at"}


def _contents(clinic: Clinic) -> dict[str, list[tuple]]:
    """Every clinical table's rows without the values that move with each write (ids, times)."""
    with clinic.db.reading() as session:
        return {table.__tablename__: sorted(
            tuple((name, repr(value)) for name, value in sorted(row.model_dump().items()) if name not in MOVING)
            for row in session.scalars(select(table))) for table in CLINICAL_TABLES}


def _written_one_call_per_row(clinic: Clinic, patients: int) -> None:
    """The same plans written as the demo wrote them before its bulk path: one service call per row."""
    planner = demo._PatientPlanner(random.Random(demo.DEFAULT_SEED), TODAY)
    with clinic.db.batch() as database:
        batch = Clinic(database, actor=demo.DEMO_ACTOR, today=clinic.today)
        demo._register_demo_staff(database, TODAY)
        for number in range(1, patients + 1):
            plan = planner.plan(f"DEMO-{number:03d}")
            patient = batch.create_patient(plan.patient)
            course = batch.create_course(patient.id, plan.course)
            for visit in plan.visits:
                batch.create_visit(patient.id, {**visit, "course_id": course.id})
            for relapse in plan.relapses:
                batch.save_relapse(patient.id, relapse)
            for therapy in plan.therapies:
                batch.save_dmt(patient.id, therapy)


def test_bulk_rows_are_the_service_rows(database, tmp_path, monkeypatch):
    """Without the demo accounts nothing is signed, amended or voided by a neurologist: the rows are the plans'."""
    from pmsdesk.store.database import Database

    monkeypatch.setattr(demo, "BULK_PATIENTS", 3)  # several batches
    monkeypatch.setattr(demo, "_every_state", lambda *args: {"signed": 0, "amended": 0, "voided": 0})
    bulk = Clinic(database, today=lambda: TODAY)
    fill_demo_clinic(bulk, patients=7, today=TODAY)
    reference = Clinic(Database.open(str(tmp_path / "reference.sqlite3")), today=lambda: TODAY)
    _written_one_call_per_row(reference, 7)
    assert _contents(bulk) == _contents(reference)
    reference.db.close()


def test_bulk_demo_passes_every_audit_check(database, monkeypatch):
    monkeypatch.setattr(demo, "BULK_PATIENTS", 4)
    create_demo_accounts(database)
    summary = fill_demo_clinic(Clinic(database, today=lambda: TODAY), patients=9, today=TODAY)
    assert summary.signed > 0 and summary.amended == 1 and summary.voided == 1
    with database.engine.connect() as connection:
        assert audit.verify(connection).complete
        assert audit.verify_data(connection).intact
        signed, findings = audit.signature_findings(connection)
    assert signed == summary.signed and findings == []


def test_one_patient_shows_a_cleared_methotrexate_neurotoxicity(database):
    create_demo_accounts(database)
    clinic = Clinic(database, today=lambda: TODAY)
    fill_demo_clinic(clinic, patients=6, today=TODAY)
    with database.reading() as session:
        (event,) = session.scalars(select(AdverseEvent).where(AdverseEvent.term == "neurotoxicity"))
    assert event.cleared_by == "demo-neurologist" and event.clearance_reason == demo.NEUROTOXICITY_CLEARANCE
    assert clinic.methotrexate_block(event.patient_id, "it_methotrexate", TODAY) is None
