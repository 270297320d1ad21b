"""What a screen reader announces (issue 17 item 4): walking Qt's accessible tree (QAccessible) of the main
window on each page and of a record dialog finds a name for every interactive control; a field's accessible
description holds its unit and allowed range, and a refusal once the value is refused."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QApplication

from pmsdesk.domain.fields import ADVERSE_EVENT_FIELDS, PATIENT_FIELDS
from pmsdesk.services.clinic import Clinic
from pmsdesk.services.demo import fill_demo_clinic
from pmsdesk.store.database import Database
from pmsdesk.ui.dialogs import RecordDialog
from pmsdesk.ui.forms import FieldEditor
from pmsdesk.ui.main_window import MainWindow

pytestmark = pytest.mark.usefixtures("qapp")

Role = QAccessible.Role
INTERACTIVE = {Role.PushButton, Role.CheckBox, Role.RadioButton, Role.ComboBox, Role.EditableText, Role.SpinBox,
               Role.Slider, Role.Table, Role.Tree, Role.List}


def controls(widget) -> list[tuple[str, str, str]]:
    """(role, object name, accessible name) of every shown interactive control under ``widget``."""
    found = []

    def walk(node) -> None:
        if node is None or not node.isValid() or node.state().invisible:
            return
        if node.role() in INTERACTIVE:
            thing = node.object()
            found.append((node.role().name, thing.objectName() if thing else "", node.text(QAccessible.Text.Name)))
            if node.role() in (Role.Table, Role.Tree, Role.List):
                return  # the cells are the data, named by their text
        for index in range(node.childCount()):
            walk(node.child(index))

    walk(QAccessible.queryAccessibleInterface(widget))
    return found


def settle() -> None:
    for _ in range(10):
        QApplication.processEvents()


def nameless(widget) -> list[tuple[str, str, str]]:
    settle()
    return [control for control in controls(widget) if not control[2].strip()]


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("PMSDESK_SETTINGS_DIR", str(tmp_path))
    clinic = Clinic(Database.open(str(tmp_path / "clinic.sqlite3")))
    fill_demo_clinic(clinic, patients=3)
    window = MainWindow(clinic)
    qtbot.addWidget(window)
    window.show()
    return window


def test_every_control_of_every_page_has_a_name(window):
    clinic = window.clinic
    assert nameless(window) == [] and len(controls(window)) >= 4  # today
    patient = clinic.find_patients()[0]
    window.open_patient(patient.id)
    assert window.pages.currentWidget() is window.patient_view
    assert nameless(window) == []
    clinic.create_visit(patient.id, {"visit_date": "2020-06-02", "kind": "assessment", "adverse_events": [
        {"term": "post_lp_headache", "onset_date": "2020-06-02", "ctcae_grade": "2", "outcome": "ongoing"}]})
    window.open_visit(clinic.visits(patient.id)[-1].id)
    shown = controls(window)
    assert len([c for c in shown if c[0] == "EditableText"]) > 30 and any(c[0] == "Table" for c in shown)
    assert nameless(window) == []
    window.show_overview()
    window.overview.wait_loaded()
    assert nameless(window) == []
    window.show_trajectory(patient.id)
    assert nameless(window) == []


@pytest.mark.parametrize("fields", [PATIENT_FIELDS, ADVERSE_EVENT_FIELDS], ids=["patient", "adverse event"])
def test_every_control_of_a_record_dialog_has_a_name(qtbot, window, fields):
    dialog = RecordDialog("Record", fields, lambda raw: None, parent=window)
    qtbot.addWidget(dialog)
    dialog.show()
    assert nameless(dialog) == [] and len(controls(dialog)) >= len(fields)


def test_a_field_is_described_by_its_unit_and_range_and_then_by_its_refusal(qtbot, window):
    window.start_visit(window.clinic.find_patients()[0].id)
    editor: FieldEditor = window.visit_editor.field_editor("t25fw.trial1_s")
    box = QAccessible.queryAccessibleInterface(editor.input)
    assert box.text(QAccessible.Text.Name) == editor.field.label
    described = box.text(QAccessible.Text.Description)
    assert described == f"Unit: s. Allowed: {editor.field.allowed_text()}."
    assert "above 0 and at most 180 s" in described
    editor.input.setText("999")
    editor.check()
    refusal = editor.error.text()
    assert refusal and box.text(QAccessible.Text.Description) == f"Not accepted: {refusal} {described}"
    editor.input.setText("9.5")
    editor.check()
    assert box.text(QAccessible.Text.Description) == described
