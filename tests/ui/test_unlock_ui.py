"""The administrator's users dialog shows who is locked out after wrong passwords, and unlocks them."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtWidgets import QMessageBox, QPushButton

from pmsdesk.domain.permissions import Role
from pmsdesk.services.accounts import Accounts, SignInRefused
from pmsdesk.services.clinic import Clinic
from pmsdesk.ui.users_dialog import UsersDialog

pytestmark = pytest.mark.usefixtures("qapp")

NURSE_PASSWORD = "nurse's own long password"


def test_a_locked_account_is_shown_locked_and_the_administrator_unlocks_it(database, monkeypatch):
    admin = Accounts(database).create_first_administrator("a.admin", "Ada Admin", "administrator password")
    nurse = Accounts(database, admin).create_user("n.nurse", "Nina Nurse", Role.NURSE, NURSE_PASSWORD)
    now = dt.datetime.now(dt.UTC)
    moments = iter(now + dt.timedelta(seconds=10 * attempt) for attempt in range(10))  # waits passed
    typing = Accounts(database, clock=lambda: next(moments))
    for attempt in range(10):
        with pytest.raises(SignInRefused):
            typing.sign_in("n.nurse", f"wrong guess {attempt}")
    with pytest.raises(SignInRefused, match="locked"):
        Accounts(database).sign_in("n.nurse", NURSE_PASSWORD)

    dialog = UsersDialog(Clinic(database, actor=admin))
    row = [user.username for user in dialog.users].index("n.nurse")
    assert dialog.table.item(row, 4).text().startswith("locked until ")
    told = []
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text: told.append(text))
    dialog.table.selectRow(row)
    dialog.findChild(QPushButton, "unlock").click()
    assert told == ["Nina Nurse can sign in again."] and dialog.table.item(row, 4).text() == ""
    assert Accounts(database).sign_in("n.nurse", NURSE_PASSWORD).user_id == nurse.id
    (unlocked,) = [e for e in Clinic(database).audit_entries() if e.reason == "unlocked by an administrator"]
    assert (unlocked.actor, unlocked.table_name) == ("a.admin", "user_account")
