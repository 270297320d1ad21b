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
    from pmsdesk.domain.permissions import Actor
    from pmsdesk.store import audit
    from pmsdesk.store.backup import restore_backup
    from pmsdesk.store.database import Database, DatabaseError

    path = sqlite_file(args.database)
    backup = Path(args.file).expanduser().resolve()
    try:
        aside = restore_backup(path, backup)
        database = Database.open(str(path))
    except DatabaseError as error:
        raise UsageError(str(error)) from None
    try:
        with database.acting_as(Actor.system("restore")).transaction() as session:
            audit.record_event(session, AuditKind.RESTORE,
                               details={"backup": backup.name, "previous_file_kept_as": aside and aside.name})
    finally:
        database.close()
    print(f"Restored {path} from {backup}.")
    if aside is not None:
        print(f"The database as it was before is kept as {aside}.")
    return 0
