"""The visit editor's pre-puncture safety check: the answers, each item's finding with its source on
hover, and a neurologist's override with a reason.

First in the bench's order (check, second person, dose, puncture, observation), shown for treatment
visits only. The answers are an ordinary field form (prefix ``safety_check.``), so drafts, refusals
beside the field and the save carry them like any other field; the findings are worked out by the
Clinic service from what is typed (pmsdesk.services.safety.preview), with the same rules the save
applies. While an item blocks the dose and no override covers it, the editor disables the dose and
says why; a neurologist may override with a reason (the service refuses anyone else, and a blank
reason, whatever this screen does).
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QInputDialog, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from pmsdesk.domain.permissions import Role
from pmsdesk.domain.procedure_safety import (
    ANSWER_FIELDS,
    RECORDED_WITHOUT_CHECK,
    SECTION,
    CheckResult,
    Outcome,
    Override,
)
from pmsdesk.domain.recorded_elsewhere import as_recorded
from pmsdesk.services.safety import OVERRIDE_KEY, stored_override
from pmsdesk.ui.forms import FieldForm

OUTCOME_COLOURS = {Outcome.PASSED: "#1b5e20", Outcome.FAILED: "#b00020", Outcome.UNANSWERED: "#8a5a00"}
OUTCOME_MARKS = {Outcome.PASSED: "\u2713", Outcome.FAILED: "\u2717", Outcome.UNANSWERED: "?"}
SHORT_LABELS = {"antithrombotic": "Anticoagulant / antiplatelet", "hours_since_last_dose": "Hours since last dose",
                "pregnancy_possible": "Pregnancy possible", "active_infection": "Active infection",
                "methotrexate_allergy": "MTX allergy", "methotrexate_neurotoxicity": "Earlier MTX neurotoxicity"}


class SafetyCheckSection(QWidget):
    """Emits ``changed`` when an override is given or taken back (the answers' form has its own signal)."""

    changed = Signal()

    def __init__(self, clinic, parent: QWidget | None = None):
        super().__init__(parent)
        self.clinic = clinic  # its actor is whoever is signed in now (the screen may change hands)
        self.form = FieldForm(ANSWER_FIELDS, prefix=SECTION + ".", labels=SHORT_LABELS,
                              rows=[("pregnancy_possible", "active_infection"),
                                    ("methotrexate_allergy", "methotrexate_neurotoxicity")])
        self.findings = QLabel()
        self.findings.setObjectName("safety_findings")
        self.findings.setWordWrap(True)
        self.verdict = QLabel()
        self.verdict.setObjectName("safety_verdict")
        self.verdict.setWordWrap(True)
        self.override_button = QPushButton("Override (neurologist)\u2026")
        self.override_button.setObjectName("safety_override")
        self.override_button.clicked.connect(self.ask_override)
        self.override_note = QLabel()
        self.override_note.setObjectName("safety_override_note")
        self.override_note.setWordWrap(True)
        self.result: CheckResult | None = None
        self.stored: Override | None = None  # the override the visit carries already
        self.stored_from: str | None = None
        self.new_reason: str | None = None  # an override given on this screen, sent with the save
        # The open visit's dose was recorded without the check (imported, or from before the check):
        # it stays as recorded until someone answers the check or changes the dose.
        self.recorded_without_check = False
        row = QHBoxLayout()
        row.addWidget(self.verdict, 1)
        row.addWidget(self.override_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.form)
        layout.addWidget(self.findings)
        layout.addLayout(row)
        layout.addWidget(self.override_note)

    @property
    def first_input(self) -> QWidget:
        return self.form.editor(SECTION + ".antithrombotic").input

    def inputs(self) -> list[QWidget]:
        return [editor.input for editor in self.form.editors.values()] + [self.override_button]

    def load(self, record) -> None:
        """What the open visit (a VisitRecord; None: a new one) carries: its override, and whether its
        dose was recorded without the check."""
        check = record.safety_check if record is not None else None
        self.recorded_without_check = record is not None and record.visit.dose_given is not None and check is None
        self.stored, self.new_reason = stored_override(check), None
        self.stored_from = check.override_imported_from if check is not None else None  # an imported override
        self._show_override()

    def _answered(self) -> bool:
        return any(str(editor.raw() or "").strip() for editor in self.form.editors.values())

    def override_values(self) -> dict[str, str]:
        """What the save sends for an override given on this screen (nothing otherwise)."""
        return {OVERRIDE_KEY: self.new_reason} if self.new_reason is not None else {}

    def _given(self) -> Override | None:
        if self.new_reason is not None and self.result is not None:
            actor = self.clinic.actor
            return Override(actor.name, actor.display_name, self.new_reason,
                            tuple(item.code for item in self.result.blocking))
        return self.stored

    def dose_blocked(self) -> str | None:
        """Why the dose may not be recorded now, or None when it may."""
        if self.recorded_without_check and not self._answered():
            return None  # the dose stays as it was recorded (the service refuses a changed one unchecked)
        if self.result is None:
            return "Answer the safety check first: the dose is recorded once it is answered."
        given = self._given()
        uncovered = [item for item in self.result.blocking if given is None or item.code not in given.items]
        if not uncovered:
            return None
        return ("Dose blocked by the safety check: " + "; ".join(item.label for item in uncovered)
                + ". Answer or correct these items, or a neurologist overrides them with a reason.")

    def show_result(self, result: CheckResult | None) -> None:
        """Each item with its finding (its source on hover), and what it means for the dose."""
        self.result = result
        if result is None:
            self.findings.setText("")
            self.findings.setToolTip("")
        else:
            lines = [f"<span style='color:{OUTCOME_COLOURS[item.outcome]}'>{OUTCOME_MARKS[item.outcome]} "
                     f"<b>{escape(item.label)}</b>: {escape(item.finding)}</span>" for item in result.items]
            self.findings.setText("<br>".join(lines))
            self.findings.setToolTip(escape(result.explain()).replace("\n", "<br>"))  # every item's source
        blocked = self.dose_blocked()
        colour = OUTCOME_COLOURS[Outcome.PASSED] if blocked is None else OUTCOME_COLOURS[Outcome.FAILED]
        without_check = self.recorded_without_check and not self._answered()
        if without_check:
            self.verdict.setText(RECORDED_WITHOUT_CHECK)
        else:
            self.verdict.setText(blocked or ("Passed: the dose may be recorded." if result is not None and result.passed
                                             else "Overridden: the dose may be recorded."))
        self.verdict.setStyleSheet(f"color: {colour};")
        may_override = self.clinic.actor.role is Role.NEUROLOGIST
        self.override_button.setVisible(result is not None and not result.passed and not without_check)
        self.override_button.setEnabled(may_override)
        self.override_button.setToolTip("" if may_override else
                                        "Only a neurologist may override a failed safety check, with a reason.")
        self._show_override()

    def _show_override(self) -> None:
        given = self._given()
        if given is None:
            self.override_note.setText("")
            return
        when = "to be recorded with the save" if self.new_reason is not None else "recorded"
        imported = as_recorded(self.stored_from) if self.new_reason is None else ""
        self.override_note.setText(f"Override by {given.by_name} ({when}): {given.reason}{imported}")

    def ask_override(self) -> None:
        """The neurologist's reason; a blank one gives no override (the service refuses it too)."""
        items = ", ".join(item.label for item in self.result.blocking) if self.result else ""
        reason, given = QInputDialog.getText(self, "Override the safety check",
                                             f"Why is the dose given despite: {items}?", QLineEdit.EchoMode.Normal,
                                             self.new_reason or "")
        if not given or not reason.strip():
            return
        self.new_reason = reason.strip()
        self.show_result(self.result)
        self.changed.emit()
