"""The visit editor: procedure, EDSS with functional systems, timed tests, SDMT, adverse events, notes.

Everything typed stays on screen until it is saved or deliberately discarded. Each field is
checked as the person leaves it; Save checks the whole visit and shows every problem beside its
field at once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from pmsdesk.domain.fields import (
    ADVERSE_EVENT_FIELDS,
    EDSS_FIELDS,
    NHPT_FIELDS,
    SDMT_FIELDS,
    SIX_MINUTE_WALK_FIELDS,
    T25FW_FIELDS,
    VISIT_FIELDS,
)
from pmsdesk.domain.validation import ValidationFailed, validate_adverse_event
from pmsdesk.domain.vocab import AdverseEventTerm, AeOutcome, Agent, Relatedness, VisitKind, VisitStatus
from pmsdesk.services.clinic import Clinic, StaleRecord, VisitRecord
from pmsdesk.services.scores import edss_result
from pmsdesk.ui.dialogs import RecordDialog
from pmsdesk.ui.forms import ERROR_STYLE, FieldForm, problems_by_field

_VISIT = {f.name: f for f in VISIT_FIELDS}
PROCEDURE_FIELDS = tuple(_VISIT[n] for n in ("dose_given", "dose_unit", "lp_level", "lp_needle", "lp_attempts",
                                             "csf_removed_ml", "performed_by"))
HEADER_FIELDS = tuple(_VISIT[n] for n in ("visit_date", "kind", "treatment_number"))

SHORT_LABELS = {
    "trial1_s": "Trial 1", "trial2_s": "Trial 2", "not_completed": "Not completed", "not_completed_note": "Reason",
    "dominant_trial1_s": "Dominant, trial 1", "dominant_trial2_s": "Dominant, trial 2",
    "dominant_not_completed": "Dominant not completed", "nondominant_trial1_s": "Non-dominant, trial 1",
    "nondominant_trial2_s": "Non-dominant, trial 2", "nondominant_not_completed": "Non-dominant not completed",
    "score": "Score", "modality": "Modality", "form": "Form", "distance_m": "Distance", "edss": "EDSS (clinician)",
}


class _EnterMovesOn(QObject):
    """Enter in a one-line field moves to the next field, as Tab does."""

    def eventFilter(self, watched, event):  # noqa: N802 - Qt API
        if (event.type() == QEvent.Type.KeyPress and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                and isinstance(watched, QLineEdit) and not event.modifiers()):
            watched.focusNextChild()
            return True
        return False


def _group(title: str, *widgets: QWidget) -> QGroupBox:
    box = QGroupBox(title)
    layout = QVBoxLayout(box)
    for widget in widgets:
        layout.addWidget(widget)
    return box


class VisitEditor(QWidget):
    """Edit one visit. Emits ``saved(visit_id)`` after each successful save and ``closed()`` on Back."""

    saved = Signal(int)
    closed = Signal()

    def __init__(self, clinic: Clinic, parent: QWidget | None = None):
        super().__init__(parent)
        self.clinic = clinic
        self.patient = None
        self.record: VisitRecord | None = None
        self.adverse_events: list[dict[str, Any]] = []
        self.dirty = False
        self._loading = False
        self._enter_filter = _EnterMovesOn(self)

        self.title = QLabel()
        self.title.setObjectName("visit_title")
        self.title.setStyleSheet("font-size: 15pt; font-weight: bold;")
        self.status = QLabel()
        self.summary = QLabel()
        self.summary.setObjectName("visit_problems")
        self.summary.setStyleSheet(ERROR_STYLE + " font-weight: bold;")
        self.summary.setWordWrap(True)
        self.summary.hide()
        self.save_button = QPushButton("Save  (Ctrl+S)")
        self.save_button.setObjectName("save_visit")
        self.save_button.setDefault(True)
        self.back_button = QPushButton("\u2190 Back to patient")
        self.save_button.clicked.connect(self.save)
        self.back_button.clicked.connect(self.request_close)

        # Visit and procedure
        self.course = QComboBox()
        self.course.setObjectName("course")
        self.header_form = FieldForm(HEADER_FIELDS)
        self.header_form.layout_.insertRow(2, "Treatment course", self.course)
        self.procedure_form = FieldForm(PROCEDURE_FIELDS)
        self.forms = [self.header_form, self.procedure_form]

        # Assessments
        self.edss_form = self._assessment_form(EDSS_FIELDS, "edss.")
        self.computed = QLabel()
        self.computed.setObjectName("computed_edss")
        self.computed.setWordWrap(True)
        self.explain_button = QPushButton("How was this computed?")
        self.explain_button.setObjectName("explain_edss")
        self.explain_button.clicked.connect(self.explain_edss)
        self.t25fw_form = self._assessment_form(T25FW_FIELDS, "t25fw.")
        self.nhpt_form = self._assessment_form(NHPT_FIELDS, "nhpt.")
        self.sdmt_form = self._assessment_form(SDMT_FIELDS, "sdmt.")
        self.walk_form = self._assessment_form(SIX_MINUTE_WALK_FIELDS, "six_minute_walk.")
        self.notes_form = FieldForm((_VISIT["notes"],))
        self.forms.append(self.notes_form)
        self.nhpt_hand_note = QLabel()
        self.nhpt_hand_note.setStyleSheet("color: #555;")

        self.ae_table = QTableWidget(0, 6)
        self.ae_table.setObjectName("adverse_events")
        self.ae_table.setHorizontalHeaderLabels(["Event", "Onset", "Grade", "Serious", "Related", "Outcome"])
        self.ae_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.ae_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.ae_table.verticalHeader().hide()
        self.ae_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.ae_table.horizontalHeader().setStretchLastSection(True)
        self.ae_table.setMinimumHeight(90)
        self.ae_table.doubleClicked.connect(lambda index: self.edit_adverse_event(index.row()))
        add_ae = QPushButton("Add event\u2026")
        add_ae.setObjectName("add_adverse_event")
        add_ae.clicked.connect(lambda: self.edit_adverse_event(None))
        remove_ae = QPushButton("Remove")
        remove_ae.clicked.connect(self.remove_adverse_event)
        self.ae_problems = QLabel()
        self.ae_problems.setStyleSheet(ERROR_STYLE)
        self.ae_problems.setWordWrap(True)
        self.ae_problems.hide()
        ae_buttons = QWidget()
        ae_bar = QHBoxLayout(ae_buttons)
        ae_bar.setContentsMargins(0, 0, 0, 0)
        ae_bar.addWidget(add_ae)
        ae_bar.addWidget(remove_ae)
        ae_bar.addStretch(1)

        edss_extra = QWidget()
        edss_extra_layout = QHBoxLayout(edss_extra)
        edss_extra_layout.setContentsMargins(0, 0, 0, 0)
        edss_extra_layout.addWidget(self.computed, 1)
        edss_extra_layout.addWidget(self.explain_button)

        left = QVBoxLayout()
        left.addWidget(_group("Visit", self.header_form))
        left.addWidget(_group("Procedure: intrathecal administration and lumbar puncture", self.procedure_form))
        left.addWidget(_group("EDSS and functional systems", self.edss_form, edss_extra))
        left.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(_group("Timed 25-foot walk", self.t25fw_form))
        right.addWidget(_group("9-hole peg test", self.nhpt_hand_note, self.nhpt_form))
        right.addWidget(_group("Symbol Digit Modalities Test", self.sdmt_form))
        right.addWidget(_group("Six-minute walk", self.walk_form))
        right.addWidget(_group("Adverse events reported at this visit", ae_buttons, self.ae_table, self.ae_problems))
        right.addWidget(_group("Notes", self.notes_form))
        right.addStretch(1)
        columns = QWidget()
        grid = QGridLayout(columns)
        grid.addLayout(left, 0, 0)
        grid.addLayout(right, 0, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(columns)

        top = QHBoxLayout()
        top.addWidget(self.back_button)
        top.addWidget(self.title, 1)
        top.addWidget(self.status)
        top.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(scroll, 1)

        for form in self.forms:
            form.edited.connect(self._mark_dirty)
            for editor in form.editors.values():
                editor.input.installEventFilter(self._enter_filter)
        self.course.currentIndexChanged.connect(self._course_changed)
        self.edss_form.edited.connect(self.update_computed_edss)
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.save)

    def _assessment_form(self, fields, prefix: str) -> FieldForm:
        form = FieldForm(fields, prefix=prefix, labels=SHORT_LABELS)
        self.forms.append(form)
        return form

    # ----- loading ----------------------------------------------------------------------------
    def start_new(self, patient_id: int) -> None:
        """A new visit for today, with its kind and treatment number proposed from the history."""
        self._load(patient_id, None)
        previous = self.clinic.visits(patient_id)
        kind = VisitKind.TREATMENT if previous else VisitKind.BASELINE
        values: dict[str, Any] = {"visit_date": self.clinic.today(), "kind": kind}
        course = self._selected_course()
        if course is not None and kind is VisitKind.TREATMENT:
            done = [v for v in previous if v.course_id == course.id and v.kind == VisitKind.TREATMENT]
            values.update(treatment_number=len(done) + 1, dose_given=course.planned_dose, dose_unit=course.dose_unit)
        self._set_values(values)
        self.dirty = False

    def open_visit(self, visit_id: int) -> None:
        record = self.clinic.visit_record(visit_id)
        self._load(record.visit.patient_id, record)

    def _load(self, patient_id: int, record: VisitRecord | None) -> None:
        self.patient = self.clinic.patient(patient_id)
        self.record = record
        self._loading = True
        self.course.clear()
        self.course.addItem("(no course)", None)
        for course in self.clinic.courses(patient_id):
            agent = course.agent_name if course.agent == Agent.OTHER else Agent(course.agent).label
            self.course.addItem(f"{agent}, from {course.start_date.isoformat()}", course)
        active = [i for i in range(1, self.course.count()) if self.course.itemData(i).end_date is None]
        if record is not None:
            index = next((i for i in range(1, self.course.count()) if self.course.itemData(i).id == record.visit.course_id), 0)
        else:
            index = active[-1] if active else 0
        self.course.setCurrentIndex(index)
        self._loading = False
        self.adverse_events = [self._event_values(e) for e in record.adverse_events] if record else []
        self._set_values(record.form_values() if record else {})
        self._show_adverse_events()
        hand = self.patient.dominant_hand
        self.nhpt_hand_note.setText(
            f"Dominant hand: {hand}. Test the dominant hand first (two trials), then the non-dominant hand."
            if hand else "Dominant hand not recorded in the patient's details: test the dominant hand first."
        )
        self._show_title()
        self.summary.hide()
        self.dirty = False

    @staticmethod
    def _event_values(event) -> dict[str, Any]:
        values = {f.name: getattr(event, f.name) for f in ADVERSE_EVENT_FIELDS}
        values.update(id=event.id, version=event.version)
        return values

    def _set_values(self, values: dict[str, Any]) -> None:
        self._loading = True
        for form in self.forms:
            form.set_values(values)
        self._loading = False
        self.update_computed_edss()

    def _show_title(self) -> None:
        name = f"{self.patient.family_name.upper()}, {self.patient.given_names}"
        if self.record is None:
            self.title.setText(f"New visit \u2013 {name}")
            self.status.setText("Not saved yet")
        else:
            self.title.setText(f"Visit {self.record.visit.visit_date.isoformat()} \u2013 {name}")
            self.status.setText(VisitStatus(self.record.visit.status).label)

    # ----- behaviour while typing -------------------------------------------------------------
    def _mark_dirty(self) -> None:
        if not self._loading:
            self.dirty = True

    def _selected_course(self):
        return self.course.currentData()

    def _course_changed(self) -> None:
        if self._loading:
            return
        self._mark_dirty()
        course = self._selected_course()
        dose = self.procedure_form.editor("dose_given")
        if course is not None and not str(dose.raw()).strip() and course.planned_dose is not None:
            dose.set_value(course.planned_dose)
            self.procedure_form.editor("dose_unit").set_value(course.dose_unit)

    def update_computed_edss(self) -> None:
        """Show the step computed from the FS beside the clinician's EDSS (an aid, never a correction)."""
        values = {key.removeprefix("edss."): editor.parsed() for key, editor in self.edss_form.editors.items()}
        result = edss_result(type("Fs", (), values))
        self._edss_result = result
        self.explain_button.setEnabled(result is not None)
        if result is None:
            self.computed.setText("Computed EDSS: enter all seven functional systems and the ambulation score.")
            self.computed.setStyleSheet("color: #555;")
            return
        text = f"Computed from functional systems: {result.step:.1f} (an aid; the clinician's EDSS is what is recorded)."
        clinician = values["edss"]
        if clinician is not None and clinician != result.step:
            text += f"\nDiffers from the clinician's {clinician:.1f}: both are kept; please check the FS grades."
            self.computed.setStyleSheet("color: #8a5a00; font-weight: bold;")
        else:
            self.computed.setStyleSheet("")
        if result.warnings:
            text += "\nPublished calculators disagree for this pattern; see how it was computed."
        self.computed.setText(text)

    def explain_edss(self) -> None:
        if self._edss_result is not None:
            QMessageBox.information(self, "How the EDSS step was computed", "\n\n".join(self._edss_result.explain()))

    # ----- adverse events ---------------------------------------------------------------------
    def _show_adverse_events(self) -> None:
        self.ae_table.setRowCount(len(self.adverse_events))
        for row, event in enumerate(self.adverse_events):
            term = AdverseEventTerm(event["term"])
            name = event.get("term_other") or term.label if term is AdverseEventTerm.OTHER else term.label
            cells = (
                name,
                str(event.get("onset_date") or ""),
                str(event.get("ctcae_grade") or ""),
                "yes" if event.get("serious") else "no",
                Relatedness(event["relatedness"]).label if event.get("relatedness") else "",
                AeOutcome(event["outcome"]).label if event.get("outcome") else "",
            )
            for column, text in enumerate(cells):
                self.ae_table.setItem(row, column, QTableWidgetItem(text))
        self.ae_problems.hide()

    def edit_adverse_event(self, row: int | None) -> None:
        existing = self.adverse_events[row] if row is not None else None
        defaults = existing or {"onset_date": self.header_form.editor("visit_date").parsed() or self.clinic.today()}

        def check(raw: dict[str, Any]) -> dict[str, Any]:
            values = validate_adverse_event(raw, birth_date=self.patient.birth_date, today=self.clinic.today())
            if existing is not None:
                values.update(id=existing.get("id"), version=existing.get("version"))
            return values

        dialog = RecordDialog("Adverse event", ADVERSE_EVENT_FIELDS, check, values=defaults, parent=self)
        if dialog.exec():
            if row is None:
                self.adverse_events.append(dialog.result_record)
            else:
                self.adverse_events[row] = dialog.result_record
            self.dirty = True
            self._show_adverse_events()

    def remove_adverse_event(self) -> None:
        row = self.ae_table.currentRow()
        if 0 <= row < len(self.adverse_events):
            del self.adverse_events[row]
            self.dirty = True
            self._show_adverse_events()

    # ----- saving -----------------------------------------------------------------------------
    def raw_values(self) -> dict[str, Any]:
        raw: dict[str, Any] = {}
        for form in self.forms:
            raw.update(form.raw_values())
        course = self._selected_course()
        raw["course_id"] = course.id if course is not None else None
        raw["adverse_events"] = [{k: (v.value if hasattr(v, "value") else v) for k, v in e.items()}
                                 for e in self.adverse_events]
        return raw

    def save(self) -> bool:
        raw = self.raw_values()
        try:
            if self.record is None:
                record = self.clinic.create_visit(self.patient.id, raw)
            else:
                record = self.clinic.update_visit(self.record.visit.id, self.record.visit.version, raw)
        except ValidationFailed as failed:
            self._show_problems(failed)
            return False
        except StaleRecord as stale:
            QMessageBox.warning(self, "Visit not saved", str(stale))
            return False
        self.record = record
        self.adverse_events = [self._event_values(e) for e in record.adverse_events]
        self._show_adverse_events()
        for form in self.forms:
            form.show_problems({})
        self.summary.hide()
        self.dirty = False
        self._show_title()
        self.status.setText(f"Saved {dt.datetime.now():%H:%M}")
        self.saved.emit(record.visit.id)
        return True

    def _show_problems(self, failed: ValidationFailed) -> None:
        grouped = problems_by_field(failed.problems)
        flagged = []
        for form in self.forms:
            flagged.extend(form.show_problems(grouped))
        event_messages = [p.message for p in failed.problems if p.field.startswith("adverse_events[")]
        self.ae_problems.setText("\n".join(event_messages))
        self.ae_problems.setVisible(bool(event_messages))
        count = len(failed.problems)
        self.summary.setText(
            f"Not saved: {count} problem{'s' if count > 1 else ''} to correct, shown in red beside "
            f"{'each field' if count > 1 else 'the field'}. Nothing you typed was lost."
        )
        self.summary.show()
        if flagged:
            flagged[0].input.setFocus()

    def request_close(self) -> None:
        if self.confirm_leave():
            self.closed.emit()

    def confirm_leave(self) -> bool:
        """True when it is fine to leave: nothing unsaved, or the person saved or chose to discard."""
        if not self.dirty:
            return True
        answer = QMessageBox.question(
            self, "Unsaved visit", "This visit has changes that are not saved. Save them now?",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save,
        )
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        if answer == QMessageBox.StandardButton.Discard:
            self.dirty = False
            return True
        return False
