"""Subcommands of the ``pmsdesk`` command line.

Each module here defines ``HELP`` (one line), ``register(parser)`` to add its own arguments and
``run(args) -> int``. ``pmsdesk.cli`` adds ``--database URL`` to every subcommand and imports a
module only when its subcommand is used, so ``pmsdesk --help`` stays fast.
"""

from contextlib import contextmanager

# name -> module, in the order ``pmsdesk --help`` lists them.
COMMANDS: dict[str, str] = {
    "demo": "pmsdesk.commands.demo",
    "progression": "pmsdesk.commands.progression",
    "report": "pmsdesk.commands.report",
    "import": "pmsdesk.commands.import_",
    "export": "pmsdesk.commands.export",
    "backup": "pmsdesk.commands.backup",
    "restore": "pmsdesk.commands.restore",
    "audit": "pmsdesk.commands.audit",
}


@contextmanager
def opened_database(location: str | None, *, create: bool = False):
    """The database a command works on, closed afterwards; one that cannot be opened, or does not exist
    (only ``create=True``, for ``demo``, makes one), is a one-line usage error. (Imports happen here,
    not at module level, so ``pmsdesk --help`` stays fast.)"""
    from pmsdesk.cli import UsageError
    from pmsdesk.store.database import Database, DatabaseError

    try:
        database = Database.open(location, create=create)
    except DatabaseError as error:
        raise UsageError(str(error)) from None
    try:
        yield database
    finally:
        database.close()


def refuse_output_over_open_files(output, location: str | None) -> None:
    """A one-line usage error when a command's output file would replace the database (given by
    ``--database`` as ``location``), a backup or the audit key: see the store's rule of that name."""
    from pmsdesk.cli import UsageError
    from pmsdesk.store import database

    try:
        database.refuse_output_over_open_files(output, database.resolve_database_url(location))
    except database.DatabaseError as error:
        raise UsageError(str(error)) from None
