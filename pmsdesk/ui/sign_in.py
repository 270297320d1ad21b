"""Signing in at start, and the first run of a new clinic, which creates its first administrator."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from pmsdesk.domain.permissions import Actor
from pmsdesk.domain.validation import ValidationFailed
from pmsdesk.services.accounts import MIN_PASSWORD_LENGTH, Accounts
from pmsdesk.ui.forms import ERROR_STYLE
from pmsdesk.ui.operations import guarded


def _password_field(name: str) -> QLineEdit:
    field = QLineEdit()
    field.setObjectName(name)
    field.setEchoMode(QLineEdit.EchoMode.Password)
    return field


class _AccountDialog(QDialog):
    """A small form with a message line and a button ``confirm`` that does it; ``actor`` is set when
    the dialog is accepted."""

    def __init__(self, title: str, intro: str, confirm: str, parent: QWidget | None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(440)
        self.actor: Actor | None = None
        self.form = QFormLayout()
        self.message = QLabel()
        self.message.setObjectName("sign_in_message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(confirm)  # says what it does
        # Qt translates its own Cancel into Hebrew but ships no Norwegian: pmsdesk's translation says it.
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        note = QLabel(intro)
        note.setWordWrap(True)
        layout.addWidget(note)
        layout.addLayout(self.form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

    def show_hint(self, text: str) -> None:
        hint = QLabel(text)
        hint.setObjectName("sign_in_hint")
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #1f5f8b; font-weight: bold;")
        self.layout().insertWidget(1, hint)

    def refuse(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()

    def show_refusal(self, refusal: Exception) -> None:
        """A refusal in the dialog's message line (each problem of a refused form on its own line)."""
        if isinstance(refusal, ValidationFailed):
            self.refuse("\n".join(problem.message for problem in refusal.problems))
        else:
            self.refuse(str(refusal))


class SignInDialog(_AccountDialog):
    def __init__(self, accounts: Accounts, parent: QWidget | None = None):
        super().__init__(self.tr("Sign in to pmsdesk"), self.tr("Sign in with your own user name and password."),
                         self.tr("Sign in"), parent)
        self.accounts = accounts
        self.username = QLineEdit()
        self.username.setObjectName("username")
        self.password = _password_field("password")
        self.form.addRow(self.tr("User name"), self.username)
        self.form.addRow(self.tr("Password"), self.password)

    def accept(self) -> None:
        with guarded(self, "signing in", on_refusal=self.show_refusal) as signed_in:
            self.actor = self.accounts.sign_in(self.username.text(), self.password.text())
        if not signed_in:
            self.password.clear()
            self.password.setFocus()
            return
        super().accept()


class FirstAdministratorDialog(_AccountDialog):
    def __init__(self, accounts: Accounts, parent: QWidget | None = None):
        super().__init__(
            self.tr("Welcome to pmsdesk: the first administrator"),
            self.tr("This clinic has no user accounts yet. Create the first administrator: they create the "
                    "accounts of the nurses and neurologists, and manage the clinic's settings."),
            self.tr("Create the administrator"), parent)
        self.accounts = accounts
        self.username = QLineEdit()
        self.username.setObjectName("username")
        self.full_name = QLineEdit()
        self.full_name.setObjectName("full_name")
        self.password = _password_field("password")
        self.repeated = _password_field("password_again")
        self.form.addRow(self.tr("User name"), self.username)
        self.form.addRow(self.tr("Full name"), self.full_name)
        self.form.addRow(self.tr("Password (at least %n characters)", "", MIN_PASSWORD_LENGTH), self.password)
        self.form.addRow(self.tr("Password again"), self.repeated)

    def accept(self) -> None:
        if self.password.text() != self.repeated.text():
            self.refuse(self.tr("The two passwords differ; type the same password twice."))
            return
        with guarded(self, "creating the first administrator", on_refusal=self.show_refusal) as created:
            self.actor = self.accounts.create_first_administrator(
                self.username.text(), self.full_name.text(), self.password.text())
        if created:
            super().accept()


def sign_in(accounts: Accounts, parent: QWidget | None = None, *, hint: str = "") -> Actor | None:
    """The person who will use pmsdesk now: signed in, or the first administrator of a new clinic;
    None when they cancelled. ``hint`` is shown above the sign-in form (the demo clinic's accounts)."""
    dialog_class = FirstAdministratorDialog if accounts.needs_first_administrator() else SignInDialog
    dialog = dialog_class(accounts, parent)
    if hint:
        dialog.show_hint(hint)
    dialog.username.setFocus()  # the buttons come first in creation order; typing starts with the name
    return dialog.actor if dialog.exec() else None
