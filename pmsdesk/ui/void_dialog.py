"""Deleting (voiding) a visit, an adverse event, a relapse or a therapy: always with a reason.

Nothing is erased: the service hides the record, keeps it with its reason and writes the audit
trail. The dialog asks the reason and runs the deletion itself; when the service refuses (the role
may not, a signed visit only a neurologist may void, someone changed the record meanwhile, no
reason given) the refusal is shown in the dialog, which stays open.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from pmsdesk.domain.validation import ValidationFailed
from pmsdesk.ui.forms import ERROR_STYLE
from pmsdesk.ui.operations import guarded


class VoidDialog(QDialog):
    """Asks why ``what`` (e.g. "visit") is deleted and calls ``delete(reason)``; accepted once done."""

    def __init__(self, what: str, description: str, delete: Callable[[str], object],
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.what = what
        self.delete = delete
        self.setWindowTitle(f"Delete {what}")
        self.setObjectName("void_dialog")
        intro = QLabel(f"Delete {description}?\nIt is hidden from the lists but kept, with your reason, "
                       "in the record and the audit trail.")
        intro.setWordWrap(True)
        self.reason = QPlainTextEdit()
        self.reason.setObjectName("void_reason")
        self.reason.setPlaceholderText("Reason (required), e.g. entered for the wrong patient")
        self.reason.setFixedHeight(70)
        self.reason.setTabChangesFocus(True)
        self.message = QLabel()
        self.message.setObjectName("void_message")
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setWordWrap(True)
        self.message.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.delete_button = self.buttons.addButton("Delete", QDialogButtonBox.ButtonRole.AcceptRole)
        self.delete_button.setObjectName("void_confirm")
        self.buttons.accepted.connect(self.confirm)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(QLabel("Why is it deleted?"))
        layout.addWidget(self.reason)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(420)
        self.reason.setFocus()

    def show_refusal(self, refusal: Exception) -> None:
        problems = refusal.problems if isinstance(refusal, ValidationFailed) else ()
        self.message.setText("\n".join(p.message for p in problems) or f"Not deleted: {refusal}")
        self.message.show()

    def confirm(self) -> None:
        with guarded(self, f"deleting the {self.what}", on_refusal=self.show_refusal) as done:
            self.delete(self.reason.toPlainText())
        if done:
            self.accept()


def ask_and_void(parent: QWidget | None, what: str, description: str, delete: Callable[[str], object]) -> bool:
    """Show the dialog; true when the record was deleted."""
    return bool(VoidDialog(what, description, delete, parent).exec())
