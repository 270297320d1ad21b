"""Adverse events at the bench: one click (or Alt+letter) adds a usual post-lumbar-puncture event
dated the visit day, its grade, seriousness, relatedness and outcome are chosen in the row itself,
and events still open from earlier visits are followed up (outcome, resolution date) in place."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QGridLayout,
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

from pmsdesk.domain.fields import ADVERSE_EVENT_FIELDS
from pmsdesk.domain.validation import ValidationFailed, validate_adverse_event
from pmsdesk.domain.vocab import AdverseEventTerm, AeOutcome, Choice, Relatedness
from pmsdesk.services.clinic import Clinic
from pmsdesk.ui.dialogs import RecordDialog
from pmsdesk.ui.forms import ERROR_STYLE
from pmsdesk.ui.operations import guarded

# The usual events after an intrathecal injection by lumbar puncture, with their button text.
QUICK_PICKS = (
    (AdverseEventTerm.POST_LP_HEADACHE, "+ Headache"),
    (AdverseEventTerm.BACK_PAIN, "+ Back pain"),
    (AdverseEventTerm.FATIGUE, "+ Fatigue"),
    (AdverseEventTerm.NAUSEA_VOMITING, "+ Nausea / vomiting"),
)
SHORT_TERMS = {AdverseEventTerm.POST_LP_HEADACHE: "Post-LP headache"}  # the table column stays narrow
# In the events table's outcome boxes (the full label is the choice's tooltip and the open list's text)
SHORT_OUTCOMES = {AeOutcome.ONGOING: "Ongoing", AeOutcome.RECOVERED_WITH_SEQUELAE: "With sequelae"}
RESOLVED_PLACEHOLDER = "resolved YYYY-MM-DD"
CTCAE_GRADES = ("mild", "moderate", "severe", "life-threatening", "death")
_GRADE, _SERIOUS, _RELATED, _OUTCOME = 2, 3, 4, 5


def event_values(event) -> dict[str, Any]:
    """A stored adverse event as the editable values of a visit (with its id and version)."""
    values = {f.name: getattr(event, f.name) for f in ADVERSE_EVENT_FIELDS}
    values.update(id=event.id, version=event.version)
    return values


def event_name(values: dict[str, Any]) -> str:
    term = AdverseEventTerm(values["term"])
    if term is AdverseEventTerm.OTHER:
        return values.get("term_other") or term.label
    return SHORT_TERMS.get(term, term.label)


def _choice_combo(choices: type[Choice], current: str | None, short: Mapping[Choice, str] | None = None) -> QComboBox:
    """A box as wide as its longest choice, so a chosen outcome is never cut ("Not recoverec"); ``short``
    names some choices shortly (the full label is their tooltip)."""
    combo = QComboBox()
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
    combo.addItem("", None)
    for member in choices:
        combo.addItem((short or {}).get(member, member.label), member.value)
        combo.setItemData(combo.count() - 1, member.label, Qt.ItemDataRole.ToolTipRole)
    combo.setCurrentIndex(max(combo.findData(current), 0))
    return combo


def _stored(value: Any) -> Any:
    return value.value if isinstance(value, Choice) else value


class AdverseEventsPanel(QWidget):
    """The events reported at this visit (``events``) and the follow-up of earlier open events.

    Emits ``changed()`` when this visit's events change; follow-up updates are saved at once.
    """

    changed = Signal()

    def __init__(self, clinic: Clinic, visit_date: Callable[[], dt.date | None], parent: QWidget | None = None):
        super().__init__(parent)
        self.clinic = clinic
        self.visit_date = visit_date
        self.patient = None
        self.visit_id: int | None = None
        self.events: list[dict[str, Any]] = []
        self.removal_reasons: dict[int, str] = {}  # saved event id -> why it was removed (kept, hidden)

        bar = QGridLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        self.quick_buttons: dict[AdverseEventTerm, QPushButton] = {}
        for column, (term, text) in enumerate(QUICK_PICKS):
            button = QPushButton(text)
            button.setObjectName(f"quick_ae:{term.value}")
            button.setToolTip(f"Add \u201c{term.label}\u201d starting on the visit date; then choose grade, "
                              "seriousness, relatedness and outcome in its row.")
            button.clicked.connect(lambda _checked=False, t=term: self.quick_pick(t))
            bar.addWidget(button, 0, column)
            self.quick_buttons[term] = button
        self.other_button = QPushButton("Other\u2026")
        self.other_button.setObjectName("add_adverse_event")
        self.other_button.clicked.connect(lambda: self.edit(None))
        self.remove_button = QPushButton("Remove")
        self.remove_button.clicked.connect(self.remove_current)
        bar.addWidget(self.other_button, 1, 0)
        bar.addWidget(self.remove_button, 1, 1)
        bar.setColumnStretch(len(QUICK_PICKS), 1)

        self.table = QTableWidget(0, 6)
        self.table.setObjectName("adverse_events")
        self.table.setHorizontalHeaderLabels(["Event", "Onset", "Grade", "Serious", "Related", "Outcome"])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setMinimumHeight(80)
        self.table.setMaximumHeight(130)
        self.table.cellDoubleClicked.connect(lambda row, _column: self.edit(row))
        self.problems = QLabel()
        self.problems.setStyleSheet(ERROR_STYLE)
        self.problems.setWordWrap(True)
        self.problems.hide()

        self.follow_up_title = QLabel("<b>Still open from earlier visits</b> (update saves at once)")
        self.follow_up = QGridLayout()
        self.follow_up.setContentsMargins(0, 0, 0, 0)
        self.follow_up.setColumnStretch(3, 1)
        self.follow_up_rows: list[tuple[Any, QComboBox, QLineEdit, QPushButton]] = []

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.table)
        layout.addWidget(self.problems)
        layout.addWidget(self.follow_up_title)
        layout.addLayout(self.follow_up)

    # ----- this visit's events ----------------------------------------------------------------
    def set_context(self, patient, visit_id: int | None, events: list[dict[str, Any]]) -> None:
        self.patient = patient
        self.visit_id = visit_id
        self.set_events(events)
        self.show_follow_up()

    def set_events(self, events: list[dict[str, Any]]) -> None:
        self.events = [dict(e) for e in events]
        self.removal_reasons = {}
        self._show_events()

    def raw_events(self) -> list[dict[str, Any]]:
        return [{key: _stored(value) for key, value in event.items()} for event in self.events]

    def _show_events(self) -> None:
        self.table.setRowCount(len(self.events))
        for row, event in enumerate(self.events):
            self.table.setItem(row, 0, QTableWidgetItem(event_name(event)))
            self.table.setItem(row, 1, QTableWidgetItem(str(event.get("onset_date") or "")))
            grade = QComboBox()
            grade.setToolTip("CTCAE grade: " + ", ".join(f"{n} {text}" for n, text in enumerate(CTCAE_GRADES, 1)))
            grade.addItem("", None)
            for number in range(1, len(CTCAE_GRADES) + 1):
                grade.addItem(str(number), number)
            grade.setCurrentIndex(max(grade.findData(event.get("ctcae_grade")), 0))
            serious = QCheckBox()
            serious.setToolTip("Serious adverse event")
            serious.setChecked(bool(event.get("serious")))
            related = _choice_combo(Relatedness, _stored(event.get("relatedness")))
            outcome = _choice_combo(AeOutcome, _stored(event.get("outcome")), SHORT_OUTCOMES)
            grade.currentIndexChanged.connect(lambda _i, r=row, w=grade: self._set(r, "ctcae_grade", w.currentData()))
            serious.toggled.connect(lambda checked, r=row: self._set(r, "serious", checked))
            related.currentIndexChanged.connect(lambda _i, r=row, w=related: self._set(r, "relatedness", w.currentData()))
            outcome.currentIndexChanged.connect(lambda _i, r=row, w=outcome: self._set(r, "outcome", w.currentData()))
            for column, name, widget in ((_GRADE, "ctcae_grade", grade), (_SERIOUS, "serious", serious),
                                         (_RELATED, "relatedness", related), (_OUTCOME, "outcome", outcome)):
                widget.setObjectName(f"ae{row}:{name}")
                self.table.setCellWidget(row, column, widget)
        self._fit_widget_columns()
        self.problems.hide()

    def _fit_widget_columns(self) -> None:
        """A column of choice boxes as wide as its widest box (the header sizes columns by their text only;
        a narrower table scrolls sideways rather than cutting a box)."""
        header = self.table.horizontalHeader()
        for column in (_GRADE, _SERIOUS, _RELATED, _OUTCOME):
            widths = [self.table.cellWidget(row, column).sizeHint().width() for row in range(self.table.rowCount())]
            needed = max([header.sectionSizeFromContents(column).width(), *widths])
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
            self.table.setColumnWidth(column, needed)

    def _set(self, row: int, name: str, value: Any) -> None:
        self.events[row][name] = value
        self.changed.emit()

    def quick_pick(self, term: AdverseEventTerm) -> None:
        """Add ``term`` starting on the visit date, still ongoing; focus its grade to fill the rest."""
        onset = self.visit_date() or self.clinic.today()
        self.events.append({"term": term.value, "term_other": None, "onset_date": onset, "ctcae_grade": None,
                            "serious": False, "relatedness": None, "outcome": AeOutcome.ONGOING.value,
                            "resolved_date": None, "notes": None})
        self._show_events()
        self.table.selectRow(len(self.events) - 1)
        self.table.cellWidget(len(self.events) - 1, _GRADE).setFocus()
        self.changed.emit()

    def edit(self, row: int | None) -> None:
        """The full form (description, dates, notes) for a new "other" event or an existing one."""
        existing = self.events[row] if row is not None else None
        defaults = existing or {"onset_date": self.visit_date() or self.clinic.today()}

        def check(raw: dict[str, Any]) -> dict[str, Any]:
            values = validate_adverse_event(raw, birth_date=self.patient.birth_date, today=self.clinic.today())
            if existing is not None:
                values.update(id=existing.get("id"), version=existing.get("version"))
            return values

        dialog = RecordDialog("Adverse event", ADVERSE_EVENT_FIELDS, check, values=defaults, parent=self)
        if dialog.exec():
            if row is None:
                self.events.append(dialog.result_record)
            else:
                self.events[row] = dialog.result_record
            self._show_events()
            self.changed.emit()

    def remove_current(self) -> None:
        """Remove the selected event; one already saved needs a reason, as it is only hidden and the
        reason stays in the record and the audit trail."""
        row = self.table.currentRow()
        if not 0 <= row < len(self.events):
            return
        event_id = self.events[row].get("id")
        if event_id is not None:
            reason, given = QInputDialog.getText(
                self, "Remove adverse event",
                f"Why is \u201c{event_name(self.events[row])}\u201d removed? It stays in the audit trail.")
            if not given or not reason.strip():
                return
            self.removal_reasons[event_id] = reason.strip()
        del self.events[row]
        self._show_events()
        self.changed.emit()

    def show_problems(self, messages: list[str]) -> None:
        self.problems.setText("\n".join(messages))
        self.problems.setVisible(bool(messages))

    # ----- follow-up of events still open from earlier visits ---------------------------------
    def show_follow_up(self) -> None:
        while self.follow_up.count():
            old = self.follow_up.takeAt(0).widget()
            old.hide()  # at once: deleteLater waits for the event loop, and a stale row would be drawn meanwhile
            old.deleteLater()
        self.follow_up_rows = []
        events = self.clinic.open_adverse_events(self.patient.id, other_than_visit=self.visit_id) if self.patient else []
        for row, event in enumerate(events):
            grade = f", grade {event.ctcae_grade}" if event.ctcae_grade else ""
            label = QLabel(f"{event_name(event_values(event))} since {event.onset_date.isoformat()}{grade}")
            outcome = _choice_combo(AeOutcome, event.outcome)
            outcome.setObjectName(f"follow_up{row}:outcome")
            resolved = QLineEdit()
            resolved.setObjectName(f"follow_up{row}:resolved_date")
            resolved.setPlaceholderText(RESOLVED_PLACEHOLDER)
            resolved.setFixedWidth(resolved.fontMetrics().horizontalAdvance(RESOLVED_PLACEHOLDER) + 24)
            update = QPushButton("Update")
            update.setObjectName(f"follow_up{row}:update")
            update.clicked.connect(lambda _checked=False, e=event, o=outcome, d=resolved: self.update_open_event(e, o, d))
            label.setWordWrap(True)
            self.follow_up.addWidget(label, 2 * row, 0, 1, 4)  # the event on its line, what to update under it
            for column, widget in enumerate((outcome, resolved, update)):
                self.follow_up.addWidget(widget, 2 * row + 1, column)
            self.follow_up_rows.append((event, outcome, resolved, update))
        self.follow_up_title.setVisible(bool(events))

    def update_open_event(self, event, outcome: QComboBox, resolved: QLineEdit) -> None:
        raw = {key: _stored(value) for key, value in event_values(event).items()}
        raw.update(outcome=outcome.currentData(), resolved_date=resolved.text() or raw["resolved_date"])
        def refused(refusal: Exception) -> None:  # beside the follow-up rows
            resolved.setToolTip(str(refusal))
            problems = refusal.problems if isinstance(refusal, ValidationFailed) else ()
            self.show_problems([p.message for p in problems] or [f"Not updated: {refusal}"])

        with guarded(self, "updating the adverse event", on_refusal=refused) as updated:
            self.clinic.save_adverse_event(self.patient.id, raw, event_id=event.id, expected_version=event.version)
        if not updated:
            return
        self.problems.hide()
        self.show_follow_up()
