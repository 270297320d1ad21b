"""On screen: a second treatment in a course's slot is refused beside the date and the number, naming
the visit already recorded; a draft another person holds is read-only, says who and since when, and
is taken over with one button (two users, two workstations, one database)."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt

from pmsdesk.domain.permissions import Actor, Role
from pmsdesk.services.clinic import Clinic
from pmsdesk.store.database import Database
from pmsdesk.ui.main_window import MainWindow

pytestmark = pytest.mark.usefixtures("qapp")

TODAY = dt.date(2026, 11, 20)
PATIENT = {"clinic_id": "MS-8", "family_name": "Fictional", "given_names": "Sasha", "birth_date": "1969-04-03",
           "sex": "female", "phenotype": "SPMS", "dominant_hand": "right"}
COURSE = {"agent": "it_methotrexate", "planned_dose": "12.5", "dose_unit": "mg", "interval_weeks_min": "8",
          "interval_weeks_max": "11", "start_date": "2026-01-05"}


def window_for(qtbot, path, actor: Actor, workstation: str) -> MainWindow:
    window = MainWindow(Clinic(Database.open(str(path)), actor=actor, today=lambda: TODAY, workstation=workstation))
    qtbot.addWidget(window)
    window.resize(1366, 768)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    return window


ANNA = Actor("anna", Role.NURSE, None, "Anna Nurse")
BEN = Actor("ben", Role.NURSE, None, "Ben Nurse")


@pytest.fixture
def treated_today(db_path):
    """A patient whose course's treatment 1 was saved today on another workstation."""
    setup = Clinic(Database.open(str(db_path)), today=lambda: TODAY)
    patient = setup.create_patient(PATIENT)
    course = setup.create_course(patient.id, COURSE)
    first = setup.create_visit(patient.id, {"visit_date": TODAY.isoformat(), "kind": "treatment",
                                            "treatment_number": "1", "dose_given": "12.5", "dose_unit": "mg",
                                            "course_id": course.id})
    setup.db.close()
    return patient, course, first.visit


def test_a_second_treatment_the_same_day_is_refused_on_screen_naming_the_visit(qtbot, db_path, treated_today):
    patient, course, first = treated_today
    window = window_for(qtbot, db_path, ANNA, "BENCH-1")
    window.start_visit(patient.id, course.id)
    editor = window.visit_editor
    number = editor.field_editor("treatment_number")
    number.input.setFocus()
    number.input.selectAll()
    qtbot.keyClicks(number.input, "1")  # as the duplicate of the issue: the same number again
    qtbot.keyClick(number.input, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)

    number_problem = number.error.text()
    assert "Treatment 1 of this course is already recorded" in number_problem and "(2 is free)" in number_problem
    assert editor.summary.isVisible() and "2 problems" in editor.summary.text()
    assert editor.record is None and number.raw() == "1", "nothing saved, nothing typed lost"
    assert [v.id for v in window.clinic.visits(patient.id)] == [first.id]


def test_two_users_on_one_draft_see_each_other_and_take_it_over(qtbot, db_path, treated_today):
    patient, _course, first = treated_today
    anna = window_for(qtbot, db_path, ANNA, "BENCH-1")
    anna.open_visit(first.id)
    notes = anna.visit_editor.field_editor("notes")
    notes.set_value("Puncture at L3-L4, first attempt")
    anna.visit_editor.dirty = True
    anna.visit_editor.keep_draft_now()

    ben = window_for(qtbot, db_path, BEN, "BENCH-2")
    ben.open_visit(first.id)
    editor = ben.visit_editor
    note = editor.draft_note.text()
    assert note.startswith("Anna Nurse is editing this visit on BENCH-1 since ") and "Read-only here" in note
    assert editor.draft_note.isVisible() and editor.take_over_button.isVisible()
    assert editor.read_only and not editor.procedure_form.isEnabled()
    assert not editor.save_button.isEnabled() and not editor.delete_button.isEnabled()
    assert editor.field_editor("notes").raw() == "", "her typing is not shown before taking over"

    qtbot.mouseClick(editor.take_over_button, Qt.MouseButton.LeftButton)
    assert not editor.take_over_button.isVisible() and not editor.read_only
    assert editor.save_button.isEnabled() and editor.delete_button.isEnabled()
    assert editor.field_editor("notes").raw() == "Puncture at L3-L4, first attempt"
    assert "Restored what was typed" in editor.draft_note.text()

    anna.open_visit(first.id)  # back at her bench: now it is Ben's
    assert anna.visit_editor.draft_note.text().startswith("Ben Nurse is editing this visit on BENCH-2")
    assert anna.visit_editor.read_only
