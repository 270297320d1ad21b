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
