"""The pre-puncture safety check in the visit editor, driven offscreen: each item with its finding
and source on hover, the dose disabled with the reason while an item blocks it, a nurse who may not
override, and a neurologist's override with a reason that the save records."""

from __future__ import annotations

import datetime as dt

import pytest
from bench import passed_check
from people import signed_in
from PySide6.QtWidgets import QInputDialog

from pmsdesk.domain.permissions import Role
from pmsdesk.domain.procedure_safety import RECORDED_WITHOUT_CHECK
from pmsdesk.services.clinic import Clinic
from pmsdesk.ui.visit_editor import VisitEditor

pytestmark = pytest.mark.usefixtures("qapp")

TODAY = dt.date(2026, 11, 20)
COURSE = {"agent": "it_methotrexate", "planned_dose": "12.5", "dose_unit": "mg", "interval_weeks_min": "8",
          "interval_weeks_max": "12", "start_date": "2026-11-16"}
PATIENT = {"clinic_id": "MS-8", "family_name": "Fictional", "given_names": "Sam", "birth_date": "1969-02-03",
           "sex": "male", "phenotype": "PPMS"}


def editor_for(qtbot, database, username: str, role: Role):
    clinic = Clinic(database, actor=signed_in(database, username, role, username.title()), today=lambda: TODAY)
    patient = clinic.create_patient(PATIENT) if not clinic.find_patients("MS-8") else clinic.find_patients("MS-8")[0]
    course = clinic.courses(patient.id)[0] if clinic.courses(patient.id) else clinic.create_course(patient.id, COURSE)
    editor = VisitEditor(clinic)
    qtbot.addWidget(editor)
    editor.start_new(patient.id, course.id)
    return editor


def type_check(editor, **answers) -> None:
    for key, value in passed_check(TODAY, **answers).items():
        editor.field_editor(key).set_value(value)
    editor.update_live_values()


def test_a_failed_item_disables_the_dose_and_a_nurse_may_not_override(qtbot, database):
    editor = editor_for(qtbot, database, "nurse-ui", Role.NURSE)
    section = editor.safety_section
    assert section.isVisibleTo(editor) or editor.header_form.editor("kind").raw() == "treatment"
    assert not editor.field_editor("dose_given").input.isEnabled()  # nothing answered yet
    type_check(editor, active_infection="yes")
    text = section.findings.text()
    assert "Active infection</b>: active infection" in text and "Platelet count</b>: 250 x10^9/L" in text
    assert "NCT02644044" in section.findings.toolTip() and "Pract Neurol 2018" in section.findings.toolTip()
    dose = editor.field_editor("dose_given").input
    assert not dose.isEnabled() and "Dose blocked by the safety check: Active infection" in dose.toolTip()
    assert section.override_button.isVisibleTo(editor) and not section.override_button.isEnabled()
    type_check(editor)  # the infection answered "no": the check passes
    assert dose.isEnabled() and section.verdict.text() == "Passed: the dose may be recorded."


def test_a_neurologist_overrides_with_a_reason_and_the_save_records_it(qtbot, database, monkeypatch):
    editor = editor_for(qtbot, database, "dr-ui", Role.NEUROLOGIST)
    section = editor.safety_section
    type_check(editor, antithrombotic="clopidogrel", hours_since_last_dose="96")
    assert "last dose 96 h ago, stop at least 168 h before" in section.findings.text()
    assert not editor.field_editor("dose_given").input.isEnabled() and section.override_button.isEnabled()
    monkeypatch.setattr(QInputDialog, "getText", lambda *args, **kwargs: ("   ", True))
    section.override_button.click()  # a blank reason gives no override
    assert section.override_values() == {} and not editor.field_editor("dose_given").input.isEnabled()
    monkeypatch.setattr(QInputDialog, "getText",
                        lambda *args, **kwargs: ("Cardiology: stent 3 years old, bleeding risk accepted", True))
    section.override_button.click()
    assert editor.field_editor("dose_given").input.isEnabled()
    assert "Override by Dr-Ui (to be recorded with the save)" in section.override_note.text()
    assert editor.raw_values()["safety_override_reason"] == "Cardiology: stent 3 years old, bleeding risk accepted"


def test_a_recorded_neurotoxicity_event_answers_earlier_neurotoxicity_yes(qtbot, database):
    """A new treatment visit starts with "Earlier MTX neurotoxicity" answered from the recorded event."""
    nurse = editor_for(qtbot, database, "nurse-ui", Role.NURSE)
    key = "safety_check.methotrexate_neurotoxicity"
    assert nurse.field_editor(key).parsed() is None, "nothing recorded: the nurse asks"
    onset = TODAY - dt.timedelta(days=30)
    nurse.clinic.create_visit(nurse.patient.id, {
        "visit_date": onset.isoformat(), "kind": "assessment",
        "adverse_events": [{"term": "neurotoxicity", "onset_date": onset.isoformat(), "ctcae_grade": "2"}]})
    editor = editor_for(qtbot, database, "nurse-ui", Role.NURSE)
    assert editor.field_editor(key).parsed().value == "yes"
    shown = editor.safety_section.findings.text()
    assert f"Earlier methotrexate neurotoxicity</b>: earlier neurotoxicity (recorded, onset {onset.isoformat()})" in shown


def test_an_imported_dose_recorded_without_the_check_says_so_and_stays_as_recorded(qtbot, database):
    editor = editor_for(qtbot, database, "nurse-ui", Role.NURSE)
    course = editor.clinic.courses(editor.patient.id)[0]
    imported = editor.clinic.create_visit(editor.patient.id, {
        "visit_date": TODAY.isoformat(), "kind": "treatment", "dose_given": "12.5", "dose_unit": "mg",
        "course_id": course.id, "treatment_number": "1"}, imported_from="earlier-clinic.zip")
    editor.open_visit(imported.visit.id)
    section = editor.safety_section
    assert section.verdict.text() == RECORDED_WITHOUT_CHECK
    assert editor.field_editor("dose_given").input.isEnabled() and section.override_button.isHidden()
    editor.field_editor("safety_check.active_infection").set_value("yes")  # answering it: the check applies
    editor.update_live_values()
    assert section.verdict.text().startswith("Dose blocked by the safety check")
