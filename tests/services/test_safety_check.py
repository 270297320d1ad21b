"""The pre-puncture safety check through the Clinic service: a treatment dose is refused without the
check and with a failed item, accepted with a neurologist's override with a reason; a nurse's override
and one without a reason are refused; a laboratory value too old is said so; the audit trail holds the
override. Thresholds are those of pmsdesk.domain.procedure_safety (ABN 2018, NCT02644044)."""

from __future__ import annotations

import datetime as dt

import pytest
from bench import passed_check
from people import checked_dose, signed_in
from sample_data import TODAY

from pmsdesk.domain.permissions import Role
from pmsdesk.domain.procedure_safety import DoseBlocked, OverrideRefused
from pmsdesk.services.clinic import Clinic
from pmsdesk.services.safety import OVERRIDE_KEY

COURSE = {"agent": "it_methotrexate", "planned_dose": "12.5", "dose_unit": "mg",
          "interval_weeks_min": "8", "interval_weeks_max": "11", "start_date": "2025-01-06"}


@pytest.fixture
def nurse(database):
    return Clinic(database, actor=signed_in(database, "nurse-ada", Role.NURSE, "Ada Nurse"), today=lambda: TODAY)


@pytest.fixture
def neurologist(database):
    return Clinic(database, actor=signed_in(database, "dr-neuro", Role.NEUROLOGIST, "Dr Nora Neuro"),
                  today=lambda: TODAY)


@pytest.fixture
def course(nurse, patient):
    return nurse.create_course(patient.id, COURSE)


def treatment(database, course, **extra) -> dict:
    """A treatment visit as the bench saves it (its procedure record and second-person check, tests/people)."""
    return checked_dose(database, {"visit_date": TODAY.isoformat(), "kind": "treatment", "dose_given": "12.5",
                                          "dose_unit": "mg", "course_id": course.id, "treatment_number": "1", **extra})


def test_a_dose_without_the_check_is_refused_and_nothing_is_written(nurse, patient, course, database):
    with pytest.raises(DoseBlocked, match="once the pre-puncture safety check is answered"):
        nurse.create_visit(patient.id, treatment(database, course))
    assert nurse.visits(patient.id) == []


def test_a_passed_check_lets_the_dose_be_recorded_and_is_kept_with_its_findings(nurse, patient, course, database):
    record = nurse.create_visit(patient.id, treatment(database, course, **passed_check(TODAY)))
    check = record.safety_check
    assert record.visit.dose_given == 12.5 and check.result == "passed" and check.override_by is None
    assert "Platelet count: passed \u2013 250 x10^9/L on " + TODAY.isoformat() in check.findings
    assert "NCT02644044" in check.findings and "Pract Neurol 2018" in check.findings
    assert record.form_values()["safety_check.antithrombotic"] == "none"


def test_a_failed_item_blocks_the_dose_naming_it_and_what_is_allowed(nurse, patient, course, database):
    with pytest.raises(DoseBlocked) as refused:
        nurse.create_visit(patient.id, treatment(database, course, **passed_check(TODAY, active_infection=True)))
    assert "Active infection: active infection" in str(refused.value)
    assert "a neurologist may override them with a reason" in str(refused.value)
    # Clopidogrel 7 days (168 h) before, ABN 2018: 167 h is refused, 168 h passes.
    with pytest.raises(DoseBlocked, match="last dose 167 h ago, stop at least 168 h before"):
        nurse.create_visit(patient.id, treatment(database, course, **passed_check(TODAY, antithrombotic="clopidogrel",
                                                                         hours_since_last_dose="167")))
    record = nurse.create_visit(patient.id, treatment(database, course, **passed_check(
        TODAY, antithrombotic="clopidogrel", hours_since_last_dose="168")))
    assert record.safety_check.result == "passed"


def test_a_laboratory_value_too_old_is_said_so(nurse, patient, course, database):
    old = TODAY - dt.timedelta(days=29)  # the default limit is 28 days (a setting)
    with pytest.raises(DoseBlocked, match=f"latest value 250 x10\\^9/L on {old.isoformat()} is 29 days old; "
                                          "the check needs up to 28 days old"):
        nurse.create_visit(patient.id, treatment(database, course, **passed_check(old)))
    assert nurse.create_visit(patient.id, treatment(database, course, **passed_check(old + dt.timedelta(days=1)))).visit.id


def test_the_latest_value_of_an_earlier_visit_counts(nurse, patient, course, database):
    nurse.create_visit(patient.id, {"visit_date": (TODAY - dt.timedelta(days=3)).isoformat(), "kind": "follow_up",
                                    "labs.sampled_on": (TODAY - dt.timedelta(days=3)).isoformat(),
                                    "labs.platelets": "42", "labs.wbc": "6", "labs.lymphocytes": "1.2"})
    answers = {key: value for key, value in passed_check(TODAY).items() if key.startswith("safety_check.")}
    with pytest.raises(DoseBlocked, match="Platelet count: 42 x10\\^9/L on .*, below the minimum 50"):
        nurse.create_visit(patient.id, treatment(database, course, **answers))


def test_a_nurse_override_and_one_without_a_reason_are_refused(nurse, neurologist, patient, course, database):
    failing = treatment(database, course, **passed_check(TODAY, active_infection=True))
    with pytest.raises(OverrideRefused, match="only by a neurologist"):
        nurse.create_visit(patient.id, {**failing, OVERRIDE_KEY: "Urinary infection treated, afebrile"})
    for reason in ("", "   "):
        with pytest.raises(OverrideRefused, match="needs a reason"):
            neurologist.create_visit(patient.id, {**failing, OVERRIDE_KEY: reason})
    assert nurse.visits(patient.id) == []


def test_a_neurologist_override_with_a_reason_is_kept_and_audited(nurse, neurologist, patient, course, database):
    # A treatment visit needs its dose, so a nurse whose check failed keeps the draft; the neurologist
    # overrides with a reason and the dose is recorded.
    failing = treatment(database, course, **passed_check(TODAY, active_infection=True))
    with pytest.raises(DoseBlocked):
        nurse.create_visit(patient.id, failing)
    record = neurologist.create_visit(patient.id, {**failing, OVERRIDE_KEY: "Treated cystitis, afebrile for 5 days"})
    saved = record
    check = record.safety_check
    assert record.visit.dose_given == 12.5
    assert (check.override_by, check.override_name, check.override_items) == ("dr-neuro", "Dr Nora Neuro", "infection")
    assert check.override_reason == "Treated cystitis, afebrile for 5 days" and check.override_at is not None
    entries = [e for e in nurse.audit_entries(visit_id=saved.visit.id) if e.table_name == "safety_check"]
    assert any("Treated cystitis, afebrile for 5 days" in str(entry.after) for entry in entries)
    # The override covers the items it named: the nurse may save other changes, not a new failed item.
    again = nurse.update_visit(record.visit.id, record.visit.version, {**failing, "notes": "tolerated well"})
    assert again.visit.notes == "tolerated well"
    with pytest.raises(DoseBlocked, match="Pregnancy possible"):
        nurse.update_visit(again.visit.id, again.visit.version, {**failing, "safety_check.pregnancy_possible": True})


def test_visits_without_a_procedure_do_not_ask_for_the_check(nurse, patient, course):
    record = nurse.create_visit(patient.id, {"visit_date": TODAY.isoformat(), "kind": "follow_up",
                                             "course_id": course.id})
    assert record.safety_check is None


def test_the_visit_summary_prints_the_check_and_its_override(nurse, neurologist, patient, course, database):
    from pdf_reading import pdf_text

    from pmsdesk.reports.assemble import ReportAssembler
    from pmsdesk.reports.visit_report import visit_report_pdf

    failing = treatment(database, course, **passed_check(TODAY, active_infection=True))
    record = neurologist.create_visit(patient.id, {**failing, OVERRIDE_KEY: "Treated cystitis, afebrile for 5 days"})
    text = pdf_text(visit_report_pdf(ReportAssembler(nurse).visit(record.visit.id)))
    assert "Pre-puncture safety check" in text and "Result: FAILED." in text
    assert "Active infection: failed \u2013 active infection" in text
    assert "OVERRIDDEN by Dr Nora Neuro (dr-neuro)" in text
    assert "Treated cystitis, afebrile for 5 days" in text and "(items: infection)" in text


def test_todays_list_marks_labs_missing_or_out_of_date_in_one_query(nurse, patient, course, database):
    from sqlalchemy import event

    others = [nurse.create_patient({**PATIENT_OTHER, "clinic_id": f"LAB-{n}"}) for n in range(3)]
    for other in others:
        nurse.create_course(other.id, COURSE)
    nurse.create_visit(others[0].id, {"visit_date": (TODAY - dt.timedelta(days=3)).isoformat(), "kind": "follow_up",
                                      "labs.sampled_on": (TODAY - dt.timedelta(days=3)).isoformat(),
                                      "labs.platelets": "210"})
    nurse.create_visit(others[1].id, {"visit_date": (TODAY - dt.timedelta(days=40)).isoformat(),
                                      "kind": "follow_up", "labs.sampled_on": (TODAY - dt.timedelta(days=40)).isoformat(),
                                      "labs.platelets": "210"})
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731 - (conn, cursor, statement, ...)
    event.listen(database.engine, "before_cursor_execute", listener)
    try:
        due = {d.patient.clinic_id: d.labs for d in nurse.due_treatments()}
    finally:
        event.remove(database.engine, "before_cursor_execute", listener)
    assert due["LAB-0"] == ""
    assert due["LAB-1"] == f"labs out of date ({(TODAY - dt.timedelta(days=40)).isoformat()}, over 28 days)"
    assert due["LAB-2"] == "labs missing" and due[patient.clinic_id] == "labs missing"
    assert sum("lab_assessment" in s for s in statements) == 1  # one grouped query, whatever the number of patients


PATIENT_OTHER = {"family_name": "Labtest", "given_names": "Kai", "birth_date": "1971-04-04", "sex": "male",
                 "phenotype": "PPMS"}
