"""One patient at a glance: details, treatment courses, visits in date order, relapses and therapies."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from pmsdesk.domain.naming import agent_label, patient_display_name
from pmsdesk.domain.vocab import AdverseEventTerm, Hand, Phenotype, Sex, VisitKind, VisitStatus
from pmsdesk.services.clinic import Clinic, VisitRecord
from pmsdesk.domain.assessments import REGISTRY


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _table(headers: Sequence[str], name: str) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(list(headers))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().hide()
    table.setAlternatingRowColors(True)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _fill(table: QTableWidget, rows: Sequence[Sequence[str]], ids: Sequence[int]) -> None:
    table.setRowCount(len(rows))
    for r, (row, row_id) in enumerate(zip(rows, ids)):
        for c, text in enumerate(row):
            item = QTableWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, row_id)
            table.setItem(r, c, item)


def _section(title: str, table: QTableWidget, buttons: Sequence[QPushButton]) -> QGroupBox:
    box = QGroupBox(title)
    layout = QVBoxLayout(box)
    bar = QHBoxLayout()
    for button in buttons:
        bar.addWidget(button)
    bar.addStretch(1)
    layout.addLayout(bar)
    layout.addWidget(table)
    return box


def _date(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


class PatientView(QWidget):
    """Emits ``open_visit(visit_id)``, ``new_visit()``; editing actions are wired by the main window."""

    open_visit = Signal(int)
    new_visit = Signal()
    edit_patient = Signal()
    new_course = Signal()
    edit_course = Signal(int)
    toggle_archive = Signal()
    edit_relapse = Signal(object)  # relapse id or None for a new one
    edit_dmt = Signal(object)
    show_trajectory = Signal()

    def __init__(self, clinic: Clinic, parent: QWidget | None = None):
        super().__init__(parent)
        self.clinic = clinic
        self.patient = None

        self.name = QLabel()
        self.name.setObjectName("patient_name")
        font = QFont(self.name.font())
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.name.setFont(font)
        self.details = QLabel()
        self.details.setObjectName("patient_details")
        self.details.setWordWrap(True)
        self.archived_note = QLabel("Archived: this patient is hidden from the patient list.")
        self.archived_note.setStyleSheet("color: #8a5a00; font-weight: bold;")

        self.new_visit_button = QPushButton("New visit  (Ctrl+Shift+V)")
        self.new_visit_button.setObjectName("new_visit")
        self.edit_button = QPushButton("Edit details\u2026")
        self.archive_button = QPushButton("Archive")
        self.new_visit_button.clicked.connect(self.new_visit)
        self.edit_button.clicked.connect(self.edit_patient)
        self.archive_button.clicked.connect(self.toggle_archive)
        self.trajectory_button = QPushButton("Trajectory  (Ctrl+T)")
        self.trajectory_button.setObjectName("show_trajectory")
        self.trajectory_button.setToolTip("Every measure over time, beside published cohorts")
        self.trajectory_button.clicked.connect(self.show_trajectory)

        header_buttons = QHBoxLayout()
        for button in (self.new_visit_button, self.trajectory_button, self.edit_button, self.archive_button):
            header_buttons.addWidget(button)
        header_buttons.addStretch(1)

        self.assessments = tuple(REGISTRY)  # one column each, in the registry's order
        self.visits = _table(("Date", "Kind", "Tx #", "Dose", *(a.column for a in self.assessments),
                              "Adverse events", "Status"), "visits_table")
        self.visits.doubleClicked.connect(lambda index: self._emit_row_id(self.visits, index.row(), self.open_visit))
        QShortcut(QKeySequence(Qt.Key.Key_Return), self.visits,
                  activated=lambda: self._emit_row_id(self.visits, self.visits.currentRow(), self.open_visit))
        self.courses = _table(("Agent", "Planned dose", "Interval (weeks)", "Start", "End", "Protocol"), "courses_table")
        self.courses.doubleClicked.connect(lambda index: self._emit_row_id(self.courses, index.row(), self.edit_course))
        self.relapses = _table(("Onset", "Notes"), "relapses_table")
        self.relapses.doubleClicked.connect(lambda index: self._emit_row_id(self.relapses, index.row(), self.edit_relapse))
        self.dmts = _table(("Therapy", "Started", "Stopped", "Notes"), "dmt_table")
        self.dmts.doubleClicked.connect(lambda index: self._emit_row_id(self.dmts, index.row(), self.edit_dmt))

        new_course = QPushButton("New course\u2026")
        new_course.clicked.connect(self.new_course)
        new_relapse = QPushButton("Add relapse\u2026")
        new_relapse.clicked.connect(lambda: self.edit_relapse.emit(None))
        new_dmt = QPushButton("Add therapy\u2026")
        new_dmt.clicked.connect(lambda: self.edit_dmt.emit(None))
        open_hint = QLabel("Double-click or Enter opens a visit.")
        open_hint.setStyleSheet("color: #555;")

        lower = QSplitter(Qt.Orientation.Horizontal)
        lower.addWidget(_section("Relapses", self.relapses, [new_relapse]))
        lower.addWidget(_section("Disease-modifying therapy history", self.dmts, [new_dmt]))
        stack = QSplitter(Qt.Orientation.Vertical)
        stack.addWidget(_section("Visits", self.visits, [open_hint]))
        stack.addWidget(_section("Treatment courses", self.courses, [new_course]))
        stack.addWidget(lower)
        stack.setStretchFactor(0, 5)
        stack.setStretchFactor(1, 2)
        stack.setStretchFactor(2, 2)

        layout = QVBoxLayout(self)
        layout.addWidget(self.name)
        layout.addWidget(self.details)
        layout.addWidget(self.archived_note)
        layout.addLayout(header_buttons)
        layout.addWidget(stack, 1)

    @staticmethod
    def _emit_row_id(table: QTableWidget, row: int, signal: Callable) -> None:
        item = table.item(row, 0) if row >= 0 else None
        if item is not None:
            signal.emit(item.data(Qt.ItemDataRole.UserRole))

    def show_patient(self, patient_id: int) -> None:
        patient = self.clinic.patient(patient_id)
        self.patient = patient
        self.name.setText(patient_display_name(patient.family_name, patient.given_names))
        facts = [
            patient.clinic_id,
            f"born {patient.birth_date.isoformat()} ({age_on(patient.birth_date, dt.date.today())} years)",
            Sex(patient.sex).label,
            Phenotype(patient.phenotype).label,
        ]
        if patient.onset_year:
            facts.append(f"onset {patient.onset_year}")
        if patient.diagnosis_date:
            facts.append(f"diagnosed {patient.diagnosis_date.isoformat()}")
        if patient.dominant_hand:
            facts.append(f"{Hand(patient.dominant_hand).label.lower()}-handed")
        if patient.education_years is not None:
            facts.append(f"{patient.education_years} years of education")
        text = " \u00b7 ".join(facts)
        if patient.notes:
            text += f"\nNotes: {patient.notes}"
        self.details.setText(text)
        self.archived_note.setVisible(patient.archived)
        self.archive_button.setText("Restore from archive" if patient.archived else "Archive")
        self._show_visits(self.clinic.visit_records(patient_id))
        self._show_courses(patient_id)
        relapses = self.clinic.relapses(patient_id)
        _fill(self.relapses, [(_date(r.onset_date), r.notes or "") for r in relapses], [r.id for r in relapses])
        dmts = self.clinic.dmt_history(patient_id)
        _fill(self.dmts, [(d.agent, _date(d.start_date), _date(d.stop_date) or "ongoing", d.notes or "") for d in dmts],
              [d.id for d in dmts])

    @staticmethod
    def _summary(record: VisitRecord, assessment) -> str:
        values = record.assessment_values(assessment.key)
        return "" if values is None else assessment.summarise(values)

    def _show_visits(self, records: list[VisitRecord]) -> None:
        rows = []
        for record in records:
            visit = record.visit
            dose = f"{_number(visit.dose_given)} {visit.dose_unit or ''}".strip()
            events = ", ".join(AdverseEventTerm(e.term).label for e in record.adverse_events)
            rows.append((_date(visit.visit_date), VisitKind(visit.kind).label,
                         "" if visit.treatment_number is None else str(visit.treatment_number), dose,
                         *(self._summary(record, assessment) for assessment in self.assessments), events,
                         VisitStatus(visit.status).label))
        _fill(self.visits, rows, [record.visit.id for record in records])
        if records:
            self.visits.selectRow(len(records) - 1)

    def _show_courses(self, patient_id: int) -> None:
        courses = self.clinic.courses(patient_id)
        rows = []
        for course in courses:
            agent = agent_label(course.agent, course.agent_name)
            dose = f"{_number(course.planned_dose)} {course.dose_unit or ''}".strip()
            low, high = course.interval_weeks_min, course.interval_weeks_max
            interval = "" if low is None else (f"{low}" if high in (None, low) else f"{low}\u2013{high}")
            rows.append((agent, dose, interval, _date(course.start_date), _date(course.end_date) or "active",
                         course.protocol_id or ""))
        _fill(self.courses, rows, [course.id for course in courses])
