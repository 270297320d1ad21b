"""The intrathecal register screen: the administrator adds, renews and ends entries; a nurse reads it."""

from __future__ import annotations

import pytest
from people import ensure_account, signed_in
from sample_data import TODAY

from pmsdesk.domain.permissions import Role
from pmsdesk.services.clinic import Clinic
from pmsdesk.ui.register import EntryDialog, RegisterDialog

pytestmark = pytest.mark.usefixtures("qapp")


def test_the_administrator_adds_an_entry_and_a_nurse_only_reads(qtbot, database, monkeypatch, tmp_path):
    ensure_account(database, "n.nurse", Role.NURSE, "Nina Nurse")
    admin = Clinic(database, actor=signed_in(database, "a.admin", Role.ADMINISTRATOR), today=lambda: TODAY)
    dialog = RegisterDialog(admin)
    qtbot.addWidget(dialog)
    assert dialog.add_button.isEnabled() and dialog.table.rowCount() == 0

    def fill(entry: EntryDialog) -> int:
        entry.task.setCurrentIndex(entry.task.findData("check"))
        entry.trained_on.setText("2026-11-01")
        entry.expires_on.setText("2026-10-01")  # before the training: refused beside, dialog stays
        entry.accept()
        assert "Expires on: enter a date after the training date." in entry.message.text()
        entry.expires_on.setText("2027-11-01")
        entry.accept()
        return entry.result()

    monkeypatch.setattr(EntryDialog, "exec", fill)
    dialog.add_entry()
    assert [dialog.table.item(0, c).text() for c in range(5)] == [
        "Nina Nurse (n.nurse)", "Check (second person)", "2026-11-01", "2027-11-01", "valid"]
    shot = tmp_path / "register.png"
    assert dialog.grab().save(str(shot)) and shot.stat().st_size

    nurse = Clinic(database, actor=signed_in(database, "n.nurse", Role.NURSE), today=lambda: TODAY)
    read_only = RegisterDialog(nurse)
    qtbot.addWidget(read_only)
    assert read_only.table.rowCount() == 1
    assert not read_only.add_button.isEnabled() and "kept by an administrator" in read_only.add_button.toolTip()
