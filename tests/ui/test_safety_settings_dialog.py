"""The safety check's settings screen, opened from the main window's Safety menu: the administrator
saves a stricter threshold (in the audit trail), a value out of range is refused beside its box and
the screen stays with nothing stored; a nurse reads the values with Save greyed out saying why."""

from __future__ import annotations

import pytest
from people import ensure_account, signed_in
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel
from sample_data import TODAY

from pmsdesk.domain.permissions import Role
from pmsdesk.domain.settings import PLATELETS_MIN
from pmsdesk.services.clinic import Clinic
from pmsdesk.services.safety import check_settings
from pmsdesk.ui.main_window import MainWindow
from pmsdesk.ui.safety_settings import SafetySettingsDialog

pytestmark = pytest.mark.usefixtures("qapp")
HOLD_WARFARIN = "safety/hold_hours/warfarin"


def in_force(clinic: Clinic) -> dict[str, float]:
    return {line.setting.key: line.value for line in check_settings(clinic)}


def test_the_administrator_saves_from_the_safety_menu_and_a_bad_value_is_refused(qtbot, database, monkeypatch,
                                                                                  tmp_path):
    admin = Clinic(database, actor=signed_in(database, "a.admin", Role.ADMINISTRATOR, "Ada Admin"),
                   today=lambda: TODAY)
    seen = []

    def drive(dialog: SafetySettingsDialog) -> int:
        platelets, warfarin = dialog.boxes[PLATELETS_MIN.key], dialog.boxes[HOLD_WARFARIN]
        assert platelets.text() == "50" and warfarin.text() == "120" and not platelets.isReadOnly()
        platelets.setText("75")
        warfarin.setText("1000")
        dialog.accept()
        seen.append(dialog.problems[HOLD_WARFARIN].text())
        assert dialog.result() == 0 and dialog.message.text().startswith("Nothing was saved")
        assert in_force(admin)[PLATELETS_MIN.key] == 50, "nothing stored while a value is refused"
        shot = tmp_path / "safety-settings.png"
        assert dialog.grab().save(str(shot)) and shot.stat().st_size
        warfarin.setText("144")
        dialog.accept()
        return dialog.result()

    monkeypatch.setattr(SafetySettingsDialog, "exec", drive)
    window = MainWindow(admin)
    qtbot.addWidget(window)
    action = window.findChild(QAction, "action_safety_settings")
    assert action.isEnabled()
    action.trigger()
    assert seen == ["Stop Warfarin before a puncture: 1000 is not allowed; enter a whole number from 0 to 720 hours."]
    assert in_force(admin)[PLATELETS_MIN.key] == 75 and in_force(admin)[HOLD_WARFARIN] == 144
    changes = [entry.after for entry in admin.audit_entries() if entry.table_name == "setting"]
    assert changes == [{"key": PLATELETS_MIN.key, "value": "75"}, {"key": HOLD_WARFARIN, "value": "144"}]


def test_a_nurse_reads_the_values_in_force_and_cannot_save(qtbot, database):
    ensure_account(database, "n.nurse", Role.NURSE, "Nina Nurse")
    nurse = Clinic(database, actor=signed_in(database, "n.nurse", Role.NURSE), today=lambda: TODAY)
    dialog = SafetySettingsDialog(nurse)
    qtbot.addWidget(dialog)
    box = dialog.boxes[PLATELETS_MIN.key]
    assert box.text() == "50" and box.isReadOnly()
    assert not dialog.save_button.isEnabled()
    assert "Only an administrator may change the clinic's settings" in dialog.save_button.toolTip()
    sources = [label.text() for label in dialog.findChildren(QLabel) if label.text().startswith("Published default")]
    assert any(text.startswith("Published default 0.8 x10^9/L: Intrathecal methotrexate") and "NCT02644044" in text
               for text in sources)
