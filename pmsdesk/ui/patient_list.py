"""The searchable patient list: type part of a name or identifier, arrow down, Enter."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QAbstractItemView, QCheckBox, QHeaderView, QLabel, QLineEdit, QTableView, QVBoxLayout, QWidget

from pmsdesk.domain.vocab import Phenotype
from pmsdesk.services.clinic import Clinic, PatientSummary


class PatientTableModel(QAbstractTableModel):
    HEADERS = ("Patient", "Identifier", "Born", "Type", "Last visit")

    def __init__(self):
        super().__init__()
        self.patients: list[PatientSummary] = []

    def set_patients(self, patients: list[PatientSummary]) -> None:
        self.beginResetModel()
        self.patients = patients
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self.patients)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt API
        return len(self.HEADERS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802 - Qt API
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        patient = self.patients[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            name = patient.display_name + ("  (archived)" if patient.archived else "")
            last = patient.last_visit_date.isoformat() if patient.last_visit_date else "\u2013"
            return (name, patient.clinic_id, patient.birth_date.isoformat(), patient.phenotype, last)[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 3:
            return Phenotype(patient.phenotype).label
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
        self.search.setPlaceholderText("Search name or identifier  (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.show_archived = QCheckBox("Show archived")
        self.model = PatientTableModel()
        self.table = QTableView()
        self.table.setObjectName("patient_table")
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
        for column in range(1, len(PatientTableModel.HEADERS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
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
                self.table.selectRow(max(self.table.currentIndex().row(), 0))
            return True
        return super().eventFilter(watched, event)

    def refresh(self) -> None:
        selected = self.current_patient_id()
        self._debounce.stop()
        patients = self.clinic.find_patients(self.search.text(), include_archived=self.show_archived.isChecked())
        self.model.set_patients(patients)
        total = len(patients)
        self.count.setText(f"{total} patient{'s' if total != 1 else ''}" + (" found" if self.search.text() else ""))
        self.select(selected)

    def select(self, patient_id: int | None) -> None:
        for row, patient in enumerate(self.model.patients):
            if patient.id == patient_id:
                self.table.selectRow(row)
                return

    def current_patient_id(self) -> int | None:
        index = self.table.currentIndex()
        if not index.isValid() or index.row() >= len(self.model.patients):
            return None
        return self.model.patients[index.row()].id

    def _open_row(self, row: int) -> None:
        if 0 <= row < len(self.model.patients):
            self.opened.emit(self.model.patients[row].id)

    def _open_current(self) -> None:
        self._open_row(self.table.currentIndex().row())

    def _open_first(self) -> None:
        self.refresh()
        if self.model.patients:
            self.table.selectRow(0)
            self._open_row(0)
