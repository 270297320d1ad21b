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


def page_fill(pdf: bytes, *, top: float, bottom: float) -> list[float]:
    """How full each page's body is, 0 to 1: from the body's top to the lowest text on it, as
    ``pdftotext -bbox`` places the words; ``top`` and ``bottom`` (points from the page's top and
    bottom edges) bound the body, leaving out the running header and the footer."""
    import subprocess
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "report.pdf"
        path.write_bytes(pdf)
        html = subprocess.run(["pdftotext", "-bbox", str(path), "-"], check=True, capture_output=True,
                              text=True).stdout
    fills = []
    for page in re.findall(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', html, re.S):
        height = float(page[1])
        lows = [float(y) for y in re.findall(r'<word xMin="[\d.]+" yMin="[\d.]+" xMax="[\d.]+" yMax="([\d.]+)"',
                                             page[2]) if top < float(y) < height - bottom]
        fills.append((max(lows) - top) / (height - bottom - top) if lows else 0.0)
    return fills
