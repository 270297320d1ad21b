"""Page set-up shared by the reports: page sizes, text styles, running header and "page x of y" footer.

A report is a list of sections (one per visit); each section starts on a new page and is numbered on
its own ("Page 1 of 2"), because each visit's pages go into a different patient's chart. Every page
names its patient, so a loose page can be filed back. PDFs are built in reportlab's invariant mode:
the same story gives the same bytes.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, SimpleDocTemplate

PAGE_SIZES = {"a4": A4, "letter": LETTER}
MARGIN = 15 * mm
FOOTER_Y = 9 * mm
HEADER_Y_FROM_TOP = 9 * mm

INK = colors.HexColor("#1a1a1a")
MUTED = colors.HexColor("#555555")
RULE = colors.HexColor("#9a9a9a")
SHADE = colors.HexColor("#eef1f4")
ALERT = colors.HexColor("#b00020")

FONT = "Helvetica"
BOLD = "Helvetica-Bold"


def _style(name: str, size: float, *, font: str = FONT, leading: float | None = None, color=INK,
           space_before: float = 0, space_after: float = 0, **extra) -> ParagraphStyle:
    return ParagraphStyle(name, fontName=font, fontSize=size, leading=leading or size * 1.25, textColor=color,
                          spaceBefore=space_before, spaceAfter=space_after, alignment=TA_LEFT, **extra)


class Styles:
    """The few text styles a report uses."""

    title = _style("title", 15, font=BOLD, leading=18)
    clinic = _style("clinic", 11, font=BOLD, leading=13.5)
    address = _style("address", 8.5, color=MUTED, leading=10.5)
    heading = _style("heading", 10.5, font=BOLD, leading=13, space_before=7, space_after=3, keepWithNext=1)
    body = _style("body", 9, leading=11.5)
    small = _style("small", 7.5, leading=9.2)
    small_muted = _style("small_muted", 7.5, leading=9.2, color=MUTED)
    cell = _style("cell", 8, leading=9.8)
    cell_bold = _style("cell_bold", 8, font=BOLD, leading=9.8)
    label = _style("label", 8, color=MUTED, leading=9.8)
    draft = _style("draft", 13, font=BOLD, color=ALERT, leading=16)


@dataclass(frozen=True)
class Section:
    """What every page of one section says about it."""

    subject: str  # e.g. "SAMPLEWOOD, Ada · DEMO-001 · visit 2026-11-20", in the footer of every page
    running_title: str  # header of the section's second and later pages
    draft: bool = False  # "DRAFT — NOT SIGNED" in the header of every page after the first


class SectionStart(Flowable):
    """Invisible mark at the start of a section (after its page break): later pages belong to it."""

    def __init__(self, section: Section):
        super().__init__()
        self.section = section
        self.width = self.height = 0

    def wrap(self, available_width, available_height):
        return 0, 0

    def draw(self):
        self.canv.begin_section(self.section)


class _DecoratedCanvas(Canvas):
    """Holds every page back until the end, when each section's page count is known."""

    def __init__(self, *args, printed: str, **kwargs):
        super().__init__(*args, **kwargs)
        self._printed = printed
        self._pages: list[tuple[dict, Section | None]] = []
        self._section: Section | None = None

    def begin_section(self, section: Section) -> None:
        self._section = section

    def showPage(self):  # noqa: N802 - reportlab API
        self._pages.append((dict(self.__dict__), self._section))
        self._startPage()

    def save(self):
        totals: dict[int, int] = {}
        numbers = []
        for _, section in self._pages:
            key = id(section)
            totals[key] = totals.get(key, 0) + 1
            numbers.append(totals[key])
        for (state, section), number in zip(self._pages, numbers):
            self.__dict__.update(state)
            self._decorate(section, number, totals[id(section)])
            super().showPage()
        super().save()

    def _decorate(self, section: Section | None, number: int, total: int) -> None:
        width, height = self._pagesize
        self.saveState()
        self.setStrokeColor(RULE)
        self.setLineWidth(0.5)
        self.line(MARGIN, FOOTER_Y + 9, width - MARGIN, FOOTER_Y + 9)
        self.setFillColor(MUTED)
        self.setFont(FONT, 7)
        self.drawString(MARGIN, FOOTER_Y, self._printed)
        if section is not None:
            self.drawCentredString(width / 2, FOOTER_Y, section.subject)
        self.setFont(BOLD, 8)
        self.setFillColor(INK)
        self.drawRightString(width - MARGIN, FOOTER_Y, f"Page {number} of {total}")
        if section is not None and number > 1:
            top = height - HEADER_Y_FROM_TOP
            self.setFont(BOLD, 8)
            self.drawString(MARGIN, top, section.running_title)
            if section.draft:
                self.setFillColor(ALERT)
                self.drawRightString(width - MARGIN, top, "DRAFT \u2014 NOT SIGNED")
            self.setStrokeColor(RULE)
            self.line(MARGIN, top - 4, width - MARGIN, top - 4)
        self.restoreState()


def render(story: list, *, page_size: str, title: str, subject: str, printed: str, creator: str,
           progress: Callable[[int, int], None] | None = None) -> bytes:
    """The story as PDF bytes. ``printed`` is the footer's left text (print date and version).
    ``progress(done, total)`` follows the layout, flowable by flowable; an exception it raises (a
    cancel) stops the layout, and nothing is returned."""
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=PAGE_SIZES[page_size], leftMargin=MARGIN, rightMargin=MARGIN,
        topMargin=MARGIN + 3 * mm, bottomMargin=MARGIN + 3 * mm, title=title, subject=subject,
        author=creator, creator=creator, invariant=1,
    )
    if progress is not None:
        total = len(story)
        document.setProgressCallBack(lambda kind, value: progress(value, total) if kind == "PROGRESS" else None)
    document.build(story, canvasmaker=partial(_DecoratedCanvas, printed=printed))
    return buffer.getvalue()


def content_width(page_size: str) -> float:
    return PAGE_SIZES[page_size][0] - 2 * MARGIN
