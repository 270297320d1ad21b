"""The searchable patient list: type part of a name or identifier, arrow down, Enter."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QAbstractItemView, QCheckBox, QHeaderView, QLabel, QLineEdit, QTableView, QVBoxLayout, QWidget

from pmsdesk.domain.vocab import Phenotype
from pmsdesk.services.clinic import Clinic, PatientSummary
from pmsdesk.ui.table_models import RowsTableModel, select_row


class PatientTableModel(RowsTableModel):
    """The patients found, read a page at a time as the list scrolls (Qt's fetchMore): the cost of a
    search or of a scroll is a page's, whatever the clinic's size."""

    HEADERS = ("Patient", "Identifier", "Born", "Type", "Last visit")
    PAGE_SIZE = 200

    def __init__(self, clinic: Clinic):
        super().__init__(self.HEADERS)
        self.clinic = clinic
        self.rows: list[PatientSummary] = []
        self.total = 0
        self._text, self._include_archived = "", False

    def search(self, text: str, include_archived: bool) -> None:
        """Show the first page of the patients matching ``text`` (how many there are in ``total``)."""
        self.beginResetModel()
        self._text, self._include_archived = text, include_archived
        self.rows, self.total = self.clinic.search_patients(text, include_archived=include_archived,
                                                                limit=self.PAGE_SIZE)
        self.endResetModel()

    def _page(self, offset: int) -> list[PatientSummary]:
        return self.clinic.find_patients(self._text, include_archived=self._include_archived, offset=offset,
                                         limit=self.PAGE_SIZE)

    def update(self, summary: PatientSummary) -> None:
        """Show ``summary`` on its patient's line, if that line is loaded (nothing else is read)."""
        for row, shown in enumerate(self.rows):
            if shown.id == summary.id:
                self.rows[row] = summary
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.HEADERS) - 1))
                return

    def canFetchMore(self, parent=QModelIndex()) -> bool:  # noqa: N802 - Qt API
        return not parent.isValid() and len(self.rows) < self.total

    def fetchMore(self, parent=QModelIndex()) -> None:  # noqa: N802 - Qt API
        if parent.isValid():
            return
        more = self._page(len(self.rows))
        if not more:  # patients removed meanwhile: nothing more to read
            self.total = len(self.rows)
            return
        self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows) + len(more) - 1)
        self.rows.extend(more)
        self.endInsertRows()

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        patient = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            name = patient.display_name + ("  (archived)" if patient.archived else "")
            last = patient.last_visit_date.isoformat() if patient.last_visit_date else "\u2013"
            return (name, patient.clinic_id, patient.birth_date.isoformat(), patient.phenotype, last)[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 3:
            return Phenotype(patient.phenotype).label
        if role == Qt.ItemDataRole.ToolTipRole and index.column() in (0, 1):  # whole when elided
            return (patient.display_name, patient.clinic_id)[index.column()]
        if role == Qt.ItemDataRole.ForegroundRole and patient.archived:
            from PySide6.QtGui import QColor

            return QColor("#777777")
        return None


class PatientList(QWidget):
    """Emits ``opened(patient_id)`` on Enter or double-click."""

    opened = Signal(int)

    def __init__(self, clinic: Clinic, parent: QWidget | None = None):
        super().__init__(parent)
        self.clinic = clinic
        self.search = QLineEdit()
        self.search.setObjectName("patient_search")
        self.search.setAccessibleName("Search patients by name or identifier")
        self.search.setPlaceholderText("Search name or identifier  (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.show_archived = QCheckBox("Show archived")
        self.model = PatientTableModel(clinic)
        self.table = QTableView()
        self.table.setObjectName("patient_table")
        self.table.setAccessibleName("Patients")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        # Widths from the header and the widest value a date or a phenotype can be, not from the rows:
        # fitting a column to its contents reads every row (the whole list, at each search). The identifier
        # is fitted to the page shown, up to a cap, so the name keeps most of the width (both whole on hover).
        metrics = self.table.fontMetrics()
        for column, widest in ((2, "0000-00-00"), (3, "RRMS"), (4, "0000-00-00")):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, max(metrics.horizontalAdvance(widest),
                                             metrics.horizontalAdvance(PatientTableModel.HEADERS[column])) + 12)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        self.count = QLabel()
        self.count.setObjectName("patient_count")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.show_archived)
        layout.addWidget(self.count)

        self._debounce = QTimer(self, singleShot=True, interval=150)
        self._debounce.timeout.connect(self.refresh)
        self.search.textChanged.connect(self._debounce.start)
        self.search.returnPressed.connect(self._open_first)
        self.show_archived.toggled.connect(self.refresh)
        self.table.doubleClicked.connect(lambda index: self._open_row(index.row()))
        QShortcut(QKeySequence(Qt.Key.Key_Return), self.table, activated=self._open_current)
        QShortcut(QKeySequence(Qt.Key.Key_Enter), self.table, activated=self._open_current)
        self.search.installEventFilter(self)

    def eventFilter(self, watched, event):  # noqa: N802 - Qt API: arrow down from the search box
        from PySide6.QtCore import QEvent

        if watched is self.search and event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Down:
            if self.model.rowCount():
                self.table.setFocus()
                select_row(self.table, max(self.table.currentIndex().row(), 0))
            return True
        return super().eventFilter(watched, event)

    def refresh(self) -> None:
        selected = self.current_patient_id()
        self._debounce.stop()
        self.model.search(self.search.text(), self.show_archived.isChecked())
        self._fit_identifiers()
        total = self.model.total
        self.count.setText(f"{total} patient{'s' if total != 1 else ''}" + (" found" if self.search.text() else ""))
        self.select(selected)

    IDENTIFIER_CAP = "MS-00000"  # wider identifiers are elided (whole on hover)

    def _fit_identifiers(self) -> None:
        metrics = self.table.fontMetrics()
        widest = max((metrics.horizontalAdvance(p.clinic_id) for p in self.model.rows), default=0)
        shown = min(widest, metrics.horizontalAdvance(self.IDENTIFIER_CAP))
        self.table.horizontalHeader().resizeSection(
            1, max(shown, metrics.horizontalAdvance(PatientTableModel.HEADERS[1])) + 12)

    def patient_changed(self, patient_id: int) -> None:
        """A visit of the patient was saved: their line shows the new visit count and last visit."""
        self.model.update(self.clinic.patient_summary(patient_id))

    def select(self, patient_id: int | None) -> None:
        for row, patient in enumerate(self.model.rows):
            if patient.id == patient_id:
                select_row(self.table, row)
                return

    def current_patient_id(self) -> int | None:
        index = self.table.currentIndex()
        if not index.isValid() or index.row() >= len(self.model.rows):
            return None
        return self.model.rows[index.row()].id

    def _open_row(self, row: int) -> None:
        if 0 <= row < len(self.model.rows):
            self.opened.emit(self.model.rows[row].id)

    def _open_current(self) -> None:
        self._open_row(self.table.currentIndex().row())

    def _open_first(self) -> None:
        self.refresh()
        if self.model.rows:
            select_row(self.table, 0)
            self._open_row(0)
