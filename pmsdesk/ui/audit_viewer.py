"""The audit trail of one patient or one visit, oldest first: when, who, what, the values before and
after, and the reason given."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QListWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from pmsdesk.services.audit_trail import AuditEntry, record_name

COLUMNS = ("When", "Who", "What", "Record", "Changes", "Reason")


def _value(value) -> str:
    return "\u2013" if value is None or value == "" else str(value)


def describe_changes(entry: AuditEntry) -> str:
    """One line per changed value: ``name: before \u2192 after`` (only the values for a creation)."""
    lines = []
    for name, (before, after) in entry.changes.items():
        if name in ("id", "deleted_at"):
            continue
        if not entry.before and not entry.details:
            lines.append(f"{name}: {_value(after)}")
        else:
            lines.append(f"{name}: {_value(before)} \u2192 {_value(after)}")
    return "\n".join(lines)


def entry_cells(entry: AuditEntry) -> tuple[str, ...]:
    when = entry.occurred_at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
    who = entry.actor_name if entry.actor_name == entry.actor else f"{entry.actor_name} ({entry.actor})"
    record = record_name(entry.table_name)
    if entry.row_key:
        record += f" {entry.row_key}"
    return when, who, entry.kind.label, record, describe_changes(entry), entry.reason or ""


class AuditDialog(QDialog):
    def __init__(self, title: str, entries: Sequence[AuditEntry], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(1000, 560)
        self.table = QTableWidget(len(entries), len(COLUMNS))
        self.table.setObjectName("audit_entries")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        for row, entry in enumerate(entries):
            for column, text in enumerate(entry_cells(entry)):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.resizeRowsToContents()
        note = QLabel(f"{len(entries)} recorded events. The audit trail is append-only: nothing in it can be "
                      "changed, and `pmsdesk audit verify` proves it was not.")
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)


class HistoryDialog(QDialog):
    """A visit's history as a clinical record reads it: one line per change (when, who, what, why)."""

    def __init__(self, title: str, lines: Sequence[str], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(900, 480)
        self.lines = QListWidget()
        self.lines.setObjectName("history_lines")
        self.lines.setWordWrap(True)
        self.lines.addItems(list(lines) or ["Nothing recorded yet."])
        note = QLabel("Local times, to the minute. The full audit trail of the patient (Patient \u203a Audit "
                      "trail) keeps every stored value; nothing in it can be changed.")
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.lines, 1)
        layout.addWidget(buttons)

    def texts(self) -> list[str]:
        return [self.lines.item(row).text() for row in range(self.lines.count())]
