"""The app's background care of its SQLite file once the window is up: SQLite's quick check of the
file, then an automatic backup; after that, a backup whenever the newest is a day old.

Both run on a thread of their own, never on the GUI thread or the worker that writes drafts (a copy
and its check read the whole file: seconds for a large clinic), so the window is usable at once and a
draft is never kept waiting. The quick check is the one opening skipped for a file as pmsdesk left it
(see :mod:`pmsdesk.store.database`); a damaged file is said so in a message, every write is refused
from then on, and no backup is made of it (the older, sound ones stay). A failed backup is shown in
the status bar, never fatal. A database server is backed up and checked on the server.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
import threading

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QMainWindow, QMessageBox

from pmsdesk.services.backups import DAILY, DatabaseError, automatic_backup, database_file, file_damage
from pmsdesk.services.clinic import Clinic

log = logging.getLogger(__name__)
CHECK_EVERY_MS = 60 * 60 * 1000  # hourly: a clinic computer left on overnight still gets its daily copy
DAMAGED_TITLE = "The database file is damaged"


class AutomaticBackups(QObject):
    """The quick check and the backups of one window's clinic; results reach the window queued."""

    damaged = Signal(str)
    backup_failed = Signal(str)
    finished = Signal()  # one round (check, backup if due) ended, whatever its outcome

    def __init__(self, window: QMainWindow, clinic: Clinic):
        super().__init__(window)
        self.window, self.clinic = window, clinic
        self.damage_message: QMessageBox | None = None
        self._running = False  # set on the GUI thread, cleared by the round's thread as it ends
        self.damaged.connect(self._show_damage, Qt.ConnectionType.QueuedConnection)
        self.backup_failed.connect(self._show_backup_failure, Qt.ConnectionType.QueuedConnection)
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_EVERY_MS)
        self.timer.timeout.connect(lambda: self.start_round(DAILY))
        self.timer.start()

    def start_round(self, every: dt.timedelta) -> None:
        """Check the file (once per session) and back it up when the newest backup is ``every`` old,
        on a thread of its own; nothing when the previous round is still running."""
        if self._running:
            return
        self._running = True
        # daemon: quitting the app does not wait for a copy (a killed copy leaves no file that counts)
        threading.Thread(target=self._run_round, args=(every,), name="pmsdesk-backup", daemon=True).start()

    def _run_round(self, every: dt.timedelta) -> None:
        try:
            damage = file_damage(self.clinic)
            if damage is not None:
                self.damaged.emit(damage)
                return
            automatic_backup(self.clinic, every=every)
        except (OSError, sqlite3.Error, DatabaseError) as error:
            log.warning("automatic backup failed: %s", error)
            self.backup_failed.emit(str(error))
        finally:
            self._running = False
            self.finished.emit()

    @Slot(str)
    def _show_damage(self, message: str) -> None:
        log.error("the database file failed its quick check")
        self.window.statusBar().showMessage("The database file is damaged: nothing more is saved. "
                                            "Restore the newest backup.")
        self.damage_message = QMessageBox(QMessageBox.Icon.Critical, DAMAGED_TITLE, message[:1].upper() + message[1:],
                                          QMessageBox.StandardButton.Ok, self.window)
        self.damage_message.open()

    @Slot(str)
    def _show_backup_failure(self, reason: str) -> None:
        self.window.statusBar().showMessage(f"The automatic backup failed: {reason}. Run `pmsdesk backup`.")


def start_automatic_backups(window: QMainWindow, clinic: Clinic) -> AutomaticBackups | None:
    """Check and back up the clinic's SQLite file as soon as the event loop runs (the window is shown
    first), then hourly see whether the daily backup is due; None for a database server."""
    if database_file(clinic) is None:
        return None
    backups = AutomaticBackups(window, clinic)
    QTimer.singleShot(0, backups, lambda: backups.start_round(dt.timedelta(0)))
    return backups
