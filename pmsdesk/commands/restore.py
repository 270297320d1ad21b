"""``pmsdesk restore FILE``: replace the database with a backup, after checking the backup."""

from __future__ import annotations

import argparse
from pathlib import Path

HELP = ("replace the database with a backup file (checked first: integrity, schema, audit chain; the current "
        "file is kept aside first; a database that is lost is restored into its folder)")


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="the backup to restore (a pmsdesk SQLite file)")


def run(args: argparse.Namespace) -> int:
    from pmsdesk.cli import UsageError
    from pmsdesk.commands.backup import sqlite_file
    from pmsdesk.domain.audit import AuditKind
    from pmsdesk.commands import opened_database, sign_in_command
    from pmsdesk.store import audit
    from pmsdesk.store.backup import restore_backup
    from pmsdesk.store.database import Database, DatabaseError

    path = sqlite_file(args.database)
    backup = Path(args.file).expanduser().resolve()
    if path is None:
        return _restore_on_server(args, backup)
    # An administrator of the clinic signs in to its database; when that is lost, to the backup's.
    with opened_database(str(path) if path.exists() else str(backup)) as signing_in:
        actor = sign_in_command(signing_in, args)
    try:
        aside = restore_backup(path, backup)
        database = Database.open(str(path))
    except DatabaseError as error:
        raise UsageError(str(error)) from None
    try:
        with database.acting_as(actor).transaction() as session:
            audit.record_event(session, AuditKind.RESTORE,
                               details={"backup": backup.name, "previous_file_kept_as": aside and aside.name})
    finally:
        database.close()
    print(f"Restored {path} from {backup}.")
    if aside is not None:
        print(f"The database as it was before is kept as {aside}.")
    return 0


def _restore_on_server(args: argparse.Namespace, dump: Path) -> int:
    """A pg_dump archive restored into the empty database --database names, then checked. The person
    restoring signs in to the restored clinic (its own accounts), and the restore is audited there."""
    from pmsdesk.cli import UsageError
    from pmsdesk.commands import opened_database, sign_in_command
    from pmsdesk.domain.audit import AuditKind
    from pmsdesk.store import audit
    from pmsdesk.store.database import DatabaseError, make_engine, resolve_database_url
    from pmsdesk.store.server_backup import ServerBackupError, restore_clinic

    if not dump.is_file():
        raise UsageError(f"there is no backup at {dump}")
    engine = None
    try:
        engine = make_engine(resolve_database_url(args.database))
        checkpoint = restore_clinic(engine, dump)
    except (ServerBackupError, DatabaseError) as error:
        raise UsageError(f"not restored: {error}") from None
    finally:
        if engine is not None:
            engine.dispose()
    with opened_database(args.database) as database:
        actor = sign_in_command(database, args)
        with database.acting_as(actor).transaction() as session:
            audit.record_event(session, AuditKind.RESTORE, details={"backup": dump.name, "checkpoint": checkpoint})
    print(f"Restored {dump} into {database.location}, checked (schema, audit chain at {checkpoint.split(':')[0]}, "
          "data). Point the workstations at this database.")
    return 0
