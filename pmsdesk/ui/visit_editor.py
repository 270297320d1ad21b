"""The visit editor: one keyboard-first screen for a treatment visit at the bench.

Procedure, EDSS with functional systems, timed 25-foot walk and 9-hole peg test (with a stopwatch),
SDMT, six-minute walk, adverse events and notes. Everything typed stays on screen until it is saved
or deliberately discarded, and is kept as a draft in the database a second after each keystroke,
so a crash or a closed window loses nothing. Each field is checked as the person leaves it; Save
checks the whole visit and shows every problem beside its field at once. Last visit's and baseline
values sit beside each measure, with a warning (never a refusal) for an implausible change.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise
from typing import Any

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from pmsdesk.domain.naming import agent_label, patient_display_name
from pmsdesk.domain.permissions import Action
from pmsdesk.domain.adverse_events import MethotrexateBlocked
from pmsdesk.domain.assessments import EDSS, LABS, REGISTRY, Assessment, Measure
from pmsdesk.domain.assessments.edss import edss_result
from pmsdesk.domain.fields import VISIT_FIELDS
from pmsdesk.domain.scoring.change import Direction, classify_change, exact
from pmsdesk.domain.scoring.timed import NHPT_TIME_LIMIT_S, T25FW_TIME_LIMIT_S

from pmsdesk.domain.validation import ValidationFailed
from pmsdesk.domain.vocab import VisitKind, VisitStatus
from pmsdesk.domain.moments import local_time
from pmsdesk.services.clinic import Clinic, DraftHolder, DraftKept, VisitRecord
from pmsdesk.services.history import EarlierValues, earlier_values
from pmsdesk.services.safety import prefilled_answers
from pmsdesk.ui.adverse_events import AdverseEventsPanel, event_values
from pmsdesk.ui.background import BackgroundOperation, run_in_background
from pmsdesk.ui.operations import guarded
from pmsdesk.ui.forms import (
    ERROR_STYLE,
    FieldEditor,
    FieldForm,
    problems_by_field,
)
from pmsdesk.ui.elided import ElidedLabel
from pmsdesk.ui.procedure import ProcedurePanel
from pmsdesk.ui.safety_check import SafetyCheckSection
from pmsdesk.ui.second_check import SecondCheckPanel
from pmsdesk.ui.signoff import SignOffBar
from pmsdesk.ui.permissions import allow
from pmsdesk.ui.void_dialog import ask_and_void
from pmsdesk.ui.stopwatch import Stopwatch

_VISIT = {f.name: f for f in VISIT_FIELDS}
HEADER_FIELDS = tuple(_VISIT[n] for n in ("visit_date", "kind", "treatment_number"))


# Labels of the visit's own fields; each assessment brings its own (Assessment.short_labels).
SHORT_LABELS = {
    "visit_date": "Date", "kind": "Kind", "treatment_number": "Treatment number",
}


@dataclass(frozen=True)
class TimedTrial:
    """A trial the stopwatch can fill: its field, the test's time limit and its "not completed" field."""

    key: str
    limit_s: float
    label: str
    not_completed_key: str


TIMED_TRIALS = (
    TimedTrial("t25fw.trial1_s", T25FW_TIME_LIMIT_S, "T25FW trial 1", "t25fw.not_completed"),
    TimedTrial("t25fw.trial2_s", T25FW_TIME_LIMIT_S, "T25FW trial 2", "t25fw.not_completed"),
    TimedTrial("nhpt.dominant_trial1_s", NHPT_TIME_LIMIT_S, "9HPT dominant hand, trial 1", "nhpt.dominant_not_completed"),
    TimedTrial("nhpt.dominant_trial2_s", NHPT_TIME_LIMIT_S, "9HPT dominant hand, trial 2", "nhpt.dominant_not_completed"),
    TimedTrial("nhpt.nondominant_trial1_s", NHPT_TIME_LIMIT_S, "9HPT non-dominant hand, trial 1",
               "nhpt.nondominant_not_completed"),
    TimedTrial("nhpt.nondominant_trial2_s", NHPT_TIME_LIMIT_S, "9HPT non-dominant hand, trial 2",
               "nhpt.nondominant_not_completed"),
)

# Where a timed test's live mean is shown: beside the first trial of its measure.
MEAN_BESIDE = {"t25fw": "t25fw.trial1_s", "nhpt_dominant": "nhpt.dominant_trial1_s",
               "nhpt_nondominant": "nhpt.nondominant_trial1_s"}
WARNING_COLOUR = "color: #8a5a00;"
WARNING_STYLE = WARNING_COLOUR + " font-weight: bold;"
MUTED_STYLE = "color: #555;"


class EarlierValuesLabel(QLabel):
    """Last visit's and baseline value of one measure, and a warning when the value now typed
    is implausibly far from the last one (a guard against typing errors; saving stays allowed)."""

    def __init__(self, measure: Measure):
        super().__init__()
        self.measure = measure
        self.setObjectName(f"earlier:{measure.key}")
        self.setIndent(12)
        self.setWordWrap(True)
        self.warning: str | None = None

    def show_values(self, earlier: EarlierValues | None, current: float | None) -> None:
        self.warning = None
        if earlier is None:
            self.setText("No earlier value.")
            self.setStyleSheet(MUTED_STYLE)
            return
        fmt = self.measure.format_with_unit
        self.setStyleSheet(MUTED_STYLE)
        parts = [f"Last {fmt(earlier.last.value)} ({earlier.last.date.isoformat()})"]
        if earlier.baseline.date != earlier.last.date:
            parts.append(f"baseline {fmt(earlier.baseline.value)} ({earlier.baseline.date.isoformat()})")
        text = " \u00b7 ".join(parts)
        if current is not None:
            self.warning = self.measure.implausible(earlier.last.value, current)
            rule = self.measure.change_rule
            if self.warning:
                text += f"<br><b style='{WARNING_COLOUR}'>\u26a0 Check {fmt(current)}: {self.warning}.</b>"
            elif rule is not None:
                direction = classify_change(rule, exact(earlier.baseline.value), exact(current))
                if direction is not Direction.NONE:
                    text += f"<br>Meaningful {direction.value} from baseline (msprog thresholds, Montobbio et al., Mult Scler 2024)."
        self.setText(text)
        # A line added while typing must push the form down, not be clipped by a stale row height.
        self.setMinimumHeight(self.fontMetrics().lineSpacing() * (text.count("<br>") + 1) + 2)
        self.setToolTip("An unusual change is only a warning: check the value; saving stays allowed."
                        if self.warning else "")


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
    layout.setContentsMargins(6, 4, 6, 4)
    for widget in widgets:
        layout.addWidget(widget)
    return box


class _Reflow(QWidget):
    """Parts side by side while the width holds all of them, else one under another. At 150 % or 200 %
    text size the visit's columns and its row of buttons stack instead of forcing a window wider than a
    laptop's screen: its minimum width is that of the widest part, not of all of them together."""

    def __init__(self, parts: list[QLayout], stretches: list[int]):
        super().__init__()
        self.parts = []
        for part in parts:
            holder = QWidget()
            holder.setLayout(part)
            part.setContentsMargins(0, 0, 0, 0)
            self.parts.append(holder)
        self.stretches = stretches
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)  # the hint below is the minimum
        self.across: bool | None = None
        self._place(across=True)

    def _width_across(self) -> int:
        return sum(part.minimumSizeHint().width() for part in self.parts) + \
            self.grid.spacing() * (len(self.parts) - 1)

    def _place(self, across: bool) -> None:
        if across == self.across:
            return
        self.across = across
        for index, (part, stretch) in enumerate(zip(self.parts, self.stretches)):
            self.grid.removeWidget(part)
            self.grid.addWidget(part, 0 if across else index, index if across else 0)
            self.grid.setColumnStretch(index, stretch if across else 0)
        self.grid.setColumnStretch(0, self.stretches[0] if across else 1)
        self.updateGeometry()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(max(part.minimumSizeHint().width() for part in self.parts), self.grid.minimumSize().height())

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        self._place(across=event.size().width() >= self._width_across())
        super().resizeEvent(event)


class VisitEditor(QWidget):
    """Edit one visit. Emits ``saved(visit_id)`` after each successful save and ``closed()`` on Back."""

    saved = Signal(int)
    closed = Signal()

    DRAFT_DELAY_MS = 1000  # a draft is written this long after the last keystroke (and on leaving a field)

    def __init__(self, clinic: Clinic, parent: QWidget | None = None, *, clock: Callable[[], float] = time.monotonic):
        super().__init__(parent)
        self.clinic = clinic
        self.patient = None
        self.record: VisitRecord | None = None
        # Someone else typing into this visit's draft (another person or workstation): read-only here
        # until taken over.
        self.draft_holder: DraftHolder | None = None
        self.dirty = False
        self._loading = False
        self._earlier: dict[str, EarlierValues] = {}
        self._edss_result = None
        self._timed: TimedTrial | None = None
        self._enter_filter = _EnterMovesOn(self)

        # ----- top bar ----------------------------------------------------------------------
        self.title = ElidedLabel()  # a long name must not push Save off the screen
        self.title.setObjectName("visit_title")
        self.title.setStyleSheet("font-size: 15pt; font-weight: bold;")
        self.status = ElidedLabel()  # an amendment's reason can be 500 characters
        self.status.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.status.setMinimumWidth(260)  # "Amending (reason: …" stays readable; the rest is on hover
        self.status.setObjectName("visit_status")
        # Shown in the status's place from the first change until it is saved or discarded.
        self.unsaved_mark = QLabel("\u25cf Unsaved changes")
        self.unsaved_mark.setObjectName("unsaved_mark")
        self.unsaved_mark.setStyleSheet("color: #8a5a00; font-weight: bold;")
        self.unsaved_mark.setToolTip("Typed since the visit was last saved: Save (Ctrl+S) keeps it, "
                                     "Discard changes forgets it.")
        self.unsaved_mark.hide()
        self.summary = QLabel()
        self.summary.setObjectName("visit_problems")
        self.summary.setStyleSheet(ERROR_STYLE + " font-weight: bold;")
        self.summary.setWordWrap(True)
        self.summary.hide()
        self.draft_note = QLabel()
        self.draft_note.setObjectName("draft_note")
        self.draft_note.setStyleSheet("background: #fff3cd; color: #5c4400; padding: 4px; font-weight: bold;")
        self.draft_note.setWordWrap(True)
        self.draft_note.hide()
        self.take_over_button = QPushButton("Take over the draft")
        self.take_over_button.setObjectName("take_over_draft")
        self.take_over_button.setToolTip("Continue this visit here with what they typed; they can no longer "
                                         "keep typing into it and are told who took it over.")
        self.take_over_button.clicked.connect(self.take_over_draft)
        self.take_over_button.hide()
        self.save_button = QPushButton("Save  (Ctrl+S)")
        self.save_button.setObjectName("save_visit")
        self.save_button.setDefault(True)
        self.discard_button = QPushButton("Discard changes")
        self.discard_button.setObjectName("discard_changes")
        self.back_button = QPushButton("\u2190 Back to patient")
        self.print_button = QPushButton("Print summary\u2026")
        self.print_button.setObjectName("print_summary")
        self.print_button.clicked.connect(self.print_summary)
        self.pdf_button = QPushButton("Save as PDF\u2026")
        self.pdf_button.setObjectName("save_summary_pdf")
        self.pdf_button.clicked.connect(self.save_summary_pdf)
        self.delete_button = QPushButton("Delete visit\u2026")
        self.delete_button.setObjectName("delete_open_visit")
        self.delete_button.setToolTip("Delete this visit, with a reason; it stays in the audit trail, marked voided.")
        self.delete_button.clicked.connect(self.delete_visit)
        self.save_button.clicked.connect(self.save)
        self.discard_button.clicked.connect(self.discard_changes)
        self.back_button.clicked.connect(self.request_close)

        # ----- visit and procedure ----------------------------------------------------------
        self.course = QComboBox()
        self.course.setObjectName("course")
        self.course.currentTextChanged.connect(self.course.setToolTip)  # a narrow column elides the course
        self.header_form = FieldForm(HEADER_FIELDS, labels=SHORT_LABELS, rows=[("visit_date", "kind")])
        self.header_form.layout_.insertRow(1, "Treatment course", self.course)
        # The treatment's bench (shown for treatment visits only): second-person check, then the
        # procedure record (dose, puncture, observation).
        self.second_check = SecondCheckPanel()
        self.second_check.changed.connect(self._mark_dirty)
        self.procedure = ProcedurePanel()
        self.procedure_form = self.procedure.dose_form
        self.forms = [self.header_form, *self.procedure.forms]
        # First at the bench: the pre-puncture safety check (its answers are one more form).
        self.safety_section = SafetyCheckSection(clinic)
        self.safety_section.changed.connect(self._mark_dirty)
        self.safety_section.changed.connect(self.update_live_values)
        self.forms.append(self.safety_section.form)

        # ----- assessments: one form per registered assessment, in the bench's entry order -------
        self.assessments: tuple[Assessment, ...] = tuple(REGISTRY)
        self.assessment_forms: dict[str, FieldForm] = {
            a.key: self._assessment_form(a.entry_fields(), a.prefix, rows=a.rows, labels=a.short_labels)
            for a in self.assessments}
        self.edss_form = self.assessment_forms[EDSS.key]
        self.computed = QLabel()
        self.computed.setObjectName("computed_edss")
        self.computed.setWordWrap(True)
        self.explain_button = QPushButton("How was this computed?")
        self.explain_button.setObjectName("explain_edss")
        self.explain_button.clicked.connect(self.explain_edss)
        self.notes_form = FieldForm((_VISIT["notes"],), labels={"notes": "Notes"})
        self.forms.append(self.notes_form)
        self.nhpt_hand_note = QLabel()
        self.nhpt_hand_note.setStyleSheet(MUTED_STYLE)
        self.nhpt_hand_note.setWordWrap(True)

        for trial in TIMED_TRIALS:  # narrow trial boxes keep both trials and the mean on one line
            self.field_editor(trial.key).input.setMaximumWidth(70)
        self.means = {key: QLabel() for key in MEAN_BESIDE}
        for key, label in self.means.items():
            label.setObjectName(f"mean:{key}")
            self._form_of(MEAN_BESIDE[key]).add_to_row(MEAN_BESIDE[key], label)
        self.earlier_labels = {measure.key: EarlierValuesLabel(measure) for measure in REGISTRY.measures()}
        for assessment in self.assessments:
            for measure in assessment.measures:
                anchor = assessment.prefix + measure.anchor if measure.anchor else assessment.first_entry_key
                self._form_of(anchor).add_line_after(anchor, self.earlier_labels[measure.key])

        self.stopwatch = Stopwatch(clock)
        self.stopwatch.start_requested.connect(self.start_stopwatch)
        self.stopwatch.stopped.connect(self._fill_timed_trial)
        self.stopwatch.limit_reached.connect(self._timed_trial_ran_out)

        self.adverse_events = AdverseEventsPanel(clinic, lambda: self.header_form.editor("visit_date").parsed())
        self.adverse_events.changed.connect(self._mark_dirty)
        # Why an intrathecal methotrexate dose would be refused (an uncleared neurotoxicity event)
        self.methotrexate_block = QLabel()
        self.methotrexate_block.setObjectName("methotrexate_block")
        self.methotrexate_block.setStyleSheet(ERROR_STYLE)
        self.methotrexate_block.setWordWrap(True)
        self.methotrexate_block.hide()
        self._block_shown_for: tuple | None = None
        self.adverse_events.cleared.connect(self._neurotoxicity_cleared)

        edss_extra = QWidget()
        edss_extra_layout = QVBoxLayout(edss_extra)
        edss_extra_layout.setContentsMargins(0, 0, 0, 0)
        edss_extra_layout.addWidget(self.computed)
        edss_extra_layout.addWidget(self.explain_button, 0, Qt.AlignmentFlag.AlignLeft)

        # The numbered sections, numbered in reading order (column by column, top to bottom):
        # Alt+1..9 jumps to one, Ctrl+PgDown/PgUp to the next/previous.
        # The title is short (a group's title cannot wrap and widened the middle column); the rest wraps.
        timing_note = QLabel("Times the trial you are in, or the next empty one.")
        timing_note.setWordWrap(True)
        timing_note.setStyleSheet(MUTED_STYLE)
        timing = _group("Stopwatch (F5)", timing_note, self.stopwatch)
        timed_keys = {trial.key.split(".")[0] for trial in TIMED_TRIALS}
        boxes = {a.key: _group("", self.assessment_forms[a.key]) for a in self.assessments}
        boxes[EDSS.key].layout().addWidget(edss_extra)
        if "nhpt" in boxes:
            boxes["nhpt"].layout().insertWidget(0, self.nhpt_hand_note)
        second_check = ("Second-person check", _group("", self.second_check), self.second_check.drug)
        procedure = ("Procedure: dose, puncture, observation", _group("", self.procedure), "dose_given")
        safety_check = ("Pre-puncture safety check", _group("", self.safety_section), self.safety_section.first_input)
        self.treatment_boxes = (safety_check[1], second_check[1], procedure[1])
        procedure[1].layout().insertWidget(0, self.methotrexate_block)
        events = ("Adverse events", _group("", self.adverse_events), None)
        notes = ("Notes", _group("", self.notes_form), "notes")
        assessment_sections = [(a.title, boxes[a.key], a.first_entry_key) for a in self.assessments]
        first, rest = assessment_sections[:1], assessment_sections[1:]
        labs = next(s for a, s in zip(self.assessments, assessment_sections) if a.key == LABS.key)  # beside the check
        columns_of_sections = (
            [safety_check, labs, second_check, procedure, *first],
            [s for a, s in zip(self.assessments[1:], rest) if a.key in timed_keys],
            [*(s for a, s in zip(self.assessments[1:], rest) if a.key not in timed_keys | {LABS.key}), events, notes],
        )
        self.sections: list[tuple[QGroupBox, QWidget]] = []
        for title, box, first_key in (section for column in columns_of_sections for section in column):
            number = len(self.sections) + 1
            box.setTitle(f"{number}  {title}   (Alt+{number})" if number < 10 else f"{number}  {title}")
            first_input = first_key if isinstance(first_key, QWidget) else self.field_editor(first_key).input \
                if first_key else self.adverse_events.quick_buttons[next(iter(self.adverse_events.quick_buttons))]
            self.sections.append((box, first_input))
            if number < 10:
                QShortcut(QKeySequence(f"Alt+{number}"), self, activated=lambda n=number: self.go_to_section(n - 1))

        left = QVBoxLayout()
        left.addWidget(_group("Visit", self.header_form))
        middle = QVBoxLayout()
        middle.addWidget(timing)
        right = QVBoxLayout()
        for part, sections in zip((left, middle, right), columns_of_sections):
            for _title, box, _first in sections:
                part.addWidget(box)
            part.addStretch(1)
        columns = _Reflow([left, middle, right], [6, 5, 5])
        columns.setObjectName("visit_columns")
        columns.setContentsMargins(4, 4, 4, 4)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setWidget(columns)

        # The patient's name has a line of its own: at 1366x768 beside the buttons it would be cut.
        heading = QHBoxLayout()
        heading.addWidget(self.back_button)
        heading.addWidget(self.title, 2)
        heading.addWidget(self.status, 1)
        heading.addWidget(self.unsaved_mark)
        record_buttons, change_buttons = QHBoxLayout(), QHBoxLayout()
        record_buttons.addStretch(1)
        self.signoff = SignOffBar(self)
        for button in (self.signoff, self.print_button, self.pdf_button):
            record_buttons.addWidget(button)
        change_buttons.addStretch(1)
        for button in (self.delete_button, self.discard_button, self.save_button):
            change_buttons.addWidget(button)
        top = _Reflow([record_buttons, change_buttons], [1, 0])
        top.setObjectName("visit_buttons")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(heading)
        layout.addWidget(top)
        draft_row = QHBoxLayout()
        draft_row.addWidget(self.draft_note, 1)
        draft_row.addWidget(self.take_over_button)
        layout.addLayout(draft_row)
        layout.addWidget(self.summary)
        layout.addWidget(self.scroll, 1)

        for form in self.forms:
            form.edited.connect(self._mark_dirty)
            form.edited.connect(self.update_live_values)
            for editor in form.editors.values():
                editor.input.installEventFilter(self._enter_filter)
        self.course.currentIndexChanged.connect(self._course_changed)
        self._set_tab_order()

        self._draft_timer = QTimer(self, singleShot=True, interval=self.DRAFT_DELAY_MS)
        self._draft_write: BackgroundOperation | None = None  # the last draft handed to the worker
        self._draft_offline = False  # the last draft went to this computer: the server was unreachable
        self._draft_timer.timeout.connect(self.write_draft)
        QApplication.instance().focusChanged.connect(self._focus_moved)

        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.save)
        # no-op when disabled; a held key does not repeat (a tremor would start and stop it over and over)
        QShortcut(QKeySequence(Qt.Key.Key_F5), self, activated=self.stopwatch.toggle, autoRepeat=False)
        QShortcut(QKeySequence("Ctrl+PgDown"), self, activated=lambda: self.step_section(1))
        QShortcut(QKeySequence("Ctrl+PgUp"), self, activated=lambda: self.step_section(-1))

    def _assessment_form(self, fields, prefix: str, rows=(), labels=None) -> FieldForm:
        form = FieldForm(fields, prefix=prefix, labels=labels or {}, rows=list(rows))
        self.forms.append(form)
        return form

    def _form_of(self, key: str) -> FieldForm:
        return next(form for form in self.forms if key in form.editors)

    def field_editor(self, key: str) -> FieldEditor:
        """The editor of field ``key`` ("dose_given", "t25fw.trial1_s") in whichever form holds it."""
        return next(form.editors[key] for form in self.forms if key in form.editors)

    def _set_tab_order(self) -> None:
        """Tab follows the bench's order, column by column, whatever the order widgets were made in."""
        def inputs(form: FieldForm) -> list[QWidget]:
            return [editor.input for editor in form.editors.values()]

        header = inputs(self.header_form)
        in_sections = []
        for box, _first in self.sections:
            if box.isAncestorOf(self.second_check):
                in_sections += self.second_check.inputs()
            for form in self.forms:
                if box.isAncestorOf(form) and form is not self.notes_form:
                    in_sections += inputs(form)
                    if form is self.edss_form:
                        in_sections.append(self.explain_button)
        chain = [header[0], header[1], self.course, header[2], *in_sections, *self.adverse_events.focus_chain(),
                 *inputs(self.notes_form), self.save_button]
        for before, after in pairwise(chain):
            QWidget.setTabOrder(before, after)

    # ----- sections ---------------------------------------------------------------------------
    def go_to_section(self, index: int) -> None:
        box, first = self.sections[index]
        first.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.scroll.ensureWidgetVisible(box, 0, 0)

    def step_section(self, step: int) -> None:
        focused = QApplication.focusWidget()
        current = next((i for i, (box, _first) in enumerate(self.sections) if focused and box.isAncestorOf(focused)),
                       -1 if step > 0 else 0)
        self.go_to_section((current + step) % len(self.sections))

    # ----- loading ----------------------------------------------------------------------------
    def start_new(self, patient_id: int, course_id: int | None = None) -> None:
        """A new visit for today, its kind, treatment number and dose proposed from the history and
        the course (``course_id``: the course due, from today's list); a pending draft is restored."""
        self._load(patient_id, None, course_id)
        previous = self.clinic.visits(patient_id)
        kind = VisitKind.TREATMENT if previous or course_id is not None else VisitKind.BASELINE
        values: dict[str, Any] = {"visit_date": self.clinic.today(), "kind": kind}
        course = self._selected_course()
        if course is not None and kind is VisitKind.TREATMENT:
            done = [v for v in previous if v.course_id == course.id and v.kind == VisitKind.TREATMENT]
            values.update(treatment_number=len(done) + 1, dose_given=course.planned_dose, dose_unit=course.dose_unit)
        if kind is VisitKind.TREATMENT:  # what pmsdesk knows already (earlier neurotoxicity events)
            values.update(prefilled_answers(self.clinic, patient_id, values["visit_date"]))
        self._set_values(values)
        self._restore_draft()

    def open_visit(self, visit_id: int) -> None:
        record = self.clinic.visit_record(visit_id)
        self._load(record.visit.patient_id, record)
        self._restore_draft()

    def _load(self, patient_id: int, record: VisitRecord | None, course_id: int | None = None) -> None:
        self._draft_timer.stop()
        if self.stopwatch.running:
            self.stopwatch.stop()
        self.patient = self.clinic.patient(patient_id)
        self.record = record
        self._loading = True
        self.course.clear()
        self.course.addItem("(no course)", None)
        for course in self.clinic.courses(patient_id):
            agent = agent_label(course.agent, course.agent_name)
            self.course.addItem(f"{agent}, from {course.start_date.isoformat()}", course)
        wanted = record.visit.course_id if record is not None else course_id
        if wanted is not None:
            self._select_course(wanted)
        else:
            active = [i for i in range(1, self.course.count()) if self.course.itemData(i).end_date is None]
            self.course.setCurrentIndex(active[-1] if active else 0)
        self._loading = False
        self.procedure.set_people(self.clinic.intrathecal_register().people())
        self.adverse_events.set_context(self.patient, record.visit.id if record else None,
                                        [event_values(e) for e in record.adverse_events] if record else [])
        self._set_values(record.form_values() if record else {})
        records = self.clinic.visit_records(patient_id)
        self._earlier = earlier_values(
            records, before=record.visit.visit_date if record else self.clinic.today(),
            other_than_visit=record.visit.id if record else None)
        hand = self.patient.dominant_hand
        self.nhpt_hand_note.setText(
            f"Dominant hand: {hand}. Two trials with it first, then two with the other hand."
            if hand else "Dominant hand not recorded in the patient's details: test the dominant hand first."
        )
        self.second_check.clear()
        self.safety_section.load(self.record)
        self.update_live_values()
        self._show_title()
        self.summary.hide()
        self.draft_note.hide()
        self.draft_holder = None
        self.take_over_button.hide()
        self.dirty = False

    @property
    def dirty(self) -> bool:
        """Something typed since the visit was loaded or saved; the header shows it the moment it is so."""
        return self._dirty

    @dirty.setter
    def dirty(self, value: bool) -> None:
        self._dirty = bool(value)
        mark = getattr(self, "unsaved_mark", None)
        if mark is not None:
            mark.setVisible(self._dirty)
            self.status.setVisible(not self._dirty)

    @property
    def read_only(self) -> bool:
        """Nothing may change here: a signed visit not being amended, a role that may not record, or a
        draft someone else holds (until taken over)."""
        return self.signoff.read_only or not self.clinic.actor.may(Action.RECORD) or self.draft_holder is not None

    def show_editable(self) -> None:
        """Disable every control that would change a read-only visit (the sign-off bar decides for a
        signed one; a role that may not record is read-only too), the stopwatch and Discard included."""
        editable = not self.read_only
        if not editable:
            for widget in (*self.forms, self.course, self.adverse_events):
                widget.setEnabled(False)
            if self.stopwatch.running:
                self.stopwatch.cancel()
        self.stopwatch.setEnabled(editable)
        self.discard_button.setEnabled(editable)
        if not self.clinic.actor.may(Action.RECORD) and not self.signoff.signed:
            self.status.setText("Read-only: your role may not change visits")

    def _select_course(self, course_id: int | None) -> None:
        index = next((i for i in range(1, self.course.count()) if self.course.itemData(i).id == course_id), 0)
        self.course.setCurrentIndex(index)

    def _set_values(self, values: dict[str, Any]) -> None:
        self._loading = True
        for form in self.forms:
            form.set_values(values)
        self._loading = False
        self.update_live_values()
        self.dirty = False

    def _restore_draft(self) -> None:
        """Put back what was typed and not saved (after a crash, or a window closed without saving)."""
        holder = self.clinic.draft_held_elsewhere(self.patient.id, self._visit_id())
        if holder is not None:
            self._show_held_elsewhere(holder)
            return
        draft = self.clinic.draft(self.patient.id, self._visit_id())
        if draft is None:
            return
        raw, typed_at = draft
        self._loading = True
        self._select_course(raw.get("course_id"))
        self._loading = False
        self._set_values(raw)
        self.adverse_events.set_events(raw.get("adverse_events", []))
        self.dirty = True
        self.draft_note.setText(
            f"Restored what was typed on {local_time(typed_at)} and not saved. Check it, then Save (Ctrl+S) "
            "to keep it, or Discard changes.")
        self.draft_note.show()

    def _show_held_elsewhere(self, holder: DraftHolder) -> None:
        """Say who is typing into this visit, and keep their draft theirs: read-only here, their typing
        not shown, until this person takes it over."""
        self.draft_holder = holder
        self.show_editable()  # read-only now
        for button in (self.save_button, self.delete_button):  # deleting it would drop their typing too
            button.setEnabled(False)
        self.draft_note.setText(f"{holder.describe()}. Read-only here; their typing is not shown until you "
                                "take the draft over.")
        self.draft_note.show()
        self.take_over_button.show()
        self.take_over_button.setFocus()

    def take_over_draft(self) -> None:
        """Continue here the draft someone else held: it becomes this person's, with their typing."""
        with guarded(self, "taking over the draft") as taken:
            self.clinic.take_over_draft(self.patient.id, self._visit_id())
        if not taken:
            return
        self.draft_holder = None
        self.take_over_button.hide()
        self._show_title()  # editable again, as the visit's state allows
        self._restore_draft()

    def _visit_id(self) -> int | None:
        return self.record.visit.id if self.record is not None else None

    def _show_title(self) -> None:
        for button in (self.print_button, self.pdf_button):
            button.setEnabled(self.record is not None)  # a summary prints what is saved
        allow(self.delete_button, self.clinic.actor, Action.DELETE_RECORD, also=self.record is not None,
              otherwise="A visit not saved yet has nothing to delete: use Discard changes.")
        name = patient_display_name(self.patient.family_name, self.patient.given_names)
        if self.record is None:
            self.title.setText(f"New visit \u2013 {name}")
            self.status.setText("Not saved yet")
        else:
            self.title.setText(f"Visit {self.record.visit.visit_date.isoformat()} \u2013 {name}")
            self.status.setText(VisitStatus(self.record.visit.status).label)
        self.signoff.show_state()

    # ----- behaviour while typing -------------------------------------------------------------
    def _mark_dirty(self) -> None:
        if not self._loading:
            self.dirty = True
            self._draft_timer.start()

    def _focus_moved(self, _old, _new) -> None:
        if self._draft_timer.isActive():
            self._draft_timer.stop()
            self.write_draft()

    def write_draft(self) -> None:
        """Keep everything typed so far in the database, as typed (see Clinic.save_draft). The write runs
        on the background worker (in order, one after the other), so typing never waits for the disk."""
        if self.patient is not None and self.dirty:
            clinic, patient_id, visit_id, raw = self.clinic, self.patient.id, self._visit_id(), self.raw_values()
            self._draft_write = run_in_background(self, "keeping a draft of the visit",
                                                  lambda _job: clinic.save_draft(patient_id, visit_id, raw),
                                                  on_done=self._show_where_draft_is)
            self._draft_write.finished.connect(self._draft_write.deleteLater)

    def _show_where_draft_is(self, kept: DraftKept) -> None:
        """Say so while the clinic's database cannot be reached, and stop saying so once it can."""
        offline = kept is DraftKept.ON_THIS_COMPUTER
        if offline:
            self.draft_note.setText("The clinic's database cannot be reached: what you type is kept on this "
                                    "computer, and goes into the database as soon as the connection is back.")
        if offline or self._draft_offline:
            self.draft_note.setVisible(offline)
        self._draft_offline = offline

    def keep_draft_now(self) -> None:
        """Write what was typed to the visit's draft now and wait for it (before the workstation changes
        hands); the editor is then clean, and the draft is restored when the visit is opened again."""
        self._draft_timer.stop()
        self._wait_for_draft()
        if self.patient is not None and self.dirty:
            self.clinic.save_draft(self.patient.id, self._visit_id(), self.raw_values())
        self.dirty = False

    def _wait_for_draft(self) -> None:
        """Let the draft being written reach the disk first (a save or a discard then removes it)."""
        if self._draft_write is not None:
            self._draft_write.wait_for_work()

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

    def _show_treatment_bench(self) -> None:
        """The second-person check and the procedure record for a treatment visit only; the check shows
        the drug, dose and lot as typed (a tick given for other values is taken back)."""
        treatment = self.header_form.editor("kind").parsed() is VisitKind.TREATMENT
        for box in self.treatment_boxes:
            box.setVisible(treatment)
        if self.patient is None:
            return
        course = self._selected_course()
        agent = (course.agent_name if course.agent == "other" else course.agent) if course is not None else ""
        dose, unit, lot = (self.field_editor(n).parsed() for n in ("dose_given", "dose_unit", "dose_batch"))
        born = self.patient.birth_date.isoformat()
        self.second_check.show_dose(agent, dose, unit or "", lot, patient=f"{self.patient.display_name}, born {born}")
        stored = self.record.dose_check if self.record is not None else None
        self.second_check.show_stored(stored, stored is not None and (stored.dose, stored.dose_unit, stored.lot)
                                      == (dose, unit, lot))

    def _neurotoxicity_cleared(self) -> None:
        self._block_shown_for = None
        self._show_methotrexate_block()

    def _show_methotrexate_block(self) -> None:
        """Above the dose: the neurotoxicity event that blocks this visit's methotrexate dose, if any (read
        again only when the patient, course or date changes)."""
        course = self._selected_course()
        day = self.header_form.editor("visit_date").parsed()
        visit_id = self.record.visit.id if self.record is not None else None
        key = (self.patient.id if self.patient else None, course.agent if course else None, day, visit_id)
        if key == self._block_shown_for:
            return
        self._block_shown_for = key
        block = (self.clinic.methotrexate_block(key[0], key[1], day, visit_id)
                 if None not in key[:3] else None)
        if block is not None:
            self.methotrexate_block.setText(str(MethotrexateBlocked(block)))
        self.methotrexate_block.setVisible(block is not None)

    def _show_safety_check(self) -> None:
        """Each item of the check as the save would find it; the dose disabled, saying why, while the
        check blocks it (the service refuses such a dose whatever the screen shows)."""
        if self.patient is None or self.header_form.editor("kind").parsed() is not VisitKind.TREATMENT:
            return
        self.safety_section.show_result(self.clinic.safety_check_preview(self.patient.id, self._visit_id(),
                                                                         self.raw_values()))
        blocked = self.safety_section.dose_blocked()
        dose = self.field_editor("dose_given").input
        dose.setEnabled(blocked is None and not self.read_only)
        dose.setToolTip(blocked or "")

    def typed_values(self, assessment: Assessment) -> dict[str, Any]:
        """What is typed into an assessment's fields, parsed (None where blank or refused)."""
        return {field.name: self.field_editor(assessment.prefix + field.name).parsed() for field in assessment.fields}

    def update_live_values(self) -> None:
        """The computed EDSS step, the trial means and the earlier values with their warnings, read
        from what is typed exactly as the saved visit will be read."""
        self.update_computed_edss()
        self._show_treatment_bench()
        self._show_safety_check()
        self._show_methotrexate_block()
        for assessment in self.assessments:
            values = self.typed_values(assessment)
            for measure in assessment.measures:
                try:
                    reading = measure.read(values)
                except ValueError:  # times beside "not completed": the save explains it beside the field
                    reading = None
                if measure.key in self.means:
                    self._show_mean(self.means[measure.key], reading)
                current = reading.value if reading is not None else None
                self.earlier_labels[measure.key].show_values(self._earlier.get(measure.key), current)

    @staticmethod
    def _show_mean(label: QLabel, reading) -> None:
        if reading is None:
            label.setText("mean \u2013")
        elif reading.value is None:
            label.setText("not completed")
        else:
            label.setText(f"mean <b>{reading.value:.2f} s</b>" + (" (1 trial)" if len(reading.trials) == 1 else ""))

    def update_computed_edss(self) -> None:
        """Show the step computed from the FS beside the clinician's EDSS (an aid, never a correction)."""
        values = self.typed_values(EDSS)
        result = edss_result(values)
        self._edss_result = result
        self.explain_button.setEnabled(result is not None)
        if result is None:
            self.computed.setText("Computed EDSS: enter all seven functional systems and the ambulation score.")
            self.computed.setStyleSheet(MUTED_STYLE)
            return
        text = f"Computed from functional systems: <b>{result.step:.1f}</b> (an aid; the clinician's EDSS is recorded)."
        clinician = values["edss"]
        if clinician is not None and clinician != result.step:
            text += (f"<br>Differs from the clinician's {clinician:.1f}: both are kept and the difference is "
                     "recorded with the visit; please check the FS grades.")
            self.computed.setStyleSheet(WARNING_STYLE)
        else:
            self.computed.setStyleSheet("")
        if result.warnings:
            text += "<br>Published calculators disagree for this pattern; see how it was computed."
        self.computed.setText(text)

    def explain_edss(self) -> None:
        if self._edss_result is not None:
            QMessageBox.information(self, "How the EDSS step was computed", "\n\n".join(self._edss_result.explain()))

    # ----- stopwatch --------------------------------------------------------------------------
    def _trial_to_time(self) -> TimedTrial | None:
        """The trial field the cursor is in; otherwise the first empty trial of a test not marked
        as not completed."""
        focused = QApplication.focusWidget()
        for trial in TIMED_TRIALS:
            if self.field_editor(trial.key).input is focused:
                return trial
        for trial in TIMED_TRIALS:
            if not str(self.field_editor(trial.key).raw()).strip() and self.field_editor(trial.not_completed_key).raw() is None:
                return trial
        return None

    def start_stopwatch(self) -> None:
        if self.read_only:
            return
        trial = self._trial_to_time()
        if trial is None:
            self.stopwatch.show_message("Every trial has a time; put the cursor in the trial to time again.")
            return
        self._timed = trial
        self.field_editor(trial.key).input.setFocus()
        self.stopwatch.start(trial.limit_s, trial.label)

    def _fill_timed_trial(self, seconds: Decimal) -> None:
        trial, self._timed = self._timed, None
        editor = self.field_editor(trial.key)
        editor.input.setText(str(seconds))
        editor.check()
        self._mark_dirty()
        self.update_live_values()
        self.stopwatch.show_message(f"{trial.label}: {seconds} s entered.")
        editor.input.focusNextChild()

    def _timed_trial_ran_out(self, _limit: float) -> None:
        trial, self._timed = self._timed, None
        self.field_editor(trial.not_completed_key).input.setFocus()

    # ----- saving -----------------------------------------------------------------------------
    def raw_values(self) -> dict[str, Any]:
        raw: dict[str, Any] = {}
        for form in self.forms:
            raw.update(form.raw_values())
        course = self._selected_course()
        raw["course_id"] = course.id if course is not None else None
        raw["adverse_events"] = self.adverse_events.raw_events()
        raw["removed_adverse_events"] = dict(self.adverse_events.removal_reasons)
        raw.update(self.safety_section.override_values())
        return raw

    def save(self) -> bool:
        if self.read_only:  # Ctrl+S on a signed visit: it changes only through Amend
            return False
        self._draft_timer.stop()
        self._wait_for_draft()
        raw = self.raw_values()
        check = self.second_check.given()  # never part of a draft: it holds the checker's password
        if check is not None:
            raw["second_check"] = check
        version = self.record.visit.version if self.record is not None else None
        with guarded(self, "saving the visit", on_refusal=self._save_refused) as saved:
            if self.record is None:
                record = self.clinic.create_visit(self.patient.id, raw)
            else:
                record = self.clinic.update_visit(self.record.visit.id, self.record.visit.version, raw,
                                                  amendment_reason=self.signoff.amendment_reason)
        if not saved:
            self.write_draft()  # nothing typed is lost
            return False
        if version is not None and Clinic.visit_unchanged(record, version):
            self._nothing_to_save()
            return True
        self.record = record
        self.second_check.clear()
        self.safety_section.load(self.record)
        self.update_live_values()
        self.adverse_events.set_context(self.patient, record.visit.id, [event_values(e) for e in record.adverse_events])
        for form in self.forms:
            form.show_problems({})
        self.summary.hide()
        self.draft_note.hide()
        self.dirty = False
        self._show_title()
        to_check = sum(1 for label in self.earlier_labels.values() if label.warning)
        self.status.setText(f"Saved {dt.datetime.now():%H:%M}"
                            + (f" \u2013 {to_check} value{'s' if to_check > 1 else ''} to double-check" if to_check else ""))
        self.saved.emit(record.visit.id)
        return True

    def _nothing_to_save(self) -> None:
        """Saved with every value as stored: nothing was written (no version, no audit entry)."""
        for form in self.forms:
            form.show_problems({})
        self.summary.hide()
        self.draft_note.hide()
        self.dirty = False
        self.signoff.amendment_reason = None  # an amendment that changes nothing is no amendment
        self._show_title()
        self.status.setText("No changes to save" + (" \u2013 signed, read-only" if self.signoff.signed else ""))

    def _save_refused(self, refusal: Exception) -> None:
        if isinstance(refusal, ValidationFailed):
            self._show_problems(refusal)
        else:  # not allowed, or changed by someone else
            QMessageBox.warning(self, "Visit not saved", str(refusal))

    def _show_problems(self, failed: ValidationFailed) -> None:
        grouped = problems_by_field(failed.problems)
        flagged = []
        for form in self.forms:
            flagged.extend(form.show_problems(grouped))
        self.adverse_events.show_problems([p.message for p in failed.problems if p.field.startswith("adverse_events[")])
        count = len(failed.problems)
        self.summary.setText(
            f"Not saved: {count} problem{'s' if count > 1 else ''} to correct, shown in red beside "
            f"{'each field' if count > 1 else 'the field'}. Nothing you typed was lost."
        )
        self.summary.show()
        if flagged:
            flagged[0].input.setFocus()

    # ----- visit summary ----------------------------------------------------------------------
    def _saved_visit_id(self) -> int | None:
        """The visit to summarise; unsaved changes are saved first (after asking), as the summary
        prints what is stored."""
        if self.record is not None and not self.dirty:
            return self.record.visit.id
        answer = QMessageBox.question(
            self, "Save the visit first", "The summary shows the saved visit. Save your changes now?",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Save)
        return self.record.visit.id if answer == QMessageBox.StandardButton.Save and self.save() else None

    def print_summary(self) -> None:
        from pmsdesk.ui.printing import print_visit_summary

        visit_id = self._saved_visit_id()
        if visit_id is not None:
            print_visit_summary(self, self.clinic, visit_id)

    def save_summary_pdf(self) -> None:
        from pmsdesk.ui.printing import save_visit_summary

        visit_id = self._saved_visit_id()
        if visit_id is not None:
            save_visit_summary(self, self.clinic, visit_id)

    def discard_changes(self) -> None:
        """Forget what was typed since the last save (the draft too), after asking."""
        answer = QMessageBox.question(
            self, "Discard changes", "Forget everything typed into this visit since it was last saved?",
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Cancel)
        if answer != QMessageBox.StandardButton.Discard:
            return
        self._forget_draft()
        if self.record is None:
            self.start_new(self.patient.id, self.course.currentData().id if self.course.currentData() else None)
        else:
            self.open_visit(self.record.visit.id)

    def _forget_draft(self) -> None:
        self._draft_timer.stop()
        self._wait_for_draft()
        self.clinic.discard_draft(self.patient.id, self._visit_id())
        self.dirty = False

    def delete_visit(self) -> None:
        """Delete (void) the open visit with a reason, then go back to the patient, where it shows voided."""
        if self.record is None or not self.delete_button.isEnabled():
            return
        visit = self.record.visit
        if not ask_and_void(self, "visit", f"this visit of {visit.visit_date.isoformat()}",
                            lambda reason: self.clinic.delete_visit(visit.id, visit.version, reason)):
            return
        self._forget_draft()  # what was typed and not saved goes with the visit
        self.closed.emit()

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
            self._forget_draft()
            return True
        return False
