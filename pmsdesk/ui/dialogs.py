"""Small record dialogs (patient details, treatment course, adverse event, relapse, therapy).

A dialog only closes once its save succeeded; a refused save keeps every typed value and shows
each problem beside its field, and any other refusal (not allowed, changed by someone else) in the
dialog's own message line. The save runs through :func:`pmsdesk.ui.operations.guarded`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QLabel,
    QScrollArea,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from pmsdesk.domain.fields import Field
from pmsdesk.domain.validation import ValidationFailed
from pmsdesk.ui.forms import ERROR_STYLE, FieldForm, problems_by_field
from pmsdesk.ui.operations import guarded


def save_cancel_buttons(dialog: QDialog) -> QDialogButtonBox:
    """Save and Cancel, wired to the dialog's accept (which saves) and reject."""
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons


FRAME_ALLOWANCE = 80  # px a window manager's title bar and borders may add around a dialog


def resize_on_screen(dialog: QDialog, width: int, height: int) -> None:
    """Size ``dialog`` at ``width`` x ``height`` where its screen has room, else at what it has: a size
    chosen at 100 % text would reach past a laptop's screen at 150 % or 200 %."""
    area = (dialog.parentWidget() or dialog).screen().availableGeometry()
    dialog.resize(min(width, area.width() - FRAME_ALLOWANCE), min(height, area.height() - FRAME_ALLOWANCE))


MIN_FORM_WIDTH = 500  # a record dialog's form is never narrower, where the screen has room


class RecordDialog(QDialog):
    """Edit one record; ``save(raw_values)`` validates and stores it, raising on refusal."""

    def __init__(self, title: str, fields: Iterable[Field], save: Callable[[dict[str, Any]], Any], *,
                 values: Mapping[str, Any] | None = None, intro: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
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
        for choice in self.form.findChildren(QComboBox):  # a dialog has room for its longest choice
            choice.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        # The form scrolls when its messages make it taller than the screen.
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setWidget(self.form)
        layout.addWidget(self.scroll, 1)
        self.summary = QLabel()
        self.summary.setObjectName("dialog_message")
        self.summary.setStyleSheet(ERROR_STYLE)
        self.summary.setWordWrap(True)
        self.summary.hide()
        layout.addWidget(self.summary)
        buttons = save_cancel_buttons(self)
        layout.addWidget(buttons)

    def accept(self) -> None:
        with guarded(self, f"saving the {self.windowTitle().lower()}", on_refusal=self.show_refusal) as saved:
            self.result_record = self._save(self.form.raw_values())
        if saved:
            super().accept()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        self._fit_form()

    def _fit_form(self) -> None:
        """As tall as the form with its wrapped messages needs, up to what the screen holds."""
        width = self.scroll.viewport().width() or self.form.sizeHint().width()
        needed = self.form.heightForWidth(width) if self.form.hasHeightForWidth() else -1
        needed = max(needed, self.form.sizeHint().height())
        screen = self.screen().availableGeometry()
        around = self.sizeHint().height() - self.scroll.sizeHint().height()  # intro, message line, buttons
        self.scroll.setMinimumHeight(min(needed, screen.height() - around - FRAME_ALLOWANCE))
        # As wide as the form's longest choice wants (and at least MIN_FORM_WIDTH), beside a vertical scroll
        # bar: never sideways scrolling. Set on the scroll area, not the dialog: a minimum width of the
        # dialog's own overrode its layout's, and at 200 % text size cut the form at its right edge.
        bar = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        self.scroll.setMinimumWidth(min(max(self.form.sizeHint().width() + bar, MIN_FORM_WIDTH), screen.width() - FRAME_ALLOWANCE))
        self.adjustSize()
        frame = self.frameGeometry()  # grown downwards: moved up as far as needed to stay on the screen
        self.move(frame.x(), max(screen.top(), min(frame.y(), screen.bottom() - frame.height())))

    def show_refusal(self, refusal: Exception) -> None:
        """Keep the dialog open: problems beside their fields, anything else in the message line."""
        if isinstance(refusal, ValidationFailed):
            flagged = self.form.show_problems(problems_by_field(refusal.problems))
            count = len(refusal.problems)
            self.summary.setText(f"Not saved: {count} problem{'s' if count > 1 else ''} to correct (shown in red).")
            self.summary.show()
            if flagged:
                flagged[0].input.setFocus()
        else:
            self.form.show_problems({})
            self.summary.setText(f"Not saved: {refusal}")
            self.summary.show()
        if self.isVisible():
            self._fit_form()
