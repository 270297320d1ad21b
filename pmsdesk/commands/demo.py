"""``pmsdesk demo``: fill an empty database with the demo clinic of fictional patients."""

from __future__ import annotations

import argparse
import sys

from pmsdesk.commands import opened_database

HELP = ("Fill an empty database with a demo clinic of clearly fictional patients, and its sign-in accounts "
        "demo-nurse, demo-neurologist and demo-admin (password demo-clinic).")

MAX_PATIENTS = 50_000  # written in bulk (services.demo): 10,000 patients take a few minutes


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--patients", type=int, default=30, metavar="N",
                        help=f"how many fictional patients to create, 1-{MAX_PATIENTS} (default 30)")
    parser.add_argument("--seed", type=int, metavar="S",
                        help="random seed; the same seed on the same day gives the same clinic "
                        "(default: a fixed seed)")


def _show_progress(done: int, total: int) -> None:
    end = "\n" if done == total else ""
    print(f"\rCreating fictional patients: {done}/{total}", end=end, file=sys.stderr, flush=True)


def _log_progress(done: int, total: int) -> None:
    """Progress for a log (not a terminal): a line per batch of the bulk path, not per patient."""
    from pmsdesk.services.demo import BULK_PATIENTS

    if done % BULK_PATIENTS == 0 or done == total:
        print(f"Creating fictional patients: {done}/{total}", file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    from pmsdesk.cli import UsageError

    if not 1 <= args.patients <= MAX_PATIENTS:
        raise UsageError(f"--patients must be from 1 to {MAX_PATIENTS}, not {args.patients}")

    from pmsdesk.services.clinic import Clinic
    from pmsdesk.services.demo import DatabaseNotEmpty, create_demo_accounts, fill_demo_clinic

    with opened_database(args.database, create=True) as database:
        try:
            seed = {} if args.seed is None else {"seed": args.seed}
            progress = _show_progress if sys.stderr.isatty() else _log_progress if args.patients > 1000 else None
            if Clinic(database).patient_count() == 0:  # first, so the demo neurologist signs the older visits
                create_demo_accounts(database)
            summary = fill_demo_clinic(Clinic(database), patients=args.patients, progress=progress, **seed)
        except DatabaseNotEmpty as error:
            raise UsageError(f"{error} ({database.location})") from None
    print(f"Demo clinic: {summary.patients} fictional patients, {summary.visits} visits written to "
          f"{database.location}")
    return 0
