"""``pmsdesk export``: the whole clinic as tidy CSV, an archive, msprog files or FHIR R4 JSON.

Every export is recorded in the audit trail. Formats: docs/exchange.md. On a terminal, the patients
written so far are counted on stderr; Ctrl+C stops the export and leaves no file.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from pmsdesk.commands import opened_database, refuse_output_over_open_files, sign_in_command
from pmsdesk.commands.terminal import terminal_progress

HELP = "export the clinic: tidy CSV, archive (.zip), msprog files (a folder) or FHIR R4 JSON"
FORMATS = ("csv", "archive", "msprog", "fhir")


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", required=True, choices=FORMATS)
    parser.add_argument("--pseudonymise", action="store_true",
                        help="no names, identifiers, notes or birth dates (year only); a stable subject code per patient")
    parser.add_argument("--shift-dates", action="store_true",
                        help="with --pseudonymise: move each patient's dates by the patient's own stable random offset")
    parser.add_argument("-o", "--output", required=True, metavar="PATH", help="the file to write (a folder for msprog)")


def run(args: argparse.Namespace) -> int:
    from pmsdesk.cli import UsageError
    from pmsdesk.exchange.export import checkpoint_file, export_clinic
    from pmsdesk.services.clinic import Clinic

    if args.shift_dates and not args.pseudonymise:
        raise UsageError("--shift-dates goes with --pseudonymise")
    output = Path(args.output).expanduser()
    if not output.parent.is_dir():
        raise UsageError(f"the folder {output.parent} does not exist")
    if args.format == "msprog" and output.exists() and not output.is_dir():
        raise UsageError(f"msprog files go into a folder; {output} is a file")
    if args.format != "msprog" and output.is_dir():
        raise UsageError(f"{output} is a folder; give the name of the file to write")
    refuse_output_over_open_files(output, args.database)
    if args.format == "csv":  # and the checkpoint file written beside it
        refuse_output_over_open_files(checkpoint_file(output), args.database)
    with opened_database(args.database) as database:
        try:
            summary = export_clinic(Clinic(database, actor=sign_in_command(database, args)), args.format, output,
                                    pseudonymise=args.pseudonymise, shift_dates=args.shift_dates,
                                    progress=terminal_progress("Exporting", "patients"))
        except OSError as error:
            raise UsageError(f"cannot write {output}: {error.strerror or error}") from None
    print(summary.describe())
    return 0
