"""Adverse events at the bench: one click (or Alt+letter) adds a usual post-lumbar-puncture event
dated the visit day; the selected event's grade (with its CTCAE v5.0 wording), relatedness to the
procedure and to the drug, seriousness and outcome are chosen in the row editor under the list, which
stays narrow enough for a 1366x768 laptop (long texts elided, whole on hover); events still open from
earlier visits are followed up (outcome, resolution date) in place. A neurotoxicity event says whether
it blocks intrathecal methotrexate, and a neurologist clears it here or on the patient view."""

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
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from pmsdesk.domain.adverse_events import (
    NOT_ASSESSED,
    blocks_methotrexate,
    ctcae_wording,
    grade_text,
    relatedness_label,
)
from pmsdesk.domain.fields import ADVERSE_EVENT_FIELDS
from pmsdesk.domain.moments import local_time
from pmsdesk.domain.permissions import Role
from pmsdesk.domain.recorded_elsewhere import as_recorded
from pmsdesk.domain.validation import ValidationFailed, validate_adverse_event
from pmsdesk.domain.vocab import AdverseEventTerm, AeOutcome, Choice, Relatedness
from pmsdesk.services.clinic import Clinic
from pmsdesk.ui.dialogs import RecordDialog
from pmsdesk.ui.elided import ElidedLabel
from pmsdesk.ui.forms import ERROR_STYLE
from pmsdesk.ui.operations import guarded

# The usual events after an intrathecal injection by lumbar puncture, with their button text.
QUICK_PICKS = (
    (AdverseEventTerm.POST_LP_HEADACHE, "+ Headache"),
    (AdverseEventTerm.BACK_PAIN, "+ Back pain"),
    (AdverseEventTerm.FATIGUE, "+ Fatigue"),
    (AdverseEventTerm.NAUSEA_VOMITING, "+ Nausea / vomiting"),
)
SHORT_TERMS = {AdverseEventTerm.POST_LP_HEADACHE: "Post-LP headache",
               AdverseEventTerm.NEUROTOXICITY: "Neurotoxicity"}  # the list's event column stays narrow
# In the list's outcome column (the full label is the cell's tooltip and the row editor's choice)
SHORT_OUTCOMES = {AeOutcome.ONGOING: "Ongoing", AeOutcome.RECOVERED_WITH_SEQUELAE: "With sequelae"}
RESOLVED_PLACEHOLDER = "resolved YYYY-MM-DD"
COLUMNS = ("Event", "Grade", "Procedure", "Drug", "Outcome")
_EVENT, _GRADE, _PROCEDURE, _DRUG, _OUTCOME = range(len(COLUMNS))
NO_ANSWER = "\u2014"  # the list's "not assessed" / "not recorded" (the tooltip says which)


def event_values(event) -> dict[str, Any]:
    """A stored adverse event as the editable values of a visit, with its id and version, and as text
    (kept in a draft as typed) its earlier single relatedness answer and its clearance, if any."""
    values = {f.name: getattr(event, f.name) for f in ADVERSE_EVENT_FIELDS}
    values.update(id=event.id, version=event.version, relatedness=event.relatedness, cleared=_cleared_text(event))
    return values


def _cleared_text(event) -> str | None:
    if event.cleared_at is None:
        return None
    return (f"{event.cleared_by_name or event.cleared_by} on {local_time(event.cleared_at)}: {event.clearance_reason}"
            f"{as_recorded(event.clearance_imported_from)}")


def event_name(values: Mapping[str, Any]) -> str:
    term = AdverseEventTerm(values["term"])
    if term is AdverseEventTerm.OTHER:
        return values.get("term_other") or term.label
    return SHORT_TERMS.get(term, term.label)


def neurotoxicity_state(values: Mapping[str, Any]) -> str | None:
    """What a neurotoxicity event means for intrathecal methotrexate, in one sentence (None: another event)."""
    if not blocks_methotrexate(_stored(values["term"])):
        return None
    if not values.get("cleared"):
        return ("Blocks further intrathecal methotrexate for this patient until a neurologist clears it "
                "with a reason.")
    return f"Cleared for intrathecal methotrexate by {values['cleared']}"


def clear_neurotoxicity(parent: QWidget, clinic: Clinic, event_id: int, version: int, name: str):
    """Ask a neurologist why further intrathecal methotrexate may be given and clear the event; the
    cleared event, or None when cancelled or refused (the refusal is shown)."""
    reason, given = QInputDialog.getMultiLineText(
        parent, "Clear methotrexate neurotoxicity",
        f"\u201c{name}\u201d blocks further intrathecal methotrexate. Why may it be given again? "
        "The reason, your name and the time are recorded and printed.")
    if not given:
        return None
    cleared = None
    with guarded(parent, "clearing the neurotoxicity event"):
        cleared = clinic.clear_neurotoxicity(event_id, version, reason)
    return cleared


def _choice_combo(choices: type[Choice], current: str | None, *, blank: str = "",
                  short: Mapping[Choice, str] | None = None) -> QComboBox:
    """A box of ``choices`` (``blank`` names no answer); ``short`` names some choices shortly (the full
    label is their tooltip)."""
    combo = QComboBox()
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
    combo.addItem(blank, None)
    for member in choices:
        combo.addItem((short or {}).get(member, member.label), member.value)
        combo.setItemData(combo.count() - 1, member.label, Qt.ItemDataRole.ToolTipRole)
    combo.setCurrentIndex(max(combo.findData(current), 0))
    return combo


def _stored(value: Any) -> Any:
    return value.value if isinstance(value, Choice) else value


class AdverseEventsPanel(QWidget):
    """The events reported at this visit (``events``) and the follow-up of earlier open events.

    Emits ``changed()`` when this visit's events change (follow-up updates are saved at once), and
    ``cleared()`` when a neurologist has cleared a neurotoxicity event (saved at once).
    """

    changed = Signal()
    cleared = Signal()

    def __init__(self, clinic: Clinic, visit_date: Callable[[], dt.date | None], parent: QWidget | None = None):
        super().__init__(parent)
        self.clinic = clinic
        self.visit_date = visit_date
        self.patient = None
        self.visit_id: int | None = None
        self.events: list[dict[str, Any]] = []
        self.removal_reasons: dict[int, str] = {}  # saved event id -> why it was removed (kept, hidden)
        self._filling = False  # the row editor is being filled from an event: its signals are not edits

        bar = QGridLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        self.quick_buttons: dict[AdverseEventTerm, QPushButton] = {}
        for column, (term, text) in enumerate(QUICK_PICKS):
            button = QPushButton(text)
            button.setObjectName(f"quick_ae:{term.value}")
            button.setToolTip(f"Add \u201c{term.label}\u201d starting on the visit date; then choose its grade, "
                              "relatedness, seriousness and outcome under the list.")
            button.clicked.connect(lambda _checked=False, t=term: self.quick_pick(t))
            bar.addWidget(button, 0, column)
            self.quick_buttons[term] = button
        self.other_button = QPushButton("Other\u2026")
        self.other_button.setObjectName("add_adverse_event")
        self.other_button.setToolTip("Any other event (fever, radicular pain, arachnoiditis, chemical meningitis, "
                                     "neurotoxicity, infection or one described): the full form.")
        self.other_button.clicked.connect(lambda: self.edit(None))
        self.remove_button = QPushButton("Remove")
        self.remove_button.clicked.connect(self.remove_current)
        bar.addWidget(self.other_button, 1, 0)
        bar.addWidget(self.remove_button, 1, 1)
        bar.setColumnStretch(len(QUICK_PICKS), 1)

        # The list: short texts, the event's name elided in the one stretching column, each cell whole
        # on hover; everything else is in the row editor, so the list never scrolls sideways.
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("adverse_events")
        self.table.setAccessibleName("Adverse events of this visit")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(_EVENT, QHeaderView.ResizeMode.Stretch)
        self.table.setMinimumHeight(80)
        self.table.setMaximumHeight(130)
        self.table.cellDoubleClicked.connect(lambda row, _column: self.edit(row))
        self.table.currentCellChanged.connect(lambda row, *_rest: self._fill_row_editor(row))

        self.row_editor = QWidget()
        self.row_editor.setObjectName("ae_row_editor")
        grid = QGridLayout(self.row_editor)
        grid.setContentsMargins(0, 0, 0, 0)
        self.row_title = ElidedLabel()
        self.row_title.setObjectName("ae:title")
        self.grade = QComboBox()
        self.grade.setObjectName("ae:ctcae_grade")
        self.grade.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.grade.setMinimumContentsLength(32)  # the probe's 30 characters of a grade's wording
        self.grade.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.grade.view().setTextElideMode(Qt.TextElideMode.ElideNone)
        self.wording = QLabel()
        self.wording.setObjectName("ae:wording")
        self.wording.setWordWrap(True)
        self.related_procedure = _choice_combo(Relatedness, None, blank=NOT_ASSESSED)
        self.related_procedure.setObjectName("ae:related_procedure")
        self.related_procedure.setToolTip("Related to the procedure (the lumbar puncture); NCI CTEP attribution")
        self.related_drug = _choice_combo(Relatedness, None, blank=NOT_ASSESSED)
        self.related_drug.setObjectName("ae:related_drug")
        self.related_drug.setToolTip("Related to the drug or cell product given; NCI CTEP attribution")
        self.serious = QCheckBox("Serious")
        self.serious.setObjectName("ae:serious")
        self.serious.setToolTip("Serious adverse event")
        self.outcome = _choice_combo(AeOutcome, None)
        self.outcome.setObjectName("ae:outcome")
        self.neurotoxicity = QLabel()
        self.neurotoxicity.setObjectName("ae:neurotoxicity")
        self.neurotoxicity.setWordWrap(True)
        self.clear_button = QPushButton("Clear for methotrexate\u2026")
        self.clear_button.setObjectName("ae:clear")
        self.clear_button.setToolTip("A neurologist clears the event, with a reason, so intrathecal methotrexate "
                                     "may be given again.")
        self.clear_button.clicked.connect(self.clear_current)
        grid.addWidget(self.row_title, 0, 0, 1, 4)
        grid.addWidget(QLabel("Grade"), 1, 0)
        grid.addWidget(self.grade, 1, 1, 1, 3)
        grid.addWidget(self.wording, 2, 0, 1, 4)
        grid.addWidget(QLabel("Procedure"), 3, 0)
        grid.addWidget(self.related_procedure, 3, 1)
        grid.addWidget(QLabel("Drug"), 3, 2)
        grid.addWidget(self.related_drug, 3, 3)
        grid.addWidget(QLabel("Outcome"), 4, 0)
        grid.addWidget(self.outcome, 4, 1, 1, 2)
        grid.addWidget(self.serious, 4, 3)
        grid.addWidget(self.neurotoxicity, 5, 0, 1, 4)
        grid.addWidget(self.clear_button, 6, 0, 1, 2, Qt.AlignmentFlag.AlignLeft)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        self.grade.currentIndexChanged.connect(lambda _i: self._edited("ctcae_grade", self.grade.currentData()))
        for name, box in (("related_procedure", self.related_procedure), ("related_drug", self.related_drug),
                          ("outcome", self.outcome)):
            box.currentIndexChanged.connect(lambda _i, n=name, b=box: self._edited(n, b.currentData()))
        self.serious.toggled.connect(lambda checked: self._edited("serious", checked))
        self.row_editor.hide()

        self.problems = QLabel()
        self.problems.setStyleSheet(ERROR_STYLE)
        self.problems.setWordWrap(True)
        self.problems.hide()

        self.follow_up_title = QLabel("<b>Still open from earlier visits</b> (update saves at once)")
        self.follow_up_title.setWordWrap(True)  # never wider than the editor's column
        self.follow_up = QGridLayout()
        self.follow_up.setContentsMargins(0, 0, 0, 0)
        self.follow_up.setColumnStretch(3, 1)
        self.follow_up_rows: list[tuple[Any, QComboBox, QLineEdit, QPushButton]] = []

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.table)
        layout.addWidget(self.row_editor)
        layout.addWidget(self.problems)
        layout.addWidget(self.follow_up_title)
        layout.addLayout(self.follow_up)

    def focus_chain(self) -> list[QWidget]:
        """The panel's inputs in Tab order (the visit editor's chain)."""
        return [*self.quick_buttons.values(), self.other_button, self.remove_button, self.table, self.grade,
                self.related_procedure, self.related_drug, self.outcome, self.serious, self.clear_button]

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

    def _show_events(self, current: int | None = None) -> None:
        self.table.setRowCount(len(self.events))
        for row in range(len(self.events)):
            self._show_row(row)
        self.problems.hide()
        row = current if current is not None else (0 if self.events else -1)
        self.table.setCurrentCell(row, 0) if row >= 0 else self.table.clearSelection()
        self._fill_row_editor(row)

    def _show_row(self, row: int) -> None:
        event = self.events[row]
        term = _stored(event["term"])
        grade = event.get("ctcae_grade")
        outcome = _stored(event.get("outcome"))
        name = event_name(event) + (" (serious)" if event.get("serious") else "")
        onset = event.get("onset_date")
        cells = (
            (name, f"{AdverseEventTerm(term).label}, onset {onset or 'not given'}"
                   + (", serious" if event.get("serious") else "")),
            (str(grade) if grade else NO_ANSWER, grade_text(term, grade) if grade else "CTCAE grade not chosen"),
            (_short_relatedness(event.get("related_procedure")),
             f"Related to the procedure: {relatedness_label(_stored(event.get('related_procedure')))}"),
            (_short_relatedness(event.get("related_drug")),
             f"Related to the drug: {relatedness_label(_stored(event.get('related_drug')))}"),
            (SHORT_OUTCOMES.get(AeOutcome(outcome), AeOutcome(outcome).label) if outcome else NO_ANSWER,
             f"Outcome: {AeOutcome(outcome).label if outcome else 'not recorded'}"),
        )
        for column, (text, tip) in enumerate(cells):
            item = QTableWidgetItem(text)
            item.setToolTip(tip)
            self.table.setItem(row, column, item)

    def _fill_row_editor(self, row: int) -> None:
        """Show the event of ``row`` in the row editor (hidden when there is none)."""
        if not 0 <= row < len(self.events):
            self.row_editor.hide()
            return
        event = self.events[row]
        term = AdverseEventTerm(_stored(event["term"]))
        wording = ctcae_wording(term)
        self._filling = True
        try:
            onset = event.get("onset_date")
            self.row_title.setText(f"{event_name(event)}, onset {onset or 'not given'}"
                                   + (f" \u2014 CTCAE v5.0 {wording.ctcae_term}" if wording.ctcae_term else
                                      " \u2014 not a CTCAE term"))
            self.grade.clear()
            self.grade.addItem("", None)
            grade = event.get("ctcae_grade")
            offered = set(wording.offered()) | ({grade} if grade else set())
            for number in sorted(offered):
                text = wording.text(number) or "not offered in CTCAE v5.0 for this term"
                self.grade.addItem(f"{number} {text}", number)
                self.grade.setItemData(self.grade.count() - 1, grade_text(term, number), Qt.ItemDataRole.ToolTipRole)
            self.grade.setCurrentIndex(max(self.grade.findData(grade), 0))
            for box, name in ((self.related_procedure, "related_procedure"), (self.related_drug, "related_drug"),
                              (self.outcome, "outcome")):
                box.setCurrentIndex(max(box.findData(_stored(event.get(name))), 0))
            self.serious.setChecked(bool(event.get("serious")))
            self._show_wording(term, grade)
            earlier = event.get("relatedness")
            self.related_procedure.setToolTip("Related to the procedure (the lumbar puncture); NCI CTEP attribution"
                                              + (f". Earlier single answer (treatment): {relatedness_label(earlier)}"
                                                 if earlier else ""))
            state = neurotoxicity_state(event)
            self.neurotoxicity.setText(state or "")
            self.neurotoxicity.setVisible(bool(state))
            may_clear = state is not None and event.get("id") is not None and not event.get("cleared")
            self.clear_button.setVisible(may_clear)
            self.clear_button.setEnabled(may_clear and self.clinic.actor.role is Role.NEUROLOGIST)
        finally:
            self._filling = False
        self.row_editor.show()

    def _show_wording(self, term: AdverseEventTerm, grade: int | None) -> None:
        """The chosen grade's CTCAE wording, or every grade's when none is chosen yet."""
        if grade:
            text = grade_text(term, grade)
        else:
            wording = ctcae_wording(term)
            text = "\n".join(f"{number}: {wording.text(number)}" for number in wording.offered())
        self.wording.setText(text)
        self.grade.setToolTip(text)

    def _edited(self, name: str, value: Any) -> None:
        row = self.table.currentRow()
        if self._filling or not 0 <= row < len(self.events):
            return
        self.events[row][name] = value
        self._show_row(row)
        if name == "ctcae_grade":
            self._show_wording(AdverseEventTerm(_stored(self.events[row]["term"])), value)
        self.changed.emit()

    def quick_pick(self, term: AdverseEventTerm) -> None:
        """Add ``term`` starting on the visit date, still ongoing; focus its grade to fill the rest."""
        onset = self.visit_date() or self.clinic.today()
        self.events.append({"term": term.value, "term_other": None, "onset_date": onset, "ctcae_grade": None,
                            "serious": False, "related_procedure": None, "related_drug": None,
                            "outcome": AeOutcome.ONGOING.value, "resolved_date": None, "notes": None})
        self._show_events(len(self.events) - 1)
        self.grade.setFocus()
        self.changed.emit()

    def edit(self, row: int | None) -> None:
        """The full form (description, dates, notes) for a new "other" event or an existing one."""
        existing = self.events[row] if row is not None else None
        defaults = existing or {"onset_date": self.visit_date() or self.clinic.today()}

        def check(raw: dict[str, Any]) -> dict[str, Any]:
            values = validate_adverse_event(raw, birth_date=self.patient.birth_date, today=self.clinic.today())
            if existing is not None:  # what the form does not edit stays as it was
                values.update({key: existing.get(key) for key in existing if key not in values})
            return values

        dialog = RecordDialog("Adverse event", ADVERSE_EVENT_FIELDS, check, values=defaults, parent=self)
        if dialog.exec():
            if row is None:
                self.events.append(dialog.result_record)
            else:
                self.events[row] = dialog.result_record
            self._show_events(len(self.events) - 1 if row is None else row)
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
        self._show_events(min(row, len(self.events) - 1) if self.events else None)
        self.changed.emit()

    def clear_current(self) -> None:
        """A neurologist clears the selected (saved) neurotoxicity event; its new version is kept, so the
        visit's next save does not find it changed by someone else."""
        row = self.table.currentRow()
        event = self.events[row]
        cleared = clear_neurotoxicity(self, self.clinic, event["id"], event["version"], event_name(event))
        if cleared is not None:
            event.update(version=cleared.version, cleared=_cleared_text(cleared))
            self._show_events(row)
            self.cleared.emit()

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
            state = neurotoxicity_state(event_values(event))  # an earlier neurotoxicity event says what it blocks
            label = QLabel(f"{event_name(event_values(event))} since {event.onset_date.isoformat()}{grade}"
                           + (f". {state}" if state else ""))
            outcome = _choice_combo(AeOutcome, event.outcome)
            outcome.setObjectName(f"follow_up{row}:outcome")
            resolved = QLineEdit()
            resolved.setObjectName(f"follow_up{row}:resolved_date")
            resolved.setPlaceholderText(RESOLVED_PLACEHOLDER)
            resolved.setFixedWidth(resolved.fontMetrics().horizontalAdvance(RESOLVED_PLACEHOLDER) + 24)
            update = QPushButton("Update")
            update.setObjectName(f"follow_up{row}:update")
            for box, what in ((outcome, "Outcome of"), (resolved, "Date resolved of"), (update, "Update")):
                box.setAccessibleName(f"{what} {event_name(event_values(event))} since {event.onset_date.isoformat()}")
            update.clicked.connect(lambda _checked=False, e=event, o=outcome, d=resolved: self.update_open_event(e, o, d))
            label.setWordWrap(True)
            # The event and its Update button on one line, what to update under it: three boxes on one
            # line widened the editor's column past a 1366 px screen.
            line = QWidget()
            line_layout = QHBoxLayout(line)
            line_layout.setContentsMargins(0, 0, 0, 0)
            line_layout.addWidget(label, 1)
            line_layout.addWidget(update, 0, Qt.AlignmentFlag.AlignTop)
            self.follow_up.addWidget(line, 2 * row, 0, 1, 4)
            for column, widget in enumerate((outcome, resolved)):
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


def _short_relatedness(value: Any) -> str:
    return Relatedness(_stored(value)).label if value else NO_ANSWER
