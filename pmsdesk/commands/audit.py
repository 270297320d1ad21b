"""``pmsdesk audit verify``: check the audit trail's hash chain from its first entry to its head."""

from __future__ import annotations

import argparse

from pmsdesk.commands import opened_database

HELP = "check the audit trail: every entry unchanged, none removed or inserted (exit 1 if not)"


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=("verify",), help="verify: check the whole hash chain")


def run(args: argparse.Namespace) -> int:
    from pmsdesk.store import audit

    with opened_database(args.database) as database:
        with database.engine.connect() as connection:
            report = audit.verify(connection)
    print(report.describe())
    return 0 if report.intact else 1
