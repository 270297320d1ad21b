"""The second-person check of an intrathecal dose, at the bench, before it is given.

The second person confirms, against the prescription, the syringe or bag and the patient: the drug, the
dose, the route (intrathecal), the patient's identity and, for a cell product, its product or lot
number; then types their own user name and password on this screen (they do not sign in: the nurse
stays signed in). What they confirmed goes with the visit's save, which checks the password (a wrong
one counts towards the checker's lockout), the register and that the checker is not the person giving
the dose (pmsdesk.services.register). The password is never kept in a draft.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from pmsdesk.domain.moments import local_clock
from pmsdesk.domain.naming import agent_label
from pmsdesk.domain.recorded_elsewhere import as_recorded
from pmsdesk.domain.register import CELL_PRODUCTS, INTRATHECAL
from pmsdesk.ui.forms import ERROR_STYLE

MUTED = "color: #555;"


class _TickText(QLabel):
    """A tick's text beside its box, wrapped in the column's width (a check box's own text cannot wrap,
    and a long patient name widened the visit editor past a 1366 px screen); a click on it ticks the box."""

    def __init__(self, box: QCheckBox):
        super().__init__()
        self.box = box
        self.setWordWrap(True)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 - Qt API
        if self.box.isEnabled() and event.button() == Qt.MouseButton.LeftButton:
            self.box.click()


class SecondCheckPanel(QWidget):
    """The check's ticks, the checker's user name and password, and what is stored."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._dose: tuple[str, float | None, str, str | None] = ("", None, "", None)  # agent, dose, unit, lot
        self.drug = QCheckBox()
        self.dose = QCheckBox()
        self.route = QCheckBox()
        self.patient = QCheckBox()
        self.lot = QCheckBox()
        self.ticks = (self.drug, self.dose, self.route, self.patient, self.lot)
        for name, box in zip(("check_drug", "check_dose", "check_route", "check_patient", "check_lot"), self.ticks):
            box.setObjectName(name)
            box.toggled.connect(self.changed)
        self.checker = QLineEdit()
        self.checker.setObjectName("checked_by")
        self.checker.setPlaceholderText("the second person's user name")
        self.password = QLineEdit()
        self.password.setObjectName("checker_password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("typed by the second person")
        self.checker.textEdited.connect(self.changed)
        self.password.textEdited.connect(self.changed)
        self.stored = QLabel()
        self.stored.setObjectName("dose_check_state")
        self.stored.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        intro = QLabel("A second person registered to check confirms each item, then types their own user "
                       "name and password. A new or changed dose is saved only with this check.")
        intro.setWordWrap(True)
        intro.setStyleSheet(MUTED)
        layout.addWidget(intro)
        self.texts = {box: _TickText(box) for box in self.ticks}
        for box, text in self.texts.items():
            line = QHBoxLayout()
            line.addWidget(box, 0, Qt.AlignmentFlag.AlignTop)
            line.addWidget(text, 1)
            layout.addLayout(line)
        self._say(self.route, f"Route: {INTRATHECAL} (the syringe's label says so; nothing else on the tray)")
        form = QFormLayout()
        form.addRow("Checker", self.checker)
        form.addRow("Checker's password", self.password)
        layout.addLayout(form)
        layout.addWidget(self.stored)
        self.show_dose("", None, "", None, patient="")

    def inputs(self) -> list[QWidget]:
        """In Tab order: the ticks shown, the checker's name and password."""
        return [*(box for box in self.ticks if not box.isHidden()), self.checker, self.password]

    def show_dose(self, agent: str, dose: float | None, unit: str, lot: str | None, *, patient: str) -> None:
        """What is to be checked, from the course and the dose typed; a tick given for other values goes."""
        if (agent, dose, unit, lot) != self._dose:
            for box in self.ticks:
                box.setChecked(False)
        self._dose = (agent, dose, unit, lot)
        self._say(self.drug, f"Drug: {agent_label(agent, agent) if agent else '(choose the course)'}")
        self._say(self.dose, f"Dose: {dose:g} {unit}" if dose is not None else "Dose: (enter the dose)")
        self._say(self.patient, f"Patient: {patient} (asked their name and date of birth; matches the label)")
        cell = agent in CELL_PRODUCTS
        self._say(self.lot, f"Product or lot number: {lot}" if lot else "Product or lot number: (enter Batch or lot)")
        self.lot.setVisible(cell or bool(lot))
        self.texts[self.lot].setVisible(cell or bool(lot))

    def _say(self, box: QCheckBox, text: str) -> None:
        """What a tick confirms: shown beside it, and its name for a screen reader."""
        self.texts[box].setText(text)
        box.setAccessibleName(text)

    def show_stored(self, row: Any, current: bool) -> None:
        """The check kept with the visit (a row of dose_check, or None); ``current``: for the dose as typed."""
        if row is None:
            self.stored.setText("Not checked yet.")
            self.stored.setStyleSheet(MUTED)
        elif current:
            self.stored.setText(f"Checked by {row.checked_name} at {local_clock(row.checked_at)}; given by "
                                f"{row.administered_name}{as_recorded(row.imported_from)}.")
            self.stored.setStyleSheet("color: #1b5e20; font-weight: bold;")
        else:
            self.stored.setText(f"Checked by {row.checked_name} for {row.dose:g} {row.dose_unit}: the dose changed "
                                "since, so it needs checking again.")
            self.stored.setStyleSheet(ERROR_STYLE)

    def given(self) -> dict[str, Any] | None:
        """The check to send with the save, or None when no checker has typed their name."""
        if not self.checker.text().strip():
            return None
        agent, dose, unit, lot = self._dose
        return {"checked_by": self.checker.text().strip(), "password": self.password.text(), "agent": agent,
                "dose": dose, "unit": unit, "lot": lot,
                "route": INTRATHECAL if self.route.isChecked() else "",
                "identity": self.patient.isChecked(),
                "confirmed_all": all(box.isChecked() for box in self.ticks if not box.isHidden())}

    def clear(self) -> None:
        """After a save (or on loading a visit): nothing of a check being typed stays on screen."""
        for box in self.ticks:
            box.setChecked(False)
        self.checker.clear()
        self.password.clear()
