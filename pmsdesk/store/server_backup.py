"""Backups of a clinic on a PostgreSQL server, made with the server's own tools: ``pg_dump`` and
``pg_restore`` (the distribution's PostgreSQL client package, of the server's major version or newer).

A dump is taken from one snapshot that pmsdesk holds open: the audit trail's head is read in that
snapshot, so the checkpoint kept beside the dump (``<dump>.checkpoint``, read by ``pmsdesk audit
verify --checkpoint``) is exactly the trail the dump holds. The dump is written under a temporary
name, private to the user, synced, listed by ``pg_restore --list`` (a whole archive holding the
clinic's tables) and only then renamed.

A restore goes into an empty database (the owner's login makes the schema from the dump), in one
transaction, and is then checked as a SQLite restore is: the schema revision, the audit chain with
its seals, and the data against the trail. The clinic's live database is never overwritten: the
workstations are pointed at the restored database once it is checked.
"""

from __future__ import annotations

import datetime as dt
import glob
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from sqlalchemy import Engine, inspect, text
from sqlalchemy.engine import URL

from pmsdesk.files import write_atomically
from pmsdesk.store import audit, server

REQUIRED_TABLES = ("alembic_version", "audit_event", "audit_head", "patient", "visit")


class ServerBackupError(Exception):
    """A dump or restore that cannot be made or does not check; the message says why."""


def _tool(name: str) -> str:
    """The newest client tool of that name: on PATH, else the distribution's versioned folders."""
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(p.split("/")[4]), reverse=True)
    chosen = found[0] if found else shutil.which(name)
    if chosen is None:
        raise ServerBackupError(f"{name} is not installed; install the PostgreSQL client tools "
                                "(Debian/Ubuntu: sudo apt-get install postgresql-client)")
    return chosen


def _connection_arguments(url: URL) -> tuple[list[str], dict[str, str]]:
    """libpq's options for ``url`` and the environment carrying its password (never an argument)."""
    arguments = [f"--host={url.host or 'localhost'}", f"--dbname={url.database}"]
    if url.port:
        arguments.append(f"--port={url.port}")
    if url.username:
        arguments.append(f"--username={url.username}")
    environment = dict(os.environ)
    if url.password:
        environment["PGPASSWORD"] = str(url.password)
    for name, value in url.query.items():  # sslmode, sslrootcert...: libpq's own environment names
        environment[f"PG{name.upper()}"] = str(value)
    return arguments, environment


def _run(command: list[str], environment: dict[str, str]) -> str:
    result = subprocess.run(command, capture_output=True, text=True, env=environment)
    if result.returncode != 0:
        reason = (result.stderr.strip().splitlines() or ["no message"])[-1]
        raise ServerBackupError(f"{Path(command[0]).name} failed: {reason}")
    return result.stdout


def checkpoint_file(dump: Path) -> Path:
    return dump.with_name(dump.name + ".checkpoint")


def dump_clinic(engine: Engine, target: Path) -> str:
    """Write a checked dump of the clinic to ``target`` (which must not exist); returns its checkpoint."""
    arguments, environment = _connection_arguments(engine.url)
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".partial")
    os.close(handle)
    temporary = Path(name)
    try:
        with engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection, \
                connection.begin():  # held open while pg_dump reads the snapshot it exports
            snapshot = connection.exec_driver_sql("SELECT pg_export_snapshot()").scalar()
            checkpoint = audit.checkpoint(connection)  # the head as the dump will hold it
            _run([_tool("pg_dump"), *arguments, "--format=custom", f"--snapshot={snapshot}", "--no-owner",
                  "--no-privileges", f"--file={temporary}"], environment)
        listed = _run([_tool("pg_restore"), "--list", str(temporary)], environment)
        missing = [table for table in REQUIRED_TABLES if f"TABLE DATA public {table} " not in listed]
        if missing:
            raise ServerBackupError(f"the dump lacks the data of {', '.join(missing)}; it was not kept")
        os.chmod(temporary, 0o600)
        with temporary.open("rb") as stream:
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    write_atomically(checkpoint_file(target), json.dumps(
        {"audit_checkpoint": checkpoint, "dumped_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
         "format": "pg_dump custom", "dump": target.name}).encode())
    return checkpoint


def restore_clinic(engine: Engine, dump: Path) -> str:
    """Restore ``dump`` into the empty database of ``engine`` and check it; returns its checkpoint."""
    if inspect(engine).get_table_names():
        raise ServerBackupError(f"{engine.url.render_as_string(hide_password=True)} is not empty; restore into a new, "
                                "empty database (the clinic's own stays as it is until workstations move)")
    arguments, environment = _connection_arguments(engine.url)
    _run([_tool("pg_restore"), *arguments, "--single-transaction", "--exit-on-error", "--no-owner",
          "--no-privileges", str(dump)], environment)
    from pmsdesk.store.database import head_revision, known_revisions, upgrade_schema

    with engine.begin() as connection:
        revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        if revision not in known_revisions():
            raise ServerBackupError(f"the dump is of schema {revision}, which this pmsdesk does not know")
        problem = audit.copy_problem(connection)
        if problem is not None:
            raise ServerBackupError(f"the restored clinic does not check: {problem}")
        server.grant_application_role(connection)
        checkpoint = audit.checkpoint(connection)
    if revision != head_revision():
        upgrade_schema(engine)
    return checkpoint
