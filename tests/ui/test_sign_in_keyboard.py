"""Signing in with the keyboard alone, as a nurse does at the start of a shift."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from pmsdesk.services.accounts import Accounts
from pmsdesk.services.demo import DEMO_PASSWORD, DEMO_SIGN_IN_HINT, create_demo_accounts
from pmsdesk.ui.sign_in import sign_in


def test_typing_name_tab_password_enter_signs_in(qtbot, database):
    create_demo_accounts(database)
    seen = {}

    def type_like_a_person() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(20, type_like_a_person)
            return
        try:  # keys go to the dialog's focused field (offscreen windows are never "active")
            seen["focus"] = dialog.focusWidget().objectName()
            seen["hint"] = dialog.findChild(type(dialog.message), "sign_in_hint").text()
            qtbot.keyClicks(dialog.focusWidget(), "demo-nurse")
            qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Tab)
            qtbot.keyClicks(dialog.focusWidget(), DEMO_PASSWORD)
            qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Return)
        finally:
            if dialog.isVisible():
                dialog.reject()

    QTimer.singleShot(0, type_like_a_person)
    actor = sign_in(Accounts(database), hint=DEMO_SIGN_IN_HINT)
    assert seen == {"focus": "username", "hint": DEMO_SIGN_IN_HINT}
    assert actor is not None and actor.name == "demo-nurse"
