"""Automatic backups as the app asks for them: the store's backup functions on the clinic's own file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pmsdesk.domain.settings import BACKUP_KEEP_DAYS
from pmsdesk.services.clinic import Clinic
from pmsdesk.store.backup import DAILY, backup_if_due
from pmsdesk.store.database import DatabaseError, sqlite_path

__all__ = ["DAILY", "DatabaseError", "automatic_backup", "database_file", "file_damage"]


def database_file(clinic: Clinic) -> Path | None:
    """The clinic's SQLite file; None for a database server (backed up on the server) or in-memory SQLite."""
    return sqlite_path(clinic.db.engine.url)


def automatic_backup(clinic: Clinic, *, every: dt.timedelta = DAILY) -> Path | None:
    """A backup into ``backups/`` beside the file when the newest is ``every`` old (0: now), pruned to
    the clinic's setting; the copy made, or None (none due, or not a SQLite file). Raises OSError or
    sqlite3.Error when the copy fails."""
    path = database_file(clinic)
    if path is None:
        return None
    return backup_if_due(path, BACKUP_KEEP_DAYS.parse(clinic.setting(BACKUP_KEEP_DAYS.key)), every=every)


def file_damage(clinic: Clinic) -> str | None:
    """SQLite's quick check of the clinic's file, once per session (see
    :meth:`pmsdesk.store.database.Database.verify_integrity`): None when sound, else the message every
    write is refused with from now on."""
    return clinic.db.verify_integrity()
