"""The state the screens show, worked out truly by the services: each visit on today's list with
where it stands, a patient listed once (not also as due for the course of a visit under way), and a
save that changes nothing writes nothing (no version, no audit entry, no amendment)."""

from __future__ import annotations

import pytest
from sample_data import PATIENT, TODAY

from pmsdesk.services.clinic import Clinic, DayState

COURSE = {"agent": "it_methotrexate", "planned_dose": "12.5", "dose_unit": "mg", "interval_weeks_min": "8",
          "interval_weeks_max": "12", "start_date": "2026-11-16"}
VISIT = {"visit_date": TODAY.isoformat(), "kind": "assessment", "t25fw.trial1_s": "7.5", "t25fw.trial2_s": "7.7",
         "sdmt.score": "48", "adverse_events": [{"term": "back_pain", "onset_date": TODAY.isoformat()}]}


@pytest.fixture
def neurologist(database):
    from pmsdesk.services.accounts import Accounts

    admin = Accounts(database).create_first_administrator("a.admin", "Ada Admin", "a long enough password")
    Accounts(database, admin).create_user("d.neuro", "Dr Dana Neuro", "neurologist", "neurologist password")
    return Clinic(database, actor=Accounts(database).sign_in("d.neuro", "neurologist password"), today=lambda: TODAY)


def person(clinic, number: int, family: str):
    return clinic.create_patient({**PATIENT, "clinic_id": f"MS-{number:04d}", "family_name": family})


def test_each_visit_on_the_day_says_where_it_stands_and_a_patient_is_listed_once(clinic, neurologist):
    typing = person(clinic, 1, "Typing")  # course due, a new visit of it typed and not saved
    typing_course = clinic.create_course(typing.id, COURSE)
    clinic.save_draft(typing.id, None, {"visit_date": TODAY.isoformat(), "course_id": typing_course.id})
    saved = person(clinic, 2, "Saved")  # course due, an assessment of it saved today
    saved_course = clinic.create_course(saved.id, COURSE)
    clinic.create_visit(saved.id, {**VISIT, "course_id": saved_course.id})
    edited = person(clinic, 3, "Edited")  # saved today, then changed and not saved again
    edited_visit = clinic.create_visit(edited.id, VISIT)
    clinic.save_draft(edited.id, edited_visit.visit.id, {**edited_visit.form_values(), "sdmt.score": "50"})
    signed = person(clinic, 4, "Signed")
    signed_visit = clinic.create_visit(signed.id, VISIT)
    neurologist.sign_visit(signed_visit.visit.id, signed_visit.visit.version, password="neurologist password")
    waiting = person(clinic, 5, "Waiting")  # due, nothing started
    waiting_course = clinic.create_course(waiting.id, COURSE)
    other = person(clinic, 6, "Other")  # a visit under way of no course: its course is not listed as due
    clinic.create_course(other.id, COURSE)
    clinic.save_draft(other.id, None, {"visit_date": TODAY.isoformat(), "course_id": None})

    states = [(s.patient.family_name, s.state) for s in clinic.visits_on(TODAY)]
    assert states == [("Edited", DayState.CHANGES_NOT_SAVED), ("Saved", DayState.AWAITING_SIGNATURE),
                      ("Signed", DayState.SIGNED), ("Other", DayState.UNSAVED), ("Typing", DayState.UNSAVED)]
    assert [(d.patient.family_name, d.course.id) for d in clinic.due_treatments()] == [("Waiting", waiting_course.id)]

    clinic.discard_draft(typing.id, None)  # the typing was thrown away: the course is due again
    assert {d.patient.family_name for d in clinic.due_treatments()} == {"Waiting", "Typing"}


def test_a_save_that_changes_nothing_writes_nothing(clinic, patient):
    record = clinic.create_visit(patient.id, VISIT)
    entries = len(clinic.audit_entries(patient_id=patient.id))
    clinic.save_draft(patient.id, record.visit.id, record.form_values())
    form = {**record.form_values(), "course_id": None,
            "adverse_events": [{"id": e.id, "version": e.version, "term": e.term, "onset_date": e.onset_date}
                               for e in record.adverse_events]}
    again = clinic.update_visit(record.visit.id, record.visit.version, form)
    assert Clinic.visit_unchanged(again, record.visit.version)
    assert clinic.visit_record(record.visit.id).visit.version == record.visit.version
    stored = clinic.visit_record(record.visit.id).visit.updated_at
    assert stored.replace(tzinfo=None) == record.visit.updated_at.replace(tzinfo=None)
    assert len(clinic.audit_entries(patient_id=patient.id)) == entries
    assert clinic.draft(patient.id, record.visit.id) is None, "a draft holding nothing new is dropped"

    changed = clinic.update_visit(record.visit.id, record.visit.version, {**form, "sdmt.score": "49"})
    assert not Clinic.visit_unchanged(changed, record.visit.version) and changed.assessments["sdmt"].score == 49
    assert len(clinic.audit_entries(patient_id=patient.id)) > entries


def test_an_amendment_that_changes_nothing_is_no_amendment(neurologist, patient):
    record = neurologist.create_visit(patient.id, VISIT)
    signed = neurologist.sign_visit(record.visit.id, record.visit.version, password="neurologist password")
    form = {**record.form_values(), "course_id": None,
            "adverse_events": [{"id": e.id, "version": e.version, "term": e.term, "onset_date": e.onset_date}
                               for e in record.adverse_events]}
    again = neurologist.update_visit(record.visit.id, signed.version, form, amendment_reason="Checked, all right")
    assert Clinic.visit_unchanged(again, signed.version) and again.visit.status == "signed"
    assert [e.kind.value for e in neurologist.visit_history(record.visit.id)] == ["sign"]
