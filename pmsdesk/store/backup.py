"""Backups of a SQLite clinic database: automatic rotating copies, one-off copies, and restoring.

Copies are made with SQLite's online backup API (consistent while the app is writing, including
commits still in the write-ahead log) into a ``backups`` folder beside the database, readable by
this user only. A copy is written under a temporary name, synced, checked (integrity, schema, audit
chain) and only then renamed, so a file under a backup's name is always a whole, checked copy.
Automatic copies are named ``<database>-<UTC time>.sqlite3``; each time one is made, those older
than the kept number of days are removed, though the newest sound one is always kept. A backup file
found sound is not checked again by the same process while it is unchanged (checking one means
reading all of it and its audit chain; the app asks hourly whether a backup is due).

A restore first checks the file (SQLite's integrity check, that it is a pmsdesk database at a
schema revision this pmsdesk knows, and its audit chain), refuses while the database is open in any
pmsdesk process (see :func:`pmsdesk.store.database.lock_in_use`), keeps the current file aside as
``<name>.before-restore-<time>.sqlite3``, then puts a checked copy in place with one atomic rename.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, exc

from pmsdesk.store import audit
from pmsdesk.store.database import (
    BACKUP_FOLDER,
    DatabaseError,
    copy_sqlite_file,
    known_revisions,
    lock_in_use,
)

log = logging.getLogger(__name__)

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
    """Copy ``database`` to ``target`` (default: a new automatic backup); returns the copy's path.
    The copy counts only once it is complete, on disk and checked (see :func:`write_checked_copy`)."""
    if target is None:
        moment = now or dt.datetime.now(dt.UTC)
        target = backup_folder(database) / f"{database.stem}-{moment.strftime(STAMP_FORMAT)}{database.suffix}"
    write_checked_copy(database, target)
    log.info("backup written")
    return target


def write_checked_copy(source: Path, target: Path) -> None:
    """Copy the live ``source`` to a temporary name beside ``target``, sync it, check it (SQLite's
    integrity check, schema, audit chain: :func:`check_backup_file`) and only then rename it to
    ``target``. A copy interrupted or killed at any point leaves no file under the target's name
    (a dot-named ``.partial`` at most, removed by the next copy an hour later)."""
    _remove_stale_partials(target.parent)
    with _checked_copy(source, target) as temporary:
        os.replace(temporary, target)
    _sync(target.parent)
    _found_sound[target] = _identity(target)


@contextmanager
def _checked_copy(source: Path, target: Path) -> Iterator[Path]:
    """A copy of ``source`` under a temporary dot-named name beside ``target``, synced and checked
    (:func:`check_backup_file`); removed after the block unless the block renamed it."""
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=PARTIAL)
    os.close(handle)
    temporary = Path(name)
    try:
        copy_sqlite_file(source, temporary)
        _sync(temporary)
        check_backup_file(temporary)
        yield temporary
    finally:
        temporary.unlink(missing_ok=True)


PARTIAL = ".partial"
STALE_PARTIAL = dt.timedelta(hours=1)  # far longer than any copy takes; younger ones may still be written


def _remove_stale_partials(folder: Path) -> None:
    """Temporary copies left by a copy that was killed, with their rollback journals (a younger one may
    belong to a copy under way)."""
    limit = (dt.datetime.now() - STALE_PARTIAL).timestamp()
    for path in [*folder.glob(f".*{PARTIAL}"), *folder.glob(f".*{PARTIAL}-journal")]:
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
        except FileNotFoundError:  # removed by another copy meanwhile
            pass


def _sync(path: Path) -> None:
    """Flush a file (or a folder's entries, after a rename) to the disk."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


_found_sound: dict[Path, tuple[int, int, int, int]] = {}  # backup file -> its identity when found sound


def _identity(path: Path) -> tuple[int, int, int, int]:
    found = path.stat()
    return found.st_ino, found.st_size, found.st_mtime_ns, found.st_ctime_ns


def _is_sound_backup(path: Path) -> bool:
    """Whether ``path`` passes :func:`check_backup_file`; remembered while the file is unchanged."""
    try:
        if _found_sound.get(path) == _identity(path):
            return True
        check_backup_file(path)
        _found_sound[path] = _identity(path)
    except (DatabaseError, OSError):
        log.warning("backup %s fails its check and does not count", path.name)
        return False
    return True


def newest_sound_backup(database: Path) -> tuple[dt.datetime, Path] | None:
    """The newest automatic backup that passes :func:`check_backup_file` (a damaged or empty file,
    however new, does not count); None when there is none."""
    for stamp, path in reversed(automatic_backups(database)):
        if _is_sound_backup(path):
            return stamp, path
    return None


def prune_backups(database: Path, keep_days: int, *, now: dt.datetime | None = None) -> list[Path]:
    """Remove automatic backups older than ``keep_days`` days, always keeping the newest sound one:
    nothing is removed while no backup passes its check, and a failing newer file never makes an
    older sound one go."""
    newest = newest_sound_backup(database)
    if newest is None:
        return []
    limit = (now or dt.datetime.now(dt.UTC)) - dt.timedelta(days=keep_days)
    removed = [path for stamp, path in automatic_backups(database) if stamp < min(limit, newest[0])]
    for path in removed:
        path.unlink()
    return removed


def backup_if_due(database: Path, keep_days: int, *, now: dt.datetime | None = None,
                  every: dt.timedelta = DAILY) -> Path | None:
    """An automatic backup when the newest sound one is ``every`` old or older (``every=0``: always),
    then pruning."""
    now = now or dt.datetime.now(dt.UTC)
    newest = newest_sound_backup(database) if every > dt.timedelta(0) else None
    made = None
    if newest is None or now - newest[0] >= every:
        made = make_backup(database, now=now)
    prune_backups(database, keep_days, now=now)
    return made


# ----- checking a file, and restoring it -------------------------------------------------------
def check_backup_file(path: Path) -> str:
    """The schema revision of a sound pmsdesk database file, or DatabaseError saying what is wrong:
    SQLite's integrity check, a schema this pmsdesk knows, and an intact audit chain."""
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
    _check_chain(path)
    return revisions[0]


def _check_chain(path: Path) -> None:
    engine = create_engine(f"sqlite+pysqlite:///{path.resolve().as_uri()}?mode=ro&uri=true")
    try:
        with engine.connect() as connection:
            report = audit.verify(connection)
    except exc.SQLAlchemyError as error:
        raise DatabaseError(f"{path}: its audit trail cannot be read ({getattr(error, 'orig', error)})") from None
    finally:
        engine.dispose()
    if not report.intact:
        raise DatabaseError(f"{path}: its audit trail is not intact ({report.describe()}); it is not restored "
                            "and does not count as a backup")


def restore_backup(database: Path, backup: Path, *, now: dt.datetime | None = None) -> Path | None:
    """Put ``backup`` in place of ``database`` after checking it; returns where the current file was
    kept (None when there was none).

    There is never a moment without a whole database at ``database``: the backup is copied to a
    temporary file beside it, synced and checked; the current database is copied aside (a checked
    copy, or the raw file with its log when it is too damaged to check), its write-ahead log folded
    into the file; then one atomic rename puts the copy in place."""
    check_backup_file(backup)
    if not database.parent.is_dir():
        raise DatabaseError(f"the folder {database.parent} does not exist")
    stamp = (now or dt.datetime.now(dt.UTC)).strftime(STAMP_FORMAT)
    aside = database.with_name(f"{database.stem}.before-restore-{stamp}{database.suffix}")
    in_use = lock_in_use(database, exclusive=True)
    try:
        with _checked_copy(backup, database) as incoming:
            kept = _keep_current(database, aside)
            os.replace(incoming, database)
        _sync(database.parent)
    finally:
        if in_use is not None:
            os.close(in_use)
    log.info("database restored from a backup")
    return kept


def _keep_current(database: Path, aside: Path) -> Path | None:
    """Keep the current database as ``aside`` (synced), then fold its write-ahead log into the file
    and remove the log, so the file about to be replaced is whole and no stale log outlives it."""
    if not database.exists():
        return None
    try:
        write_checked_copy(database, aside)
    except DatabaseError:  # damaged or its trail broken: kept exactly as it is, log and all
        for suffix in ("", "-wal"):
            current = Path(str(database) + suffix)
            if current.exists():
                shutil.copy2(current, Path(str(aside) + suffix))
                os.chmod(Path(str(aside) + suffix), 0o600)
                _sync(Path(str(aside) + suffix))
    try:
        connection = sqlite3.connect(database)
        try:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            connection.close()
    except sqlite3.DatabaseError:
        pass  # too damaged to fold in: the raw copy above holds its log
    for suffix in ("-wal", "-shm"):
        Path(str(database) + suffix).unlink(missing_ok=True)
    return aside
