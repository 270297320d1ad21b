"""The Clinic hands its callers read models, never stored rows: frozen, with their version token.

Screens, reports and exchange format what they are given through the registry and the naming rule;
none of them can change, save or lazily load a row, and a save hands the version back.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from bench import passed_check
import pytest
from sqlmodel import SQLModel

from pmsdesk.domain.assessments import REGISTRY
from pmsdesk.services.clinic import StaleRecord
from pmsdesk.services.views import RowView, VisitView


def _stored_rows_in(value, path="result"):
    """Every place in ``value`` where a stored row (an ORM instance) is handed out."""
    if isinstance(value, SQLModel):
        return [path]
    if isinstance(value, (list, tuple)):
        return [p for i, item in enumerate(value) for p in _stored_rows_in(item, f"{path}[{i}]")]
    if isinstance(value, dict):
        return [p for key, item in value.items() for p in _stored_rows_in(item, f"{path}[{key!r}]")]
    if isinstance(value, VisitView):
        return _stored_rows_in((value.visit, dict(value.assessments), value.adverse_events), path)
    if dataclasses.is_dataclass(value) and not isinstance(value, RowView):
        return [p for f in dataclasses.fields(value) for p in _stored_rows_in(getattr(value, f.name), f"{path}.{f.name}")]
    return []


@pytest.fixture
def recorded(clinic, patient):
    course = clinic.create_course(patient.id, {"agent": "it_methotrexate", "planned_dose": "12.5", "dose_unit": "mg",
                                               "interval_weeks_min": "8", "interval_weeks_max": "11",
                                               "start_date": "2026-01-05"})
    visit = clinic.create_visit(patient.id, {**passed_check("2026-01-05"),
        "visit_date": "2026-01-05", "kind": "treatment", "course_id": course.id, "treatment_number": "1",
        "dose_given": "12.5", "dose_unit": "mg", "t25fw.trial1_s": "7.4", "t25fw.trial2_s": "7.6",
        "six_minute_walk.not_completed": "physical_ms",
        "adverse_events": [{"term": "post_lp_headache", "onset_date": "2026-01-06", "ctcae_grade": "1"}]})
    clinic.save_relapse(patient.id, {"onset_date": "2025-06-01"})
    clinic.save_dmt(patient.id, {"agent": "Ocrelizumab", "start_date": "2020-01-01"})
    return course, visit


def test_no_read_of_the_clinic_hands_out_a_stored_row(clinic, patient, recorded):
    course, visit = recorded
    results = {
        "patient": clinic.patient(patient.id), "courses": clinic.courses(patient.id),
        "visits": clinic.visits(patient.id), "visit_record": clinic.visit_record(visit.visit.id),
        "visit_records": clinic.visit_records(patient.id),
        "by_patient": clinic.visit_records_by_patient([patient.id]),
        "relapses_by_patient": clinic.relapses_by_patient([patient.id]),
        "adverse_events": clinic.adverse_events(patient.id), "open": clinic.open_adverse_events(patient.id),
        "relapses": clinic.relapses(patient.id), "dmt": clinic.dmt_history(patient.id),
        "due": clinic.due_treatments(), "on the day": clinic.visits_on(dt.date(2026, 1, 5)),
        "created": visit, "course": course,
    }
    assert results["due"] and results["on the day"], "every kind of result is exercised"
    assert {name: _stored_rows_in(value, name) for name, value in results.items()} == \
        {name: [] for name in results}


def test_views_are_frozen_and_carry_what_the_screens_show(clinic, patient, recorded):
    _course, visit = recorded
    view = clinic.patient(patient.id)
    assert view.display_name == "EXAMPLE, Alex"
    with pytest.raises(dataclasses.FrozenInstanceError):
        view.family_name = "Changed"
    record = clinic.visit_record(visit.visit.id)
    assert record.formatted(REGISTRY.measure("t25fw")) == "7.50"
    assert record.formatted(REGISTRY.measure("six_minute_walk")) == "not done"
    assert record.formatted(REGISTRY.measure("sdmt")) == ""
    with pytest.raises(TypeError):
        record.assessments["t25fw"] = None


def test_the_version_a_view_carries_is_the_token_a_save_hands_back(clinic, patient):
    first = clinic.patient(patient.id)
    clinic.update_patient(patient.id, first.version, {**_patient_values(first), "notes": "first save"})
    with pytest.raises(StaleRecord):
        clinic.update_patient(patient.id, first.version, {**_patient_values(first), "notes": "second save"})
    assert clinic.patient(patient.id).notes == "first save"


def _patient_values(view) -> dict:
    from pmsdesk.domain.fields import PATIENT_FIELDS

    return {field.name: getattr(view, field.name) for field in PATIENT_FIELDS}

