"""Summaries from a clinic database: a day's batch, a date range, and the `pmsdesk report` command."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from people import signed
from pdf_reading import pdf_pages, pdf_text, printed_name

from pmsdesk.cli import main
from pmsdesk.reports.assemble import ReportAssembler, visit_ids_between
from pmsdesk.reports.visit_report import batch_report_pdf
from pmsdesk.services.clinic import Clinic
from pmsdesk.services.demo import fill_demo_clinic
from pmsdesk.store.database import Database

PRINTED = dt.datetime(2026, 11, 20, 9, 0)
TODAY = dt.date(2026, 11, 20)


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("reports") / "demo.sqlite3"
    database = Database.open(str(path))
    fill_demo_clinic(Clinic(database, today=lambda: TODAY), patients=8)
    database.close()
    return path


@pytest.fixture(scope="module")
def demo(demo_path):
    database = Database.open(str(demo_path))
    yield Clinic(database, today=lambda: TODAY)
    database.close()


@pytest.fixture(scope="module")
def busiest_day(demo) -> dt.date:
    """The day with the most visits in the demo clinic."""
    days = Counter(visit.visit_date for patient in demo.find_patients() for visit in demo.visits(patient.id))
    day, count = days.most_common(1)[0]
    assert count >= 2
    return day


def _visits_of(demo, first, last):
    return [(patient, visit) for patient in demo.find_patients() for visit in demo.visits(patient.id)
            if first <= visit.visit_date <= last]


def test_a_days_batch_has_every_visit_of_that_day(demo, busiest_day):
    expected = _visits_of(demo, busiest_day, busiest_day)
    ids = visit_ids_between(demo, busiest_day, busiest_day)
    assert sorted(ids) == sorted(visit.id for _, visit in expected)
    visits = list(ReportAssembler(demo, printed_at=PRINTED).visits(ids))
    pages = pdf_pages(batch_report_pdf(visits, busiest_day, busiest_day, printed_at=PRINTED, version="x"))
    cover = pages[0]
    assert f"Visit summaries on {busiest_day.isoformat()}" in cover
    assert f"{len(expected)} visits, one section each" in cover
    for patient, visit in expected:
        assert f"{busiest_day.isoformat()} {printed_name(patient)} {patient.clinic_id}" in cover
        subject = f"{printed_name(patient)} · {patient.clinic_id} · visit {busiest_day.isoformat()}"
        section = [page for page in pages if subject in page]
        assert section, subject
        assert f"Page 1 of {len(section)}" in section[0]  # each visit numbered on its own
        assert "Intrathecal treatment visit summary" in section[0]


def test_the_series_stops_at_the_visit(demo):
    """A summary reprinted later shows what was known on the day: no later visit in its series."""
    patient = demo.find_patients()[0]
    first = demo.visits(patient.id)[1]
    data = ReportAssembler(demo).visit(first.id)
    assert max(point.date for m in data.series.measures.values() for point in m.points) == first.visit_date


def test_command_writes_one_visit(demo, demo_path, tmp_path, capsys):
    patient = demo.find_patients()[0]
    visit = demo.visits(patient.id)[-1]
    output = tmp_path / "visit.pdf"
    assert main(signed(["report", str(visit.id), "-o", str(output), "--database", str(demo_path)])) == 0
    assert "Wrote the summary of visit" in capsys.readouterr().out
    text = pdf_text(output.read_bytes())
    assert printed_name(patient) in text and visit.visit_date.isoformat() in text
    assert list(tmp_path.iterdir()) == [output]  # no temporary file left beside it


def test_command_writes_a_date_and_a_range_on_letter(demo, demo_path, busiest_day, tmp_path):
    day = tmp_path / "day.pdf"
    assert main(signed(["report", "--date", busiest_day.isoformat(), "-o", str(day), "--database", str(demo_path)])) == 0
    assert f"Visit summaries on {busiest_day.isoformat()}" in pdf_text(day.read_bytes())
    first, last = busiest_day - dt.timedelta(days=30), busiest_day
    period = tmp_path / "period.pdf"
    assert main(signed(["report", "--from", first.isoformat(), "--to", last.isoformat(), "-o", str(period),
                 "--page-size", "letter", "--database", str(demo_path)])) == 0
    text = pdf_text(period.read_bytes())
    assert f"{len(_visits_of(demo, first, last))} visits, one section each" in text
    from pypdf import PdfReader

    assert round(float(PdfReader(period).pages[0].mediabox.width)) == 612


@pytest.mark.parametrize(("arguments", "message"), [
    ([], "give exactly one of VISIT_ID, --date"),
    (["7", "--date", "2026-01-01"], "(got VISIT_ID and --date)"),
    (["--date", "2026-13-01"], "--date must be a date as YYYY-MM-DD, not '2026-13-01'"),
    (["--from", "2026-01-01"], "--from and --to go together"),
    (["--from", "2026-02-01", "--to", "2026-01-01"], "--to 2026-01-01 is before --from 2026-02-01"),
    (["999999"], "visit 999999 does not exist"),
    (["1", "--cohort", "no_such_cohort"], "no reference cohort 'no_such_cohort'"),
])
def test_command_refuses_bad_input_in_one_line(demo_path, tmp_path, capsys, arguments, message):
    output = tmp_path / "out.pdf"
    assert main(signed(["report", *arguments, "-o", str(output), "--database", str(demo_path)])) == 2
    error = capsys.readouterr().err
    assert error.startswith("pmsdesk report: error: ") and message in error
    assert error.count("\n") == 1
    assert not output.exists()


def test_command_refuses_an_output_that_is_not_a_pdf_or_has_no_folder(demo_path, tmp_path, capsys):
    assert main(signed(["report", "1", "-o", str(tmp_path / "out.txt"), "--database", str(demo_path)])) == 2
    assert main(signed(["report", "1", "-o", str(tmp_path / "missing" / "out.pdf"), "--database", str(demo_path)])) == 2
    errors = capsys.readouterr().err.splitlines()
    assert "must end in .pdf" in errors[0] and "does not exist" in errors[1]
