"""Trajectory charts for the reports, drawn with reportlab.graphics from the series the screen plots.

One small chart per measure: the patient's values over months since the first intrathecal dose, the
meaningful-change band around the baseline, a line per dose, relapses, confirmed events, tests that
could not be completed (at the top edge, never as zero) and the chosen cohort arms' courses from the
patient's baseline, each in its arm's colour, marker and line pattern (domain.comparators, the same
as on screen), with the chart's own key under it: a line per curve and one naming the chosen arms
that draw no curve here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from reportlab.graphics.shapes import (
    Circle,
    Drawing,
    Group,
    Line,
    Polygon,
    PolyLine,
    Rect,
    String,
)
from reportlab.lib import colors
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth

from pmsdesk.domain.comparators import CurveStyle
from pmsdesk.reports.document import ALERT, BOLD, FONT, INK, MUTED
from pmsdesk.services.series import (
    CohortOverlay,
    MeasureSeries,
    OverlayCurve,
    PatientSeries,
    no_curve_text,
)

PATIENT = colors.HexColor("#1f3b73")
BAND = colors.HexColor("#dfe8d8")
DOSE = colors.HexColor("#bfd3ea")
GRID = colors.HexColor("#e3e3e3")
IMPROVEMENT = colors.HexColor("#2e7d32")
# The line patterns of domain.comparators.DASHES in points; a rate per year is always dotted.
DASH_ARRAYS = {"dashed": [3, 2], "dash-dot": [3, 1.5, 0.8, 1.5], "long dashes": [6, 2]}
RATE_DASHES = [0.8, 1.5]
KEY_SIZE, KEY_LEADING, KEY_SWATCH = 5.5, 6.6, 16  # the key's type and the width of its line samples

_LEFT, _RIGHT, _TOP, _BOTTOM = 30, 8, 16, 24  # room for the axis labels and the title, in points


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering low..high (1, 2, 2.5 or 5 times a power of ten apart)."""
    if high <= low:
        high = low + 1
    raw = (high - low) / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.floor(low / step) * step
    ticks = []
    value = first
    while value < high + step * 0.999:
        ticks.append(round(value, 10))
        value += step
    return ticks


def _label(value: float) -> str:
    return f"{value:g}"


def _value_range(measure: MeasureSeries, overlays: Sequence[CohortOverlay]) -> tuple[float, float]:
    values = [p.value for p in measure.completed]
    if measure.band is not None:
        values += [measure.band.low, measure.band.high]
    # Cohort means widen the scale, their SD tints do not: the patient's own values must stay readable
    # (a tint beyond the scale is cut at the edge).
    values += [point.value for curve in _curves(overlays) for point in curve.points]
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    if measure.key == "edss":
        low, high = max(0.0, low - 0.5), min(10.0, high + 0.5)
    pad = (high - low) * 0.08 or 1.0
    return low - pad, high + pad


def key_entries(overlays: Sequence[CohortOverlay]) -> list[tuple[OverlayCurve | None, str]]:
    """The chart key's lines: (curve, its label) per curve drawn, then (None, the line naming the
    chosen arms without a curve here). The trajectory screen's legend names the same arms."""
    entries: list[tuple[OverlayCurve | None, str]] = [(curve, curve.label) for curve in _curves(overlays)]
    missing = no_curve_text(overlays)
    return entries + ([(None, missing)] if missing else [])


def trajectory_chart(series: PatientSeries, key: str, overlays: Sequence[CohortOverlay],
                     current_visit_id: int,
                     width: float, height: float) -> Drawing:
    """One measure's chart with its key: ``height`` for the chart, the key's lines added below it; each
    curve is drawn in its arm's style, which its key shows."""
    measure = series.measures[key]
    key_lines = [(curve, simpleSplit(text, FONT, KEY_SIZE, width - KEY_SWATCH - 4))
                 for curve, text in key_entries(overlays)]
    key_height = sum(len(lines) for _curve, lines in key_lines) * KEY_LEADING + (3 if key_lines else 0)
    drawing = Drawing(width, height + key_height)
    x0, y0 = _LEFT, _BOTTOM + key_height
    plot_w, plot_h = width - _LEFT - _RIGHT, height - _BOTTOM - _TOP
    span = max(series.last_months, *(p.months for c in _curves(overlays) for p in c.points), 1.0)
    x_ticks = nice_ticks(min(0.0, *(p.months for p in measure.points)), span, 6)
    y_ticks = nice_ticks(*_value_range(measure, overlays), 5)
    x_min, x_max, y_min, y_max = x_ticks[0], x_ticks[-1], y_ticks[0], y_ticks[-1]

    def x(months: float) -> float:
        return x0 + (months - x_min) / (x_max - x_min) * plot_w

    def y(value: float) -> float:
        return y0 + (min(max(value, y_min), y_max) - y_min) / (y_max - y_min) * plot_h

    unit = f" ({measure.spec.unit})" if measure.spec.unit else ""
    drawing.add(String(x0, drawing.height - 11, measure.spec.label + unit, fontName=BOLD, fontSize=8.5, fillColor=INK))
    for tick in y_ticks:
        drawing.add(Line(x0, y(tick), x0 + plot_w, y(tick), strokeColor=GRID, strokeWidth=0.4))
        drawing.add(String(x0 - 3, y(tick) - 2.5, _label(tick), fontName=FONT, fontSize=6.5, fillColor=MUTED,
                           textAnchor="end"))
    for tick in x_ticks:
        drawing.add(Line(x(tick), y0, x(tick), y0 - 2, strokeColor=MUTED, strokeWidth=0.5))
        drawing.add(String(x(tick), y0 - 9, _label(tick), fontName=FONT, fontSize=6.5, fillColor=MUTED,
                           textAnchor="middle"))
    drawing.add(String(x0 + plot_w / 2, key_height + 3, f"months since {series.anchor_text}", fontName=FONT,
                       fontSize=6.5, fillColor=MUTED, textAnchor="middle"))

    if measure.band is not None and measure.baseline is not None:
        band = measure.band
        drawing.add(Rect(x(measure.baseline.months), y(band.low), x(x_max) - x(measure.baseline.months),
                         y(band.high) - y(band.low), fillColor=BAND, strokeColor=None))
        drawing.add(Line(x(measure.baseline.months), y(band.baseline), x(x_max), y(band.baseline),
                         strokeColor=IMPROVEMENT, strokeWidth=0.4, strokeDashArray=[1, 2]))
    for dose in series.doses:  # across the plot, light enough to stay behind everything else
        drawing.add(Line(x(dose.months), y0, x(dose.months), y0 + plot_h, strokeColor=DOSE, strokeWidth=0.5))
    for relapse in series.relapses:
        drawing.add(String(x(relapse.months), y0 + plot_h - 8, "R", fontName=BOLD, fontSize=7, fillColor=ALERT,
                           textAnchor="middle"))
    for curve in _curves(overlays):
        drawing.add(_curve(curve, x, y))
    drawing.add(Rect(x0, y0, plot_w, plot_h, fillColor=None, strokeColor=MUTED, strokeWidth=0.5))

    completed = measure.completed
    if len(completed) > 1:
        drawing.add(PolyLine([c for p in completed for c in (x(p.months), y(p.value))], strokeColor=PATIENT,
                             strokeWidth=1))
    for point in completed:
        current = point.visit_id == current_visit_id
        drawing.add(Circle(x(point.months), y(point.value), 2.6 if current else 1.7, fillColor=PATIENT,
                           strokeColor=colors.white if current else PATIENT, strokeWidth=0.6))
        if current:
            drawing.add(Circle(x(point.months), y(point.value), 4.2, fillColor=None, strokeColor=PATIENT,
                               strokeWidth=0.8))
    for point in measure.not_completed:
        drawing.add(_cross(x(point.months), y0 + plot_h - 3, ALERT))
    # What an event's label must not cover: the patient's dots, every event's pointer, the relapse
    # marks and the crosses of tests not done at the top edge.
    taken = [_box(x(p.months), y(p.value), 4.2, 4.2) for p in completed]
    taken += [_box(x(r.months), y0 + plot_h - 5.5, 2.8, 3.5) for r in series.relapses]
    taken += [_box(x(p.months), y0 + plot_h - 3, 2.4, 2.4) for p in measure.not_completed]
    pointers = [(x(e.onset.months), y(e.onset.value)) for e in measure.events]
    taken += [(px - 3.2, py + 4, px + 3.2, py + 9) for px, py in pointers]
    labels = place_labels([(px, py + 11, stringWidth(e.kind.value, BOLD, EVENT_SIZE))
                           for (px, py), e in zip(pointers, measure.events)], taken, (x0, y0, x0 + plot_w, y0 + plot_h))
    for event, (px, py), (left, bottom, right, top) in zip(measure.events, pointers, labels):
        colour = ALERT if event.is_worsening else IMPROVEMENT
        drawing.add(Polygon([px - 3.2, py + 9, px + 3.2, py + 9, px, py + 4], fillColor=colour, strokeColor=None))
        baseline = bottom + EVENT_DESCENT
        if (left + right) / 2 != px or baseline != py + 11:  # moved off its pointer: a thin leader to it
            end = (min(max(px, left), right), bottom if bottom > py + 9 else top)
            drawing.add(Line(px, py + 9 if end[1] > py else py + 4, *end, strokeColor=colour, strokeWidth=0.4))
        drawing.add(String(left, baseline, event.kind.value, fontName=BOLD, fontSize=EVENT_SIZE, fillColor=colour))
    _draw_key(drawing, key_lines, key_height)
    return drawing


EVENT_SIZE = 6  # the CDW/CDI labels' type
EVENT_DESCENT, EVENT_ASCENT = 1.3, 4.6  # below and above the baseline of a bold capital label at that size


def _box(cx: float, cy: float, half_width: float, half_height: float) -> tuple[float, float, float, float]:
    return cx - half_width, cy - half_height, cx + half_width, cy + half_height


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def place_labels(wanted: Sequence[tuple[float, float, float]], taken: Sequence[tuple[float, float, float, float]],
                 frame: tuple[float, float, float, float]) -> list[tuple[float, float, float, float]]:
    """Boxes (left, bottom, right, top) for labels wanted centred at (x, baseline) with a width, each
    inside ``frame`` and clear of the ``taken`` boxes and of the labels placed before it: at its place
    if that is free, else stepped up, then below its point, then to either side (events close together
    stagger instead of printing over each other). Only a plot too crowded for any free place keeps a
    label at its place."""
    placed: list[tuple[float, float, float, float]] = []
    left_edge, bottom_edge, right_edge, top_edge = frame
    step = EVENT_DESCENT + EVENT_ASCENT + 1
    for cx, baseline, width in wanted:
        def box(centre: float, base: float) -> tuple[float, float, float, float]:
            left = min(max(centre - width / 2, left_edge + 1), right_edge - 1 - width)
            return left, base - EVENT_DESCENT, left + width, base + EVENT_ASCENT
        tries = [box(cx, baseline + k * step) for k in range(6)]
        tries += [box(cx, baseline - 16 - k * step) for k in range(4)]
        tries += [box(cx + side * (width + 2) * k, baseline) for k in range(1, 4) for side in (1, -1)]
        inside = [b for b in tries if b[1] >= bottom_edge + 1 and b[3] <= top_edge - 1]
        free = next((b for b in inside if not any(_overlap(b, other) for other in (*taken, *placed))), None)
        placed.append(free or (inside[0] if inside else tries[0]))
    return placed


def _draw_key(drawing: Drawing, key_lines, top: float) -> None:
    baseline = top - KEY_LEADING
    for curve, lines in key_lines:
        if curve is not None:
            middle = baseline + 2
            drawing.add(_line(curve, [(1, middle), (KEY_SWATCH - 1, middle)]))
            drawing.add(_marker(curve.style, KEY_SWATCH / 2, middle))
        for text in lines:
            drawing.add(String(KEY_SWATCH + 3, baseline, text, fontName=FONT, fontSize=KEY_SIZE,
                               fillColor=INK if curve is not None else MUTED))
            baseline -= KEY_LEADING


def _curves(overlays: Sequence[CohortOverlay]):
    return [curve for overlay in overlays for curve in overlay.curves]


def _curve(curve: OverlayCurve, x, y) -> Group:
    """A cohort arm's course: its ± SD tint, its line, its marker at each published timepoint."""
    colour = colors.HexColor(curve.style.colour)
    group = Group()
    spread = [p for p in curve.points if p.low is not None]
    if len(spread) > 1:
        outline = [(x(p.months), y(p.high)) for p in spread] + [(x(p.months), y(p.low)) for p in reversed(spread)]
        group.add(Polygon([c for xy in outline for c in xy], fillColor=colour, fillOpacity=0.13, strokeColor=None))
    group.add(_line(curve, [(x(p.months), y(p.value)) for p in curve.points]))
    for point in curve.points[1:]:  # the first point is the patient's own baseline
        group.add(_marker(curve.style, x(point.months), y(point.value)))
    return group


def _line(curve: OverlayCurve, points: Sequence[tuple[float, float]]) -> PolyLine:
    dashes = RATE_DASHES if curve.is_rate else DASH_ARRAYS[curve.style.dash]
    return PolyLine([c for xy in points for c in xy], strokeColor=colors.HexColor(curve.style.colour),
                    strokeWidth=1, strokeDashArray=dashes)


def _marker(style: CurveStyle, cx: float, cy: float, size: float = 2.2) -> Polygon:
    corners = {"square": [(-1, -1), (1, -1), (1, 1), (-1, 1)], "triangle": [(-1.1, -0.9), (1.1, -0.9), (0, 1.2)],
               "diamond": [(0, -1.3), (1.3, 0), (0, 1.3), (-1.3, 0)],
               "inverted triangle": [(-1.1, 0.9), (1.1, 0.9), (0, -1.2)]}[style.marker]
    return Polygon([c for dx, dy in corners for c in (cx + dx * size, cy + dy * size)],
                   fillColor=colors.HexColor(style.colour), strokeColor=None)


def _cross(cx: float, cy: float, colour, size: float = 2.4) -> Group:
    return Group(Line(cx - size, cy - size, cx + size, cy + size, strokeColor=colour, strokeWidth=1),
                 Line(cx - size, cy + size, cx + size, cy - size, strokeColor=colour, strokeWidth=1))

