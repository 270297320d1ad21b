"""``pmsdesk migrate --from SOURCE --to TARGET``: move a clinic into an empty database (a single
workstation's SQLite file onto the clinic's PostgreSQL server), checked before it is kept."""

from __future__ import annotations

import argparse

from pmsdesk.commands import opened_database, sign_in_command

HELP = ("move the clinic into an empty database, e.g. from a SQLite file to the clinic's PostgreSQL server: every "
        "row and the audit trail copied, compared table by table and verified before the copy is kept")


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--from", dest="database", metavar="SOURCE",
                        help="the clinic to move (a SQLite file or URL; the same as --database)")
    parser.add_argument("--to", dest="target", metavar="TARGET", required=True,
                        help="an empty database to move it into (on a server: the owner's login, which makes the "
                             "schema); a target that holds a clinic's rows is refused")


def run(args: argparse.Namespace) -> int:
    from pmsdesk.cli import UsageError
    from pmsdesk.store import audit
    from pmsdesk.store.database import resolve_database_url
    from pmsdesk.store.transfer import TransferRefused, copy_clinic

    def verified(connection) -> None:
        problem = audit.copy_problem(connection)
        if problem is not None:
            raise TransferRefused(f"the copy does not check, so nothing was kept: {problem}")

    if resolve_database_url(args.target) == resolve_database_url(args.database):
        raise UsageError("--to names the clinic's own database; give an empty database to move it into")
    with opened_database(args.database) as source:
        sign_in_command(source, args)  # before the copy: the sign-in is in the trail that moves
        with opened_database(args.target, create=True) as target:
            try:
                copied = copy_clinic(source.engine, target.engine, check=verified)
            except TransferRefused as refused:
                raise UsageError(str(refused)) from None
            where = target.location
    print(f"Clinic moved to {where}: {sum(copied.values())} rows in {len(copied)} tables, identical to the "
          "source, audit trail verified. The source is unchanged; point every workstation at the new database.")
    return 0
