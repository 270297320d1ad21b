"""``pmsdesk report``: a visit summary PDF, or every visit of a day or a date range in one PDF.

The summary is made through the reporting service as the signed-in user (``--user``) and the file
written is recorded in the audit trail (which visits, which file); a user who may not print reports
is refused in one line and nothing is written.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from pmsdesk.commands import opened_database, refuse_output_over_open_files, sign_in_command
from pmsdesk.reports.data import PAGE_SIZE_NAMES  # plain data: no reportlab, cheap for --help

HELP = "Write the PDF summary of one visit, or of every visit of a day or a date range."


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("visit_id", nargs="?", type=int, metavar="VISIT_ID", help="the visit to summarise")
    parser.add_argument("--date", metavar="YYYY-MM-DD", help="every visit of this day, one section each")
    parser.add_argument("--from", dest="first", metavar="YYYY-MM-DD", help="every visit from this day ...")
    parser.add_argument("--to", dest="last", metavar="YYYY-MM-DD", help="... to this day (inclusive)")
    parser.add_argument("-o", "--output", required=True, metavar="FILE.pdf", help="the PDF file to write")
    parser.add_argument("--page-size", choices=PAGE_SIZE_NAMES, default=None,
                        help="paper size (default: the clinic's report_page_size setting, else a4)")
    parser.add_argument("--cohort", action="append", metavar="ID", dest="cohorts",
                        help="reference cohort to overlay on the charts (repeat for several; default: the "
                        "trajectory screen's default cohorts)")


def _date(text: str, option: str) -> dt.date:
    from pmsdesk.cli import UsageError

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{option} must be a date as YYYY-MM-DD, not {text!r}") from None


def _period(args: argparse.Namespace) -> tuple[dt.date, dt.date] | None:
    """The dates asked for, or None for a single visit; refuses every mix that is not one of the forms."""
    from pmsdesk.cli import UsageError

    ranged = args.first is not None or args.last is not None
    chosen = [name for name, given in (("VISIT_ID", args.visit_id is not None), ("--date", args.date is not None),
                                       ("--from/--to", ranged)) if given]
    if len(chosen) != 1:
        raise UsageError("give exactly one of VISIT_ID, --date YYYY-MM-DD or --from YYYY-MM-DD --to YYYY-MM-DD"
                         + (f" (got {' and '.join(chosen)})" if chosen else ""))
    if args.date is not None:
        day = _date(args.date, "--date")
        return day, day
    if ranged:
        if args.first is None or args.last is None:
            raise UsageError("--from and --to go together")
        first, last = _date(args.first, "--from"), _date(args.last, "--to")
        if last < first:
            raise UsageError(f"--to {last.isoformat()} is before --from {first.isoformat()}")
        return first, last
    return None


def run(args: argparse.Namespace) -> int:
    from pmsdesk.cli import UsageError

    period = _period(args)
    output = Path(args.output).expanduser()
    if output.suffix.lower() != ".pdf":
        raise UsageError(f"the output file must end in .pdf: {output}")
    if not output.parent.is_dir():
        raise UsageError(f"the folder {output.parent} does not exist")
    refuse_output_over_open_files(output, args.database)

    from pmsdesk import __version__
    from pmsdesk.domain.permissions import Action, PermissionDenied
    from pmsdesk.domain.references import ReferenceFileError
    from pmsdesk.reports.assemble import ReportAssembler, visit_ids_between
    from pmsdesk.reports.data import DEFAULT_PAGE_SIZE, SETTING_REPORT_PAGE_SIZE
    from pmsdesk.files import write_atomically
    from pmsdesk.reports.visit_report import batch_report_pdf, date_range_text, visit_report_pdf
    from pmsdesk.services.clinic import Clinic, NotFound
    from pmsdesk.services.reporting import ReportOutput, may_report, record_report

    with opened_database(args.database) as database:
        clinic = Clinic(database, actor=sign_in_command(database, args))
        if not may_report(clinic):
            raise UsageError(str(PermissionDenied(clinic.actor, Action.REPORT)))
        page_size = args.page_size or clinic.setting(SETTING_REPORT_PAGE_SIZE) or DEFAULT_PAGE_SIZE
        if page_size not in PAGE_SIZE_NAMES:
            raise UsageError(f"the clinic setting {SETTING_REPORT_PAGE_SIZE} is {page_size!r}; "
                             f"use one of {', '.join(PAGE_SIZE_NAMES)} or give --page-size")
        try:
            assembler = ReportAssembler(clinic, cohort_ids=args.cohorts)
        except ReferenceFileError as error:
            raise UsageError(str(error)) from None
        if args.cohorts:
            known = {cohort.id for cohort in assembler.library.cohorts}
            unknown = [cohort for cohort in args.cohorts if cohort not in known]
            if unknown:
                raise UsageError(f"no reference cohort {', '.join(map(repr, unknown))}")
        try:
            if period is None:
                try:
                    data = assembler.visit(args.visit_id)
                except NotFound as error:
                    raise UsageError(str(error)) from None
                visit_ids = [args.visit_id]
                pdf, what = visit_report_pdf(data, page_size), f"visit {args.visit_id} of {data.patient_name}"
            else:
                first, last = period
                visit_ids = visit_ids_between(clinic, first, last)
                visits = list(assembler.visits(visit_ids))
                pdf = batch_report_pdf(visits, first, last, page_size=page_size, printed_at=assembler.printed_at,
                                       version=__version__)
                what = f"{len(visits)} visit{'s' if len(visits) != 1 else ''} {date_range_text(first, last)}"
            write_atomically(output, pdf)
            record_report(clinic, visit_ids, ReportOutput.PDF, path=output, period=period)
        except PermissionDenied as refusal:
            raise UsageError(str(refusal)) from None
    print(f"Wrote the summary of {what} to {output}")
    return 0
