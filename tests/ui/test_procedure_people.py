"""Who performed and who assisted are picked from the clinic's users: the box's list (its arrow or
Alt+Down) holds the active nurses and neurologists, typing any part of a full name or user name
completes it and the box keeps the user name, the full name shows under it; a name that is no pmsdesk
user is kept as typed and said so."""

from __future__ import annotations

import pytest
from people import ensure_account
from PySide6.QtCore import Qt
from test_safety_check_section import editor_for

from pmsdesk.domain.permissions import Role
from pmsdesk.ui.procedure import NOT_A_USER, ProcedurePanel

pytestmark = pytest.mark.usefixtures("qapp")
STAFF = [(1, "n.nurse", "Nina Nurse"), (2, "dr-neuro", "Dr Nora Neuro"), (3, "dr-north", "Dr Ned North")]


def shown_panel(qtbot) -> ProcedurePanel:
    """The panel in an active window (the completer's list follows the keyboard focus)."""
    panel = ProcedurePanel()
    qtbot.addWidget(panel)
    panel.set_people(STAFF)
    panel.show()
    panel.activateWindow()
    qtbot.waitUntil(panel.isActiveWindow)
    return panel


def test_typing_part_of_a_name_completes_the_user_name(qtbot):
    panel = shown_panel(qtbot)
    performer = panel.puncture_form.editor("performed_by").input
    performer.setFocus()
    qtbot.keyClicks(performer, "nora")
    completer = performer.completer()
    assert completer.popup().isVisible() and completer.completionCount() == 1
    qtbot.keyClick(completer.popup(), Qt.Key.Key_Down)
    qtbot.keyClick(completer.popup(), Qt.Key.Key_Return)
    assert performer.text() == "dr-neuro"
    assert panel.people_notes["performed_by"].text() == "Dr Nora Neuro"
    assert panel.puncture_form.editor("performed_by").parsed() == "dr-neuro"


def test_the_list_opens_with_everyone_and_an_outsider_is_kept_as_typed(qtbot):
    panel = shown_panel(qtbot)
    assistant = panel.puncture_form.editor("assisted_by").input
    assistant.setFocus()
    qtbot.keyClick(assistant, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    completer = assistant.completer()
    assert completer.popup().isVisible() and completer.completionCount() == len(STAFF)
    assert [completer.popup().model().index(row, 0).data() for row in range(3)] == [
        "Nina Nurse (n.nurse)", "Dr Nora Neuro (dr-neuro)", "Dr Ned North (dr-north)"]
    completer.popup().hide()
    assistant.setText("Dr Vera Visiting")
    assert panel.people_notes["assisted_by"].text() == NOT_A_USER
    assert panel.puncture_form.editor("assisted_by").parsed() == "Dr Vera Visiting"
    assistant.clear()
    assert panel.people_notes["assisted_by"].isHidden()


def test_the_visit_editor_offers_the_clinics_active_nurses_and_neurologists(qtbot, database):
    ensure_account(database, "dr-neuro", Role.NEUROLOGIST, "Dr Nora Neuro")
    ensure_account(database, "a.admin", Role.ADMINISTRATOR, "Ada Admin")
    editor = editor_for(qtbot, database, "nurse-ui", Role.NURSE)
    assert editor.procedure.people == {"dr-neuro": "Dr Nora Neuro", "nurse-ui": "Nurse-Ui"}
