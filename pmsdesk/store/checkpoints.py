"""Checkpoints: the audit chain's head recorded outside the database, and finding them again.

A checkpoint is an entry number and that entry's hash (``N:HASH``). The live chain must still hold
that entry with that hash: if it does not, the trail was rewritten, cut or wiped, whatever the
database itself says. They are kept where someone who changes the database file does not reach them
all: in each backup (its own copy of the head), on each report (PDF metadata and footer) and export
(manifest), in the clinic's key file (the first keyed entry), beside the key
(``<clinic id>.<place>.head``: the last head this workstation committed to the database at that
place, replaced at every commit, so a tail cut off later shows here), and in a witness file the
clinic chooses (``pmsdesk audit witness FILE``, ideally on another disk or computer), to which
every commit appends its head.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tempfile
import sqlite3
from pathlib import Path

from sqlalchemy import Connection

from pmsdesk.domain.audit import Checkpoint, format_checkpoint, parse_checkpoint
from pmsdesk.store.audit_key import CLINIC_SETTING, AuditKey


def head_file(key: AuditKey, database: str) -> Path:
    """Where this workstation keeps the last head it committed to the clinic's database at ``database``
    (one per place: a copy of the database written elsewhere has its own history from the copy on)."""
    place = hashlib.sha256(database.encode()).hexdigest()[:16]
    return key.path.with_name(f"{key.clinic_id}.{place}.head")


def _write(path: Path, text: str, flags: int) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | flags, 0o600)
    try:
        os.write(descriptor, text.encode())
    finally:
        os.close(descriptor)


def witness(key: AuditKey, database: str, last_id: int, last_hash: str) -> None:
    """Record a committed head beside the key (replacing the last one) and append it to the clinic's
    witness file, if it has one; both private to this user. Not synced: a line lost in a power cut
    only makes the checkpoint older, never wrong."""
    line = f"{format_checkpoint(last_id, last_hash)} {dt.datetime.now(dt.UTC).isoformat(timespec='microseconds')}\n"
    latest = head_file(key, database)
    # A name of its own per write: two sessions of one process (a server's workstations commit at once)
    # must not rename each other's file away.
    descriptor, temporary = tempfile.mkstemp(dir=latest.parent, prefix=f".{latest.name}.")  # 0600
    try:
        os.write(descriptor, line.encode())
    finally:
        os.close(descriptor)
    os.replace(temporary, latest)
    if key.witness:
        _write(Path(key.witness), line, os.O_APPEND)


def read_witness(path: Path, source: str | None = None) -> list[Checkpoint]:
    """The checkpoints of a witness file, one per line (``N:HASH TIME``); lines that are not are skipped."""
    found = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        text, _, made_at = line.partition(" ")
        try:
            checkpoint = parse_checkpoint(text, source or f"the witness file {path}")
        except ValueError:
            continue
        found.append(Checkpoint(checkpoint.entry_id, checkpoint.entry_hash, checkpoint.source, made_at.strip() or None))
    return found


def backup_head(path: Path) -> tuple[str | None, int, str] | None:
    """The clinic id and head of the audit chain in a backup file; None for a file that has none."""
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            last_id, last_hash = connection.execute("SELECT last_id, last_hash FROM audit_head WHERE id = 1").fetchone()
            named = connection.execute("SELECT value FROM setting WHERE key = ?", (CLINIC_SETTING,)).fetchone()
        finally:
            connection.close()
    except (sqlite3.Error, TypeError):
        return None
    return (named[0] if named else None), last_id, last_hash


def in_backups(database: Path, clinic_id: str | None) -> list[Checkpoint]:
    """The head of every automatic backup of ``database`` that belongs to the same clinic."""
    from pmsdesk.store.backup import automatic_backups

    found = []
    for stamp, path in automatic_backups(database):
        head = backup_head(path)
        if head is None or head[1] == 0 or (head[0] is not None and clinic_id is not None and head[0] != clinic_id):
            continue
        found.append(Checkpoint(head[1], head[2], f"the backup {path.name}", stamp.isoformat()))
    return found


def found_for(connection: Connection, key: AuditKey | None) -> list[Checkpoint]:
    """Every checkpoint this workstation can find for the database: its key file, the last head it
    committed, its witness file, its backups folder (SQLite)."""
    from pmsdesk.store.audit import clinic_id, location_of

    found = []
    if key is not None:
        found.append(key.checkpoint)
        latest = head_file(key, location_of(connection))
        if latest.is_file():
            found.extend(read_witness(latest, f"this workstation's last save ({latest})"))
        if key.witness and Path(key.witness).is_file():
            found.extend(read_witness(Path(key.witness)))
    url = connection.engine.url
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        found.extend(in_backups(Path(url.database), clinic_id(connection)))
    return found
