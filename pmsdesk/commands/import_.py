"""``pmsdesk import``: historical visits from a CSV or .xlsx file, or a whole-clinic archive.

Prints every problem (file, row, column, value, what is allowed) and writes nothing while there is
one, unless ``--valid-rows-only``. On a terminal, the records written so far are counted on stderr.
Ctrl+C stops the import as the import dialog's Cancel does: at the next record, the batch under way
rolled back, the batches already committed (whole patients) kept and named, exit status 130; a second
Ctrl+C interrupts at once. Formats and the template: docs/exchange.md.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pmsdesk.commands import opened_database, sign_in_command
from pmsdesk.commands.terminal import ctrl_c_cancels, terminal_progress

HELP = "import visits from a CSV/.xlsx file or a clinic archive (.zip); --dry-run checks without writing"


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE_OR_ARCHIVE", help="a template CSV or .xlsx file, or an archive .zip")
    parser.add_argument("--dry-run", action="store_true", help="report problems and what would be written; write nothing")
    parser.add_argument("--mapping", metavar="MAPPING.json",
                        help='file column -> template column, e.g. {"Patient no": "clinic_id", "Notes": ""} '
                             '("" ignores a column)')
    parser.add_argument("--valid-rows-only", action="store_true",
                        help="import the rows without problems and leave out the others")


def _mapping(path: str) -> dict[str, str]:
    from pmsdesk.cli import UsageError

    try:
        mapping = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise UsageError(f"cannot read {path}: {error.strerror}") from None
    except ValueError as error:
        raise UsageError(f"{path} is not JSON: {error}") from None
    if not isinstance(mapping, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()):
        raise UsageError(f'{path} must be one JSON object of column names, e.g. {{"Patient no": "clinic_id"}}')
    return mapping


def run(args: argparse.Namespace) -> int:
    from pmsdesk.cli import UsageError
    from pmsdesk.exchange.importer import ImportCancelled, apply_import, counted, plan_import, read_file
    from pmsdesk.services.clinic import Clinic

    path = Path(args.file).expanduser()
    if not path.is_file():
        raise UsageError(f"no such file: {path}")
    mapping = _mapping(args.mapping) if args.mapping else None
    with opened_database(args.database) as database:
        clinic = Clinic(database, actor=sign_in_command(database, args))
        plan = plan_import(clinic, read_file(path, clinic, mapping))
        print(plan.summary())
        if args.dry_run:
            return 1 if plan.has_problems else 0
        if plan.has_problems and not args.valid_rows_only:
            raise UsageError(f"{path.name} has problems (listed above); nothing was imported. Correct them, "
                             "or give --valid-rows-only to import the rows without problems")
        progress = terminal_progress("Importing", "records")
        try:
            with ctrl_c_cancels() as pressed:
                result = apply_import(clinic, plan, valid_rows_only=args.valid_rows_only, progress=progress,
                                      cancelled=pressed.is_set)
        except ImportCancelled as cancelled:  # says what was kept
            print(("\n" if progress else "") + f"pmsdesk import: {cancelled}", file=sys.stderr)
            return 130  # as a shell reports a command ended by Ctrl+C
    print(f"Imported {counted(result.created) or 'nothing new'}.")
    return 0
