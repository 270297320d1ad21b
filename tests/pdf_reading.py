"""Read a report's text back, page by page, as the tests check it."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader


def pdf_pages(pdf: bytes) -> list[str]:
    """Each page's text with runs of whitespace made single spaces (reportlab wraps lines anywhere)."""
    return [re.sub(r"\s+", " ", page.extract_text()) for page in PdfReader(io.BytesIO(pdf)).pages]


def pdf_text(pdf: bytes) -> str:
    return " ".join(pdf_pages(pdf))


def printed_name(patient) -> str:
    """A patient's name as the reports print it: "Family, Given", exactly as stored."""
    return f"{patient.family_name}, {patient.given_names}"
