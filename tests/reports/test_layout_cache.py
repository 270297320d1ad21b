"""The paragraph layout cache (visit_report._WRAP_CACHE) never changes a report's bytes."""

from __future__ import annotations

import datetime as dt

from report_samples import history, report_data

from pmsdesk.reports import visit_report
from pmsdesk.reports.visit_report import batch_report_pdf, visit_report_pdf

PRINTED = dt.datetime(2026, 11, 20, 9, 0)


def _batch(visits, page_size):
    day = visits[0].visit_date
    return batch_report_pdf(visits, day, day, page_size=page_size, printed_at=PRINTED, version="x")


def test_cached_layout_gives_the_same_bytes_as_a_fresh_one():
    records = history()
    visits = [report_data(records, index) for index in range(len(records))] * 3  # repeated sections
    for page_size in ("a4", "letter"):
        visit_report._WRAP_CACHE.clear()
        cold = _batch(visits, page_size)
        warm = _batch(visits, page_size)
        assert warm == cold
        visit_report._WRAP_CACHE.clear()
        single_cold = visit_report_pdf(visits[-1], page_size)
        assert visit_report_pdf(visits[-1], page_size) == single_cold
