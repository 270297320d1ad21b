"""Trajectory charts for the reports, drawn with reportlab.graphics from the series the screen plots.

One small chart per measure: the patient's values over months since the first intrathecal dose, the
meaningful-change band around the baseline, a tick per dose, relapses, confirmed events, tests that
could not be completed (at the top edge, never as zero) and the chosen cohorts' courses from the
patient's baseline.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from reportlab.graphics.shapes import Circle, Drawing, Group, Line, PolyLine, Polygon, Rect, String
from reportlab.lib import colors

from pmsdesk.reports.document import ALERT, BOLD, FONT, INK, MUTED
from pmsdesk.services.series import CohortOverlay, MeasureSeries, PatientSeries

PATIENT = colors.HexColor("#1f3b73")
BAND = colors.HexColor("#dfe8d8")
DOSE = colors.HexColor("#6c8fbf")
GRID = colors.HexColor("#e3e3e3")
IMPROVEMENT = colors.HexColor("#2e7d32")
# Cohort colours, given out in order of first appearance in a report, the same cohort the same colour.
COHORT_COLOURS = tuple(colors.HexColor(c) for c in ("#c77c02", "#7b3f99", "#00838f", "#8d6e63", "#ad1457", "#546e7a"))

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


def trajectory_chart(series: PatientSeries, key: str, overlays: Sequence[CohortOverlay],
                     cohort_colours: Mapping[str, colors.Color], current_visit_id: int,
                     width: float, height: float) -> Drawing:
    """One measure's chart; ``cohort_colours`` maps cohort ids to the colour of their overlay."""
    measure = series.measures[key]
    drawing = Drawing(width, height)
    x0, y0 = _LEFT, _BOTTOM
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
    drawing.add(String(x0, height - 11, measure.spec.label + unit, fontName=BOLD, fontSize=8.5, fillColor=INK))
    for tick in y_ticks:
        drawing.add(Line(x0, y(tick), x0 + plot_w, y(tick), strokeColor=GRID, strokeWidth=0.4))
        drawing.add(String(x0 - 3, y(tick) - 2.5, _label(tick), fontName=FONT, fontSize=6.5, fillColor=MUTED,
                           textAnchor="end"))
    for tick in x_ticks:
        drawing.add(Line(x(tick), y0, x(tick), y0 - 2, strokeColor=MUTED, strokeWidth=0.5))
        drawing.add(String(x(tick), y0 - 9, _label(tick), fontName=FONT, fontSize=6.5, fillColor=MUTED,
                           textAnchor="middle"))
    drawing.add(String(x0 + plot_w / 2, 3, f"months since {series.anchor_text}", fontName=FONT, fontSize=6.5,
                       fillColor=MUTED, textAnchor="middle"))

    if measure.band is not None and measure.baseline is not None:
        band = measure.band
        drawing.add(Rect(x(measure.baseline.months), y(band.low), x(x_max) - x(measure.baseline.months),
                         y(band.high) - y(band.low), fillColor=BAND, strokeColor=None))
        drawing.add(Line(x(measure.baseline.months), y(band.baseline), x(x_max), y(band.baseline),
                         strokeColor=IMPROVEMENT, strokeWidth=0.4, strokeDashArray=[1, 2]))
    for dose in series.doses:
        drawing.add(Line(x(dose.months), y0, x(dose.months), y0 + 6, strokeColor=DOSE, strokeWidth=1))
    for relapse in series.relapses:
        drawing.add(String(x(relapse.months), y0 + plot_h - 8, "R", fontName=BOLD, fontSize=7, fillColor=ALERT,
                           textAnchor="middle"))
    for overlay in overlays:
        drawing.add(_overlay(overlay, cohort_colours[overlay.cohort.id], x, y))
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
    for event in measure.events:
        colour = ALERT if event.is_worsening else IMPROVEMENT
        px, py = x(event.onset.months), y(event.onset.value)
        drawing.add(Polygon([px - 3.2, py + 9, px + 3.2, py + 9, px, py + 4], fillColor=colour, strokeColor=None))
        drawing.add(String(px, py + 11, event.kind.value, fontName=BOLD, fontSize=6, fillColor=colour,
                           textAnchor="middle"))
    return drawing


def _curves(overlays: Sequence[CohortOverlay]):
    return [curve for overlay in overlays for curve in overlay.curves]


def _overlay(overlay: CohortOverlay, colour, x, y) -> Group:
    group = Group()
    for curve in overlay.curves:
        spread = [p for p in curve.points if p.low is not None]
        if len(spread) > 1:
            outline = [(x(p.months), y(p.high)) for p in spread] + [(x(p.months), y(p.low)) for p in reversed(spread)]
            group.add(Polygon([c for xy in outline for c in xy], fillColor=colour, fillOpacity=0.13, strokeColor=None))
        group.add(PolyLine([c for p in curve.points for c in (x(p.months), y(p.value))], strokeColor=colour,
                           strokeWidth=1, strokeDashArray=[3, 2] if curve.is_rate else None))
    return group


def _cross(cx: float, cy: float, colour, size: float = 2.4) -> Group:
    return Group(Line(cx - size, cy - size, cx + size, cy + size, strokeColor=colour, strokeWidth=1),
                 Line(cx - size, cy + size, cx + size, cy - size, strokeColor=colour, strokeWidth=1))

