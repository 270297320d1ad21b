"""``pmsdesk upgrade``: make the clinic's schema in an empty database, or bring an older one up to date."""

from __future__ import annotations

import argparse

from pmsdesk.commands import opened_database

HELP = ("create the clinic's tables in an empty database, or upgrade an older schema (on a clinic server: run it "
        "with the database owner's login; workstations then connect as members of pmsdesk_application)")


def register(parser: argparse.ArgumentParser) -> None:
    """No options: the database is the one --database names."""


def run(args: argparse.Namespace) -> int:
    # No pmsdesk sign-in: this changes the schema, not the records, and on a server only the database
    # owner's own login may do it (pmsdesk.store.server); on a SQLite file, opening the app does the same.
    from pmsdesk.store import server
    from pmsdesk.store.database import head_revision

    with opened_database(args.database, create=True) as database:
        with database.engine.connect() as connection:
            granted = server.is_server(connection) and server.has_application_role(connection)
        print(f"{database.location}: schema {head_revision()}, up to date")
        if granted:
            print(f"The {server.APPLICATION_ROLE} role may read and write the clinic's rows and append to its "
                  "audit trail, nothing more.")
    return 0
