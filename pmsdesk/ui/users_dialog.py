"""The administrator's dialog: user accounts (create, reset a password, deactivate) and the clinic's
settings (screen lock, backups)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from pmsdesk.domain.moments import local_clock
from pmsdesk.domain.permissions import Role
from pmsdesk.domain.settings import ADMIN_SETTINGS
from pmsdesk.domain.validation import ValidationFailed
from pmsdesk.services.accounts import MIN_PASSWORD_LENGTH, Accounts
from pmsdesk.services.clinic import Clinic
from pmsdesk.ui.dialogs import resize_on_screen, save_cancel_buttons
from pmsdesk.ui.forms import ERROR_STYLE
from pmsdesk.ui.operations import guarded


class NewUserDialog(QDialog):
    def __init__(self, accounts: Accounts, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("New user")
        self.accounts = accounts
        self.username, self.full_name, self.password = QLineEdit(), QLineEdit(), QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.role = QComboBox()
        for role in Role:
            self.role.addItem(role.label, role.value)
        for name, widget in (("username", self.username), ("full_name", self.full_name),
                             ("password", self.password), ("role", self.role)):
            widget.setObjectName(name)
        self.message = QLabel()
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setWordWrap(True)
        self.message.hide()
        form = QFormLayout()
        form.addRow("User name", self.username)
        form.addRow("Full name", self.full_name)
        form.addRow("Role", self.role)
        form.addRow(f"First password (at least {MIN_PASSWORD_LENGTH} characters)", self.password)
        buttons = save_cancel_buttons(self)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

    def accept(self) -> None:
        with guarded(self, "creating the user", on_refusal=self.show_refusal) as created:
            self.accounts.create_user(self.username.text(), self.full_name.text(), self.role.currentData(),
                                      self.password.text())
        if created:
            super().accept()

    def show_refusal(self, refusal: Exception) -> None:
        problems = refusal.problems if isinstance(refusal, ValidationFailed) else ()
        self.message.setText("\n".join(problem.message for problem in problems) or str(refusal))
        self.message.show()


def _sign_in_state(user) -> str:
    """"locked until 14:32 on 02 Dec 2026", "3 wrong passwords in a row" or "" for the users table."""
    if user.locked:
        return (f"locked until {local_clock(user.locked_until)}" if user.locked_until
                else "locked until unlocked")
    return f"{user.failed_sign_ins} wrong password{'s' if user.failed_sign_ins != 1 else ''} in a row" \
        if user.failed_sign_ins else ""


class UsersDialog(QDialog):
    def __init__(self, clinic: Clinic, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Users and settings")
        resize_on_screen(self, 760, 520)
        self.clinic = clinic
        self.accounts = clinic.accounts()
        self.table = QTableWidget(0, 5)
        self.table.setObjectName("users_table")
        self.table.setHorizontalHeaderLabels(["User name", "Full name", "Role", "Active", "Sign-in"])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        buttons = QHBoxLayout()
        for text, slot in (("New user\u2026", self.new_user), ("Reset password\u2026", self.reset_password),
                           ("Deactivate or activate", self.toggle_active), ("Unlock", self.unlock)):
            button = QPushButton(text)
            button.setObjectName(slot.__name__)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        buttons.addStretch(1)
        users = QGroupBox("User accounts (never deleted: the audit trail names them)")
        users_layout = QVBoxLayout(users)
        users_layout.addLayout(buttons)
        users_layout.addWidget(self.table)

        self.setting_boxes: dict[str, QSpinBox] = {}
        settings = QGroupBox("Clinic settings (every workstation)")
        settings_form = QFormLayout(settings)
        for rule in ADMIN_SETTINGS:
            box = QSpinBox()
            box.setObjectName(rule.key)
            box.setRange(rule.minimum, rule.maximum)
            box.setSuffix(f" {rule.unit}")
            box.setValue(rule.parse(clinic.setting(rule.key)))
            self.setting_boxes[rule.key] = box
            settings_form.addRow(rule.label, box)
        save_settings = QPushButton("Save settings")
        save_settings.setObjectName("save_settings")
        save_settings.clicked.connect(self.save_settings)
        settings_form.addRow("", save_settings)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(users, 1)
        layout.addWidget(settings)
        layout.addWidget(close)
        self.refresh()

    def refresh(self) -> None:
        self.users = self.accounts.users()
        self.table.setRowCount(len(self.users))
        for row, user in enumerate(self.users):
            for column, text in enumerate((user.username, user.full_name, user.role.label,
                                           "yes" if user.active else "no (deactivated)", _sign_in_state(user))):
                self.table.setItem(row, column, QTableWidgetItem(text))

    def _selected(self):
        row = self.table.currentRow()
        if 0 <= row < len(self.users):
            return self.users[row]
        QMessageBox.information(self, "Users", "Choose a user in the list first.")
        return None

    def new_user(self) -> None:
        if NewUserDialog(self.accounts, self).exec():
            self.refresh()

    def reset_password(self) -> None:
        user = self._selected()
        if user is None:
            return
        password, given = QInputDialog.getText(
            self, "Reset password", f"New password for {user.full_name} (at least {MIN_PASSWORD_LENGTH} "
            "characters; tell it to them in person):", QLineEdit.EchoMode.Password)
        if given:
            self._try(lambda: self.accounts.reset_password(user.id, password), "Password changed.")

    def toggle_active(self) -> None:
        user = self._selected()
        if user is not None:
            self._try(lambda: self.accounts.set_active(user.id, not user.active))

    def unlock(self) -> None:
        """Lift a lockout after wrong passwords (recorded in the audit trail with your name)."""
        user = self._selected()
        if user is not None:
            self._try(lambda: self.accounts.unlock(user.id), f"{user.full_name} can sign in again.")

    def save_settings(self) -> None:
        def save() -> None:
            for rule in ADMIN_SETTINGS:
                self.clinic.set_setting(rule.key, str(self.setting_boxes[rule.key].value()))

        self._try(save, "Settings saved; every workstation follows them from its next start.")

    def _try(self, change, done: str = "") -> None:
        with guarded(self, "changing the users or settings", title="Not changed") as changed:
            change()
        if not changed:
            return
        self.refresh()
        if done:
            QMessageBox.information(self, "Users and settings", done)
