"""The safety check's thresholds and the laboratory reference ranges, as the clinic sets them.

Everyone may read what is in force; only an administrator may change it (the Save button says why
it is greyed out for anyone else). Each value shows its published default and the default's source;
a refused value is said beside its box and nothing is stored until every value is allowed.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from pmsdesk.domain.permissions import Action
from pmsdesk.domain.settings import HOLD_HOURS, REFERENCE_SETTINGS
from pmsdesk.domain.validation import ValidationFailed
from pmsdesk.services.clinic import Clinic
from pmsdesk.services.safety import SettingInForce, change_check_settings, check_settings
from pmsdesk.ui.forms import ERROR_STYLE
from pmsdesk.ui.operations import guarded
from pmsdesk.ui.permissions import allow
from pmsdesk.ui.dialogs import resize_on_screen

HINT_STYLE = "color: palette(placeholder-text);"


def _group_of(line: SettingInForce) -> str:
    if line.setting in REFERENCE_SETTINGS:
        return "Laboratory reference ranges"
    if line.setting in HOLD_HOURS.values():
        return "Stop anticoagulant and antiplatelet medicines before a puncture"
    return "Laboratory values for the check"


class SafetySettingsDialog(QDialog):
    def __init__(self, clinic: Clinic, parent: QWidget | None = None):
        super().__init__(parent)
        self.clinic = clinic
        self.setWindowTitle("Safety check thresholds and reference ranges")
        self.boxes: dict[str, QLineEdit] = {}
        self.problems: dict[str, QLabel] = {}
        self.lines = {line.setting.key: line for line in check_settings(clinic)}
        may_change = clinic.actor.may(Action.MANAGE_SETTINGS)
        groups: dict[str, QFormLayout] = {}
        content = QWidget()
        column = QVBoxLayout(content)
        for key, line in self.lines.items():
            title = _group_of(line)
            if title not in groups:
                box = QGroupBox(title)
                groups[title] = QFormLayout(box)
                column.addWidget(box)
            self.boxes[key] = self._row(groups[title], line, may_change)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setWidget(content)
        self.message = QLabel()
        self.message.setObjectName("safety_settings_message")
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setWordWrap(True)
        self.message.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Close)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        allow(self.save_button, clinic.actor, Action.MANAGE_SETTINGS)
        layout = QVBoxLayout(self)
        intro = QLabel("A change applies to every workstation at its next check and is kept in the audit trail; "
                       "an empty box goes back to the published default.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addWidget(self.scroll, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        resize_on_screen(self, 760, 640)

    def _row(self, form: QFormLayout, line: SettingInForce, may_change: bool) -> QLineEdit:
        setting = line.setting
        box = QLineEdit(f"{line.value:g}")
        box.setObjectName(f"setting_{setting.key}")
        box.setReadOnly(not may_change)
        box.setPlaceholderText(f"{setting.default:g}")
        box.setToolTip(f"From {setting.minimum:g} to {setting.maximum:g} {setting.unit}".rstrip())
        default = QLabel(f"Published default {setting.default:g} {setting.unit}".rstrip() + f": {setting.source}")
        default.setWordWrap(True)
        default.setStyleSheet(HINT_STYLE)
        problem = QLabel()
        problem.setStyleSheet(ERROR_STYLE)
        problem.setWordWrap(True)
        problem.hide()
        self.problems[setting.key] = problem
        cell = QVBoxLayout()
        cell.addWidget(box)
        cell.addWidget(default)
        cell.addWidget(problem)
        label = QLabel(setting.label + (f" ({setting.unit})" if setting.unit else ""))
        label.setWordWrap(True)
        form.addRow(label, cell)
        return box

    def accept(self) -> None:
        """Save every value; a refusal keeps the dialog open with each problem beside its box."""
        for problem in self.problems.values():
            problem.hide()
        self.message.hide()
        typed = {key: box.text() for key, box in self.boxes.items()}
        with guarded(self, "saving the safety check's settings", on_refusal=self.show_refusal) as saved:
            change_check_settings(self.clinic, typed)
        if saved:
            super().accept()

    def show_refusal(self, refusal: Exception) -> None:
        if isinstance(refusal, ValidationFailed):
            for problem in refusal.problems:
                self.problems[problem.field].setText(problem.message)
                self.problems[problem.field].show()
            first = self.boxes[refusal.problems[0].field]
            self.scroll.ensureWidgetVisible(first)  # the first refused box may be far down the list
            first.setFocus()
        self.message.setText(f"Nothing was saved: {refusal}" if isinstance(refusal, ValidationFailed) else str(refusal))
        self.message.show()
