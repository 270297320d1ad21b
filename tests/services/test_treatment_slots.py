"""One treatment per slot: a course's treatment number and day used once, and the protocol's minimum
interval kept, refused by the service naming the visit in the way, and held by the database itself."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import time

from bench import passed_check, with_check
import pytest
from sample_data import TODAY
from sqlalchemy import exc, text

from pmsdesk.domain.treatment_slots import TreatmentSlotTaken

COURSE = {"agent": "it_methotrexate", "planned_dose": "12.5", "dose_unit": "mg",
          "interval_weeks_min": "8", "interval_weeks_max": "11", "start_date": "2025-01-06"}
FIRST = TODAY - dt.timedelta(weeks=10)


def treat(clinic, patient, course, day: dt.date, number: int, **extra):
    return clinic.create_visit(patient.id, with_check({"visit_date": day.isoformat(), "kind": "treatment",
                                                       "dose_given": "12.5", "dose_unit": "mg", "course_id": course.id,
                                                       "treatment_number": str(number), **extra}))


@pytest.fixture
def course(clinic, patient):
    return clinic.create_course(patient.id, COURSE)


def refusal(call) -> dict[str, str]:
    with pytest.raises(TreatmentSlotTaken) as refused:
        call()
    return {problem.field: problem.message for problem in refused.value.problems}


def test_a_used_treatment_number_is_refused_naming_the_visit_and_a_free_number(clinic, patient, course):
    first = treat(clinic, patient, course, FIRST, 1)
    problems = refusal(lambda: treat(clinic, patient, course, TODAY, 1))
    assert list(problems) == ["treatment_number"]
    assert (f"Treatment 1 of this course is already recorded, on {FIRST.isoformat()} (visit {first.visit.id}, "
            "saved, awaiting signature)") in problems["treatment_number"]
    assert "(2 is free)" in problems["treatment_number"]
    assert treat(clinic, patient, course, TODAY, 2).visit.treatment_number == 2


def test_a_second_treatment_the_same_day_is_refused_whatever_its_number(clinic, patient, course):
    first = treat(clinic, patient, course, TODAY, 8)
    problems = refusal(lambda: treat(clinic, patient, course, TODAY, 9))
    assert list(problems) == ["visit_date"] and f"visit {first.visit.id}" in problems["visit_date"]
    assert "One treatment per course and day" in problems["visit_date"]
    assert len(clinic.visits(patient.id)) == 1
    # Another course of the same patient, or a follow-up visit, is not the course's treatment slot.
    other = clinic.create_course(patient.id, {**COURSE, "agent": "msc_np"})
    assert treat(clinic, patient, other, TODAY, 1).visit.course_id == other.id
    clinic.create_visit(patient.id, {"visit_date": TODAY.isoformat(), "kind": "follow_up", "course_id": course.id})


@pytest.mark.parametrize(("days_after", "allowed"), [(55, False), (56, True)])
def test_the_minimum_interval_of_the_protocol_on_its_boundary(clinic, patient, course, days_after, allowed):
    treat(clinic, patient, course, FIRST, 1)
    later = FIRST + dt.timedelta(days=days_after)
    if allowed:
        assert treat(clinic, patient, course, later, 2).visit.visit_date == later
        return
    message = refusal(lambda: treat(clinic, patient, course, later, 2))["visit_date"]
    assert "55 days after it" in message and "at least 8 weeks (56 days)" in message
    assert f"from {(FIRST + dt.timedelta(days=56)).isoformat()}" in message
    # ... and before a later treatment too (one recorded late, dated earlier).
    assert "before it" in refusal(lambda: treat(clinic, patient, course, FIRST - dt.timedelta(days=55), 3))[
        "visit_date"]


# A visit written straight into the database, around pmsdesk's own checks (an old row, another program).
WRITTEN_AROUND_PMSDESK = text(
    "INSERT INTO visit (patient_id, course_id, visit_date, kind, treatment_number, dose_given, status, version,"
    " created_at, updated_at) VALUES (:patient, :course, :day, :kind, :number, 12.5, 'draft', 1, :at, :at)")
WRITTEN_AT = dt.datetime(2026, 1, 1)


def write_around_pmsdesk(connection, patient, course, day: dt.date, kind: str, number: int | None) -> None:
    connection.execute(WRITTEN_AROUND_PMSDESK, {"patient": patient.id, "course": course.id, "day": day, "kind": kind,
                                                "number": number, "at": WRITTEN_AT})


def test_a_voided_treatment_frees_its_slot_and_a_stored_one_keeps_its_place(clinic, patient, course):
    first = treat(clinic, patient, course, FIRST, 1)
    clinic.delete_visit(first.visit.id, first.visit.version, "Entered twice")
    again = treat(clinic, patient, course, FIRST, 1)
    # A visit stored before the rule, closer than the interval (written around the service), is still
    # saved when changed in place; moving it is checked.
    close = FIRST + dt.timedelta(weeks=3)
    with clinic.db.engine.begin() as raw:
        write_around_pmsdesk(raw, patient, course, close, "treatment", 2)
    old = next(v for v in clinic.visits(patient.id) if v.treatment_number == 2)
    changed = clinic.update_visit(old.id, old.version, {"visit_date": close.isoformat(), "kind": "treatment",
                                                        "dose_given": "12.5", "dose_unit": "mg",
                                                        "treatment_number": "2", "notes": "checked"})
    assert changed.visit.notes == "checked"
    assert "Too close" in refusal(lambda: clinic.update_visit(
        old.id, changed.visit.version, {"visit_date": (close + dt.timedelta(days=1)).isoformat(),
                                        "kind": "treatment", "dose_given": "12.5", "dose_unit": "mg", "treatment_number": "2"}))[
        "visit_date"]
    assert again.visit.id != first.visit.id


def test_the_database_itself_refuses_a_duplicate_written_around_pmsdesk(clinic, patient, course):
    treat(clinic, patient, course, TODAY, 4)
    # Its number again on another day, another number on its day: the slot's unique indexes refuse each.
    for day, number in ((FIRST, 4), (TODAY, 5)):
        with clinic.db.engine.begin() as raw, pytest.raises(exc.IntegrityError) as refused:
            write_around_pmsdesk(raw, patient, course, day, "treatment", number)
        assert "unique" in str(refused.value.orig).lower()
    with clinic.db.engine.begin() as raw:  # a follow-up visit that day is not a treatment slot
        write_around_pmsdesk(raw, patient, course, TODAY, "follow_up", None)
    assert [v.treatment_number for v in clinic.visits(patient.id)] == [4, None]


SAVER = """
import json, os, sys, time
from pmsdesk.domain.refusals import Refusal
from pmsdesk.services.clinic import Clinic
from pmsdesk.store.database import Database

path, patient_id, course_id, number, day, go, check = sys.argv[1:]
clinic = Clinic(Database.open(path))
open(go + "." + number, "w").close()  # ready
while not os.path.exists(go):
    time.sleep(0.005)
try:
    record = clinic.create_visit(int(patient_id), {"visit_date": day, "kind": "treatment",
        "dose_given": "12.5", "dose_unit": "mg", "course_id": int(course_id), "treatment_number": number,
        **json.loads(check)})
    print("saved", record.visit.id)
except Refusal as refusal:
    print("refused", refusal)
"""


def test_two_processes_saving_the_same_slot_at_once_one_is_refused_naming_the_other(clinic, patient, course,
                                                                                       tmp_path):
    go = tmp_path / "go"
    savers = [subprocess.Popen([sys.executable, "-c", SAVER, clinic.db.location, str(patient.id), str(course.id),
                                number, TODAY.isoformat(), str(go), json.dumps(passed_check(TODAY))],
                               stdout=subprocess.PIPE, text=True)
              for number in ("8", "9")]
    deadline = time.monotonic() + 60
    while not all((tmp_path / f"go.{n}").exists() for n in ("8", "9")) and time.monotonic() < deadline:
        time.sleep(0.01)  # both have opened the database and wait for the signal
    go.touch()
    outputs = sorted(saver.communicate(timeout=60)[0].strip() for saver in savers)
    assert [line.split()[0] for line in outputs] == ["refused", "saved"], outputs
    saved_id = outputs[1].split()[1]
    assert f"(visit {saved_id}, saved, awaiting signature)" in outputs[0]
    assert [v.visit_date for v in clinic.visits(patient.id)] == [TODAY]


def test_a_slot_taken_between_the_check_and_the_write_is_refused_by_the_database_naming_the_visit(
        clinic, patient, course, monkeypatch):
    import pmsdesk.services.clinic as service

    first = treat(clinic, patient, course, TODAY, 8)
    checks = []
    real_check = service.check_slot
    # The other workstation's commit lands just after this one's check: its first check sees nothing.
    monkeypatch.setattr(service, "check_slot", lambda *args: checks.append(args) if not checks else real_check(*args))
    problems = refusal(lambda: treat(clinic, patient, course, TODAY, 9))
    assert len(checks) == 1 and f"visit {first.visit.id}" in problems["visit_date"]
