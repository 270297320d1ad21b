"""Subcommands of the ``pmsdesk`` command line.

Each module here defines ``HELP`` (one line), ``register(parser)`` to add its own arguments and
``run(args) -> int``. ``pmsdesk.cli`` adds ``--database URL`` to every subcommand, ``--user`` and
``--password-file`` to those in :data:`SIGNED_IN_COMMANDS`, and imports a module only when its
subcommand is used, so ``pmsdesk --help`` stays fast.
"""

import os
import sys
from contextlib import contextmanager

from pmsdesk.domain.permissions import Action

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
    "upgrade": "pmsdesk.commands.upgrade",
    "migrate": "pmsdesk.commands.migrate",
}


# The commands that read or change patient data run as a signed-in user who may do this (roles:
# pmsdesk.domain.permissions). Only ``demo`` (which fills an empty database), ``upgrade`` (the schema,
# not the records; on a server, the owner's login is its authority) and ``--self-test`` run without.
SIGNED_IN_COMMANDS: dict[str, Action] = {
    "progression": Action.REPORT,
    "report": Action.REPORT,
    "import": Action.RECORD,
    "export": Action.EXPORT,
    "backup": Action.BACKUP_RESTORE,
    "restore": Action.BACKUP_RESTORE,
    "audit": Action.READ_AUDIT_TRAIL,
    "migrate": Action.BACKUP_RESTORE,
}
PASSWORD_VARIABLE = "PMSDESK_PASSWORD"


def _password(args) -> str:
    """The password from ``--password-file`` (first line; the file must be private to the user), else
    $PMSDESK_PASSWORD, else typed on the terminal; never from the command line itself."""
    from pmsdesk.cli import UsageError

    path = getattr(args, "password_file", None)
    if path:
        try:
            if os.name == "posix" and os.stat(path).st_mode & 0o077:
                raise UsageError(f"{path} can be read by other users; make it private first (chmod 600 {path})")
            with open(path, encoding="utf-8") as stream:
                return stream.readline().rstrip("\r\n")
        except OSError as error:
            raise UsageError(f"cannot read the password file {path}: {error.strerror or error}") from None
    if os.environ.get(PASSWORD_VARIABLE):
        return os.environ[PASSWORD_VARIABLE]
    if sys.stdin.isatty():
        import getpass

        return getpass.getpass(f"Password for {args.user}: ")
    raise UsageError(f"no password for {args.user}: type it on a terminal, or give it in ${PASSWORD_VARIABLE} "
                     "or in a private file with --password-file FILE")


def credentials(args) -> tuple[str, str] | None:
    """``(user name, password)`` when ``--user`` was given, else None."""
    user = getattr(args, "user", None)
    return (user, _password(args)) if user else None


def sign_in_command(database, args, *, recorded: bool = True):
    """The person running the command ``args.command``, signed in to ``database`` with ``--user`` and
    their password, who may do what :data:`SIGNED_IN_COMMANDS` says that command needs; otherwise a
    one-line usage error (a wrong password counts towards the lockout). ``recorded=False``: the
    sign-in is not written to the audit trail (``audit verify``, which writes nothing)."""
    from pmsdesk.cli import UsageError
    from pmsdesk.domain.permissions import PermissionDenied
    from pmsdesk.services.accounts import Accounts, SignInRefused

    action = SIGNED_IN_COMMANDS[args.command]
    given = credentials(args)
    if given is None:
        raise UsageError(f"sign in first: give --user NAME (the password is then typed, or read from "
                         f"${PASSWORD_VARIABLE} or --password-file FILE). {action.value}")
    try:
        actor = Accounts(database).sign_in(*given, recorded=recorded)
    except SignInRefused as refused:
        raise UsageError(f"sign-in refused: {refused}") from None
    if not actor.may(action):
        raise UsageError(str(PermissionDenied(actor, action)))
    return actor


def _server_password(server: str) -> str:
    import getpass

    return getpass.getpass(f"Database password for {server}: ")


@contextmanager
def opened_database(location: str | None, *, create: bool = False):
    """The database a command works on, closed afterwards; one that cannot be opened, or does not exist
    (only ``create=True``, for ``demo``, makes one), is a one-line usage error. (Imports happen here,
    not at module level, so ``pmsdesk --help`` stays fast.)"""
    from pmsdesk.cli import UsageError
    from pmsdesk.store.database import Database, DatabaseError

    try:
        database = Database.open(location, create=create, ask_password=_server_password if sys.stdin.isatty() else None)
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
