"""``pmsdesk progression``: confirmed worsening/improvement events from a CSV of visits, msprog-style.

Option names and defaults follow msprog / pymsprog 1.0.7 (firstCDW, fixed baseline, 12-week
confirmation), so an analyst who knows msprog knows this command. Rules: docs/scoring.md.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import sys
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path

from pmsdesk.commands import refuse_output_over_open_files
from pmsdesk.files import write_atomically

HELP = "find confirmed disability worsening/improvement events in a CSV of visits (msprog definitions)"

OUTPUT_COLUMNS = ("patient_id", "event", "type", "onset_date", "onset_value", "baseline_date", "baseline_value",
                  "confirmation_date", "confirmation_value")


class _FollowedOutcomes(Sequence):
    """The ``--outcome`` choices: the change rule (msprog's outcome name) of every measure the assessment
    registry follows over visits, in its order: edss, t25fw, nhpt (both hands), sdmt, 6mwt. Read when
    argparse first checks or shows them, so building the command line for another command does not
    import the registry (about 0.2 s)."""

    def _names(self) -> tuple[str, ...]:
        from pmsdesk.domain.assessments import REGISTRY

        return tuple(dict.fromkeys(m.change_rule.value for m in REGISTRY.followed_measures() if m.change_rule))

    def __getitem__(self, index):
        return self._names()[index]

    def __len__(self) -> int:
        return len(self._names())


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("visits", metavar="VISITS.csv", help="columns patient_id,date,value (ISO dates)")
    # A metavar, so argparse lists the choices only when help or an error is shown.
    parser.add_argument("--outcome", required=True, choices=_FollowedOutcomes(), metavar="OUTCOME",
                        help="the measure in VISITS.csv: %(choices)s (6mwt: the six-minute walk in metres)")
    parser.add_argument("--relapses", metavar="RELAPSES.csv",
                        help="columns patient_id,date (relapse onsets); also classifies CDW as PIRA/RAW")
    parser.add_argument("--baseline", default="fixed", choices=("fixed", "roving", "roving_impr", "roving_wors"))
    parser.add_argument("--confirm-weeks", type=int, default=12, metavar="WEEKS", help="confirmation period (default 12)")
    parser.add_argument("--conf-tol-days", type=float, nargs=2, default=(7, 730.5), metavar=("LEFT", "RIGHT"),
                        help="tolerance around the confirmation period, days (default 7 730.5; RIGHT may be inf)")
    parser.add_argument("--event", default="firstCDW", choices=("firstCDW", "firstCDI", "first", "multiple"))
    parser.add_argument("--proceed-from", default="firstconf", choices=("firstconf", "event"))
    parser.add_argument("--require-sust-days", type=float, default=0, metavar="DAYS",
                        help="the change must also be sustained this long (inf = to the last visit)")
    parser.add_argument("--relapse-to-bl", type=float, default=30, metavar="DAYS")
    parser.add_argument("--relapse-to-event", type=float, default=0, metavar="DAYS")
    parser.add_argument("--relapse-to-conf", type=float, default=30, metavar="DAYS")
    parser.add_argument("--relapse-assoc", type=float, default=90, metavar="DAYS", help="RAW window after a relapse")
    parser.add_argument("--edss-small-step-above", default="5.0", choices=("5.0", "5.5"),
                        help="EDSS from which +0.5 counts (5.0 as msprog, 5.5 as the trials)")
    parser.add_argument("--sdmt-rule", default="4pts_or_20pct", choices=("4pts_or_20pct", "4pts_or_10pct"))
    parser.add_argument("-o", "--output", metavar="EVENTS.csv", help="write here (default: standard output)")


def _read_rows(path: str, columns: tuple[str, ...]):
    """(line number, row dict) for each data row; the header must name ``columns``."""
    from pmsdesk.cli import UsageError

    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as error:
        raise UsageError(f"cannot read {path}: {error.strerror}") from None
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in columns if c not in (reader.fieldnames or ())]
    if missing:
        raise UsageError(f"{path} line 1: header must contain {','.join(columns)} (missing {','.join(missing)})")
    for row in reader:
        if any((row.get(c) or "").strip() for c in columns):
            yield reader.line_num, row


def _date(path: str, line: int, text: str) -> dt.date:
    from pmsdesk.cli import UsageError

    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"{path} line {line}: date {text!r} is not an ISO date (YYYY-MM-DD)") from None


def run(args: argparse.Namespace) -> int:
    from pmsdesk.cli import UsageError
    from pmsdesk.commands import opened_database, sign_in_command
    from pmsdesk.domain.scoring import Measure, Measurement, ProgressionOptions, ThresholdRules, detect_events
    from pmsdesk.domain.scoring.progression import check_value

    if args.output:
        output = Path(args.output).expanduser()
        if not output.parent.is_dir():
            raise UsageError(f"the folder {output.parent} does not exist")
        refuse_output_over_open_files(output, args.database)
    with opened_database(args.database) as database:  # patient data: for a signed-in clinician only
        sign_in_command(database, args)
    outcome = Measure(args.outcome)
    visits: dict[str, list[Measurement]] = defaultdict(list)
    for line, row in _read_rows(args.visits, ("patient_id", "date", "value")):
        patient, text = row["patient_id"].strip(), (row["value"] or "").strip()
        if not patient:
            raise UsageError(f"{args.visits} line {line}: empty patient_id")
        day = _date(args.visits, line, row["date"] or "")
        if not text:
            continue  # a missing value is skipped, as msprog drops it
        try:
            value = Decimal(text)
            if not value.is_finite():
                raise InvalidOperation
            check_value(outcome, value)
        except InvalidOperation:
            raise UsageError(f"{args.visits} line {line}: value {text!r} is not a number") from None
        except ValueError as error:
            raise UsageError(f"{args.visits} line {line}: {error}") from None
        visits[patient].append(Measurement(day, value))

    relapses: dict[str, list[dt.date]] = defaultdict(list)
    if args.relapses:
        for line, row in _read_rows(args.relapses, ("patient_id", "date")):
            relapses[row["patient_id"].strip()].append(_date(args.relapses, line, row["date"] or ""))

    try:
        options = ProgressionOptions(
            event=args.event, baseline=args.baseline, proceed_from=args.proceed_from,
            confirmation_days=args.confirm_weeks * 7, confirmation_tolerance=tuple(args.conf_tol_days),
            require_sustained_days=args.require_sust_days, relapse_to_baseline=args.relapse_to_bl,
            relapse_to_event=args.relapse_to_event, relapse_to_confirmation=args.relapse_to_conf,
            relapse_associated=args.relapse_assoc, classify_relapse_activity=bool(args.relapses),
            thresholds=ThresholdRules(Decimal(args.edss_small_step_above), args.sdmt_rule))
    except ValueError as error:
        raise UsageError(str(error)) from None

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(OUTPUT_COLUMNS)
    for patient, series in visits.items():
        for event in detect_events(outcome, series, relapses.get(patient, ()), options):
            writer.writerow((patient, event.kind.value, event.relapse_activity.value if event.relapse_activity else "",
                             event.onset.date.isoformat(), _number(event.onset.value),
                             event.baseline.date.isoformat(), _number(event.baseline.value),
                             event.confirmation.date.isoformat(), _number(event.confirmation.value)))
    if args.output:
        write_atomically(output, out.getvalue().encode("utf-8"))
    else:
        sys.stdout.write(out.getvalue())
    return 0


def _number(value: Decimal) -> str:
    return format(value.normalize(), "f")
