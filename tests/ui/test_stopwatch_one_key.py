"""The stopwatch with one key for a nurse with a tremor (issue 17 item 4): F5 from any field of the visit
editor starts and stops it; a held key (auto-repeat) and a shaking second touch within BOUNCE_S neither stop
nor restart it, and the trial's time is the one the real stop gave."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

from pmsdesk.services.clinic import Clinic
from pmsdesk.store.database import Database
from pmsdesk.ui.main_window import MainWindow
from pmsdesk.ui.stopwatch import BOUNCE_S

pytestmark = pytest.mark.usefixtures("qapp")


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def held_f5(widget) -> None:
    """What a held F5 sends after its first press: key presses marked as auto-repeated."""
    for _ in range(5):
        QApplication.sendEvent(widget, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_F5, Qt.KeyboardModifier.NoModifier,
                                                 "", True))


def test_one_key_starts_and_stops_the_stopwatch_however_the_hand_shakes(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("PMSDESK_SETTINGS_DIR", str(tmp_path))
    clinic = Clinic(Database.open(str(tmp_path / "clinic.sqlite3")))
    patient = clinic.create_patient({"clinic_id": "TREMOR-1", "family_name": "Tester", "given_names": "Tia",
                                     "birth_date": "1970-01-01", "sex": "female", "phenotype": "PPMS"})
    window = MainWindow(clinic)
    qtbot.addWidget(window)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    window.start_visit(patient.id)
    editor = window.visit_editor
    clock = editor.stopwatch.clock = Clock()
    trial = editor.field_editor("t25fw.trial1_s").input
    trial.setFocus()

    qtbot.keyClick(trial, Qt.Key.Key_F5)
    assert editor.stopwatch.running and "T25FW trial 1" in editor.stopwatch.target.text()
    clock.now += BOUNCE_S / 2
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_F5)  # the shaking hand touches the key again
    assert editor.stopwatch.running
    clock.now += 1
    held_f5(QApplication.focusWidget())  # past the bounce: only the shortcut's refusal of repeats keeps it going
    assert editor.stopwatch.running

    clock.now += 6.2 - 1 - BOUNCE_S / 2
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_F5)
    assert not editor.stopwatch.running and trial.text() == "6.20"
    clock.now += BOUNCE_S / 2
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_F5)  # a bounce does not start trial 2
    assert not editor.stopwatch.running
    clock.now += 1
    held_f5(QApplication.focusWidget())
    assert not editor.stopwatch.running

    clock.now += 5
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_F5)
    assert editor.stopwatch.running and "T25FW trial 2" in editor.stopwatch.target.text()
