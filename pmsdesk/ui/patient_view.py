"""One patient at a glance: details, treatment courses, visits in date order, relapses and therapies."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from pmsdesk.domain.naming import agent_label, patient_display_name
from pmsdesk.domain.adverse_events import MethotrexateBlocked, blocks_methotrexate
from pmsdesk.domain.permissions import Action, Role
from pmsdesk.domain.vocab import AdverseEventTerm, AeOutcome, Agent, Hand, Phenotype, Sex, VisitKind, VisitStatus
from pmsdesk.services.clinic import Clinic, VisitRecord
from pmsdesk.domain.assessments import REGISTRY
from pmsdesk.ui.adverse_events import clear_neurotoxicity
from pmsdesk.ui.columns import fit_columns
from pmsdesk.ui.forms import ERROR_STYLE
from pmsdesk.ui.permissions import allow
from pmsdesk.ui.void_dialog import ask_and_void

VISIT_STATUS_VOIDED = "Voided"
VOIDED_COLOUR = QColor("#8c8c8c")


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _table(headers: Sequence[str], name: str, elastic: Sequence[str]) -> QTableWidget:
    """A read-only table whose columns share its width; the ``elastic`` (free-text) ones are elided
    when space runs short, whole on hover."""
    table = QTableWidget(0, len(headers))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(list(headers))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().hide()
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)  # one line per row: a long text is elided, not wrapped out of sight
    fit_columns(table, [headers.index(heading) for heading in elastic])
    return table


def _fill(table: QTableWidget, rows: Sequence[Sequence[str]], ids: Sequence[int]) -> None:
    table.setRowCount(len(rows))
    for r, (row, row_id) in enumerate(zip(rows, ids)):
        for c, text in enumerate(row):
            item = QTableWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, row_id)
            table.setItem(r, c, item)


def _event_label(event) -> str:
    term = AdverseEventTerm(event.term)
    return (event.term_other or term.label) if term is AdverseEventTerm.OTHER else term.label


def _clearance_mark(event) -> str:
    if not blocks_methotrexate(event.term):
        return ""
    return " (cleared for methotrexate)" if event.cleared_at is not None else " (blocks methotrexate)"


def _section(title: str, table: QTableWidget, buttons: Sequence[QWidget]) -> QGroupBox:
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
    changed = Signal()  # a record of this patient was deleted (voided)

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
        self.methotrexate_note = QLabel()  # an uncleared neurotoxicity event blocks intrathecal methotrexate
        self.methotrexate_note.setObjectName("methotrexate_block")
        self.methotrexate_note.setStyleSheet(ERROR_STYLE + " font-weight: bold;")
        self.methotrexate_note.setWordWrap(True)
        self.methotrexate_note.hide()

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
                              "Adverse events", "Status"), "visits_table",
                             ("Labs", "Adverse events", "Status"))
        self.visits.doubleClicked.connect(lambda index: self._open_visit_row(index.row()))
        QShortcut(QKeySequence(Qt.Key.Key_Return), self.visits,
                  activated=lambda: self._open_visit_row(self.visits.currentRow()))
        self.courses = _table(("Agent", "Planned dose", "Interval (weeks)", "Start", "End", "Protocol"), "courses_table",
                              ("Agent", "Protocol"))
        self.courses.doubleClicked.connect(lambda index: self._emit_row_id(self.courses, index.row(), self.edit_course))
        self.relapses = _table(("Onset", "Notes"), "relapses_table", ("Notes",))
        self.relapses.doubleClicked.connect(lambda index: self._emit_row_id(self.relapses, index.row(), self.edit_relapse))
        self.dmts = _table(("Therapy", "Started", "Stopped", "Notes"), "dmt_table", ("Therapy", "Notes"))
        self.dmts.doubleClicked.connect(lambda index: self._emit_row_id(self.dmts, index.row(), self.edit_dmt))
        # The visit an event was recorded at is its onset's tooltip: a fifth column did not fit the width.
        self.events = _table(("Onset", "Adverse event", "Grade", "Outcome"), "adverse_events_table",
                             ("Adverse event", "Outcome"))

        # Delete (void) with a reason: a button over each table and the Delete key on its selected row.
        self._rows: dict[QTableWidget, dict[int, object]] = {}
        self.delete_buttons: dict[QTableWidget, QPushButton] = {}
        for table, what, name in ((self.visits, "visit", "delete_visit"), (self.relapses, "relapse", "delete_relapse"),
                                  (self.dmts, "therapy", "delete_dmt"),
                                  (self.events, "adverse event", "delete_adverse_event")):
            button = QPushButton("Delete…")
            button.setObjectName(name)
            button.setToolTip(f"Delete the selected {what}, with a reason (Delete key); it is kept in the audit trail.")
            button.clicked.connect(lambda _checked=False, t=table: self.delete_selected(t))
            table.installEventFilter(self)  # the Delete key on the table deletes its selected row
            table.itemSelectionChanged.connect(self._enable_deleting)
            self.delete_buttons[table] = button
            self._rows[table] = {}

        new_course = QPushButton("New course\u2026")
        new_course.clicked.connect(self.new_course)
        new_relapse = QPushButton("Add relapse\u2026")
        new_relapse.clicked.connect(lambda: self.edit_relapse.emit(None))
        new_dmt = QPushButton("Add therapy\u2026")
        new_dmt.clicked.connect(lambda: self.edit_dmt.emit(None))
        open_hint = QLabel("Double-click or Enter opens a visit.")
        open_hint.setStyleSheet("color: #555;")

        lower = QSplitter(Qt.Orientation.Horizontal)
        lower.addWidget(_section("Relapses", self.relapses, [new_relapse, self.delete_buttons[self.relapses]]))
        lower.addWidget(_section("Disease-modifying therapy history", self.dmts, [new_dmt, self.delete_buttons[self.dmts]]))
        self.clear_button = QPushButton("Clear for methotrexate\u2026")
        self.clear_button.setObjectName("clear_neurotoxicity")
        self.clear_button.clicked.connect(self.clear_selected_neurotoxicity)
        self.events.itemSelectionChanged.connect(self._enable_clearing)
        lower.addWidget(_section("Adverse events", self.events, [self.delete_buttons[self.events], self.clear_button]))
        stack = QSplitter(Qt.Orientation.Vertical)
        stack.addWidget(_section("Visits", self.visits, [self.delete_buttons[self.visits], open_hint]))
        stack.addWidget(_section("Treatment courses", self.courses, [new_course]))
        stack.addWidget(lower)
        stack.setStretchFactor(0, 5)
        stack.setStretchFactor(1, 2)
        stack.setStretchFactor(2, 2)

        layout = QVBoxLayout(self)
        layout.addWidget(self.name)
        layout.addWidget(self.details)
        layout.addWidget(self.archived_note)
        layout.addWidget(self.methotrexate_note)
        layout.addLayout(header_buttons)
        layout.addWidget(stack, 1)

    @staticmethod
    def _emit_row_id(table: QTableWidget, row: int, signal: Callable) -> None:
        item = table.item(row, 0) if row >= 0 else None
        if item is not None:
            signal.emit(item.data(Qt.ItemDataRole.UserRole))

    def eventFilter(self, watched, event):  # noqa: N802 - Qt API
        if (event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Delete
                and event.modifiers() == Qt.KeyboardModifier.NoModifier and watched in self.delete_buttons):
            self.delete_selected(watched)
            return True
        return super().eventFilter(watched, event)

    @staticmethod
    def _row_id(table: QTableWidget, row: int) -> int | None:
        item = table.item(row, 0) if row >= 0 else None
        return None if item is None else item.data(Qt.ItemDataRole.UserRole)

    def _open_visit_row(self, row: int) -> None:
        """Open the visit in ``row``; a voided visit stays closed (its tooltip says why it was voided)."""
        record = self._rows[self.visits].get(self._row_id(self.visits, row))
        if record is not None and record.visit.deleted_at is None:
            self.open_visit.emit(record.visit.id)

    # ----- deleting (voiding) with a reason -----------------------------------------------------
    _SELECT_FIRST = {"visits_table": "Select a visit first.", "relapses_table": "Select a relapse first.",
                     "dmt_table": "Select a therapy first.", "adverse_events_table": "Select an adverse event first."}

    def selected_row(self, table: QTableWidget):
        """The read model of the selected row of ``table`` (None when nothing is selected)."""
        rows = table.selectionModel().selectedRows() if table.selectionModel() else []
        return self._rows[table].get(self._row_id(table, rows[0].row())) if rows else None

    def _enable_deleting(self) -> None:
        for table, button in self.delete_buttons.items():
            row = self.selected_row(table)
            voided = table is self.visits and row is not None and row.visit.deleted_at is not None
            allow(button, self.clinic.actor, Action.DELETE_RECORD, also=row is not None and not voided,
                  otherwise="This visit is already voided." if voided else self._SELECT_FIRST[table.objectName()])

    # ----- methotrexate neurotoxicity ----------------------------------------------------------
    def _show_methotrexate_block(self, patient_id: int) -> None:
        block = self.clinic.methotrexate_block(patient_id, Agent.IT_METHOTREXATE.value, self.clinic.today())
        if block is not None:
            self.methotrexate_note.setText(str(MethotrexateBlocked(block)))
        self.methotrexate_note.setVisible(block is not None)
        self._enable_clearing()

    def _enable_clearing(self) -> None:
        """Clearing is offered for a neurotoxicity event not yet cleared, and done by a neurologist only."""
        event = self.selected_row(self.events)
        clearable = event is not None and blocks_methotrexate(event.term) and event.cleared_at is None
        self.clear_button.setEnabled(clearable and self.clinic.actor.role is Role.NEUROLOGIST)
        self.clear_button.setToolTip(
            "A neurologist clears a methotrexate neurotoxicity event, with a reason, so intrathecal methotrexate "
            "may be given again." if clearable or event is None else "Only a neurotoxicity event not yet cleared "
            "blocks methotrexate.")

    def clear_selected_neurotoxicity(self) -> None:
        event = self.selected_row(self.events)
        if event is not None and clear_neurotoxicity(self, self.clinic, event.id, event.version,
                                                     _event_label(event)) is not None:
            self.show_patient(self.patient.id)

    def delete_selected(self, table: QTableWidget) -> bool:
        """Ask a reason and delete the selected row of ``table``; true when it was deleted."""
        row = self.selected_row(table)
        if row is None or self.patient is None or not self.delete_buttons[table].isEnabled():
            return False
        clinic = self.clinic
        if table is self.visits:
            visit = row.visit
            what, description = "visit", f"the {VisitKind(visit.kind).label.lower()} visit of {_date(visit.visit_date)}"
            delete = lambda reason: clinic.delete_visit(visit.id, visit.version, reason)  # noqa: E731
        elif table is self.relapses:
            what, description = "relapse", f"the relapse of {_date(row.onset_date)}"
            delete = lambda reason: clinic.delete_relapse(row.id, row.version, reason)  # noqa: E731
        elif table is self.dmts:
            what, description = "therapy", f"the therapy {row.agent} started {_date(row.start_date)}"
            delete = lambda reason: clinic.delete_dmt(row.id, row.version, reason)  # noqa: E731
        else:
            what, description = "adverse event", f"the adverse event \u201c{_event_label(row)}\u201d of {_date(row.onset_date)}"
            delete = lambda reason: clinic.delete_adverse_event(row.id, row.version, reason)  # noqa: E731
        if not ask_and_void(self, what, description, delete):
            return False
        self.show_patient(self.patient.id)
        self.changed.emit()
        return True

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
        records = self.clinic.visit_records(patient_id, include_voided=True)
        self._show_visits(records)
        self._show_courses(patient_id)
        relapses = self.clinic.relapses(patient_id)
        _fill(self.relapses, [(_date(r.onset_date), r.notes or "") for r in relapses], [r.id for r in relapses])
        dmts = self.clinic.dmt_history(patient_id)
        _fill(self.dmts, [(d.agent, _date(d.start_date), _date(d.stop_date) or "ongoing", d.notes or "") for d in dmts],
              [d.id for d in dmts])
        events = self.clinic.adverse_events(patient_id)
        visit_dates = {record.visit.id: _date(record.visit.visit_date) for record in records}
        _fill(self.events, [(_date(e.onset_date), _event_label(e) + _clearance_mark(e),
                             "" if e.ctcae_grade is None else str(e.ctcae_grade),
                             AeOutcome(e.outcome).label if e.outcome else "") for e in events],
              [e.id for e in events])
        for row, event in enumerate(events):
            if event.visit_id in visit_dates:
                self.events.item(row, 0).setToolTip(f"Recorded at the visit of {visit_dates[event.visit_id]}")
        self._rows[self.visits] = {record.visit.id: record for record in records}
        self._rows[self.relapses] = {r.id: r for r in relapses}
        self._rows[self.dmts] = {d.id: d for d in dmts}
        self._rows[self.events] = {e.id: e for e in events}
        self._enable_deleting()
        self._show_methotrexate_block(patient_id)

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
                         VISIT_STATUS_VOIDED if visit.deleted_at is not None else VisitStatus(visit.status).label))
        _fill(self.visits, rows, [record.visit.id for record in records])
        for row, record in enumerate(records):
            visit = record.visit
            if visit.deleted_at is None:
                continue
            tip = f"Voided {visit.deleted_at:%Y-%m-%d}: {visit.deleted_reason or ''}".strip()
            for column in range(self.visits.columnCount()):
                item = self.visits.item(row, column)
                item.setForeground(QBrush(VOIDED_COLOUR))
                item.setToolTip(tip)
        live = [row for row, record in enumerate(records) if record.visit.deleted_at is None]
        if live or records:
            self.visits.selectRow(live[-1] if live else len(records) - 1)

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
