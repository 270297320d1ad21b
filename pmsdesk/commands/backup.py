"""``pmsdesk backup [-o FILE]``: a consistent copy of the clinic's SQLite database, taken while it is in use."""

from __future__ import annotations

import argparse
from pathlib import Path

from pmsdesk.commands import opened_database, refuse_output_over_open_files, sign_in_command

HELP = "copy the database now (default: into the 'backups' folder beside it, removing expired automatic copies)"


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-o", "--output", metavar="FILE", help="write the copy here (it must not exist yet)")


def sqlite_file(option: str | None) -> Path | None:
    """The SQLite file chosen by ``--database``; None for a database server."""
    from pmsdesk.cli import UsageError
    from pmsdesk.store.database import DatabaseError, resolve_database_url, sqlite_path

    try:
        return sqlite_path(resolve_database_url(option))
    except DatabaseError as error:
        raise UsageError(str(error)) from None


def run(args: argparse.Namespace) -> int:
    from pmsdesk.cli import UsageError
    from pmsdesk.domain.settings import BACKUP_KEEP_DAYS
    from pmsdesk.services.clinic import Clinic
    from pmsdesk.store.backup import make_backup, prune_backups

    path = sqlite_file(args.database)
    target = Path(args.output).expanduser().resolve() if args.output else None
    if target is not None and target.exists():
        raise UsageError(f"{target} already exists; choose a new file name")
    if path is None:
        return _dump_from_server(args, target)
    if target is not None:
        refuse_output_over_open_files(target, str(path))
    with opened_database(str(path)) as database:  # checks the file's integrity and schema first
        sign_in_command(database, args)
        try:
            written = make_backup(path, target)
            if target is None:
                prune_backups(path, BACKUP_KEEP_DAYS.parse(Clinic(database).setting(BACKUP_KEEP_DAYS.key)))
        except OSError as error:
            raise UsageError(f"cannot write the backup: {error.strerror or error}") from None
    print(f"Backup written: {written}")
    return 0


def _dump_from_server(args: argparse.Namespace, target: Path | None) -> int:
    """A clinic server's backup: a checked pg_dump archive with its checkpoint beside it."""
    from pmsdesk.cli import UsageError
    from pmsdesk.store.server_backup import ServerBackupError, checkpoint_file, dump_clinic

    if target is None:
        raise UsageError("on a database server, name the dump: pmsdesk backup -o FILE.pgdump (the server's own "
                         "scheduled pg_dump is the automatic backup)")
    with opened_database(args.database) as database:
        sign_in_command(database, args)
        try:
            checkpoint = dump_clinic(database.engine, target)
        except (ServerBackupError, OSError) as error:
            raise UsageError(f"cannot write the backup: {getattr(error, 'strerror', None) or error}") from None
    print(f"Backup written: {target} (audit checkpoint {checkpoint.split(':')[0]}, in {checkpoint_file(target).name})")
    return 0
