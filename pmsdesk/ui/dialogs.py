"""Small record dialogs (patient details, treatment course, adverse event, relapse, therapy).

A dialog only closes once its save succeeded; a refused save keeps every typed value and shows
each problem beside its field.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QMessageBox, QVBoxLayout, QWidget

from pmsdesk.domain.fields import Field
from pmsdesk.domain.validation import ValidationFailed
from pmsdesk.services.clinic import StaleRecord
from pmsdesk.ui.forms import ERROR_STYLE, FieldForm, problems_by_field


class RecordDialog(QDialog):
    """Edit one record; ``save(raw_values)`` validates and stores it, raising on refusal."""

    def __init__(self, title: str, fields: Iterable[Field], save: Callable[[dict[str, Any]], Any], *,
                 values: Mapping[str, Any] | None = None, intro: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(520)
        self._save = save
        self.result_record: Any = None
        layout = QVBoxLayout(self)
        if intro:
            note = QLabel(intro)
            note.setWordWrap(True)
            layout.addWidget(note)
        self.form = FieldForm(fields)
        if values:
            self.form.set_values(values)
        layout.addWidget(self.form)
        self.summary = QLabel()
        self.summary.setStyleSheet(ERROR_STYLE)
        self.summary.setWordWrap(True)
        self.summary.hide()
        layout.addWidget(self.summary)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def accept(self) -> None:
        try:
            self.result_record = self._save(self.form.raw_values())
        except ValidationFailed as failed:
            flagged = self.form.show_problems(problems_by_field(failed.problems))
            count = len(failed.problems)
            self.summary.setText(f"Not saved: {count} problem{'s' if count > 1 else ''} to correct (shown in red).")
            self.summary.show()
            if flagged:
                flagged[0].input.setFocus()
            return
        except StaleRecord as stale:
            QMessageBox.warning(self, "Not saved", str(stale))
            return
        super().accept()
