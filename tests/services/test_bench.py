"""Services behind the bench workflow: today's list, drafts, open adverse events, earlier values."""

from __future__ import annotations

import datetime as dt

from bench import with_check
import pytest
from sample_data import TODAY

from pmsdesk.domain.schedule import DueStatus
from pmsdesk.domain.validation import ValidationFailed
from pmsdesk.services.history import earlier_values

COURSE = {"agent": "it_methotrexate", "planned_dose": "12.5", "dose_unit": "mg",
          "interval_weeks_min": "8", "interval_weeks_max": "11", "start_date": "2025-01-06"}


def add_patient(clinic, clinic_id: str, family: str):
    return clinic.create_patient({"clinic_id": clinic_id, "family_name": family, "given_names": "Test",
                                  "birth_date": "1970-01-01", "sex": "female", "phenotype": "SPMS"})


def treat(clinic, patient, course, day: dt.date, **extra):
    return clinic.create_visit(patient.id, with_check({"visit_date": day.isoformat(), "kind": "treatment",
                                                       "dose_given": "12.5", "dose_unit": "mg", "course_id": course.id,
                                                       **extra}))


def test_due_treatments_lists_due_soon_due_and_overdue_most_urgent_first(clinic):
    overdue, due, soon, later, new = (add_patient(clinic, f"MS-{n}", name) for n, name in
                                      enumerate(("Overdue", "Due", "Soon", "Later", "New")))
    for patient, weeks_ago in ((overdue, 12), (due, 9), (soon, 7), (later, 2)):
        course = clinic.create_course(patient.id, COURSE)
        treat(clinic, patient, course, TODAY - dt.timedelta(weeks=weeks_ago))
    new_course = clinic.create_course(new.id, {**COURSE, "start_date": "2026-11-16"})
    ended = clinic.create_course(later.id, {**COURSE, "end_date": "2026-01-01"})

    listed = clinic.due_treatments()
    assert [(d.patient.family_name, d.status) for d in listed] == [
        ("Overdue", DueStatus.OVERDUE), ("Due", DueStatus.DUE), ("New", DueStatus.DUE), ("Soon", DueStatus.DUE_SOON)]
    first = listed[0]
    assert first.last_treatment == TODAY - dt.timedelta(weeks=12) and first.treatments_done == 1
    assert first.window.closes == TODAY - dt.timedelta(weeks=1)
    brand_new = listed[2]
    assert brand_new.course.id == new_course.id and brand_new.last_treatment is None
    assert brand_new.window.opens == dt.date(2026, 11, 16)
    assert ended.id not in {d.course.id for d in listed}


def test_a_patient_treated_today_moves_to_the_visits_under_way(clinic, patient):
    course = clinic.create_course(patient.id, COURSE)
    treat(clinic, patient, course, TODAY - dt.timedelta(weeks=9))
    assert [d.patient.id for d in clinic.due_treatments()] == [patient.id]
    record = treat(clinic, patient, course, TODAY)
    assert clinic.due_treatments() == []
    started = clinic.visits_on(TODAY)
    assert [(s.patient.id, s.visit.id) for s in started] == [(patient.id, record.visit.id)]


def test_a_draft_keeps_raw_text_until_saved_or_discarded(clinic, patient):
    assert clinic.draft(patient.id, None) is None
    clinic.save_draft(patient.id, None, {"sdmt.score": "4", "visit_date": "2026-11-2"})
    clinic.save_draft(patient.id, None, {"sdmt.score": "48x", "adverse_events": [{"onset_date": TODAY}]})
    raw, typed_at = clinic.draft(patient.id, None)
    assert raw == {"sdmt.score": "48x", "adverse_events": [{"onset_date": "2026-11-20"}]}
    assert isinstance(typed_at, dt.datetime)
    unsaved = clinic.visits_on(TODAY)
    assert [(s.patient.id, s.visit) for s in unsaved] == [(patient.id, None)]

    record = clinic.create_visit(patient.id, {"visit_date": TODAY.isoformat(), "kind": "baseline", "sdmt.score": "48"})
    assert clinic.draft(patient.id, None) is None, "a successful save removes the new-visit draft"

    clinic.save_draft(patient.id, record.visit.id, {"sdmt.score": "50"})
    with pytest.raises(ValidationFailed):
        clinic.update_visit(record.visit.id, record.visit.version, {"visit_date": "2099-01-01", "kind": "baseline"})
    assert clinic.draft(patient.id, record.visit.id)[0] == {"sdmt.score": "50"}, "a refused save keeps the draft"
    clinic.discard_draft(patient.id, record.visit.id)
    assert clinic.draft(patient.id, record.visit.id) is None


def test_open_adverse_events_leave_out_the_visit_being_edited_and_closed_events(clinic, patient):
    events = [
        {"term": "post_lp_headache", "onset_date": "2026-09-01", "outcome": "ongoing"},
        {"term": "back_pain", "onset_date": "2026-09-01", "outcome": "recovered", "resolved_date": "2026-09-03"},
    ]
    earlier = clinic.create_visit(patient.id, {"visit_date": "2026-09-01", "kind": "baseline",
                                               "adverse_events": events})
    assert [e.term for e in clinic.open_adverse_events(patient.id)] == ["post_lp_headache"]
    assert clinic.open_adverse_events(patient.id, other_than_visit=earlier.visit.id) == []


def test_earlier_values_are_the_last_and_the_baseline_of_each_measure(clinic, patient):
    clinic.create_visit(patient.id, {"visit_date": "2026-01-10", "kind": "baseline", "edss.edss": "3.5",
                                     "t25fw.trial1_s": "6.0", "t25fw.trial2_s": "6.4"})
    clinic.create_visit(patient.id, with_check({"visit_date": "2026-05-10", "kind": "treatment", "dose_given": "12",
                                                "dose_unit": "mg", "edss.edss": "4.0", "sdmt.score": "50"}))
    current = clinic.create_visit(patient.id, with_check({"visit_date": "2026-09-10", "kind": "treatment",
                                                          "dose_given": "12", "dose_unit": "mg", "edss.edss": "6.0"}))
    found = earlier_values(clinic.visit_records(patient.id), before=dt.date(2026, 9, 10),
                           other_than_visit=current.visit.id)
    assert (found["edss"].last.value, found["edss"].last.date) == (4.0, dt.date(2026, 5, 10))
    assert (found["edss"].baseline.value, found["edss"].baseline.date) == (3.5, dt.date(2026, 1, 10))
    assert found["t25fw"].last.value == found["t25fw"].baseline.value == 6.2
    assert found["sdmt"].last.value == 50 and "nhpt_dominant" not in found
