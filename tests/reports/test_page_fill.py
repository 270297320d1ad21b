"""A day's batch prints as a clinician files it: about two pages per ordinary visit, and no page of a
visit's section under a quarter full except its last (measured from the PDF's words)."""

from __future__ import annotations

import pytest
from pdf_reading import page_fill, pdf_pages
from report_samples import PRINTED_AT, history, report_data

from pmsdesk.reports.document import MARGIN
from pmsdesk.reports.visit_report import batch_report_pdf



def _day(visits: int, page_size: str) -> bytes:
    """Ordinary visits of one day: each a treatment visit with one to five earlier visits."""
    records = history()
    day = PRINTED_AT.date()
    return batch_report_pdf([report_data(records[:2 + number % 5]) for number in range(visits)], day, day,
                            page_size=page_size, printed_at=PRINTED_AT, version="x")


@pytest.mark.parametrize(("page_size", "visits"), [("a4", 40), ("letter", 10)])
def test_a_days_batch_fills_its_pages(page_size, visits):
    pdf = _day(visits, page_size)
    pages = pdf_pages(pdf)
    fills = page_fill(pdf, top=MARGIN + 8, bottom=MARGIN + 8)
    sections: list[list[float]] = []
    for text, fill in zip(pages, fills):
        if "Page 1 of" in text:
            sections.append([])
        sections[-1].append(fill)
    assert len(sections) == visits + 1  # the cover, then one section per visit
    assert len(pages) - 1 <= 2.25 * visits, f"{len(pages) - 1} pages for {visits} visits"
    for number, section in enumerate(sections[1:], start=1):
        assert all(fill >= 0.25 for fill in section[:-1]), (number, [round(f, 2) for f in section])
