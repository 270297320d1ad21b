"""The real main window, driven offscreen as a nurse would: type, save, close, reopen."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QComboBox, QDialog, QDialogButtonBox, QLineEdit, QMessageBox

from pmsdesk.services.clinic import Clinic
from pmsdesk.store.database import Database
from pmsdesk.ui.main_window import MainWindow

pytestmark = pytest.mark.usefixtures("qapp")

TODAY = dt.date(2026, 11, 20)  # a fixed "today" so the tests do not depend on the calendar


def type_into(qtbot, editor, text: str) -> None:
    """Type like a person: focus the field, select what is there, type over it."""
    widget = editor.input
    if isinstance(widget, QComboBox):
        index = widget.findData(text)
        assert index >= 0, f"{text!r} is not a choice of {editor.field.name}"
        widget.setCurrentIndex(index)
        return
    assert isinstance(widget, QLineEdit)
    widget.setFocus()
    widget.selectAll()
    qtbot.keyClicks(widget, text)
    widget.editingFinished.emit()


def fill_modal_dialog(qtbot, values: dict[str, str]) -> list[str]:
    """When the next modal dialog opens, type ``values`` into it and press Save; returns the errors seen."""
    seen: list[str] = []

    def fill() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QDialog):
            QTimer.singleShot(20, fill)
            return
        for key, text in values.items():
            type_into(qtbot, dialog.form.editor(key), text)
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save).click()
        if dialog.isVisible():  # refused: record the messages and give up
            seen.extend(e.error.text() for e in dialog.form.editors.values() if e.error.text())
            dialog.reject()

    QTimer.singleShot(0, fill)
    return seen


def open_window(qtbot, path) -> MainWindow:
    window = MainWindow(Clinic(Database.open(str(path)), today=lambda: TODAY))
    qtbot.addWidget(window)
    with qtbot.waitActive(window):  # keyboard shortcuts only reach the active window
        window.show()
        window.activateWindow()
    return window


def close_window(window: MainWindow) -> None:
    window.close()
    window.clinic.db.close()


VISIT_ENTRY = {
    "edss.edss": "4.0",
    "edss.fs_visual": 1, "edss.fs_brainstem": 1, "edss.fs_pyramidal": 3, "edss.fs_cerebellar": 2,
    "edss.fs_sensory": 2, "edss.fs_bowel_bladder": 1, "edss.fs_cerebral": 1, "edss.ambulation": 1,
    "t25fw.trial1_s": "6.4", "t25fw.trial2_s": "6,8", "t25fw.walking_aid": "none",
    "nhpt.dominant_trial1_s": "21.3", "nhpt.dominant_trial2_s": "20.9",
    "nhpt.nondominant_trial1_s": "24.0", "nhpt.nondominant_trial2_s": "23.6",
    "sdmt.score": "48", "sdmt.modality": "oral", "sdmt.form": "A",
    "dose_given": "12.5", "dose_unit": "mg", "lp_level": "L3-L4", "lp_needle": "22G atraumatic",
    "lp_attempts": "1", "csf_removed_ml": "5", "performed_by": "Dr Fictional",
}


def press_ctrl_s(qtbot, window: MainWindow) -> None:
    """Ctrl+S where the nurse is typing (the offscreen platform does not re-activate the window
    after a dialog closes, as a desktop would, so activate it first)."""
    if QApplication.activeWindow() is not window:
        with qtbot.waitActive(window):
            window.activateWindow()
    qtbot.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)


def editor_for(window: MainWindow, key: str):
    for form in window.visit_editor.forms:
        if key in form.editors:
            return form.editors[key]
    raise KeyError(key)


def test_create_patient_record_visit_close_and_reopen(qtbot, db_path, monkeypatch):
    window = open_window(qtbot, db_path)
    assert window.welcome.load_demo.isVisible(), "an empty database offers the demo clinic"

    fill_modal_dialog(qtbot, {
        "clinic_id": "MS-0042", "family_name": "Fictional", "given_names": "Robin", "birth_date": "1968-05-02",
        "sex": "female", "phenotype": "SPMS", "dominant_hand": "left", "education_years": "14",
    })
    window.findChild(QAction, "action_new_patient").trigger()
    assert window.patient_view.name.text() == "FICTIONAL, Robin"
    assert window.patient_list.model.rowCount() == 1

    window.findChild(QAction, "action_new_visit").trigger()
    editor = window.visit_editor
    assert window.pages.currentWidget() is editor
    assert editor_for(window, "visit_date").raw() == TODAY.isoformat()
    for key, value in VISIT_ENTRY.items():
        if isinstance(value, int):
            editor_for(window, key).input.setCurrentIndex(editor_for(window, key).input.findData(value))
        else:
            type_into(qtbot, editor_for(window, key), value)
    assert "3.5" in editor.computed.text() and "Differs" in editor.computed.text()

    # A bad value is refused beside its field; nothing typed elsewhere is lost, nothing is written.
    type_into(qtbot, editor_for(window, "t25fw.trial1_s"), "0")
    assert "not allowed" in editor_for(window, "t25fw.trial1_s").error.text()
    press_ctrl_s(qtbot, window)
    assert editor.summary.isVisible() and "Not saved" in editor.summary.text()
    assert "above 0 and at most 180 s" in editor_for(window, "t25fw.trial1_s").error.text()
    for key, value in VISIT_ENTRY.items():
        if key != "t25fw.trial1_s":
            assert editor_for(window, key).raw() == value, key
    assert window.clinic.visits(window.patient_view.patient.id) == []

    type_into(qtbot, editor_for(window, "t25fw.trial1_s"), "6.4")
    press_ctrl_s(qtbot, window)
    assert not editor.summary.isVisible()
    assert not editor.dirty
    close_window(window)

    reopened = open_window(qtbot, db_path)
    reopened.patient_list.search.setText("robin")
    reopened.patient_list.refresh()
    assert reopened.patient_list.model.rowCount() == 1
    reopened.patient_list._open_first()
    visits_table = reopened.patient_view.visits
    assert visits_table.rowCount() == 1
    row = [visits_table.item(0, c).text() for c in range(visits_table.columnCount())]
    assert row[0] == TODAY.isoformat() and row[1] == "Baseline"
    assert row[4] == "4.0 (computed 3.5)" and row[5] == "6.60" and row[6] == "21.10 / 23.80" and row[7] == "48"

    record = reopened.clinic.visit_records(reopened.patient_view.patient.id)[0]
    assert record.visit.dose_given == 12.5 and record.visit.lp_level == "L3-L4" and record.visit.lp_attempts == 1
    edss = record.assessments["edss"]
    assert (edss.edss, edss.fs_pyramidal, edss.ambulation, edss.computed_edss) == (4.0, 3, 1, 3.5)
    t25fw = record.assessments["t25fw"]
    assert (t25fw.trial1_s, t25fw.trial2_s, t25fw.walking_aid) == (6.4, 6.8, "none")
    nhpt = record.assessments["nhpt"]
    assert (nhpt.dominant_trial1_s, nhpt.nondominant_trial2_s, nhpt.dominant_hand) == (21.3, 23.6, "left")
    assert (record.assessments["sdmt"].score, record.assessments["sdmt"].modality) == (48, "oral")
    assert record.assessments["six_minute_walk"] is None

    reopened.open_visit(record.visit.id)
    assert editor_for(reopened, "t25fw.trial2_s").raw() == "6.8"
    assert editor_for(reopened, "edss.edss").raw() == "4.0"
    close_window(reopened)


def test_patient_dialog_keeps_values_and_reports_every_problem(qtbot, db_path):
    window = open_window(qtbot, db_path)
    errors = fill_modal_dialog(qtbot, {
        "clinic_id": "MS-1", "family_name": "Fictional", "given_names": "Sam",
        "birth_date": "1890-01-01", "sex": "male", "phenotype": "PPMS", "education_years": "45",
    })
    window.new_patient()
    assert len(errors) == 2
    assert any("Date of birth" in e and "1900" in e for e in errors)
    assert any("Years of education" in e and "45" in e for e in errors)
    assert window.clinic.patient_count() == 0
    close_window(window)


def test_leaving_an_unsaved_visit_asks_first(qtbot, db_path, monkeypatch):
    window = open_window(qtbot, db_path)
    patient = window.clinic.create_patient({
        "clinic_id": "MS-2", "family_name": "Fictional", "given_names": "Kim", "birth_date": "1975-01-01",
        "sex": "other", "phenotype": "PPMS",
    })
    window.open_patient(patient.id)
    window.new_visit()
    type_into(qtbot, editor_for(window, "sdmt.score"), "50")
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a) or QMessageBox.StandardButton.Cancel)
    window.visit_editor.request_close()
    assert asked and window.pages.currentWidget() is window.visit_editor
    assert editor_for(window, "sdmt.score").raw() == "50"
    window.close()
    assert window.isVisible(), "closing the window with an unsaved visit is cancelled"
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Save)
    window.close()
    assert [v.visit_date for v in window.clinic.visits(patient.id)] == [TODAY]
    window.clinic.db.close()


def test_the_file_menu_saves_the_import_template(qtbot, clinic, tmp_path, monkeypatch, message_boxes):
    from PySide6.QtWidgets import QFileDialog

    from pmsdesk.exchange.columns import TEMPLATE_FIELDS

    window = MainWindow(clinic)
    qtbot.addWidget(window)
    target = tmp_path / "template"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    window.findChild(QAction, "action_import_template").trigger()
    written = tmp_path / "template.csv"
    assert written.read_text(encoding="utf-8").splitlines() == [",".join(TEMPLATE_FIELDS)]
    assert written.stat().st_mode & 0o777 == 0o600
    assert message_boxes[-1][0] == "information" and str(written) in window.statusBar().currentMessage()
