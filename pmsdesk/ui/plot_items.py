"""pyqtgraph items named after what they show on a trajectory plot; each explains itself on hover."""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence

import pyqtgraph as pg
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPen, QPolygonF, QTransform
from PySide6.QtWidgets import QGraphicsPolygonItem, QToolTip

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
DOSE_COLOR = QColor(40, 140, 170, 110)
RELAPSE_COLOR = "#d35400"
BAND_COLOR = QColor(110, 110, 110, 38)
# A cohort arm's marker (domain.comparators.MARKERS) as pyqtgraph draws it, and as a legend glyph.
MARKER_SYMBOLS = {"square": "s", "triangle": "t1", "diamond": "d", "inverted triangle": "t"}
# A mean course's line pattern (domain.comparators.DASHES); a rate per year is always dotted.
DASH_STYLES = {"dashed": Qt.PenStyle.DashLine, "dash-dot": Qt.PenStyle.DashDotLine, "long dashes": [6.0, 2.0]}
MARKER_GLYPHS = {"square": "\u25a0", "triangle": "\u25b2", "diamond": "\u25c6", "inverted triangle": "\u25bc"}
# The same markers as outlines in a 14-pixel square, for the cohort chooser's swatches.
MARKER_OUTLINES = {"square": ((2, 2), (12, 2), (12, 12), (2, 12)), "triangle": ((7, 1), (13, 12), (1, 12)),
                   "diamond": ((7, 0), (14, 7), (7, 14), (0, 7)), "inverted triangle": ((1, 2), (13, 2), (7, 13))}


class _OwnTooltip:
    """pyqtgraph gives a hovered spot's text to the ViewBox, under every item of the plot, so any
    item with a tooltip of its own (a cohort curve) won; the spots' item takes the text itself."""

    def hoverEvent(self, event) -> None:
        super().hoverEvent(event)
        spots = [] if event.isExit() else self.pointsAt(event.pos())
        self.setToolTip("\n\n".join(self.opts["tip"](x=spot.pos().x(), y=spot.pos().y(), data=spot.data())
                                     for spot in spots[:3]))


class VisitPoints(_OwnTooltip, pg.ScatterPlotItem):
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
        self.setToolTip(f"Meaningful change from baseline {band.baseline:g}{f' {unit}' if unit else ''}: "
                        f"{band.size(unit)}\nRule: {band.rule}")


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
            # Filled in the item's own coordinates, mapped back from whole device pixels: resetting the
            # painter's transform instead would drop the offset of a widget rendered inside another
            # (a grab, a scroll area), which drew the lines shifted and cut.
            to_item = transform.inverted()[0]
            for x in self.xs:
                left, right = _first_pixel(scale * x + shift - half), _first_pixel(scale * x + shift + half)
                painter.fillRect(to_item.mapRect(QRectF(left, top, right - left, bottom - top)), color)
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


class EventMarker(_OwnTooltip, pg.ScatterPlotItem):
    """Confirmed worsening (red ring, CDW) or improvement (green ring, CDI) around the onset visit;
    no text label (a long follow-up can have dozens of events, and the legend names the colours).

    Above everything else on the plot, so hovering the ring shows the event's criteria rather than
    a dose line's or a cohort curve's text; a click shows them too (and emits ``event_clicked``), a
    double-click goes through to the visit point inside, which opens the visit.
    """

    event_clicked = Signal(object)  # EventMark

    def __init__(self, events: Sequence[EventMark], xs: Sequence[float]):
        super().__init__(x=list(xs), y=[e.onset.value for e in events], data=list(events), symbol="o", size=20,
                         pen=[_EVENT_PENS[e.is_worsening] for e in events], brush=pg.mkBrush(None),
                         hoverable=True, tip=self.hover_text, hoverSize=22)
        self.events = tuple(events)
        self.setZValue(10)  # around the visit points, over dose lines and cohort curves

    def set_events(self, events: Sequence[EventMark], xs: Sequence[float]) -> None:
        self.events = tuple(events)
        self.setData(x=list(xs), y=[e.onset.value for e in events], data=list(events),
                     pen=[_EVENT_PENS[e.is_worsening] for e in events])

    def hover_text(self, x: float, y: float, data: EventMark) -> str:
        return event_text(data)

    def mouseClickEvent(self, event) -> None:
        spots = self.pointsAt(event.pos()) if event.button() == Qt.MouseButton.LeftButton else []
        if event.double() or not len(spots):
            event.ignore()  # the visit point under the ring takes the double-click
            return
        event.accept()
        mark = spots[0].data()
        QToolTip.showText(event.screenPos().toPoint(), event_text(mark))
        self.event_clicked.emit(mark)


def event_text(event: EventMark) -> str:
    """What a ring says on hover and on click: the event and the criteria that confirmed it."""
    kind = "Confirmed worsening" if event.is_worsening else "Confirmed improvement"
    return f"{kind} ({event.kind.value}), onset {event.onset.date.isoformat()}\n{event.criteria}\n\n{event.onset.detail}"


def event_notes(events: Sequence[EventMark]) -> dict[int, str]:
    """Criteria of the events by onset visit, for the hover text of the visit points."""
    notes: dict[int, str] = {}
    for event in events:
        notes[event.onset.visit_id] = "\n".join(filter(None, (notes.get(event.onset.visit_id), event.criteria)))
    return notes


class ReferenceCurve(pg.PlotCurveItem):
    """A cohort arm's mean course from the patient's baseline (dashed; dotted for a rate per year) in
    its arm's colour, with its arm's marker at each published timepoint."""

    def __init__(self, curve: OverlayCurve, xs: Sequence[float], citation: str):
        super().__init__()
        self.markers = pg.ScatterPlotItem(pen=None)
        self.markers.setParentItem(self)
        self._style = None
        self.curve = curve
        self.citation = ""
        self.set_curve(curve, xs, citation)

    def set_curve(self, curve: OverlayCurve, xs: Sequence[float], citation: str) -> None:
        style = (curve.style, curve.is_rate)
        if style != self._style:
            self._style = style
            color = QColor(curve.style.colour)
            self.setPen(_curve_pen(curve))
            self.markers.setSymbol(MARKER_SYMBOLS[curve.style.marker])
            self.markers.setBrush(pg.mkBrush(color))
            self.markers.setSize(9)
        ys = [p.value for p in curve.points]
        self.setData(x=list(xs), y=ys)
        self.markers.setData(x=list(xs[1:]), y=ys[1:])  # the first point is the patient's baseline
        if (curve.label, citation) != (self.curve.label, self.citation) or not self.toolTip():
            self.setToolTip(f"{curve.label}\n\n{citation}")
            self.markers.setToolTip(self.toolTip())
        self.curve = curve
        self.citation = citation


def _curve_pen(curve: OverlayCurve) -> QPen:
    pen = pg.mkPen(curve.style.colour, width=2.5)
    dash = Qt.PenStyle.DotLine if curve.is_rate else DASH_STYLES[curve.style.dash]
    if isinstance(dash, list):
        pen.setDashPattern(dash)
    else:
        pen.setStyle(dash)
    return pen


class ReferenceBand(QGraphicsPolygonItem):
    """Mean ± SD of a cohort arm's change, anchored at the patient's baseline.

    A plain polygon rather than pg.FillBetweenItem, whose closed outline pyqtgraph's SVG export
    cannot parse.
    """

    def __init__(self, curve: OverlayCurve, xs: Sequence[float]):
        super().__init__()
        self.setPen(QPen(Qt.PenStyle.NoPen))
        self.setZValue(-15)
        self.set_curve(curve, xs)

    def set_curve(self, curve: OverlayCurve, xs: Sequence[float]) -> None:
        spread = [(x, p) for x, p in zip(xs, curve.points) if p.low is not None]
        outline = [QPointF(x, p.high) for x, p in spread] + [QPointF(x, p.low) for x, p in reversed(spread)]
        self.setPolygon(QPolygonF(outline))
        fill = QColor(curve.style.colour)
        fill.setAlpha(30)  # several arms overlap; the patient's own line must stay the darkest thing
        self.setBrush(fill)
        self.curve = curve


class PlotLegend(pg.LabelItem):
    """Beside a plot, what each colour and line style stands for; one label, however many overlays.

    (A pg.LegendItem makes a text item per entry, which costs more than drawing the data.) Long
    entries wrap at ``width`` rather than being cut, so a subgroup's name is always read.
    """

    def __init__(self, width: int):
        super().__init__(justify="left")
        self.setFixedWidth(width)
        self.item.setTextWidth(width - 4)
        self.entries: list[str] = []

    def set_entries(self, entries: Sequence[tuple[str, str, str]]) -> None:
        """(glyph, colour, text) per line, e.g. ("━●", PATIENT_COLOR, "patient")."""
        self.entries = [text for _glyph, _color, text in entries]
        lines = [f"<span style='color:{color}'>{html.escape(glyph)}</span> {html.escape(text)}"
                 for glyph, color, text in entries]
        text = "<br>".join(lines)
        if text != self.text:  # laying out rich text costs more than the comparison
            self.setText(text, size="8pt", color="#222")
