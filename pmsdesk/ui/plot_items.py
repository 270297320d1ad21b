"""pyqtgraph items named after what they show on a trajectory plot; each explains itself on hover."""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence

import pyqtgraph as pg
from PySide6.QtCore import QLineF, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPen, QPolygonF, QTransform
from PySide6.QtWidgets import QGraphicsPolygonItem

from pmsdesk.domain.references import Arm
from pmsdesk.services.series import (
    DoseMark,
    EventMark,
    OverlayCurve,
    Point,
    RelapseMark,
    ThresholdBand,
)

PATIENT_COLOR = "#1b2f6e"
NOT_COMPLETED_COLOR = "#b03a2e"
WORSENING_COLOR = "#c0392b"
IMPROVEMENT_COLOR = "#1e8449"
DOSE_COLOR = QColor(40, 140, 170, 90)
RELAPSE_COLOR = "#d35400"
BAND_COLOR = QColor(110, 110, 110, 38)
# Comparison arms in warm colours, treated arms in cool ones: "worse than placebo?" reads at a glance.
PLACEBO_COLORS = ("#e67e22", "#a04000", "#f1c40f", "#7b241c")
TREATED_COLORS = ("#7d3c98", "#148f77", "#2874a6", "#5d6d7e")


def overlay_color(curve: OverlayCurve, index: int) -> QColor:
    comparison = curve.arm in (Arm.PLACEBO, Arm.NATURAL_HISTORY, Arm.DELAYED_START)
    palette = PLACEBO_COLORS if comparison else TREATED_COLORS
    return QColor(palette[index % len(palette)])


class VisitPoints(pg.ScatterPlotItem):
    """The patient's values, one spot per visit: hover shows visit, value and trials (and any
    event found there); a double-click emits ``visit_activated(visit id)``.

    Made once per plot and refilled with :meth:`set_points` on every draw."""

    visit_activated = Signal(int)

    def __init__(self, points: Sequence[Point], xs: Sequence[float], ys: Sequence[float], *,
                 symbol: str = "o", color: str = PATIENT_COLOR, size: int = 8, notes: Mapping[int, str] = {}):
        super().__init__(x=list(xs), y=list(ys), data=list(points), symbol=symbol, size=size,
                         pen=pg.mkPen(color, width=1.5), brush=pg.mkBrush(color), hoverable=True,
                         tip=self.hover_text, hoverSize=size + 4)
        self.points_shown = tuple(points)
        self.notes = dict(notes)
        self.sigClicked.connect(self._clicked)
        self.setZValue(2)  # over the patient's line, whatever order the items were added in

    def set_points(self, points: Sequence[Point], xs: Sequence[float], ys: Sequence[float], *,
                   notes: Mapping[int, str] = {}) -> None:
        self.points_shown = tuple(points)
        self.notes = dict(notes)
        self.setData(x=list(xs), y=list(ys), data=list(points))

    def hover_text(self, x: float, y: float, data: Point) -> str:
        note = self.notes.get(data.visit_id)
        return f"{data.detail}\n\n{note}" if note else data.detail

    def _clicked(self, _item, spots, event) -> None:
        if event.double() and len(spots):
            self.visit_activated.emit(spots[0].data().visit_id)


class NotCompletedMarks(VisitPoints):
    """Visits where the test could not be completed: a cross at the worse edge of the plot, the reason on hover."""

    def __init__(self, points: Sequence[Point], xs: Sequence[float], y: float):
        super().__init__(points, xs, [y] * len(points), symbol="x", color=NOT_COMPLETED_COLOR, size=11)
        self.setZValue(2.5)

    def set_marks(self, points: Sequence[Point], xs: Sequence[float], y: float) -> None:
        self.set_points(points, xs, [y] * len(points))


class TrajectoryCurve(pg.PlotCurveItem):
    """The line through the patient's completed values."""

    def __init__(self, xs: Sequence[float], ys: Sequence[float]):
        super().__init__(x=list(xs), y=list(ys), pen=pg.mkPen(PATIENT_COLOR, width=2))
        self.setZValue(1)  # above the cohort curves, whatever order the items were added in


class ThresholdBandItem(pg.LinearRegionItem):
    """Values within the meaningful change of the baseline (grey): a value outside it is a change."""

    def __init__(self, band: ThresholdBand, unit: str):
        super().__init__(values=(band.low, band.high), orientation="horizontal", movable=False,
                         brush=pg.mkBrush(BAND_COLOR), hoverBrush=pg.mkBrush(BAND_COLOR), pen=pg.mkPen(None))
        self.setZValue(-20)
        self.set_band(band, unit)

    def set_band(self, band: ThresholdBand, unit: str) -> None:
        self.band = band
        self.setRegion((band.low, band.high))
        unit = f" {unit}" if unit else ""
        self.setToolTip(f"Meaningful change from baseline {band.baseline:g}{unit}: ±{band.threshold:g}{unit}\n"
                        f"Rule: {band.rule}")


def _first_pixel(edge: float) -> int:
    """The first pixel whose centre lies beyond ``edge`` (device coordinates), as Qt fills shapes."""
    return math.floor(round(edge * 64) / 64 - 0.5) + 1  # Qt rasterises in 1/64 pixel fixed point


class DateMarks(pg.GraphicsObject):
    """Vertical lines across the plot at given x positions, each explained on hover.

    One item draws every line (a clinic patient has dozens of doses on each plot): one
    InfiniteLine per dose would make opening a long follow-up visibly slow.
    """

    HOVER_PIXELS = 4

    def __init__(self, xs: Sequence[float], tooltips: Sequence[str], pen, label: str | None = None):
        super().__init__()
        self.xs = tuple(xs)
        self.tooltips = tuple(tooltips)
        self.pen = pen
        self._lines: list[QLineF] = []
        self._lines_for = None
        self.setAcceptHoverEvents(True)
        self.setZValue(-10)
        if label:
            text = pg.TextItem(label, color=pen.color(), anchor=(0, 0))
            text.setParentItem(self)
            text.setVisible(bool(self.xs))
            self._label = text
        else:
            self._label = None

    def set_marks(self, xs: Sequence[float], tooltips: Sequence[str]) -> None:
        """Refill with other lines (the item is made once per plot and reused on every draw)."""
        xs, tooltips = tuple(xs), tuple(tooltips)
        self.tooltips = tooltips
        if xs == self.xs:
            return
        self.xs = xs
        self._lines_for = None
        if self._label is not None:
            self._label.setVisible(bool(xs))
        self.informViewBoundsChanged()
        self.viewRangeChanged()
        self.update()

    def dataBounds(self, axis: int, frac: float = 1.0, orthoRange=None):
        if axis == 0 and self.xs:
            return min(self.xs), max(self.xs)
        return None  # no say in the y range

    def boundingRect(self):
        rect = self.viewRect()
        return rect if rect is not None else QRectF()

    def viewRangeChanged(self) -> None:
        self.prepareGeometryChange()
        rect = self.viewRect()
        if self._label is not None and rect is not None and self.xs:
            self._label.setPos(self.xs[0], rect.bottom())  # y axis points up: bottom() is the top edge

    def paint(self, painter, *_args) -> None:
        rect = self.viewRect()
        if rect is None:
            return
        transform = QTransform(painter.deviceTransform())
        if self.pen.style() == Qt.PenStyle.SolidLine and transform.type().value <= QTransform.TransformationType.TxScale.value:
            # Solid lines as whole-pixel filled rectangles: Qt strokes a wide pen's every line through
            # its path stroker, which made these lines the costliest thing on the figure. The
            # rectangles cover exactly the pixels the stroked line did: those whose centre lies in
            # (edge, edge], the line widened by half the pen and, for square caps, lengthened as much.
            half = max(self.pen.widthF(), 1.0) / 2
            cap = half if self.pen.capStyle() == Qt.PenCapStyle.SquareCap else 0.0
            ends = sorted(transform.map(QPointF(0, y)).y() for y in (rect.top(), rect.bottom()))
            top, bottom = _first_pixel(ends[0] - cap), _first_pixel(ends[1] + cap)
            scale, shift = transform.m11(), transform.dx()
            color = self.pen.color()
            painter.save()
            painter.resetTransform()
            for x in self.xs:
                left, right = _first_pixel(scale * x + shift - half), _first_pixel(scale * x + shift + half)
                painter.fillRect(QRect(left, top, right - left, bottom - top), color)
            painter.restore()
            return
        key = (self.xs, rect.top(), rect.bottom())
        if self._lines_for != key:  # the same lines repaint (hover, resize) until the data or view changes
            self._lines = [QLineF(x, rect.top(), x, rect.bottom()) for x in self.xs]
            self._lines_for = key
        painter.setPen(self.pen)
        painter.drawLines(self._lines)

    def nearest(self, x: float) -> int | None:
        """Index of the line within a few pixels of ``x``."""
        tolerance = self.HOVER_PIXELS * (self.pixelWidth() or 0)
        distances = [(abs(line_x - x), i) for i, line_x in enumerate(self.xs)]
        best = min(distances, default=None)
        return best[1] if best is not None and best[0] <= tolerance else None

    def hoverEvent(self, event) -> None:
        index = None if event.isExit() else self.nearest(event.pos().x())
        self.setToolTip("" if index is None else self.tooltips[index])


class DoseLines(DateMarks):
    def __init__(self, doses: Sequence[DoseMark], xs: Sequence[float]):
        super().__init__(xs, [dose.detail for dose in doses], pg.mkPen(DOSE_COLOR, width=2))
        self.doses = tuple(doses)

    def set_doses(self, doses: Sequence[DoseMark], xs: Sequence[float], tooltips: Sequence[str] | None = None) -> None:
        self.doses = tuple(doses)
        self.set_marks(xs, [dose.detail for dose in doses] if tooltips is None else tooltips)


class RelapseLines(DateMarks):
    def __init__(self, relapses: Sequence[RelapseMark], xs: Sequence[float]):
        super().__init__(xs, [relapse.detail for relapse in relapses],
                         pg.mkPen(RELAPSE_COLOR, width=2, style=Qt.PenStyle.DashLine), "relapse")
        self.relapses = tuple(relapses)
        self.setZValue(-9)  # over the dose lines

    def set_relapses(self, relapses: Sequence[RelapseMark], xs: Sequence[float],
                     tooltips: Sequence[str] | None = None) -> None:
        self.relapses = tuple(relapses)
        self.set_marks(xs, [relapse.detail for relapse in relapses] if tooltips is None else tooltips)


_EVENT_PENS = {True: pg.mkPen(WORSENING_COLOR, width=3), False: pg.mkPen(IMPROVEMENT_COLOR, width=3)}


class EventMarker(pg.ScatterPlotItem):
    """Confirmed worsening (red ring, CDW) or improvement (green ring, CDI) around the onset visit;
    no text label (a long follow-up can have dozens of events, and the legend names the colours).

    The ring only marks: hover and double-click belong to the visit point inside it, whose hover
    text carries the event's criteria (see :func:`event_notes`).
    """

    def __init__(self, events: Sequence[EventMark], xs: Sequence[float]):
        super().__init__(x=list(xs), y=[e.onset.value for e in events], data=list(events), symbol="o", size=20,
                         pen=[_EVENT_PENS[e.is_worsening] for e in events], brush=pg.mkBrush(None))
        self.events = tuple(events)
        self.setZValue(3)  # around the visit points

    def set_events(self, events: Sequence[EventMark], xs: Sequence[float]) -> None:
        self.events = tuple(events)
        self.setData(x=list(xs), y=[e.onset.value for e in events], data=list(events),
                     pen=[_EVENT_PENS[e.is_worsening] for e in events])

    def mouseClickEvent(self, event) -> None:
        event.ignore()  # let the visit point under the ring take the double-click


def event_notes(events: Sequence[EventMark]) -> dict[int, str]:
    """Criteria of the events by onset visit, for the hover text of the visit points."""
    notes: dict[int, str] = {}
    for event in events:
        notes[event.onset.visit_id] = "\n".join(filter(None, (notes.get(event.onset.visit_id), event.criteria)))
    return notes


class ReferenceCurve(pg.PlotCurveItem):
    """A cohort arm's mean course from the patient's baseline (dashed; dotted for a rate per year)."""

    def __init__(self, curve: OverlayCurve, xs: Sequence[float], color: QColor, citation: str):
        style = Qt.PenStyle.DotLine if curve.is_rate else Qt.PenStyle.DashLine
        super().__init__(x=list(xs), y=[p.value for p in curve.points], pen=pg.mkPen(color, width=2.5, style=style))
        self._style = (color.rgba(), curve.is_rate)
        self.curve = curve
        self.citation = citation
        self.setToolTip(f"{curve.label}\n\n{citation}")

    def set_curve(self, curve: OverlayCurve, xs: Sequence[float], color: QColor, citation: str) -> None:
        style = (color.rgba(), curve.is_rate)
        if style != self._style:
            self._style = style
            self.setPen(pg.mkPen(color, width=2.5, style=Qt.PenStyle.DotLine if curve.is_rate else Qt.PenStyle.DashLine))
        self.setData(x=list(xs), y=[p.value for p in curve.points])
        if (curve.label, citation) != (self.curve.label, self.citation):
            self.setToolTip(f"{curve.label}\n\n{citation}")
        self.curve = curve
        self.citation = citation


class ReferenceBand(QGraphicsPolygonItem):
    """Mean ± SD of a cohort arm's change, anchored at the patient's baseline.

    A plain polygon rather than pg.FillBetweenItem, whose closed outline pyqtgraph's SVG export
    cannot parse.
    """

    def __init__(self, curve: OverlayCurve, xs: Sequence[float], color: QColor):
        super().__init__()
        self.setPen(QPen(Qt.PenStyle.NoPen))
        self.setZValue(-15)
        self.set_curve(curve, xs, color)

    def set_curve(self, curve: OverlayCurve, xs: Sequence[float], color: QColor) -> None:
        spread = [(x, p) for x, p in zip(xs, curve.points) if p.low is not None]
        outline = [QPointF(x, p.high) for x, p in spread] + [QPointF(x, p.low) for x, p in reversed(spread)]
        self.setPolygon(QPolygonF(outline))
        fill = QColor(color)
        fill.setAlpha(30)  # several arms overlap; the patient's own line must stay the darkest thing
        self.setBrush(fill)
        self.curve = curve


class PlotLegend(pg.LabelItem):
    """Beside a plot, what each colour and line style stands for; one label, however many overlays.

    (A pg.LegendItem makes a text item per entry, which costs more than drawing the data.)
    """

    def __init__(self):
        super().__init__(justify="left")
        self.entries: list[str] = []

    def set_entries(self, entries: Sequence[tuple[str, str, str]]) -> None:
        """(glyph, colour, text) per line, e.g. ("━●", PATIENT_COLOR, "patient")."""
        self.entries = [text for _glyph, _color, text in entries]
        lines = [f"<span style='color:{color}'>{html.escape(glyph)}</span> {html.escape(text)}"
                 for glyph, color, text in entries]
        text = "<br>".join(lines)
        if text != self.text:  # laying out rich text costs more than the comparison
            self.setText(text, size="8pt", color="#222")
