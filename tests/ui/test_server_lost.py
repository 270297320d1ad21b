"""A nurse typing when the clinic's PostgreSQL server goes away: the editor says where the typing is
kept, keeps it on this computer, and stops saying so once the server is back (a real server, killed)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from postgres_server import start_server
from pmsdesk.services.clinic import Clinic
from pmsdesk.store.database import Database
from pmsdesk.ui.main_window import MainWindow
from pmsdesk.ui.window_settings import WindowSettings
from sample_data import PATIENT, TODAY


@pytest.fixture
def server():
    started = start_server()
    if started is None:
        pytest.skip("no PostgreSQL server binaries")
    yield started
    started.stop()


def test_the_editor_keeps_typing_on_this_computer_while_the_server_is_down(qtbot, server, tmp_path):
    database = Database.open(server.url(server.fresh_database_without_template()))
    try:
        clinic = Clinic(database, today=lambda: TODAY)
        patient = clinic.create_patient(PATIENT)
        settings = WindowSettings(clinic.actor.name, QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat))
        window = MainWindow(clinic, window_settings=settings)
        qtbot.addWidget(window)
        window.show()
        window.start_visit(patient.id)
        editor = window.visit_editor
        notes = editor.field_editor("notes").input

        server.kill()
        notes.setFocus()
        qtbot.keyClicks(notes, "typed while the server was down")
        editor.write_draft()  # what the autosave timer does a moment after the last keystroke
        qtbot.waitUntil(lambda: editor.draft_note.isVisible(), timeout=30000)
        assert "cannot be reached" in editor.draft_note.text() and "kept on this computer" in editor.draft_note.text()
        (kept,) = clinic.offline_drafts.pending()
        assert "typed while the server was down" in str(kept.raw)

        server.restart()
        qtbot.keyClicks(notes, ".")
        editor.write_draft()
        qtbot.waitUntil(lambda: not editor.draft_note.isVisible(), timeout=30000)
        assert list(clinic.offline_drafts.pending()) == []
        assert "typed while the server was down." in str(clinic.draft(patient.id, None)[0])
        window.close()
    finally:
        database.close()
