"""Page set-up shared by the reports: page sizes, text styles, running header and "page x of y" footer.

A report is a list of sections (one per visit); each section starts on a new page and is numbered on
its own ("Page 1 of 2"), because each visit's pages go into a different patient's chart. Every page
names its patient and says where the record stands (draft, signed, amended after signing), so a
loose page can be filed back and read for what it is. Text is set in the embedded DejaVu Sans
(:mod:`pmsdesk.reports.fonts`). PDFs are built in reportlab's invariant mode: the same story gives
the same bytes.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, partial

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, SimpleDocTemplate

from pmsdesk.reports.fonts import BOLD, FONT, register_fonts, visual_order

register_fonts()  # before the styles below name the fonts

PAGE_SIZES = {"a4": A4, "letter": LETTER}
MARGIN = 15 * mm
FOOTER_Y = 9 * mm
HEADER_Y_FROM_TOP = 9 * mm

INK = colors.HexColor("#1a1a1a")
MUTED = colors.HexColor("#555555")
RULE = colors.HexColor("#9a9a9a")
SHADE = colors.HexColor("#eef1f4")
ALERT = colors.HexColor("#b00020")

__all__ = ["BOLD", "FONT"]  # the charts take the fonts from here with the colours


def _style(name: str, size: float, *, font: str = FONT, leading: float | None = None, color=INK,
           space_before: float = 0, space_after: float = 0, **extra) -> ParagraphStyle:
    return ParagraphStyle(name, fontName=font, fontSize=size, leading=leading or size * 1.25, textColor=color,
                          spaceBefore=space_before, spaceAfter=space_after, alignment=TA_LEFT, **extra)


@cache
def right_aligned(style: ParagraphStyle) -> ParagraphStyle:
    """``style`` set against the right margin: for a paragraph written mainly right to left."""
    return ParagraphStyle(f"{style.name}-rtl", parent=style, alignment=TA_RIGHT)


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

    subject: str  # e.g. "Samplewood, Ada · DEMO-001 · visit 2026-11-20", in the footer of every page
    running_title: str  # header of the section's second and later pages
    status: tuple[str, ...] = ()  # where the record stands, atop every page: ("DRAFT — NOT SIGNED",), ...
    alert: bool = False  # the status in red: not signed, or amended after signing


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
        self._first_pages: dict[int, int] = {}  # id of a section -> the file's page it starts on
        self._page_references: dict[int, list] = {}  # page index -> the page ranges to print on it

    def begin_section(self, section: Section) -> None:
        self._section = section
        self._first_pages.setdefault(id(section), len(self._pages) + 1)

    def write_pages_of(self, section: Section, x: float, y: float, font_size: float) -> None:
        """Print, at (x, y) of this page, which pages of the file ``section`` takes (known at the end)."""
        self._page_references.setdefault(len(self._pages), []).append((section, x, y, font_size))

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
        for index, ((state, section), number) in enumerate(zip(self._pages, numbers)):
            self.__dict__.update(state)
            self._decorate(section, number, totals[id(section)])
            for referred, x, y, size in self._page_references.get(index, ()):
                first = self._first_pages.get(id(referred))
                if first is not None:
                    last = first + totals[id(referred)] - 1
                    self.setFont(FONT, size)
                    self.setFillColor(INK)
                    self.drawString(x, y, str(first) if first == last else f"{first}\u2013{last}")
            super().showPage()
        super().save()

    def _decorate(self, section: Section | None, number: int, total: int) -> None:
        width, height = self._pagesize
        self.saveState()
        self.setStrokeColor(RULE)
        self.setLineWidth(0.5)
        self.line(MARGIN, FOOTER_Y + 9, width - MARGIN, FOOTER_Y + 9)
        self.setFillColor(MUTED)
        self.setFont(FONT, 6.5)
        self.drawString(MARGIN, FOOTER_Y - 8, self._printed)
        if section is not None:
            self.setFont(FONT, 7.5)
            self.setFillColor(INK)
            self._text(MARGIN, FOOTER_Y, section.subject)
        self.setFont(BOLD, 8)
        self.setFillColor(INK)
        self.drawRightString(width - MARGIN, FOOTER_Y, f"Page {number} of {total}")
        if section is None:
            self.restoreState()
            return
        top = height - HEADER_Y_FROM_TOP
        if number > 1:
            self.setFont(FONT, 7)
            self.setFillColor(MUTED)
            self._text(width - MARGIN, top, section.running_title, "right")
        self.setFont(BOLD, 7)
        self.setFillColor(ALERT if section.alert else INK)
        room = width - 2 * MARGIN - (self.stringWidth(section.running_title, FONT, 7) + 12 if number > 1 else 0)
        for line, text in enumerate(section.status):
            # a long status (an amendment's reason) is set smaller to stay within the page, never cut
            self.setFont(BOLD, max(4.5, min(7.0, 7.0 * room / max(self.stringWidth(text, BOLD, 7), 1))))
            self._text(MARGIN, top - 8.5 * line, text)
        if number > 1 or section.status:
            rule = top - 8.5 * max(len(section.status) - 1, 0) - 4
            self.setStrokeColor(RULE)
            self.line(MARGIN, rule, width - MARGIN, rule)
        self.restoreState()

    def _text(self, x: float, y: float, text: str, align: str = "left") -> None:
        """One line at ``x`` ("left", "centre" or "right" of it), right-to-left runs in visual order."""
        text = visual_order(text)
        width = self.stringWidth(text, self._fontname, self._fontsize)
        self.drawString(x - {"left": 0, "centre": width / 2, "right": width}[align], y, text)


class PagesOf(Flowable):
    """The pages of the file a section takes ("4–5"), for an index: printed when the file is finished."""

    def __init__(self, section: Section, font_size: float = 8):
        super().__init__()
        self.section, self.font_size = section, font_size

    def wrap(self, available_width, available_height):
        return available_width, self.font_size * 1.2

    def draw(self):
        x, y = self.canv.absolutePosition(0, self.font_size * 0.25)
        self.canv.write_pages_of(self.section, x, y, self.font_size)


def render(story: list, *, page_size: str, title: str, subject: str, printed: str, creator: str,
           keywords: str = "", progress: Callable[[int, int], None] | None = None) -> bytes:
    """The story as PDF bytes. ``printed`` is the footer's left text (print date and version).
    ``progress(done, total)`` follows the layout, flowable by flowable; an exception it raises (a
    cancel) stops the layout, and nothing is returned."""
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=PAGE_SIZES[page_size], leftMargin=MARGIN, rightMargin=MARGIN,
        topMargin=MARGIN + 3 * mm, bottomMargin=MARGIN + 3 * mm, title=title, subject=subject,
        author=creator, creator=creator, keywords=keywords, invariant=1, initialFontName=FONT,  # not reportlab's Helvetica
    )
    if progress is not None:
        total = len(story)
        document.setProgressCallBack(lambda kind, value: progress(value, total) if kind == "PROGRESS" else None)
    document.build(story, canvasmaker=partial(_DecoratedCanvas, printed=printed))
    return buffer.getvalue()


def content_width(page_size: str) -> float:
    return PAGE_SIZES[page_size][0] - 2 * MARGIN
