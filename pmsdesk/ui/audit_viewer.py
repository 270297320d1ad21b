"""Reading the audit trail: one table widget with a text filter (:class:`TrailView`) and the dialogs
built on it: a patient's or a visit's stored entries (:class:`AuditDialog`: when, who, what, the values
before and after, the reason), a visit's history as a clinical record reads it (:class:`HistoryDialog`),
and the clinic-wide trail (pmsdesk.ui.clinic_audit). Read only: nothing shown can be changed."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from pmsdesk.services.audit_trail import AuditEntry, record_name
from pmsdesk.ui.columns import fit_columns
from pmsdesk.ui.dialogs import resize_on_screen
from pmsdesk.ui.table_models import RowsTableModel

COLUMNS = ("When", "Who", "What", "Record", "Changes", "Reason")
Rows = list[tuple[str, ...]]
# More rows: returns the next rows and whether there are more after them.
FetchMore = Callable[[], tuple[Rows, bool]]


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


class TrailModel(RowsTableModel):
    """Rows of text; with ``fetch_more``, further (older) rows are read as the table scrolls to them."""

    def __init__(self, headers: Sequence[str], parent: QWidget | None = None):
        super().__init__(headers, parent)
        self.fetch_more: FetchMore | None = None
        self.more = False

    def reset(self, rows: Rows, *, fetch_more: FetchMore | None = None, more: bool = False) -> None:
        self.beginResetModel()
        self.rows, self.fetch_more, self.more = list(rows), fetch_more, more
        self.endResetModel()

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole) and index.isValid():
            return self.rows[index.row()][index.column()]
        return None

    def canFetchMore(self, parent: QModelIndex = QModelIndex()) -> bool:  # noqa: N802, B008 - Qt API
        return not parent.isValid() and self.more and self.fetch_more is not None

    def fetchMore(self, parent: QModelIndex = QModelIndex()) -> None:  # noqa: N802, B008 - Qt API
        if not self.canFetchMore(parent):
            return
        rows, self.more = self.fetch_more()
        if rows:
            self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows) + len(rows) - 1)
            self.rows += rows
            self.endInsertRows()


class WordFilter(QSortFilterProxyModel):
    """Keeps the rows holding every typed word, in any column, in any case."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.words: list[str] = []

    def set_text(self, text: str) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt 6.10 and later, where invalidateRowsFilter is deprecated
            self.beginFilterChange()
            self.words = text.casefold().split()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self.words = text.casefold().split()
            self.invalidateRowsFilter()

    def filterAcceptsRow(self, row: int, parent: QModelIndex) -> bool:  # noqa: N802 - Qt API
        if not self.words:
            return True
        text = " ".join(self.sourceModel().rows[row]).casefold()
        return all(word in text for word in self.words)


class TrailView(QWidget):
    """A read-only table of audit lines under a filter box. ``wrap`` lets long cells take several
    lines (short trails); without it every row keeps one line's height, so thousands scroll smoothly."""

    def __init__(self, headers: Sequence[str], *, wrap: bool = True, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = TrailModel(headers, self)
        self.proxy = WordFilter(self)
        self.proxy.setSourceModel(self.model)
        self.filter = QLineEdit()
        self.filter.setObjectName("trail_filter")
        self.filter.setClearButtonEnabled(True)
        self.filter.setPlaceholderText("Filter: type words (a name, a value, a reason) to show only the lines "
                                       "holding all of them")
        self.filter.textChanged.connect(self.proxy.set_text)
        self.table = QTableView()
        self.table.setObjectName("trail_lines")
        self.table.setModel(self.proxy)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(wrap)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)  # the whole text is the cell's tooltip
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        if wrap:  # columns as wide as their texts while the table has room; beyond it the longest ones wrap
            self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
            fit_columns(self.table, range(len(headers)))
        else:
            self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.filter)
        layout.addWidget(self.table, 1)

    def show_rows(self, rows: Rows, *, fetch_more: FetchMore | None = None, more: bool = False) -> None:
        self.model.reset(rows, fetch_more=fetch_more, more=more)

    def shown_rows(self) -> Rows:
        """The rows the filter lets through, in the order shown."""
        return [tuple(self.proxy.index(row, column).data() for column in range(self.proxy.columnCount()))
                for row in range(self.proxy.rowCount())]


class TrailDialog(QDialog):
    """A trail under a note, with Close; subclasses add what they read and how."""

    def __init__(self, title: str, note: str, headers: Sequence[str], *, wrap: bool = True,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.note = QLabel(note)
        self.note.setWordWrap(True)
        self.trail = TrailView(headers, wrap=wrap)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)
        self.layout_ = QVBoxLayout(self)
        self.layout_.addWidget(self.note)
        self.layout_.addWidget(self.trail, 1)
        self.layout_.addWidget(self.buttons)


class AuditDialog(TrailDialog):
    """Every stored entry of a patient or a visit, oldest first, with the stored values."""

    def __init__(self, title: str, entries: Sequence[AuditEntry], parent: QWidget | None = None):
        super().__init__(title, f"{len(entries)} recorded events. The audit trail is append-only: nothing in it "
                         "can be changed, and \u201cpmsdesk audit verify\u201d proves it was not.", COLUMNS,
                         parent=parent)
        resize_on_screen(self, 1240, 620)
        self.trail.show_rows([entry_cells(entry) for entry in entries])


class HistoryDialog(TrailDialog):
    """A visit's history as a clinical record reads it: one line per change (when, who, what, why)."""

    def __init__(self, title: str, lines: Sequence[str], parent: QWidget | None = None):
        super().__init__(title, "Local times, to the minute. The full audit trail of the patient (Patient \u203a "
                         "Audit trail) keeps every stored value; nothing in it can be changed.",
                         ("When \u00b7 who \u00b7 what \u00b7 why",), parent=parent)
        resize_on_screen(self, 900, 480)
        self.trail.show_rows([(line,) for line in lines] or [("Nothing recorded yet.",)])

    def texts(self) -> list[str]:
        return [row[0] for row in self.trail.shown_rows()]
