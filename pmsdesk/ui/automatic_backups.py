"""Automatic backups while the app runs: one at start, then one whenever the newest is a day old."""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QMainWindow

from pmsdesk.services.backups import DAILY, automatic_backup, database_file
from pmsdesk.services.clinic import Clinic

log = logging.getLogger(__name__)
CHECK_EVERY_MS = 60 * 60 * 1000  # hourly: a clinic computer left on overnight still gets its daily copy


def start_automatic_backups(window: QMainWindow, clinic: Clinic) -> QTimer | None:
    """Back up now and keep backing up daily, pruned to the clinic's setting. SQLite files only: a
    database server is backed up on the server. A failure is shown in the status bar, never fatal."""
    if database_file(clinic) is None:
        return None

    def back_up(every: dt.timedelta) -> None:
        try:
            automatic_backup(clinic, every=every)
        except (OSError, sqlite3.Error) as error:
            log.warning("automatic backup failed: %s", error)
            window.statusBar().showMessage(f"The automatic backup failed: {error}. Run `pmsdesk backup`.")

    back_up(dt.timedelta(0))
    timer = QTimer(window)
    timer.setInterval(CHECK_EVERY_MS)
    timer.timeout.connect(lambda: back_up(DAILY))
    timer.start()
    return timer
