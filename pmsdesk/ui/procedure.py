"""The structured procedure record of a treatment visit, in the bench's order: the dose, the puncture,
the observation afterwards (fields and sources: pmsdesk.domain.procedure_record). The people are
user names, completed from the clinic's active nurses and neurologists as they are typed."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCompleter, QLabel, QVBoxLayout, QWidget

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

    def set_people(self, usernames: list[str]) -> None:
        """The user names the people fields complete from (the active nurses and neurologists)."""
        for name in PEOPLE:
            completer = QCompleter(usernames, self)
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            self.puncture_form.editor(name).input.setCompleter(completer)
