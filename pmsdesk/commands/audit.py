"""``pmsdesk audit verify``: check the audit trail's hash chain from its first entry to its head."""

from __future__ import annotations

import argparse

HELP = "check the audit trail: every entry unchanged, none removed or inserted (exit 1 if not)"


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=("verify",), help="verify: check the whole hash chain")


def run(args: argparse.Namespace) -> int:
    from pmsdesk.cli import UsageError
    from pmsdesk.store import audit
    from pmsdesk.store.database import Database, DatabaseError

    try:
        database = Database.open(args.database)
    except DatabaseError as error:
        raise UsageError(str(error)) from None
    try:
        with database.engine.connect() as connection:
            report = audit.verify(connection)
    finally:
        database.close()
    print(report.describe())
    return 0 if report.intact else 1
