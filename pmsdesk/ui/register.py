"""The intrathecal register: who is trained to prescribe, check and administer intrathecal doses, from
when until when (HSC 2008/001, pmsdesk.domain.register). The administrator adds, renews and ends
entries; nurses and neurologists read it (the buttons are greyed out for them, the service refuses anyway)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from pmsdesk.domain.permissions import Action
from pmsdesk.domain.register import HSC_2008_001, RegisterTask
from pmsdesk.domain.validation import ValidationFailed
from pmsdesk.services.clinic import Clinic
from pmsdesk.services.register import EntryView
from pmsdesk.ui.dialogs import resize_on_screen, save_cancel_buttons
from pmsdesk.ui.forms import ERROR_STYLE
from pmsdesk.ui.operations import guarded
from pmsdesk.ui.permissions import allow

COLUMNS = ("Person", "Task", "Trained on", "Expires on", "State")


def state_text(line: EntryView, today: dt.date) -> str:
    entry = line.entry
    if entry.ended_on is not None and entry.ended_on < entry.expires_on:
        return f"ended {entry.ended_on.isoformat()}: {line.ended_reason or ''}".rstrip(": ")
    if entry.expires_on < today:
        return f"EXPIRED {entry.expires_on.isoformat()}"
    if entry.trained_on > today:
        return f"from {entry.trained_on.isoformat()}"
    days = (entry.expires_on - today).days
    return f"valid ({days} days left)" if days <= 60 else "valid"


class EntryDialog(QDialog):
    """Add an entry (person and task chosen) or renew one (new training date and expiry)."""

    def __init__(self, clinic: Clinic, parent: QWidget | None = None, *, renewing: EntryView | None = None):
        super().__init__(parent)
        self.register, self.renewing = clinic.intrathecal_register(), renewing
        self.setWindowTitle("Renew register entry" if renewing else "New register entry")
        today = clinic.today()
        self.person, self.task = QComboBox(), QComboBox()
        self.person.setObjectName("register_person")
        self.task.setObjectName("register_task")
        for user_id, username, full_name in self.register.people():
            self.person.addItem(f"{full_name} ({username})", user_id)
        for task in RegisterTask:
            self.task.addItem(task.label, task.value)
        self.trained_on = QLineEdit(today.isoformat())
        self.expires_on = QLineEdit(today.replace(year=today.year + 1).isoformat() if not (
            today.month == 2 and today.day == 29) else (today + dt.timedelta(days=365)).isoformat())
        self.trained_on.setObjectName("register_trained_on")
        self.expires_on.setObjectName("register_expires_on")
        self.message = QLabel()
        self.message.setObjectName("register_message")
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setWordWrap(True)
        self.message.hide()
        form = QFormLayout()
        if renewing is None:
            form.addRow("Person", self.person)
            form.addRow("Task", self.task)
        else:
            form.addRow("Entry", QLabel(f"{renewing.entry.full_name}: {renewing.entry.task.label}"))
        form.addRow("Trained on (YYYY-MM-DD)", self.trained_on)
        form.addRow("Expires on (YYYY-MM-DD)", self.expires_on)
        buttons = save_cancel_buttons(self)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

    def accept(self) -> None:
        with guarded(self, "saving the register entry", on_refusal=self.show_refusal) as saved:
            if self.renewing is None:
                self.register.add(self.person.currentData(), self.task.currentData(), self.trained_on.text(),
                                  self.expires_on.text())
            else:
                self.register.renew(self.renewing.id, self.renewing.version, self.trained_on.text(),
                                    self.expires_on.text())
        if saved:
            super().accept()

    def show_refusal(self, refusal: Exception) -> None:
        problems = refusal.problems if isinstance(refusal, ValidationFailed) else ()
        self.message.setText("\n".join(problem.message for problem in problems) or str(refusal))
        self.message.show()


class RegisterDialog(QDialog):
    def __init__(self, clinic: Clinic, parent: QWidget | None = None):
        super().__init__(parent)
        self.clinic = clinic
        self.setWindowTitle("Intrathecal register")
        resize_on_screen(self, 860, 460)
        note = QLabel("Who is trained and competent to prescribe, check (as the second person) and administer "
                      "intrathecal doses, as UK national guidance requires (" + HSC_2008_001 + "). A dose is "
                      "saved only when the person giving it is registered to administer and a different "
                      "person registered to check has checked it.")
        note.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("register_table")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        self.add_button = QPushButton("&Add entry\u2026")
        self.add_button.setObjectName("register_add")
        self.renew_button = QPushButton("&Renew\u2026")
        self.renew_button.setObjectName("register_renew")
        self.end_button = QPushButton("&End entry\u2026")
        self.end_button.setObjectName("register_end")
        self.add_button.clicked.connect(self.add_entry)
        self.renew_button.clicked.connect(self.renew_entry)
        self.end_button.clicked.connect(self.end_entry)
        for button in (self.add_button, self.renew_button, self.end_button):
            allow(button, clinic.actor, Action.MANAGE_REGISTER)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.renew_button, self.end_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.lines: list[EntryView] = []
        self.reload()

    def reload(self) -> None:
        with guarded(self, "reading the register"):
            self.lines = self.clinic.intrathecal_register().lines()
        today = self.clinic.today()
        self.table.setRowCount(len(self.lines))
        for row, line in enumerate(self.lines):
            entry = line.entry
            for column, text in enumerate((f"{entry.full_name} ({entry.username})", entry.task.label,
                                           entry.trained_on.isoformat(), entry.expires_on.isoformat(),
                                           state_text(line, today))):
                self.table.setItem(row, column, QTableWidgetItem(text))

    def _selected(self) -> EntryView | None:
        row = self.table.currentRow()
        return self.lines[row] if 0 <= row < len(self.lines) else None

    def add_entry(self) -> None:
        if EntryDialog(self.clinic, self).exec():
            self.reload()

    def renew_entry(self) -> None:
        line = self._selected()
        if line is not None and EntryDialog(self.clinic, self, renewing=line).exec():
            self.reload()

    def end_entry(self) -> None:
        line = self._selected()
        if line is None:
            return
        reason, given = QInputDialog.getText(self, "End register entry",
                                             f"Why does {line.entry.full_name}'s entry to "
                                             f"{line.entry.task.label.lower()} end today?")
        if given:
            with guarded(self, "ending the register entry"):
                self.clinic.intrathecal_register().end(line.id, line.version, reason)
            self.reload()
