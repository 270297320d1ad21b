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
def opened_database(location: str | None):
    """The database a command works on, closed afterwards; one that cannot be opened is a one-line
    usage error. (Imports happen here, not at module level, so ``pmsdesk --help`` stays fast.)"""
    from pmsdesk.cli import UsageError
    from pmsdesk.store.database import Database, DatabaseError

    try:
        database = Database.open(location)
    except DatabaseError as error:
        raise UsageError(str(error)) from None
    try:
        yield database
    finally:
        database.close()
