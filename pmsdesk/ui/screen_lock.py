"""The screen lock: after the clinic's idle time (a setting, default 10 minutes) the window's content
is hidden behind a lock until the signed-in person types their own password. Nothing is closed, so
what was typed stays exactly as it was."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from pmsdesk.domain.settings import LOCK_AFTER_MINUTES

from pmsdesk.services.clinic import Clinic
from pmsdesk.ui.forms import ERROR_STYLE
from pmsdesk.ui.operations import guarded

ACTIVITY = {QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove, QEvent.Type.Wheel}


class ScreenLock(QWidget):
    """Covers ``window`` when locked. Only a signed-in person can lock (a system actor has no password)."""

    def __init__(self, window: QMainWindow, clinic: Clinic):
        super().__init__(window)
        self.setObjectName("screen_lock")
        self.setAutoFillBackground(True)
        self.window_, self.clinic = window, clinic
        self._disabled_actions: list[QAction] = []
        actor = clinic.actor
        self.enabled = not actor.is_system
        heading = QLabel(f"pmsdesk is locked \u2013 {actor.display_name} is signed in")
        heading.setStyleSheet("font-size: 16pt; font-weight: bold;")
        self.password = QLineEdit()
        self.password.setObjectName("unlock_password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(f"Password of {actor.name}")
        self.password.setMaximumWidth(320)
        self.message = QLabel("Everything typed is still there. Type your password to continue.")
        self.message.setWordWrap(True)
        unlock = QPushButton("Unlock")
        unlock.setObjectName("unlock")
        unlock.clicked.connect(self.unlock)
        self.password.returnPressed.connect(self.unlock)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        for widget in (heading, self.message, self.password, unlock):
            layout.addWidget(widget, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)
        self.hide()

        self.idle = QTimer(self)
        self.idle.setSingleShot(True)
        self.idle.timeout.connect(self.lock)
        self.reload_setting()
        window.installEventFilter(self)
        QApplication.instance().installEventFilter(self)

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
        if not unlocked:
            return
        self.password.clear()
        self.message.setText("Everything typed is still there. Type your password to continue.")
        self.message.setStyleSheet("")
        self.hide()
        window = self.window_
        for action in self._disabled_actions:
            action.setEnabled(True)
        window.menuBar().show()
        window.centralWidget().show()
        self.idle.start()
