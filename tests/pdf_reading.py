"""Read a report's text back, page by page, as the tests check it."""

from __future__ import annotations

import io
import re
from typing import NamedTuple

from pypdf import PdfReader


def pdf_pages(pdf: bytes) -> list[str]:
    """Each page's text with runs of whitespace made single spaces (reportlab wraps lines anywhere)."""
    return [re.sub(r"\s+", " ", page.extract_text()) for page in PdfReader(io.BytesIO(pdf)).pages]


def pdf_text(pdf: bytes) -> str:
    return " ".join(pdf_pages(pdf))


def printed_name(patient) -> str:
    """A patient's name as the reports print it: "Family, Given", exactly as stored."""
    return f"{patient.family_name}, {patient.given_names}"


class Word(NamedTuple):
    text: str  # as pdftotext gives it: a right-to-left word's letters in the order drawn
    left: float  # points from the page's left edge
    top: float  # points from the page's top edge
    right: float
    bottom: float


def word_boxes(pdf: bytes) -> list[tuple[float, float, list[Word]]]:
    """Each page's width, height and words where ``pdftotext -bbox`` places them."""
    import html
    import subprocess
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "report.pdf"
        path.write_bytes(pdf)
        text = subprocess.run(["pdftotext", "-bbox", str(path), "-"], check=True, capture_output=True,
                              text=True).stdout
    word = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')
    return [(float(width), float(height),
             [Word(html.unescape(t), float(x0), float(y0), float(x1), float(y1)) for x0, y0, x1, y1, t in word.findall(body)])
            for width, height, body in re.findall(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', text, re.S)]


def page_fill(pdf: bytes, *, top: float, bottom: float) -> list[float]:
    """How full each page's body is, 0 to 1: from the body's top to the lowest text on it, as
    ``pdftotext -bbox`` places the words; ``top`` and ``bottom`` (points from the page's top and
    bottom edges) bound the body, leaving out the running header and the footer."""
    fills = []
    for _, height, words in word_boxes(pdf):
        lows = [w.bottom for w in words if top < w.bottom < height - bottom]
        fills.append((max(lows) - top) / (height - bottom - top) if lows else 0.0)
    return fills
