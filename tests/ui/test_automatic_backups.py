"""The app's background care of its SQLite file (pmsdesk.ui.automatic_backups): the window is up before
anything reads the whole file; then the quick check and the start backup run off the GUI thread; a
file found damaged is said so, no backup is made of it and nothing more is saved."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtWidgets import QMainWindow, QMessageBox

from pmsdesk.services.clinic import Clinic
from pmsdesk.store import database as database_module
from pmsdesk.store.backup import automatic_backups
from pmsdesk.store.database import Database, DatabaseDamaged, record_left_sound
from pmsdesk.ui.automatic_backups import DAMAGED_TITLE, start_automatic_backups

pytestmark = pytest.mark.usefixtures("qapp")

TODAY = dt.date(2026, 11, 20)
PATIENT = {"clinic_id": "MS-0001", "family_name": "Example", "given_names": "Alex", "birth_date": "1970-03-14",
           "sex": "female", "phenotype": "SPMS"}


@pytest.fixture
def left_sound(tmp_path):
    """A clinic file with one patient, as pmsdesk leaves it."""
    path = tmp_path / "clinic.sqlite3"
    database = Database.open(str(path))
    Clinic(database, today=lambda: TODAY).create_patient(PATIENT)
    database.close()
    return path


@pytest.fixture
def opened(left_sound, monkeypatch):
    """The clinic opened as the app opens it, with the quick checks that ran listed."""
    checked = []
    real = database_module.quick_check
    monkeypatch.setattr(database_module, "quick_check", lambda path: checked.append(path) or real(path))
    database = Database.open(str(left_sound))
    clinic = Clinic(database, today=lambda: TODAY)
    yield clinic, checked
    database.close()


def test_the_start_backup_and_the_check_run_after_the_window_is_up_off_the_gui_thread(opened, qtbot, left_sound):
    clinic, checked = opened
    window = QMainWindow()
    qtbot.addWidget(window)
    backups = start_automatic_backups(window, clinic)
    assert checked == [] and automatic_backups(left_sound) == []  # nothing read or copied before the window
    with qtbot.waitSignal(backups.finished, timeout=30_000):
        window.show()
    assert checked == [left_sound] and len(automatic_backups(left_sound)) == 1
    with qtbot.waitSignal(backups.finished, timeout=30_000):
        backups.start_round(dt.timedelta(days=1))  # the hourly look: the newest is not a day old
    assert checked == [left_sound] and len(automatic_backups(left_sound)) == 1
    assert backups.damage_message is None


def test_a_file_found_damaged_in_the_background_is_said_so_and_saves_nothing_more(left_sound, qtbot):
    data = bytearray(left_sound.read_bytes())
    data[4096 * 2:4096 * 4] = b"\xa5" * (4096 * 2)  # spoiled in place, as a failing disk does
    left_sound.write_bytes(bytes(data))
    record_left_sound(left_sound)
    database = Database.open(str(left_sound))
    try:
        clinic = Clinic(database, today=lambda: TODAY)
        window = QMainWindow()
        qtbot.addWidget(window)
        backups = start_automatic_backups(window, clinic)
        window.show()
        qtbot.waitUntil(lambda: backups.damage_message is not None, timeout=30_000)
        message = backups.damage_message
        assert message.windowTitle() == DAMAGED_TITLE and message.icon() == QMessageBox.Icon.Critical
        assert "is damaged" in message.text() and "pmsdesk restore FILE" in message.text()
        assert "damaged" in window.statusBar().currentMessage()
        assert automatic_backups(left_sound) == []  # no copy of a damaged file
        with pytest.raises(DatabaseDamaged):
            clinic.create_patient({**PATIENT, "clinic_id": "MS-0002"})
    finally:
        database.close()
