"""The review desk's reads: the visits waiting for a signature, signing several at once with one
stale, who signed a visit, and a visit's history told as a clinical record."""

from __future__ import annotations

import datetime as dt
import itertools
import time
from dataclasses import replace

import pytest
from sample_data import PATIENT, TODAY

from pmsdesk.services.accounts import Accounts
from pmsdesk.services.clinic import Clinic, StaleRecord
from pmsdesk.services.review import signature_text
from pmsdesk.store import audit

WALK = {"visit_date": "2026-03-02", "kind": "assessment", "t25fw.trial1_s": "7.5", "t25fw.trial2_s": "7.7"}


@pytest.fixture
def local_berlin(monkeypatch):
    """Local time is Berlin's (UTC+1 in winter), so "local to the minute" is checked for real."""
    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def clock(monkeypatch):
    """Each audited transaction happens one minute and a few seconds after the one before (UTC)."""
    start = dt.datetime(2026, 11, 20, 13, 4, 30, 123456, tzinfo=dt.UTC)
    ticks = (start + dt.timedelta(minutes=n, seconds=n) for n in itertools.count())
    monkeypatch.setattr(audit, "_now", lambda: next(ticks).isoformat(timespec="microseconds"))


@pytest.fixture
def people(database):
    admin = Accounts(database).create_first_administrator("a.admin", "Ada Admin", "a long enough password")
    Accounts(database, admin).create_user("n.nurse", "Nina Nurse", "nurse", "nurse's own password")
    Accounts(database, admin).create_user("d.neuro", "Dr Dana Neuro", "neurologist", "neurologist password")

    def as_(username, password):
        return Clinic(database, actor=Accounts(database).sign_in(username, password), today=lambda: TODAY)

    return as_("n.nurse", "nurse's own password"), as_("d.neuro", "neurologist password")


def test_the_queue_holds_saved_unsigned_visits_oldest_first(people):
    nurse, neurologist = people
    alex = nurse.create_patient(PATIENT)
    bea = nurse.create_patient({**PATIENT, "clinic_id": "MS-0002", "family_name": "Brown", "given_names": "Bea"})
    later = nurse.create_visit(alex.id, {**WALK, "visit_date": "2026-11-19"})
    earlier = nurse.create_visit(bea.id, {**WALK, "visit_date": "2026-10-01"})
    examined = neurologist.create_visit(alex.id, {"visit_date": "2026-11-20", "kind": "assessment",
                                                  "edss.edss": "3.0", **{f"edss.fs_{fs}": "0" for fs in (
                                                      "pyramidal", "cerebellar", "brainstem", "sensory",
                                                      "bowel_bladder", "visual", "cerebral")},
                                                  "edss.ambulation": "0"})
    signed = nurse.create_visit(alex.id, {**WALK, "visit_date": "2026-09-01"})
    neurologist.sign_visit(signed.visit.id, signed.visit.version, password="neurologist password")
    deleted = nurse.create_visit(bea.id, {**WALK, "visit_date": "2026-08-01"})
    neurologist.delete_visit(deleted.visit.id, deleted.visit.version, "Entered twice")
    nurse.save_draft(alex.id, None, {"visit_date": "2026-11-20"})  # typed, never saved: not waiting

    queue = neurologist.visits_awaiting_signature()
    assert [(item.visit_id, item.patient_name, item.visit_date, item.kind, item.recorded_by) for item in queue] == [
        (earlier.visit.id, "BROWN, Bea", dt.date(2026, 10, 1), "Assessment only", "Nina Nurse"),
        (later.visit.id, "EXAMPLE, Alex", dt.date(2026, 11, 19), "Assessment only", "Nina Nurse"),
        (examined.visit.id, "EXAMPLE, Alex", dt.date(2026, 11, 20), "Assessment only", "Dr Dana Neuro"),
    ]
    assert queue[0].summary == "T25FW 7.60" and queue[0].version == earlier.visit.version
    assert queue[0].warnings == ()
    assert queue[2].summary == "EDSS 3.0 (computed 0.0)"
    assert queue[2].warnings == ("EDSS 3.0 differs from the step computed from the functional systems (0.0)",)


def test_signing_several_signs_all_but_the_stale_one(people):
    nurse, neurologist = people
    patient = nurse.create_patient(PATIENT)
    for day in ("2026-11-01", "2026-11-02", "2026-11-03"):
        nurse.create_visit(patient.id, {**WALK, "visit_date": day})
    first, second, third = neurologist.visits_awaiting_signature()
    changed = nurse.visit_record(second.visit_id)
    nurse.update_visit(second.visit_id, changed.visit.version, {**changed.form_values(), "t25fw.trial1_s": "7.9"})

    refused = {}
    for item in (first, second, third):
        try:
            neurologist.sign_visit(item.visit_id, item.version, password="neurologist password")
        except StaleRecord as stale:
            refused[item.visit_id] = str(stale)
    assert list(refused) == [second.visit_id] and "changed by someone else" in refused[second.visit_id]
    assert [item.visit_id for item in neurologist.visits_awaiting_signature()] == [second.visit_id]


def test_the_signature_names_the_neurologist_in_local_time(people, local_berlin):
    nurse, neurologist = people
    record = nurse.create_visit(nurse.create_patient(PATIENT).id, WALK)
    assert signature_text(record.visit, neurologist.user_names()) == ""
    neurologist.sign_visit(record.visit.id, record.visit.version, password="neurologist password")
    visit = neurologist.visit_record(record.visit.id).visit
    stored = replace(visit, signed_at=dt.datetime(2026, 11, 20, 13, 5, 59, 999, tzinfo=dt.UTC))
    assert signature_text(stored, neurologist.user_names()) == ("Signed by Dr Dana Neuro on 2026-11-20 14:05 "
                                                                "\u2013 Reviewed and approved")


def test_a_visits_history_reads_like_a_clinical_record(people, local_berlin, clock):
    nurse, neurologist = people
    patient = nurse.create_patient(PATIENT)  # 14:04
    record = nurse.create_visit(patient.id, WALK)  # 14:05
    record = nurse.update_visit(record.visit.id, record.visit.version,  # 14:06
                                {**record.form_values(), "t25fw.trial2_s": "7.9", "csf_removed_ml": "10"})
    signed = neurologist.sign_visit(record.visit.id, record.visit.version, password="neurologist password")  # 14:07
    amended = neurologist.update_visit(signed.id, signed.version,  # 14:08
                                       {**record.form_values(), "t25fw.trial1_s": "7.6", "t25fw.walking_aid": "unilateral"},
                                       amendment_reason="Trial 1 misread")
    assert amended.assessments["t25fw"].trial1_s == 7.6

    assert neurologist.visit_history_lines(record.visit.id) == [
        "2026-11-20 14:05 \u00b7 Nina Nurse \u00b7 Recorded the visit (Assessment only, 2026-03-02)",
        "2026-11-20 14:05 \u00b7 Nina Nurse \u00b7 Recorded Timed 25-foot walk: T25FW trial 1 7.50 s, "
        "T25FW trial 2 7.70 s",
        "2026-11-20 14:06 \u00b7 Nina Nurse \u00b7 Changed CSF removed: \u2013 \u2192 10.0 mL",
        "2026-11-20 14:06 \u00b7 Nina Nurse \u00b7 Changed T25FW trial 2: 7.70 s \u2192 7.90 s",
        "2026-11-20 14:07 \u00b7 Dr Dana Neuro \u00b7 Signed the visit",
        "2026-11-20 14:08 \u00b7 Dr Dana Neuro \u00b7 Amended T25FW trial 1: 7.50 s \u2192 7.60 s"
        " \u00b7 Reason: Trial 1 misread",
        "2026-11-20 14:08 \u00b7 Dr Dana Neuro \u00b7 Amended Walking aid: \u2013 \u2192 Unilateral (cane, crutch)"
        " \u00b7 Reason: Trial 1 misread",
    ]
    kinds = [entry.kind.value for entry in neurologist.audit_entries(visit_id=record.visit.id)]
    assert kinds.count("update") >= 2 and "amend" in kinds  # the trail itself is untouched


def test_a_deleted_visit_and_a_changed_adverse_event_say_what_and_why(people, local_berlin, clock):
    nurse, neurologist = people
    patient = nurse.create_patient(PATIENT)
    record = nurse.create_visit(patient.id, {**WALK, "adverse_events": [
        {"term": "post_lp_headache", "onset_date": "2026-03-03", "ctcae_grade": "1", "outcome": "ongoing"}]})
    form = record.form_values()
    event = record.adverse_events[0]
    events = [{"id": event.id, "version": event.version, "term": "post_lp_headache", "onset_date": "2026-03-03",
               "ctcae_grade": "1", "outcome": "recovered", "resolved_date": "2026-03-05"}]
    record = nurse.update_visit(record.visit.id, record.visit.version, {**form, "adverse_events": events})
    neurologist.delete_visit(record.visit.id, record.visit.version, "Entered twice")

    assert neurologist.visit_history_lines(record.visit.id)[2:] == [
        "2026-11-20 14:05 \u00b7 Nina Nurse \u00b7 Recorded Adverse event: Post-lumbar-puncture headache, "
        "Onset 2026-03-03, CTCAE grade 1, Outcome Not recovered / ongoing",
        "2026-11-20 14:06 \u00b7 Nina Nurse \u00b7 Changed Adverse event \u2013 Outcome: Not recovered / ongoing "
        "\u2192 Recovered",
        "2026-11-20 14:06 \u00b7 Nina Nurse \u00b7 Changed Adverse event \u2013 Resolved on: \u2013 \u2192 2026-03-05",
        "2026-11-20 14:07 \u00b7 Dr Dana Neuro \u00b7 Deleted the visit with its 1 adverse event (kept, hidden) "
        "\u00b7 Reason: Entered twice",
    ]
