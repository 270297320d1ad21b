"""The structured procedure record of a treatment visit, in the bench's order: the dose, the puncture,
the observation afterwards (fields and sources: pmsdesk.domain.procedure_record).

Who performed and who assisted are picked from the clinic's active nurses and neurologists: the box
opens their list (its arrow, or Alt+Down) and completes from any part of a full name or user name as
it is typed, keeping the user name. A name that is no pmsdesk user (a visiting clinician, a visit
recorded elsewhere) is kept as typed and said so under the box."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QCompleter, QLabel, QLineEdit, QStyle, QVBoxLayout, QWidget

from pmsdesk.domain.fields import VISIT_FIELDS
from pmsdesk.domain.procedure_record import DOSE_FIELDS, OBSERVATION_FIELDS, PUNCTURE_FIELDS
from pmsdesk.ui.forms import FieldForm

_VISIT = {f.name: f for f in VISIT_FIELDS}
LABELS = {
    "dose_given": "Dose given", "dose_unit": "Unit", "dose_volume_ml": "Volume", "dose_batch": "Batch or lot",
    "performed_by": "Performed by", "assisted_by": "Assisted by", "puncture_time": "Time",
    "lp_position": "Position", "lp_level": "Level", "lp_needle_type": "Needle", "lp_needle_gauge": "Gauge",
    "lp_attempts": "Attempts", "lp_levels_tried": "Levels tried", "lp_result": "Result",
    "opening_pressure_cmh2o": "Opening pressure", "csf_appearance": "CSF", "csf_removed_ml": "CSF removed",
    "csf_sampled_ml": "Sampled", "lp_needle": "Needle notes", "observation_notes": "Observation",
    "discharge_time": "Discharged at",
}
PEOPLE = ("performed_by", "assisted_by")
NOT_A_USER = "not a pmsdesk user: kept as typed"


class PeopleCompleter(QCompleter):
    """Matches any part of "Full Name (user name)"; what it puts in the box is the user name."""

    def __init__(self, people: Sequence[tuple[str, str]], parent: QWidget):
        model = QStandardItemModel(parent)
        for username, full_name in people:
            item = QStandardItem(f"{full_name} ({username})")
            item.setData(username, Qt.ItemDataRole.UserRole)
            model.appendRow(item)
        super().__init__(model, parent)
        self.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterMode(Qt.MatchFlag.MatchContains)

    def pathFromIndex(self, index: QModelIndex) -> str:  # noqa: N802 - Qt API
        return index.data(Qt.ItemDataRole.UserRole)

    def open_list(self) -> None:
        """Every person, as a combo box's list opens."""
        self.setCompletionPrefix("")
        self.complete()


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    label.setStyleSheet("font-weight: bold; margin-top: 4px;")
    return label


class ProcedurePanel(QWidget):
    """Three forms (dose, puncture, observation) the visit editor treats like its others."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.dose_form = FieldForm([_VISIT[n] for n in DOSE_FIELDS], labels=LABELS, rows=[
            ("dose_given", "dose_unit"), ("dose_volume_ml", "dose_batch")])
        # Who performed and who assisted on lines of their own: two user names side by side did not fit
        # the editor's column at 1366 px.
        self.puncture_form = FieldForm([_VISIT[n] for n in PUNCTURE_FIELDS], labels=LABELS, rows=[
            ("puncture_time", "lp_position"), ("lp_level", "lp_result"),
            ("lp_needle_type", "lp_needle_gauge"), ("lp_attempts", "lp_levels_tried"),
            ("opening_pressure_cmh2o", "csf_appearance"), ("csf_removed_ml", "csf_sampled_ml")])
        self.observation_form = FieldForm([_VISIT[n] for n in OBSERVATION_FIELDS], labels=LABELS,
                                          rows=[("discharge_time",)])
        self.forms = (self.dose_form, self.puncture_form, self.observation_form)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for title, form in zip(("Dose", "Puncture", "Observation"), self.forms):
            layout.addWidget(_heading(title))
            layout.addWidget(form)
        self.people: dict[str, str] = {}  # user name -> full name of who may be picked
        self.people_notes: dict[str, QLabel] = {}
        for name in PEOPLE:
            line = self.puncture_form.editor(name).input
            arrow = QAction(self.style().standardIcon(QStyle.StandardPixmap.SP_ArrowDown),
                            "Choose from the clinic's users", line)
            line.addAction(arrow, QLineEdit.ActionPosition.TrailingPosition)
            arrow.triggered.connect(lambda _checked=False, name=name: self.open_people(name))
            opens = QShortcut(QKeySequence("Alt+Down"), line, context=Qt.ShortcutContext.WidgetShortcut)
            opens.activated.connect(arrow.trigger)
            note = QLabel()
            note.setObjectName(f"{name}_who")
            note.setWordWrap(True)
            note.hide()
            self.people_notes[name] = note
            self.puncture_form.add_line_after(name, note)
            line.textChanged.connect(lambda _text, name=name: self._show_who(name))

    def set_people(self, people: Sequence[tuple[int, str, str]]) -> None:
        """The people the performer and assistant are picked from: (user id, user name, full name) of the
        active nurses and neurologists."""
        self.people = {username: full_name for _id, username, full_name in people}
        for name in PEOPLE:
            self.puncture_form.editor(name).input.setCompleter(PeopleCompleter(list(self.people.items()), self))
            self._show_who(name)

    def open_people(self, name: str) -> None:
        completer = self.puncture_form.editor(name).input.completer()
        if isinstance(completer, PeopleCompleter):
            completer.open_list()

    def _show_who(self, name: str) -> None:
        typed = self.puncture_form.editor(name).input.text().strip()
        note = self.people_notes[name]
        note.setText("" if not typed else self.people.get(typed, NOT_A_USER))
        note.setVisible(bool(typed))
