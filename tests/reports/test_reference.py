"""The summary of a fixed synthetic visit is byte for byte the stored reference PDF.

A deliberate change of the report's content or layout changes the bytes: look at the new pages, then
regenerate the reference with

    PMSDESK_REGENERATE_REPORT_REFERENCE=1 .venv/bin/python -m pytest tests/reports/test_reference.py

and commit it with the change.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from pypdf import PdfReader
from report_samples import history, report_data

from pmsdesk.reports.visit_report import visit_report_pdf

REFERENCE = Path(__file__).parent / "reference" / "visit-summary-a4.pdf"


def _creator(pdf: bytes) -> str:
    return PdfReader(io.BytesIO(pdf)).metadata.creator


def test_matches_the_stored_reference():
    pdf = visit_report_pdf(report_data(history()))
    if os.environ.get("PMSDESK_REGENERATE_REPORT_REFERENCE"):
        REFERENCE.write_bytes(pdf)
    reference = REFERENCE.read_bytes()
    if _creator(reference) != _creator(pdf):  # names the pmsdesk and reportlab versions
        pytest.skip(f"reference made by {_creator(reference)}, this is {_creator(pdf)}: regenerate it (see above)")
    assert pdf == reference, "the visit summary changed: look at it, then regenerate the reference (module docstring)"
