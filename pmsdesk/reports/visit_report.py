"""The visit summary PDF: one visit, or every visit of a day or a date range in one file.

``visit_report_pdf(data)`` and ``batch_report_pdf(visits, first, last)`` are pure functions of
:class:`~pmsdesk.reports.data.VisitReportData` to PDF bytes (reportlab invariant mode: same data, same
bytes). Page sizes: ``"a4"`` and ``"letter"``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import (
    Image,
    KeepTogether,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import HRFlowable

from pmsdesk.domain.scoring.change import Direction
from pmsdesk.domain.vocab import VisitKind, VisitStatus
from pmsdesk.reports import content
from pmsdesk.reports.charts import trajectory_chart
from pmsdesk.reports.data import DEFAULT_PAGE_SIZE, ClinicHeader, VisitReportData
from pmsdesk.reports.document import (
    ALERT,
    RULE,
    SHADE,
    PagesOf,
    Section,
    SectionStart,
    Styles,
    content_width,
    render,
    right_aligned,
)
from pmsdesk.reports.fonts import FONT, paragraph_direction, shaped, visual_lines

DRAFT_TEXT = content.DRAFT_STATUS
TITLE = "Intrathecal treatment visit summary"


# Line breaks of paragraphs already laid out, by (markup, style, width): a batch repeats the same
# headings, cohort findings and citations in every visit's section, and a table wraps each cell more
# than once (measuring, then drawing). Breaking lines is most of the layout time.
_WRAP_CACHE: dict = {}
_WRAP_CACHE_LIMIT = 20000


class _Paragraph(Paragraph):
    """A Paragraph that reuses the line breaks of an identical paragraph laid out at the same width.

    The result is the same as laying it out again (same lines, same bytes in the PDF). A split (rare:
    a paragraph at the foot of a page) lays the paragraph out afresh first, because reportlab's split
    works on, and may change, the paragraph's own fragments and lines.
    """

    def __init__(self, text, style=None, *args, **kwargs):
        super().__init__(text, style, *args, **kwargs)
        # Only paragraphs made from text by this module are shared; a split's halves are made from frags.
        self._wrap_key = (text, style) if text is not None and not args and not kwargs else None
        # Written mainly right to left (a Hebrew note or name): every line in that direction, set right.
        # A split's halves take the direction (and the style) of the paragraph they are cut from.
        self.direction = "L" if text is None else paragraph_direction(getattr(f, "text", "") for f in self.frags)
        if self.direction == "R":
            self.style = right_aligned(self.style)

    def wrap(self, availWidth, availHeight):  # noqa: N803 - reportlab API
        if self._wrap_key is None or availWidth < 1e-8:
            return super().wrap(availWidth, availHeight)
        key = (self._wrap_key, availWidth)
        known = _WRAP_CACHE.get(key)
        if known is None:
            width, height = super().wrap(availWidth, availHeight)
            if len(_WRAP_CACHE) >= _WRAP_CACHE_LIMIT:
                _WRAP_CACHE.clear()
            _WRAP_CACHE[key] = (self.blPara, self._wrapWidths, height)
            return width, height
        self.width = availWidth
        self.blPara, self._wrapWidths, self.height = known
        return availWidth, self.height

    def draw(self):
        # Lines are broken (and split across pages) in logical order; each is drawn in visual order.
        logical = self.blPara
        visual = visual_lines(logical, self.direction)
        if visual is None:
            return super().draw()
        self.blPara = visual
        try:
            return super().draw()
        finally:
            self.blPara = logical

    def split(self, availWidth, availHeight):  # noqa: N803 - reportlab API
        if self._wrap_key is not None:
            _WRAP_CACHE.pop((self._wrap_key, availWidth), None)  # its lines may be changed by the split
            self._wrap_key = None
            Paragraph.wrap(self, availWidth, availHeight)
        halves = super().split(availWidth, availHeight)
        for half in halves:
            half.direction = self.direction
        return halves


def _grid_style(commands: list) -> TableStyle:
    """A table's style, in the report font: a table otherwise sets Helvetica for its cells, which
    would put an unembedded font into the PDF."""
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT), *commands])


def _shown(text: str) -> str:
    """Text for a paragraph's markup: escaped, Arabic joined; the paragraph puts each of its lines in
    visual order when it draws it (:class:`_Paragraph`)."""
    return escape(shaped(text))


def _p(text: str, style=Styles.body) -> Paragraph:
    return _markup(_shown(text), style)


def _markup(text: str, style=Styles.body) -> Paragraph:
    """A paragraph whose text already holds reportlab markup (<b>, <font>): callers pass their data
    through :func:`_shown`."""
    return _Paragraph(text, style)


def _cell(reading: content.Reading) -> Paragraph:
    text = _shown(reading.text)
    if reading.detail:
        text += f'<br/><font size="6.5" color="#555555">{_shown(reading.detail)}</font>'
    return _markup(text, Styles.cell)


def _section(data: VisitReportData) -> Section:
    subject = f"{data.patient_name} \u00b7 {data.patient.clinic_id} \u00b7 visit {data.visit_date.isoformat()}"
    status, alert = content.status_lines(data.signature)
    return Section(subject, "Visit summary, continued", status=status, alert=alert)


def _letterhead(data: VisitReportData, width: float) -> Table:
    return _clinic_heading(data.clinic, TITLE, width, f"Printed {data.printed_at:%Y-%m-%d %H:%M}")


def _clinic_heading(clinic: ClinicHeader, heading: str, width: float, under: str | None = None) -> Table:
    """The clinic's name, address and logo on the left, the document's title on the right."""
    name = [_p(clinic.name, Styles.clinic)] + [_p(line, Styles.address) for line in clinic.address_lines]
    title = [_p(heading, Styles.title)] + ([_p(under, Styles.small_muted)] if under else [])
    logo_width = 0
    cells = [name, title]
    if clinic.logo_path is not None:
        logo = Image(str(clinic.logo_path), kind="proportional", width=32 * mm, height=16 * mm)
        logo_width = 36 * mm
        cells.insert(0, logo)
    widths = ([logo_width] if logo_width else []) + [(width - logo_width) * 0.4, (width - logo_width) * 0.6]
    table = Table([cells], colWidths=widths)
    table.setStyle(_grid_style([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (-2, 0), (-2, 0), 4 * mm),  # a right-to-left name, set right, keeps off the title
        ("ALIGN", (-1, 0), (-1, 0), "RIGHT"),
        ("LINEBELOW", (0, 0), (-1, 0), 1, colors.black),
        ("BOTTOMPADDING", (0, 0), (-1, 0), 5),
    ]))
    return table


def _draft_banner(width: float) -> Table:
    banner = Table([[_markup(f"{DRAFT_TEXT}: not yet signed by the responsible clinician.",
                             Styles.draft)]], colWidths=[width])
    banner.setStyle(_grid_style([("BOX", (0, 0), (-1, -1), 1.2, ALERT), ("TOPPADDING", (0, 0), (-1, -1), 4),
                                ("BOTTOMPADDING", (0, 0), (-1, -1), 5)]))
    return banner


def _facts(title: str, rows: list[tuple[str, str]], width: float) -> Table:
    table = Table([[_markup(f"<b>{_shown(title)}</b>", Styles.cell_bold), ""]]
                  + [[_p(label, Styles.label), _p(value, Styles.cell)] for label, value in rows],
                  colWidths=[width * 0.32, width * 0.68])
    table.setStyle(_grid_style([
        ("SPAN", (0, 0), (-1, 0)),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 1),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
        ("LINEBELOW", (0, 0), (-1, 0), 0.5, RULE),
    ]))
    return table


def _identity(data: VisitReportData, width: float) -> Table:
    gap = 6 * mm
    half = (width - gap) / 2
    table = Table([[_facts("Patient", content.patient_fields(data), half), "",
                    _facts("Visit", content.visit_fields(data), half)]], colWidths=[half, gap, half])
    table.setStyle(_grid_style([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    return table


MEASURE_COLUMN_SHARES = (0.14, 0.12, 0.12, 0.12, 0.1, 0.1, 0.30)


def _measures(data: VisitReportData, table: content.MeasureTable, width: float) -> list:
    previous = data.previous.visit.visit_date.isoformat() if data.previous is not None else "none"
    header = ["Measure", f"This visit\n{data.visit_date.isoformat()}", f"Previous visit\n{previous}",
              "Baseline\n(first completed)", "Change from baseline", "Change from previous", "Assessment"]
    rows = [[_p(text, Styles.cell_bold) for text in header]]
    for line in table.lines:
        rows.append([
            _p(line.label, Styles.cell_bold), _cell(line.current), _cell(line.previous), _cell(line.baseline),
            _p(line.from_baseline, Styles.cell), _p(line.from_previous, Styles.cell),
            _markup("<br/>".join(_shown(flag) for flag in line.flags), Styles.cell),
        ])
    grid = Table(rows, colWidths=[width * share for share in MEASURE_COLUMN_SHARES], repeatRows=1)
    style = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
        ("LINEBELOW", (0, 1), (-1, -1), 0.3, RULE),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    # A meaningful or confirmed change stands out by a tinted Assessment cell.
    # The tint follows the measure's newest standing since baseline (not any flag ever raised).
    for index, line in enumerate(table.lines, start=1):
        if line.standing is Direction.WORSENING:
            style.append(("BACKGROUND", (-1, index), (-1, index), colors.HexColor("#fbe9e7")))
        elif line.standing is Direction.IMPROVEMENT:
            style.append(("BACKGROUND", (-1, index), (-1, index), colors.HexColor("#e8f5e9")))
    grid.setStyle(_grid_style(style))
    story = [_p("Assessments", Styles.heading), grid]
    warnings = [f"{line.label}: {warning}" for line in table.lines for warning in line.current.warnings]
    if warnings:
        story.append(Spacer(1, 3))
        story += [_p(f"Note: {warning}.", Styles.small) for warning in warnings]
    return story


def _references(references: list[str]) -> list:
    """The criteria of the flags and the published sources, each once, numbered as cited above."""
    if not references:
        return []
    return [_p("References and criteria", Styles.heading)] + [
        _p(f"[{number}] {text}", Styles.small) for number, text in enumerate(references, 1)]


def _edss_derivation(data: VisitReportData) -> list:
    lines = content.edss_derivation(data)
    if lines is None:
        return []
    return [_p("EDSS from the functional systems", Styles.heading)] + [_p(line, Styles.small) for line in lines]


def _safety_check(data: VisitReportData) -> list:
    lines = content.safety_check_lines(data)
    if lines is None:
        return []
    return [_p("Pre-puncture safety check", Styles.heading)] + [_p(line, Styles.small) for line in lines]


def _adverse_events(data: VisitReportData, width: float) -> list:
    story = [_p("Adverse events reported at this visit", Styles.heading)]
    rows = content.adverse_event_rows(data)
    if not rows:
        return story + [_p("None reported at this visit.")]
    table = Table([[_p(h, Styles.cell_bold) for h in content.ADVERSE_EVENT_COLUMNS]]
                  + [[_p(cell, Styles.cell) for cell in row] for row in rows],
                  colWidths=[width * s for s in (0.28, 0.12, 0.1, 0.09, 0.16, 0.25)], repeatRows=1)
    table.setStyle(_grid_style([("VALIGN", (0, 0), (-1, -1), "TOP"), ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                               ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE)]))
    return story + [table]


def _notes(data: VisitReportData) -> list:
    # one paragraph a line: each line of a note takes its own direction (a Hebrew line, an English one)
    lines = [_p(line) if line.strip() else Spacer(1, Styles.body.leading)
             for line in (data.visit.visit.notes or "").strip().splitlines()]
    return [_p("Notes", Styles.heading), *(lines or [_p("No notes recorded.")]), Spacer(1, 2),
            _p(content.relapses_since_previous(data), Styles.body)]


CHART_KEY = ("Dots: this patient (ringed: this visit), joined in date order. Shaded band: within the meaningful "
             "change of the baseline (dotted line). Light vertical lines: intrathecal doses. R: relapse. "
             "\u00d7 at the top: test not completed. CDW/CDI: confirmed worsening/improvement at its onset. "
             "Cohort lines: published arms' mean course from this patient's baseline, each in the colour, marker "
             "and line pattern its chart's key names (tint: \u00b1 SD).")


CHARTS_PER_ROW = 3


def _trajectories(data: VisitReportData, width: float, references: list[str]) -> list:
    """The charts, three a row; the key and the first row stay together under the heading, and a row
    never splits, so a page holds whole charts with their legends. Cohorts are cited by their
    number in ``references`` (the document's reference list, extended here)."""
    series = data.series
    # A trajectory needs two visits: a single value is already in the table.
    keys = [key for key in series.measures if len(series.measures[key].points) > 1]
    if not keys:
        return []
    cohorts = {o.cohort.id: o.cohort for k in keys for o in data.overlays.get(k, ())}
    numbers = {cid: _cite(references, f"{cohort.short_name}: {content.reference_text(cohort.citation)}")
               for cid, cohort in cohorts.items()}
    gap = 4 * mm
    chart_width = (width - gap * (CHARTS_PER_ROW - 1)) / CHARTS_PER_ROW
    cells = []
    for key in keys:
        overlays = data.overlays.get(key, ())
        chart = trajectory_chart(series, key, overlays, data.visit.visit.id, chart_width, 38 * mm)
        cells.append(chart)  # the chart's own key, under it, names its cohort arms
    rows = []
    for i in range(0, len(cells), CHARTS_PER_ROW):
        chunk = cells[i:i + CHARTS_PER_ROW]
        chunk += [""] * (CHARTS_PER_ROW - len(chunk))
        row = Table([[cell for chart in chunk for cell in (chart, "")][:-1]],
                    colWidths=[w for _ in chunk for w in (chart_width, gap)][:-1])
        row.setStyle(_grid_style([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                 ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 6)]))
        rows.append(row)
    heading = _p(f"Trajectories (months since the {series.anchor_text}, "
                 f"{series.anchor.isoformat()}; visits up to this one)", Styles.heading)
    story = [KeepTogether([heading, _p(CHART_KEY, Styles.small_muted), Spacer(1, 3), rows[0]])] + rows[1:]
    found, told = [], set()
    for key in keys:
        # a finding about both hands is told once, under the first chart it belongs to
        statements = []
        for overlay in data.overlays.get(key, ()):
            for statement in content.findings(overlay, data.patient.phenotype):
                if statement not in told and len(statements) < content.FINDINGS_PER_MEASURE:
                    told.add(statement)
                    statements.append(f"{statement} [{numbers[overlay.cohort.id]}]")
        if statements:
            found.append(_markup(f"<b>{_shown(series.measures[key].spec.label)}</b>: "
                                 + _shown("; ".join(statements)) + ".", Styles.small))
    if found:
        story.append(KeepTogether([_p("Published findings for these measures (not drawn as a course)",
                                      Styles.heading), *found]))
    return story


def _cite(references: list[str], text: str) -> int:
    if text not in references:
        references.append(text)
    return references.index(text) + 1


def _amendments(data: VisitReportData) -> list:
    lines = content.amendment_lines(data.signature)
    if not lines:
        return []
    story = [_p("Amended after signing", Styles.heading)]
    for said, changes in lines:
        story.append(_p(said, Styles.body))
        story += [_p(f"\u2022 {change}", Styles.small) for change in changes]
    return story


def _signature(data: VisitReportData, width: float) -> list:
    """The signature block, ending the document after everything it attests (amendments included)."""
    # the amendments first: the signature (or the one still wanted) attests them too
    story = _amendments(data) + [Spacer(1, 5), HRFlowable(width="100%", thickness=0.6, color=colors.black,
                                                           spaceAfter=4),
                                 _p(content.AID_STATEMENT, Styles.small_muted), Spacer(1, 4)]
    signed = content.signature_lines(data)
    if signed:
        story += [_p(line, Styles.body) for line in signed]
    else:
        box = Table([[_p(DRAFT_TEXT, Styles.draft)],
                     [_p("Signature: ______________________________    Name: ______________________    "
                         "Date: ______________", Styles.body)]], colWidths=[width])
        box.setStyle(_grid_style([("BOX", (0, 0), (-1, -1), 1.2, ALERT), ("TOPPADDING", (0, 1), (-1, 1), 10),
                                 ("BOTTOMPADDING", (0, 1), (-1, 1), 6)]))
        story.append(box)
    return story


def visit_story(data: VisitReportData, page_size: str = DEFAULT_PAGE_SIZE, section: Section | None = None) -> list:
    """The flowables of one visit's section (starting with its section mark)."""
    width = content_width(page_size)
    story = [SectionStart(section or _section(data)), _letterhead(data, width), Spacer(1, 4)]
    if not data.signature.signed:
        story += [_draft_banner(width), Spacer(1, 4)]
    story += [_identity(data, width)]
    story += _safety_check(data)
    table = content.measure_table(data)
    references = list(table.notes)  # the flags' criteria first, then the cohorts' sources
    story += _measures(data, table, width)
    story += _edss_derivation(data)
    story += _adverse_events(data, width)
    story += _notes(data)
    story += _trajectories(data, width, references)
    # The signature never stands alone on a page: the last two references go with it (the list itself
    # may break across a page rather than leave most of one empty).
    listed = _references(references)
    story += listed[:-2]
    story.append(KeepTogether(listed[-2:] + _signature(data, width)))
    return story


def _printed(printed_at: dt.datetime, version: str, checkpoint: str) -> str:
    text = f"Printed {printed_at:%Y-%m-%d %H:%M} \u00b7 pmsdesk {version}"
    return f"{text} \u00b7 audit checkpoint {checkpoint[:checkpoint.find(':') + 17]}" if checkpoint else text


def _keywords(checkpoint: str) -> str:
    """The PDF's keywords: the whole checkpoint, for ``pmsdesk audit verify --checkpoint``."""
    return f"pmsdesk audit checkpoint {checkpoint}" if checkpoint else ""


def _creator(version: str) -> str:
    import reportlab

    return f"pmsdesk {version} (reportlab {reportlab.Version})"


def visit_report_pdf(data: VisitReportData, page_size: str = DEFAULT_PAGE_SIZE) -> bytes:
    """One visit's summary as PDF bytes."""
    return render(visit_story(data, page_size), page_size=page_size,
                  title=f"{TITLE}: {data.patient_name}, {data.visit_date.isoformat()}",
                  subject=f"{data.patient.clinic_id} visit {data.visit_date.isoformat()}",
                  printed=_printed(data.printed_at, data.software_version, data.audit_checkpoint),
                  keywords=_keywords(data.audit_checkpoint), creator=_creator(data.software_version))


def date_range_text(first: dt.date, last: dt.date) -> str:
    return f"on {first.isoformat()}" if first == last else f"from {first.isoformat()} to {last.isoformat()}"


def _status_label(data: VisitReportData) -> str:
    if data.signature.amended:
        return "Amended after signing"
    return VisitStatus(data.visit.visit.status).label


def _cover(visits: Sequence[VisitReportData], sections: Sequence[Section], first: dt.date, last: dt.date,
           width: float) -> list:
    """The batch's first page: the clinic's letterhead and an index of the visits with their pages."""
    count = len(visits)
    title = f"Visit summaries {date_range_text(first, last)}"
    cover = Section(title, "Visit summaries (index, continued)")
    story = [SectionStart(cover)]
    if visits:
        story += [_clinic_heading(visits[0].clinic, title, width), Spacer(1, 6)]
    else:
        story += [_p(title, Styles.title), Spacer(1, 4)]
    story += [_p(f"{count} visit{'s' if count != 1 else ''}, one section each; every section starts on a new page "
                 "and is numbered on its own." if count else "No visits were recorded in this period."),
              Spacer(1, 6)]
    if visits:
        rows = [[_p(cell, Styles.cell_bold) for cell in
                 ("Date", "Patient", "Clinic identifier", "Visit", "Status", "Pages")]]
        for data, section in zip(visits, sections):
            visit = data.visit.visit
            kind = VisitKind(visit.kind).label + (f" #{visit.treatment_number}" if visit.treatment_number else "")
            rows.append([_p(text, Styles.cell) for text in (visit.visit_date.isoformat(), data.patient_name,
                                                            data.patient.clinic_id, kind, _status_label(data))]
                        + [PagesOf(section)])
        table = Table(rows, colWidths=[width * s for s in (0.13, 0.31, 0.16, 0.17, 0.15, 0.08)], repeatRows=1)
        style = [("BACKGROUND", (0, 0), (-1, 0), SHADE), ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE),
                 ("VALIGN", (0, 0), (-1, -1), "TOP")]
        style += [("TEXTCOLOR", (4, row), (4, row), ALERT) for row, data in enumerate(visits, 1)
                  if data.signature.amended or not data.signature.signed]
        table.setStyle(_grid_style(style))
        story.append(table)
    return story


def batch_report_pdf(visits: Sequence[VisitReportData], first: dt.date, last: dt.date, *,
                     page_size: str = DEFAULT_PAGE_SIZE, printed_at: dt.datetime, version: str,
                     progress: Callable[[int, int], None] | None = None) -> bytes:
    """Every visit's summary in one PDF after a cover page listing them; each visit starts a new page.
    ``progress(done, total)`` follows the work on one scale: the first half is each visit's section
    being put together, the second half the layout (see :func:`~pmsdesk.reports.document.render`); an
    exception it raises (a cancel) stops the work, and nothing is returned."""
    count = max(len(visits), 1)
    sections = [_section(data) for data in visits]
    story = _cover(visits, sections, first, last, content_width(page_size))
    for done, (data, section) in enumerate(zip(visits, sections)):
        if progress is not None:
            progress(done, 2 * count)
        story.append(PageBreak())
        story += visit_story(data, page_size, section)
    laid_out = None if progress is None else (lambda done, total: progress(count + done * count // max(total, 1),
                                                                           2 * count))
    title = f"Visit summaries {date_range_text(first, last)}"
    checkpoint = visits[-1].audit_checkpoint if visits else ""
    return render(story, page_size=page_size, title=title, subject=title,
                  printed=_printed(printed_at, version, checkpoint), keywords=_keywords(checkpoint),
                  creator=_creator(version), progress=laid_out)
