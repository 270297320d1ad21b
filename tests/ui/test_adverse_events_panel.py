"""The visit editor's adverse-event panel, driven as a nurse and a neurologist do: each grade shows its
CTCAE v5.0 wording (in the box, under it and on hover), relatedness is answered for the procedure and
for the drug, the list fits its 1366x768 column without a sideways scroll bar (long outcomes elided,
whole on hover), and a neurotoxicity event says it blocks methotrexate and is cleared by a neurologist
only. Real windows (pytest-qt), a real SQLite file."""

from __future__ import annotations

import datetime as dt

import pytest
from people import signed_in
from sample_data import PATIENT, TODAY
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog, QLabel

from pmsdesk.domain.permissions import Role
from pmsdesk.domain.vocab import AdverseEventTerm
from pmsdesk.services.clinic import Clinic
from pmsdesk.ui.adverse_events import AdverseEventsPanel, event_values

COLUMN_WIDTH = 428  # what the editor's right column gives the panel at 1366x768 (issue 15)


@pytest.fixture
def nurse(database):
    return Clinic(database, actor=signed_in(database, "nurse-ada", Role.NURSE, "Ada Nurse"), today=lambda: TODAY)


@pytest.fixture
def neurologist(database):
    return Clinic(database, actor=signed_in(database, "dr-neuro", Role.NEUROLOGIST, "Dr Nora Neuro"),
                  today=lambda: TODAY)


def panel_for(qtbot, clinic, patient, events=()) -> AdverseEventsPanel:
    panel = AdverseEventsPanel(clinic, lambda: TODAY)
    qtbot.addWidget(panel)
    panel.set_context(patient, None, list(events))
    panel.resize(COLUMN_WIDTH, 420)
    panel.show()
    panel.activateWindow()
    qtbot.waitExposed(panel)
    return panel


def test_a_quick_pick_shows_the_ctcae_wording_of_each_grade_and_asks_both_relatedness_answers(qtbot, nurse):
    patient = nurse.create_patient(PATIENT)
    panel = panel_for(qtbot, nurse, patient)
    panel.quick_buttons[AdverseEventTerm.POST_LP_HEADACHE].click()
    assert panel.focusWidget() is panel.grade and panel.row_editor.isVisible()
    # CTCAE v5.0 grades a post-LP headache as Headache: grades 1-3 only, each with its words
    assert [panel.grade.itemText(i) for i in range(panel.grade.count())] == [
        "", "1 Mild pain", "2 Moderate pain; limiting instrumental ADL", "3 Severe pain; limiting self care ADL"]
    assert "CTCAE v5.0 Headache" in panel.row_title.text()
    assert panel.wording.text().splitlines()[0] == "1: Mild pain", "no grade yet: the whole scale"
    assert panel.grade.itemData(2, Qt.ItemDataRole.ToolTipRole) == ("Grade 2 (CTCAE v5.0 Headache): Moderate pain; "
                                                                     "limiting instrumental ADL")
    qtbot.keyClicks(panel.grade, "2")
    assert panel.wording.text() == "Grade 2 (CTCAE v5.0 Headache): Moderate pain; limiting instrumental ADL"
    assert panel.grade.toolTip() == panel.wording.text() and panel.table.item(0, 1).toolTip() == panel.wording.text()
    # two answers, "Not assessed" until given
    assert panel.related_procedure.currentText() == panel.related_drug.currentText() == "Not assessed"
    panel.related_procedure.setCurrentIndex(panel.related_procedure.findData("definite"))
    panel.related_drug.setCurrentIndex(panel.related_drug.findData("unlikely"))
    assert [panel.table.item(0, c).text() for c in range(5)] == ["Post-LP headache", "2", "Definite", "Unlikely",
                                                                 "Ongoing"]
    assert panel.table.item(0, 4).toolTip() == "Outcome: Not recovered / ongoing"

    record = nurse.create_visit(patient.id, {"visit_date": TODAY.isoformat(), "kind": "assessment",
                                             "adverse_events": panel.raw_events()})
    [event] = record.adverse_events
    assert (event.term, event.ctcae_grade, event.related_procedure, event.related_drug, event.outcome) == \
        ("post_lp_headache", 2, "definite", "unlikely", "ongoing")


def test_a_term_that_is_not_in_ctcae_says_so_and_shows_the_general_definitions(qtbot, nurse):
    patient = nurse.create_patient(PATIENT)
    panel = panel_for(qtbot, nurse, patient, [{"term": "other", "term_other": "Dizziness", "onset_date": TODAY,
                                               "ctcae_grade": 3, "outcome": "recovering"}])
    assert panel.row_title.text().endswith("not a CTCAE term")
    assert panel.wording.text().startswith("Grade 3 (Other (describe): not a CTCAE term, CTCAE v5.0 general "
                                           "definition): Severe or medically significant")


def test_the_list_never_scrolls_sideways_at_1366x768_and_long_outcomes_are_whole_on_hover(qtbot, nurse):
    patient = nurse.create_patient(PATIENT)
    long_events = [{"term": term, "term_other": "A very long description of an unusual event " * 3,
                    "onset_date": TODAY, "ctcae_grade": 3, "serious": True, "related_procedure": "unrelated",
                    "related_drug": "unrelated", "outcome": outcome}
                   for term, outcome in (("other", "recovered_with_sequelae"), ("neurotoxicity", "ongoing"),
                                         ("chemical_meningitis", "recovering"))]
    panel = panel_for(qtbot, nurse, patient, long_events)
    qtbot.wait(10)
    assert panel.table.horizontalScrollBar().maximum() == 0
    assert panel.table.horizontalHeader().length() <= panel.table.viewport().width()
    assert panel.table.item(0, 4).text() == "With sequelae"
    assert panel.table.item(0, 4).toolTip() == "Outcome: Recovered with sequelae"
    assert panel.table.item(0, 0).toolTip().startswith("Other (describe), onset " + TODAY.isoformat())
    assert panel.width() <= COLUMN_WIDTH
    panel.table.setCurrentCell(1, 0)
    assert panel.outcome.currentText() == "Not recovered / ongoing", "the row editor shows the outcome whole"


def test_a_neurotoxicity_event_is_cleared_by_a_neurologist_only(qtbot, nurse, neurologist, monkeypatch):
    patient = nurse.create_patient(PATIENT)
    earlier = TODAY - dt.timedelta(days=30)
    record = nurse.create_visit(patient.id, {"visit_date": earlier.isoformat(), "kind": "assessment",
                                             "adverse_events": [{"term": "neurotoxicity",
                                                                 "onset_date": earlier.isoformat(),
                                                                 "ctcae_grade": "2", "related_drug": "probable",
                                                                 "outcome": "ongoing"}]})
    values = [event_values(e) for e in record.adverse_events]

    later = panel_for(qtbot, nurse, patient, [])  # the next visit follows the event up and says what it blocks
    [(_event, _outcome, _resolved, _update)] = later.follow_up_rows
    follow_up = later.follow_up.itemAtPosition(0, 0).widget().findChild(QLabel).text()  # beside its Update button
    assert follow_up.endswith("grade 2. Blocks further intrathecal methotrexate for this patient until a neurologist "
                              "clears it with a reason.")

    as_nurse = panel_for(qtbot, nurse, patient, values)
    assert as_nurse.neurotoxicity.text().startswith("Blocks further intrathecal methotrexate")
    assert as_nurse.clear_button.isVisible() and not as_nurse.clear_button.isEnabled()

    panel = panel_for(qtbot, neurologist, patient, values)
    assert panel.clear_button.isEnabled()
    monkeypatch.setattr(QInputDialog, "getMultiLineText", lambda *args, **kwargs: ("MRI normal; resolved", True))
    panel.clear_button.click()
    assert panel.neurotoxicity.text().startswith("Cleared for intrathecal methotrexate by Dr Nora Neuro on ")
    assert panel.neurotoxicity.text().endswith(": MRI normal; resolved")
    assert not panel.clear_button.isVisible()
    assert panel.events[0]["version"] == values[0]["version"] + 1, "the next save of the visit is not stale"
    stored = neurologist.adverse_events(patient.id)[0]
    assert (stored.cleared_by, stored.clearance_reason) == ("dr-neuro", "MRI normal; resolved")


def test_the_patient_view_says_methotrexate_is_blocked_and_a_neurologist_clears_it_there(qtbot, nurse, neurologist,
                                                                                       monkeypatch):
    from pmsdesk.ui.patient_view import PatientView

    patient = nurse.create_patient(PATIENT)
    earlier = TODAY - dt.timedelta(days=30)
    nurse.save_adverse_event(patient.id, {"term": "neurotoxicity", "onset_date": earlier.isoformat(), "ctcae_grade": "3"})
    as_nurse = PatientView(nurse)
    qtbot.addWidget(as_nurse)
    as_nurse.show_patient(patient.id)
    assert as_nurse.methotrexate_note.isVisibleTo(as_nurse)
    assert as_nurse.methotrexate_note.text().startswith("Intrathecal methotrexate is blocked for this patient: "
                                                        f"methotrexate neurotoxicity since {earlier.isoformat()}")
    assert as_nurse.events.item(0, 1).text() == "Neurotoxicity (encephalopathy, leukoencephalopathy) (blocks methotrexate)"
    as_nurse.events.selectRow(0)
    assert not as_nurse.clear_button.isEnabled(), "a nurse records the event; a neurologist clears it"

    view = PatientView(neurologist)
    qtbot.addWidget(view)
    view.show_patient(patient.id)
    view.events.selectRow(0)
    assert view.clear_button.isEnabled()
    monkeypatch.setattr(QInputDialog, "getMultiLineText", lambda *args, **kwargs: ("Seen in clinic: resolved", True))
    view.clear_button.click()
    assert not view.methotrexate_note.isVisibleTo(view)
    assert view.events.item(0, 1).text().endswith("(cleared for methotrexate)")
    assert neurologist.methotrexate_block(patient.id, "it_methotrexate", TODAY) is None


def test_the_dose_section_says_why_a_methotrexate_dose_is_blocked(qtbot, db_path):
    from pmsdesk.store.database import Database
    from pmsdesk.ui.main_window import MainWindow

    clinic = Clinic(Database.open(str(db_path)), today=lambda: TODAY)
    patient = clinic.create_patient(PATIENT)
    clinic.create_course(patient.id, {"agent": "it_methotrexate", "planned_dose": "12.5", "dose_unit": "mg",
                                      "interval_weeks_min": "8", "interval_weeks_max": "11",
                                      "start_date": "2025-01-06"})
    earlier = TODAY - dt.timedelta(days=40)
    clinic.save_adverse_event(patient.id, {"term": "neurotoxicity", "onset_date": earlier.isoformat(),
                                           "ctcae_grade": "2"})
    window = MainWindow(clinic)
    qtbot.addWidget(window)
    window.show()
    window.start_visit(patient.id)
    editor = window.visit_editor
    editor.field_editor("kind").set_value("treatment")
    editor.update_live_values()
    assert editor.methotrexate_block.isVisibleTo(editor)
    assert editor.methotrexate_block.text().startswith("Intrathecal methotrexate is blocked for this patient: "
                                                       f"methotrexate neurotoxicity since {earlier.isoformat()}")
