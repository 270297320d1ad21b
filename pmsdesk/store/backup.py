"""Backups of a SQLite clinic database: automatic rotating copies, one-off copies, and restoring.

Copies are made with SQLite's online backup API (consistent while the app is writing, including
commits still in the write-ahead log) into a ``backups`` folder beside the database, readable by
this user only. Automatic copies are named ``<database>-<UTC time>.sqlite3``; each time one is made,
those older than the kept number of days are removed, though the newest is always kept.

A restore first checks the file (SQLite's integrity check, and that it is a pmsdesk database at a
schema revision this pmsdesk knows), refuses while the database is open in any pmsdesk process
(see :func:`pmsdesk.store.database.lock_in_use`),
keeps the current file aside as ``<name>.before-restore-<time>.sqlite3``, then puts the copy in place.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import sqlite3
from pathlib import Path

from pmsdesk.store.database import (
    DatabaseError,
    copy_sqlite_file,
    known_revisions,
    lock_in_use,
)

log = logging.getLogger(__name__)

BACKUP_FOLDER = "backups"
STAMP_FORMAT = "%Y%m%dT%H%M%SZ"
DAILY = dt.timedelta(days=1)


def backup_folder(database: Path) -> Path:
    folder = database.parent / BACKUP_FOLDER
    folder.mkdir(mode=0o700, exist_ok=True)
    os.chmod(folder, 0o700)  # also when it existed with looser rights
    return folder


def _stamp(path: Path, database: Path) -> dt.datetime | None:
    """When an automatic backup of ``database`` was made, from its name; None for other files."""
    prefix = database.stem + "-"
    if not (path.name.startswith(prefix) and path.suffix == database.suffix):
        return None
    try:
        return dt.datetime.strptime(path.stem[len(prefix):], STAMP_FORMAT).replace(tzinfo=dt.UTC)
    except ValueError:
        return None


def automatic_backups(database: Path) -> list[tuple[dt.datetime, Path]]:
    """The automatic backups of ``database``, oldest first."""
    folder = database.parent / BACKUP_FOLDER
    found = ((_stamp(path, database), path) for path in folder.iterdir()) if folder.is_dir() else ()
    return sorted((stamp, path) for stamp, path in found if stamp is not None)


def make_backup(database: Path, target: Path | None = None, *, now: dt.datetime | None = None) -> Path:
    """Copy ``database`` to ``target`` (default: a new automatic backup); returns the copy's path."""
    if target is None:
        moment = now or dt.datetime.now(dt.UTC)
        target = backup_folder(database) / f"{database.stem}-{moment.strftime(STAMP_FORMAT)}{database.suffix}"
    copy_sqlite_file(database, target)
    log.info("backup written")
    return target


def prune_backups(database: Path, keep_days: int, *, now: dt.datetime | None = None) -> list[Path]:
    """Remove automatic backups older than ``keep_days`` days, always keeping the newest one."""
    limit = (now or dt.datetime.now(dt.UTC)) - dt.timedelta(days=keep_days)
    removed = [path for stamp, path in automatic_backups(database)[:-1] if stamp < limit]
    for path in removed:
        path.unlink()
    return removed


def backup_if_due(database: Path, keep_days: int, *, now: dt.datetime | None = None,
                  every: dt.timedelta = DAILY) -> Path | None:
    """An automatic backup when the newest is ``every`` old or older (``every=0``: always), then pruning."""
    now = now or dt.datetime.now(dt.UTC)
    existing = automatic_backups(database)
    made = None
    if not existing or now - existing[-1][0] >= every:
        made = make_backup(database, now=now)
    prune_backups(database, keep_days, now=now)
    return made


# ----- checking a file, and restoring it -------------------------------------------------------
def check_backup_file(path: Path) -> str:
    """The schema revision of a sound pmsdesk database file, or DatabaseError saying what is wrong."""
    if not path.is_file():
        raise DatabaseError(f"{path} does not exist or is not a file")
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            findings = [row[0] for row in connection.execute("PRAGMA integrity_check")]
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            revisions = ([row[0] for row in connection.execute("SELECT version_num FROM alembic_version")]
                         if "alembic_version" in tables else [])
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        raise DatabaseError(f"{path} is not a readable SQLite database ({error})") from None
    if findings != ["ok"]:
        raise DatabaseError(f"{path} is damaged (SQLite's check found: {'; '.join(findings[:3])})")
    if len(revisions) != 1 or "patient" not in tables:
        raise DatabaseError(f"{path} is not a pmsdesk database")
    if revisions[0] not in known_revisions():
        raise DatabaseError(f"{path} was written by a newer pmsdesk (schema {revisions[0]}); "
                            "install that version to restore it")
    return revisions[0]


def restore_backup(database: Path, backup: Path, *, now: dt.datetime | None = None) -> Path:
    """Put ``backup`` in place of ``database`` after checking it; returns where the current file was kept."""
    check_backup_file(backup)
    stamp = (now or dt.datetime.now(dt.UTC)).strftime(STAMP_FORMAT)
    aside = database.with_name(f"{database.stem}.before-restore-{stamp}{database.suffix}")
    incoming = database.with_name(f".{database.name}.restoring")
    in_use = lock_in_use(database, exclusive=True)
    try:
        copy_sqlite_file(backup, incoming)
        if database.exists():
            # Renamed with its write-ahead log, so the kept file is exactly what was there, even if damaged.
            for suffix in ("", "-wal", "-shm"):
                current = Path(str(database) + suffix)
                if current.exists():
                    current.rename(Path(str(aside) + suffix))
        os.replace(incoming, database)
    finally:
        if in_use is not None:
            os.close(in_use)
    log.info("database restored from a backup")
    return aside
