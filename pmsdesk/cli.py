"""The ``pmsdesk`` command: no subcommand opens the app; subcommands do the rest."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from pmsdesk import __version__
from pmsdesk.commands import COMMANDS, PASSWORD_VARIABLE, SIGNED_IN_COMMANDS
from pmsdesk.logs import configure_logging
from pmsdesk.ui.languages import LANGUAGES  # the codes only: no Qt is loaded


class UsageError(Exception):
    """Bad input on the command line: printed as one line, exit status 2."""


def _one_line_failures() -> tuple[type[BaseException], ...]:
    """What a command may end with as one line and exit status 1 rather than a traceback."""
    from sqlalchemy.exc import OperationalError  # e.g. the database is locked by another workstation

    from pmsdesk.domain.refusals import Refusal
    from pmsdesk.store.database import DatabaseError

    return Refusal, DatabaseError, OSError, OperationalError


def _database_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database",
        metavar="URL",
        help="SQLAlchemy database URL or path of a SQLite file "
        "(default: $PMSDESK_DATABASE_URL, else pmsdesk.sqlite3 in the user data folder)",
    )


def _sign_in_options(parser: argparse.ArgumentParser, *, default=None) -> None:
    """``--user`` and ``--password-file``: the password itself is never an argument (other users of the
    machine can read a command line)."""
    parser.add_argument("--user", metavar="NAME", default=default,
                        help="sign in as this user; the password is typed on the terminal, or read from "
                        f"${PASSWORD_VARIABLE} or --password-file")
    parser.add_argument("--password-file", metavar="FILE", default=default,
                        help="read the password from the first line of FILE (readable by you only)")
    parser.add_argument("--password", nargs="?", action=_RefusedPassword, help=argparse.SUPPRESS)


class _RefusedPassword(argparse.Action):
    """``--password``: refused without echoing it (argparse would otherwise take it for --password-file)."""

    def __call__(self, parser, namespace, values, option_string=None):
        parser.error(f"a password is never given on the command line (others can read it there): use "
                     f"${PASSWORD_VARIABLE}, --password-file FILE or type it when asked")


class _OneLineErrorParser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse prints usage + message; we keep it to one line
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _OneLineErrorParser(
        prog="pmsdesk",
        description="Record, review and report intrathecal treatment visits in progressive MS. "
        "Without a subcommand, opens the app.",
    )
    parser.add_argument("--version", action="version", version=f"pmsdesk {__version__}")
    _database_option(parser)
    parser.add_argument(
        "--demo",
        action="store_true",
        help="open the demo clinic: its own SQLite file (demo.sqlite3 in the user data folder unless "
        "--database is given), filled with fictional patients when it is empty",
    )
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check that this installation works (a temporary database, on the --database server if one is given; "
        "no window, nothing of yours touched) "
        "and exit: 0 when every check passed",
    )
    parser.add_argument(
        "--language",
        choices=tuple(LANGUAGES),
        help="the app's language (remembered on this computer; default: the remembered one, else the "
        "system's when pmsdesk has it, else English); the command line stays English",
    )
    # For start-up measurements (pmsdesk/startup_timing.py, packaging/README.md): not for clinics.
    parser.add_argument("--exit-after-first-window", action="store_true", help=argparse.SUPPRESS)
    _sign_in_options(parser)  # the app: signed in at once, without the sign-in window
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_OneLineErrorParser)
    for name, module_name in COMMANDS.items():
        module = importlib.import_module(module_name)
        sub = subparsers.add_parser(name, help=module.HELP, description=module.HELP)
        _database_option(sub)
        if name in SIGNED_IN_COMMANDS:  # SUPPRESS: given before the subcommand, the value is kept
            _sign_in_options(sub, default=argparse.SUPPRESS)
        module.register(sub)
        sub.set_defaults(run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        configure_logging()  # a log that cannot be written goes to stderr instead: never a failure
        if args.self_test:
            from pmsdesk.selftest import run_self_test

            return run_self_test(database=args.database)
        if args.command is None:
            if args.exit_after_first_window:
                from pmsdesk.startup_timing import exit_after_first_window

                exit_after_first_window()
            from pmsdesk.ui.app import run_app

            from pmsdesk.commands import credentials

            code = run_app(args.database, demo=args.demo, signed_in_as=credentials(args),
                           language=args.language)
            if args.exit_after_first_window:
                os._exit(code)  # the database is closed; the interpreter's own shutdown is no part of starting
            return code
        return args.run(args)
    except UsageError as error:
        print(f"pmsdesk {args.command or ''}: error: {error}".replace("  ", " "), file=sys.stderr)
        return 2
    except _one_line_failures() as error:  # the project's own refusals and a file that cannot be written
        print(f"pmsdesk {args.command or ''}: error: {_one_line(error)}".replace("  ", " "), file=sys.stderr)
        return 1


def _one_line(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror:
        return f"{error.filename}: {error.strerror}" if error.filename else error.strerror
    error = getattr(error, "orig", None) or error  # SQLAlchemy's wrapper adds a "Background" paragraph
    return " ".join(str(error).split()) or type(error).__name__


if __name__ == "__main__":
    raise SystemExit(main())
