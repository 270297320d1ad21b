"""The screen lock: after the clinic's idle time (a setting, default 10 minutes) the window's content
is hidden behind a lock until the signed-in person types their own password. Nothing is closed, so
what was typed stays exactly as it was.

On a shared workstation a colleague chooses "Sign in as someone else" and signs in with their own
name and password: what the first person typed into a visit is kept as that visit's draft (restored
when it is opened again), and the window then works as the colleague (see MainWindow.hand_over)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QApplication,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from pmsdesk.domain.permissions import Actor
from pmsdesk.domain.settings import LOCK_AFTER_MINUTES

from pmsdesk.services.clinic import Clinic
from pmsdesk.ui.forms import ERROR_STYLE
from pmsdesk.ui.operations import guarded

ACTIVITY = {QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove, QEvent.Type.Wheel}


class ScreenLock(QWidget):
    """Covers ``window`` when locked. Only a signed-in person can lock (a system actor has no password)."""

    switched = Signal()  # someone else signed in and the window now works as them

    UNLOCK_TEXT = "Everything typed is still there. Type your password to continue."

    def __init__(self, window: QMainWindow, clinic: Clinic, *,
                 hand_over: Callable[[Actor], None] | None = None):
        """``hand_over(actor)`` makes the window work as ``actor`` (None: no signing in as someone else)."""
        super().__init__(window)
        self.setObjectName("screen_lock")
        self.setAutoFillBackground(True)
        self.window_, self.clinic, self.hand_over = window, clinic, hand_over
        self._disabled_actions: list[QAction] = []
        self.heading = QLabel()
        self.heading.setObjectName("lock_heading")
        self.heading.setWordWrap(True)
        self.heading.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.heading.setStyleSheet("font-size: 16pt; font-weight: bold;")
        self.password = QLineEdit()
        self.password.setObjectName("unlock_password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setFixedWidth(320)  # room for its placeholder, "Password of <user name>"
        self.message = QLabel(self.UNLOCK_TEXT)
        self.message.setObjectName("lock_message")
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        unlock = QPushButton("Unlock")
        unlock.setObjectName("unlock")
        unlock.clicked.connect(self.unlock)
        self.password.returnPressed.connect(self.unlock)

        self.someone_else = QPushButton("Sign in as someone else\u2026")
        self.someone_else.setObjectName("sign_in_someone_else")
        self.someone_else.clicked.connect(self.show_other_sign_in)
        self.someone_else.setVisible(hand_over is not None)
        self.other = QWidget()
        self.other.setObjectName("other_sign_in")
        self.other_note = QLabel("Sign in with your own user name and password. What was typed into a visit "
                                 "is kept as that visit's draft for the person signed in now.")
        self.other_note.setWordWrap(True)
        self.other_username = QLineEdit()
        self.other_username.setObjectName("other_username")
        self.other_password = QLineEdit()
        self.other_password.setObjectName("other_password")
        self.other_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.other_password.returnPressed.connect(self.sign_in_other)
        sign_in = QPushButton("Sign in")
        sign_in.setObjectName("other_sign_in_button")
        sign_in.clicked.connect(self.sign_in_other)
        other_form = QFormLayout()
        other_form.addRow("User name", self.other_username)
        other_form.addRow("Password", self.other_password)
        other_form.addRow(sign_in)
        other_layout = QVBoxLayout(self.other)
        other_layout.setContentsMargins(0, 0, 0, 0)
        other_layout.addWidget(self.other_note)
        other_layout.addLayout(other_form)
        self.other.hide()

        content = QWidget()
        content.setFixedWidth(520)  # the labels wrap inside it (a 1366x768 screen has room to spare)
        column = QVBoxLayout(content)
        column.addWidget(self.heading)
        column.addWidget(self.message)
        for widget in (self.password, unlock, self.someone_else):
            column.addWidget(widget, 0, Qt.AlignmentFlag.AlignHCenter)
        column.addWidget(self.other)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        row = QHBoxLayout()  # centred by stretches, not by alignment: the wrapped labels get their height
        row.addStretch(1)
        row.addWidget(content)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(2)
        self.show_actor()
        self.hide()

        self.idle = QTimer(self)
        self.idle.setSingleShot(True)
        self.idle.timeout.connect(self.lock)
        self.reload_setting()
        window.installEventFilter(self)
        QApplication.instance().installEventFilter(self)

    def show_actor(self) -> None:
        """Name the person signed in (again after someone else signed in)."""
        actor = self.clinic.actor
        self.enabled = not actor.is_system
        self.heading.setText(f"pmsdesk is locked \u2013 {actor.display_name} is signed in")
        self.password.setPlaceholderText(f"Password of {actor.name}")

    @property
    def locked(self) -> bool:
        return not self.isHidden()

    def reload_setting(self) -> None:
        minutes = LOCK_AFTER_MINUTES.parse(self.clinic.setting(LOCK_AFTER_MINUTES.key))
        self.idle.setInterval(minutes * 60_000)
        if self.enabled:
            self.idle.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window_ and event.type() == QEvent.Type.Resize:
            self.setGeometry(self.window_.rect())
        elif event.type() in ACTIVITY and self.enabled and not self.locked:
            self.idle.start()  # any use restarts the count
        return False

    def lock(self) -> None:
        if not self.enabled or self.locked:
            return
        window = self.window_
        window.centralWidget().hide()
        window.menuBar().hide()
        self._disabled_actions = [a for a in window.findChildren(QAction) if a.isEnabled()]
        for action in self._disabled_actions:  # no shortcut may act behind the lock
            action.setEnabled(False)
        self.setGeometry(window.rect())
        self.show()
        self.raise_()
        self.password.setFocus()

    def _refused(self, refusal: Exception) -> None:
        self.message.setText(str(refusal))
        self.message.setStyleSheet(ERROR_STYLE)
        self.password.clear()

    def unlock(self) -> None:
        with guarded(self, "unlocking the screen", on_refusal=self._refused) as unlocked:
            self.clinic.accounts().confirm_password(self.clinic.actor, self.password.text())
        if unlocked:
            self._reveal()

    def show_other_sign_in(self) -> None:
        self.other.show()
        self.someone_else.hide()
        self.other_username.setFocus()

    def sign_in_other(self) -> None:
        """Someone else signs in: the window is handed over to them (the first person's typing kept as
        their draft); signing in as the person already signed in simply unlocks."""
        with guarded(self, "signing in", on_refusal=self._refused) as signed_in:
            actor = self.clinic.accounts().sign_in(self.other_username.text(), self.other_password.text())
            handed_over = actor.user_id != self.clinic.actor.user_id
            if handed_over:
                self.hand_over(actor)
        self.other_password.clear()
        if not signed_in:
            self.other_password.setFocus()
            return
        self.other_username.clear()
        self.show_actor()
        self._reveal()
        if handed_over:
            self.switched.emit()

    def _reveal(self) -> None:
        self.password.clear()
        self.message.setText(self.UNLOCK_TEXT)
        self.message.setStyleSheet("")
        self.other.hide()
        self.someone_else.setVisible(self.hand_over is not None)
        self.hide()
        window = self.window_
        for action in self._disabled_actions:
            action.setEnabled(True)
        window.menuBar().show()
        window.centralWidget().show()
        self.idle.start()
