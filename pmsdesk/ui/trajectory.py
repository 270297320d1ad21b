"""A patient's trajectory: stacked plots of every measure on one time axis, beside published cohorts.

The data comes from :mod:`pmsdesk.services.series` (the PDF reports draw the same series); this
module only draws it. Everything drawn explains itself on hover; a double-click on a visit opens it.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import QPoint, QPointF, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap, QPolygonF
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStyledItemDelegate,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from pmsdesk.domain.assessments import REGISTRY
from pmsdesk.domain.comparators import ComparatorChoice, CurveStyle, comparators_for
from pmsdesk.domain.naming import patient_display_name
from pmsdesk.domain.references import Cohort, ReferenceLibrary, load_reference_library
from pmsdesk.domain.vocab import Phenotype
from pmsdesk.services.series import (
    COMPUTED_FLAGS_NOTICE,
    DAYS_PER_MONTH,
    CohortOverlay,
    MeasureSeries,
    PatientSeries,
    Status,
    arm_overlays,
    no_curve_text,
    patient_series,
)
from pmsdesk.ui.plot_items import (
    DOSE_COLOR,
    IMPROVEMENT_COLOR,
    MARKER_GLYPHS,
    MARKER_OUTLINES,
    NOT_COMPLETED_COLOR,
    PATIENT_COLOR,
    RELAPSE_COLOR,
    WORSENING_COLOR,
    DoseLines,
    EventMarker,
    NotCompletedMarks,
    PlotLegend,
    ReferenceBand,
    ReferenceCurve,
    RelapseLines,
    ThresholdBandItem,
    TrajectoryCurve,
    VisitPoints,
    event_notes,
    event_text,
)

STATUS_COLORS = {Status.WORSENING: WORSENING_COLOR, Status.IMPROVEMENT: IMPROVEMENT_COLOR,
                 Status.UNCONFIRMED: "#b9770e", Status.STABLE: "#2e4053", Status.NO_DATA: "#7f8c8d"}
LEGEND_WIDTH = 250
PLOT_HEIGHT = 210  # each measure's plot at least this tall; the figure scrolls beyond the window
NO_CURVE_COLOR = "#777777"


def status_html(status: str) -> str:
    return f'<span style="color:{STATUS_COLORS[status]}; font-weight:bold">{html.escape(status)}</span>'


def verdict_html(series: PatientSeries) -> str:
    """The answer first: which measures worsened or improved (confirmed), which changed unconfirmed, which are stable."""
    parts = [f"{status_html(status)}: {html.escape(', '.join(labels))}"
             for status, labels in series.status_groups().items()]
    return " &nbsp;·&nbsp; ".join(parts) or "No measurements recorded yet."


def _utc_timestamp(day: dt.date) -> float:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp()


def x_mapping(series: PatientSeries, calendar: bool) -> Callable[[float], float]:
    """x of a time given in months since the anchor: the months themselves, or a UTC timestamp for a date axis."""
    if not calendar:
        return lambda months: months
    anchor = _utc_timestamp(series.anchor)
    return lambda months: anchor + months * DAYS_PER_MONTH * 86400


class MonthAxis(pg.DateAxisItem):
    """Calendar time with a tick every month (every 2, 3 or 6 months when they would crowd), labelled
    by month, and the year under January and under the first tick."""

    MIN_LABEL_PIXELS = 38

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._first_tick: float | None = None  # the first tick shown, labelled with its year

    def tickValues(self, minVal, maxVal, size):
        months = max((maxVal - minVal) / (DAYS_PER_MONTH * 86400), 1e-9)
        step = next((n for n in (1, 2, 3, 6) if size / months * n >= self.MIN_LABEL_PIXELS), 12)
        first = dt.datetime.fromtimestamp(minVal, dt.UTC)
        year, month = first.year, first.month
        ticks = []
        while True:
            stamp = dt.datetime(year, month, 1, tzinfo=dt.UTC).timestamp()
            if stamp > maxVal:
                break
            if stamp >= minVal and (month - 1) % step == 0:
                ticks.append(stamp)
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        self._first_tick = ticks[0] if ticks else None
        return [(DAYS_PER_MONTH * 86400 * step, ticks)]

    def tickStrings(self, values, scale, spacing):
        days = [dt.datetime.fromtimestamp(value, dt.UTC) for value in values]
        return [day.strftime("%b %Y") if day.month == 1 or value == self._first_tick else day.strftime("%b")
                for value, day in zip(values, days)]


class TrajectoryPlots(pg.GraphicsLayoutWidget):
    """One plot per measure, stacked, sharing the x axis; a legend beside each plot.

    The plots are made once and refilled on every draw: making a PlotItem costs far more than
    drawing a patient's data into it.
    """

    visit_activated = Signal(int)
    event_clicked = Signal(object)  # EventMark

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setBackground("w")
        self.title = pg.LabelItem(justify="left")
        self.addItem(self.title, row=0, col=0, colspan=2)
        self.plots: dict[str, pg.PlotItem] = {}
        self.legends: dict[str, PlotLegend] = {}
        self.calendar = False
        for key in (measure.key for measure in REGISTRY.followed_measures()):
            plot = pg.PlotItem()
            plot.setMenuEnabled(False)
            plot.hideButtons()
            plot.getAxis("left").setWidth(42)
            plot.setMinimumHeight(PLOT_HEIGHT)
            plot.getViewBox().setDefaultPadding(0.05)
            # pyqtgraph keeps an invisible border pen whose closed outline its SVG exporter cannot parse.
            plot.getViewBox().border = None
            self.plots[key], self.legends[key] = plot, PlotLegend(LEGEND_WIDTH)
        self.shown: list[str] = []
        # Per measure, the items drawn (made once, refilled on every draw) and which are in the plot.
        self._items: dict[str, dict[str, object]] = {}
        self._placed: dict[str, set] = {}
        self._titles: dict[str, str] = {}
        self._bottom_labels: dict[int, tuple[object, str]] = {}

    def draw(self, series: PatientSeries, overlays: Mapping[str, Sequence[CohortOverlay]], *,
             calendar: bool, heading: str) -> None:
        axis_text = "calendar date" if calendar else f"months since {series.anchor_text} ({series.anchor.isoformat()})"
        title = (f"<b>{html.escape(heading)}</b><br>{verdict_html(series)}"
                 f"<br><span style='color:#555'>x axis: {html.escape(axis_text)}</span>")
        if title != self.title.text:
            self.title.setText(title, size="10pt", color="#222")
        if calendar != self.calendar:
            self.calendar = calendar
            for plot in self.plots.values():
                plot.setAxisItems({"bottom": MonthAxis(utcOffset=0) if calendar else pg.AxisItem("bottom")})
        keys = [key for key in series.measures if key in self.plots]
        self._arrange(keys)
        x_of = x_mapping(series, calendar)
        # The same dose and relapse lines on every plot: their positions and hover texts once.
        marks = {"doses": ([x_of(dose.months) for dose in series.doses], [dose.detail for dose in series.doses]),
                 "relapses": ([x_of(r.months) for r in series.relapses], [r.detail for r in series.relapses])}
        for key in keys:
            plot, legend = self.plots[key], self.legends[key]
            self._draw_measure(key, plot, legend, series, series.measures[key], overlays.get(key, ()), x_of, marks)
            plot.enableAutoRange()
        if keys:
            self._set_bottom_label(self.plots[keys[-1]], "" if calendar else "months since " + series.anchor_text)
        self._fit_height(keys)

    def _fit_height(self, keys: list[str]) -> None:
        """Tall enough for every plot at its readable height and every legend uncut (the view scrolls)."""
        rows = sum(max(PLOT_HEIGHT, int(self.legends[key].item.boundingRect().height()) + 24) for key in keys)
        self.setMinimumHeight(int(self.title.item.boundingRect().height()) + rows + 40)

    def _arrange(self, keys: list[str]) -> None:
        """Show the plots of these measures, in this order, the x axis linked, its values under every
        plot (the figure scrolls: the last plot's axis may be out of sight) and its title on the last."""
        if keys == self.shown:
            return
        for key in self.shown:
            self.removeItem(self.plots[key])
            self.removeItem(self.legends[key])
        for row, key in enumerate(keys, start=1):
            plot = self.plots[key]
            self.addItem(plot, row=row, col=0)
            self.addItem(self.legends[key], row=row, col=1)
            plot.setXLink(self.plots[keys[0]] if row > 1 else None)
            plot.setLabel("bottom", "")
            self._bottom_labels[id(plot)] = (plot.getAxis("bottom"), "")
        self.shown = keys

    def _set_bottom_label(self, plot: pg.PlotItem, text: str) -> None:
        axis = plot.getAxis("bottom")
        if self._bottom_labels.get(id(plot)) != (axis, text):
            plot.setLabel("bottom", text)
            self._bottom_labels[id(plot)] = (axis, text)

    def _item(self, key: str, name: str, make: Callable[[], object]):
        """The plot's item of this name, made on first use (then only refilled: making and adding
        pyqtgraph items costs far more than giving them new data)."""
        items = self._items.setdefault(key, {})
        if name not in items:
            items[name] = make()
        return items[name]

    def _place(self, key: str, item, shown: bool, ignore_bounds: bool = False) -> None:
        """Put the item in its plot or take it out, only when that changes."""
        placed = self._placed.setdefault(key, set())
        if shown and item not in placed:
            self.plots[key].addItem(item, ignoreBounds=ignore_bounds)
            placed.add(item)
        elif not shown and item in placed:
            self.plots[key].removeItem(item)
            placed.discard(item)

    def _draw_measure(self, key: str, plot: pg.PlotItem, legend: PlotLegend, series: PatientSeries,
                      measure: MeasureSeries, overlays: Sequence[CohortOverlay], x_of, marks) -> None:
        spec = measure.spec
        unit = f" ({spec.unit})" if spec.unit else ""
        title = f"<b>{html.escape(spec.label)}</b>{html.escape(unit)} &nbsp; {status_html(measure.status)}"
        if self._titles.get(key) != title:
            plot.setTitle(title, size="9pt", justify="left", color="#222")
            self._titles[key] = title
        entries = [("\u2501\u25cf", PATIENT_COLOR, "patient (double-click: open visit)")]
        if series.doses:
            entries.append(("\u2503", DOSE_COLOR.name(), "intrathecal dose (hover: agent and dose)"))
        if series.relapses:
            entries.append(("\u2506", RELAPSE_COLOR, "relapse (hover: onset)"))
        if measure.band is not None:
            band = self._item(key, "band", lambda: ThresholdBandItem(measure.band, spec.unit))
            band.set_band(measure.band, spec.unit)
            entries.append(("\u2588\u2588", "#d6d6d6", "meaningful change from baseline"))
            self._place(key, band, True)
        elif "band" in self._items.get(key, {}):
            self._place(key, self._items[key]["band"], False)
        doses = self._item(key, "doses", lambda: DoseLines((), ()))
        doses.set_doses(series.doses, *marks["doses"])
        self._place(key, doses, bool(series.doses))
        relapses = self._item(key, "relapses", lambda: RelapseLines((), ()))
        relapses.set_relapses(series.relapses, *marks["relapses"])
        self._place(key, relapses, bool(series.relapses))

        curves = [(overlay, curve) for overlay in overlays for curve in overlay.curves]
        bands_pool = self._item(key, "reference_bands", list)
        curves_pool = self._item(key, "reference_curves", list)
        used_bands = 0
        for index, (overlay, curve) in enumerate(curves):
            xs = [x_of(p.months) for p in curve.points]
            if curve.has_spread:
                if used_bands < len(bands_pool):
                    bands_pool[used_bands].set_curve(curve, xs)
                else:
                    bands_pool.append(ReferenceBand(curve, xs))
                # A wide SD must not squash the patient's own values: the band has no say in the y range.
                self._place(key, bands_pool[used_bands], True, ignore_bounds=True)
                used_bands += 1
            if index < len(curves_pool):
                curves_pool[index].set_curve(curve, xs, overlay.citation)
            else:
                curves_pool.append(ReferenceCurve(curve, xs, overlay.citation))
            self._place(key, curves_pool[index], True)
            line = "\u2508" if curve.is_rate else "\u254c"
            entries.append((f"{line}{MARKER_GLYPHS[curve.style.marker]}{line}", curve.style.colour, curve.label))
        for unused in bands_pool[used_bands:] + curves_pool[len(curves):]:
            self._place(key, unused, False)
        missing = no_curve_text(overlays)
        if missing:
            entries.append(("\u25cb", NO_CURVE_COLOR, missing))

        completed = measure.completed
        xs = [x_of(p.months) for p in completed]
        ys = [p.value for p in completed]
        line = self._item(key, "line", lambda: TrajectoryCurve((), ()))
        line.setData(x=xs, y=ys)
        self._place(key, line, True)
        points = self._item(key, "points", lambda: self._connected(VisitPoints((), (), ())))
        points.set_points(completed, xs, ys, notes=event_notes(measure.events))
        self._place(key, points, True)
        marks = self._item(key, "not_completed", lambda: self._connected(NotCompletedMarks((), (), 0.0)))
        if measure.not_completed:
            marks.set_marks(measure.not_completed, [x_of(p.months) for p in measure.not_completed],
                            self._worse_edge(measure))
            entries.append(("\u2716", NOT_COMPLETED_COLOR, "not completed (hover: reason)"))
        self._place(key, marks, bool(measure.not_completed))
        events = self._item(key, "events", self._event_marker)
        if measure.events:
            events.set_events(measure.events, [x_of(e.onset.months) for e in measure.events])
            kinds = {event.is_worsening for event in measure.events}
            if True in kinds:
                entries.append(("\u25ef", WORSENING_COLOR, "confirmed worsening (hover or click: criteria)"))
            if False in kinds:
                entries.append(("\u25ef", IMPROVEMENT_COLOR, "confirmed improvement (hover or click: criteria)"))
        self._place(key, events, bool(measure.events))
        legend.set_entries(entries)

    def _event_marker(self) -> EventMarker:
        marker = EventMarker((), ())
        marker.event_clicked.connect(self.event_clicked)
        return marker

    def _connected(self, points: VisitPoints) -> VisitPoints:
        points.visit_activated.connect(self.visit_activated)
        return points

    @staticmethod
    def _worse_edge(measure: MeasureSeries) -> float:
        """Where not-completed marks go: just beyond the worst value shown, so they read as 'worse than this'."""
        values = [p.value for p in measure.completed]
        if measure.band is not None:
            values += [measure.band.low, measure.band.high]
        if not values:
            return 0.0
        low, high = min(values), max(values)
        margin = (high - low) * 0.08 or abs(high) * 0.08 or 1.0
        return high + margin if measure.spec.higher_is_worse else low - margin

    def items_of(self, key: str, kind: type) -> list:
        return [item for item in self.plots[key].items if isinstance(item, kind)]


class _WrappingDelegate(QStyledItemDelegate):
    """Rows as tall as their text wrapped to the column (Qt's own delegate sizes a row for one line)."""

    def __init__(self, tree: QTreeWidget):
        super().__init__(tree)
        self.tree = tree

    def sizeHint(self, option, index):
        hint = super().sizeHint(option, index)
        indent = self.tree.indentation() * (2 if index.parent().isValid() else 1) + 48  # check box, icon
        width = max(self.tree.viewport().width() - indent, 80)
        text = option.fontMetrics.boundingRect(QRect(0, 0, width, 10000), Qt.TextFlag.TextWordWrap,
                                               str(index.data() or ""))
        return QSize(hint.width(), max(hint.height(), text.height() + 4))


class CohortChooser(QTreeWidget):
    """Per measure, every cohort arm that reports it (:func:`comparators_for`): those that fit the
    patient first and checked, the others with the reason they do not fit, still checkable."""

    changed = Signal()
    cohort_selected = Signal(object)  # Cohort

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setHeaderLabel("Compare with published cohorts")
        self.setObjectName("cohort_chooser")
        self.setAccessibleName("Published cohorts to compare with")
        self.setWordWrap(True)
        self.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.setUniformRowHeights(False)
        # Wrapped to the panel's width (an arm's reason for not fitting is read whole), never scrolled sideways.
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.setItemDelegate(_WrappingDelegate(self))
        self.itemChanged.connect(lambda item, _column: self.changed.emit())
        self.currentItemChanged.connect(self._selected)
        self._choices: dict[tuple[str, str], ComparatorChoice] = {}  # by (measure key, arm key)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.scheduleDelayedItemsLayout()  # rows wrap to the new width

    def fill(self, series: PatientSeries, library: ReferenceLibrary,
             chosen: Mapping[str, set[str]] | None = None) -> None:
        """``chosen``: the checked arm keys per measure; None checks the arms that fit the patient."""
        self.blockSignals(True)
        self.clear()
        self._choices = {}
        profile = series.profile
        for key, measure in series.measures.items():
            choices = comparators_for(library, profile, key)
            if not choices:
                continue
            top = QTreeWidgetItem(self, [measure.spec.label])
            top.setFlags(Qt.ItemFlag.ItemIsEnabled)
            for choice in choices:
                item = QTreeWidgetItem(top, [choice.label if choice.default_on else f"{choice.label} \u2014 {choice.mismatch}"])
                item.setData(0, Qt.ItemDataRole.UserRole, (key, choice.key))
                item.setToolTip(0, _choice_tooltip(choice))
                item.setIcon(0, _swatch(choice.style))
                if not choice.default_on:
                    item.setForeground(0, QColor("#666666"))
                on = choice.default_on if chosen is None else choice.key in chosen.get(key, set())
                item.setCheckState(0, Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
                self._choices[key, choice.key] = choice
            top.setExpanded(True)
        self.blockSignals(False)

    def chosen(self) -> dict[str, list[str]]:
        """Checked arm keys per measure, in the chooser's order."""
        return {key: [choice.key for choice in choices] for key, choices in self.chosen_arms().items()}

    def chosen_arms(self) -> dict[str, list[ComparatorChoice]]:
        """Checked arms per measure, in the chooser's order."""
        result: dict[str, list[ComparatorChoice]] = {}
        for i in range(self.topLevelItemCount()):
            top = self.topLevelItem(i)
            for j in range(top.childCount()):
                item = top.child(j)
                key, arm_key = item.data(0, Qt.ItemDataRole.UserRole)
                result.setdefault(key, [])
                if item.checkState(0) == Qt.CheckState.Checked:
                    result[key].append(self._choices[key, arm_key])
        return result

    def item_for(self, key: str, arm_key: str) -> QTreeWidgetItem | None:
        for i in range(self.topLevelItemCount()):
            top = self.topLevelItem(i)
            for j in range(top.childCount()):
                if top.child(j).data(0, Qt.ItemDataRole.UserRole) == (key, arm_key):
                    return top.child(j)
        return None

    def _selected(self, item: QTreeWidgetItem | None, _previous) -> None:
        data = item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None
        if data:
            self.cohort_selected.emit(self._choices[data].cohort)


def _choice_tooltip(choice: ComparatorChoice) -> str:
    fit = f"Not drawn by default: {choice.mismatch}." if choice.mismatch else f"Drawn by default ({choice.role.label})."
    return f"{choice.label}\n{fit}\nLine: {choice.style.colour_name}, {choice.style.marker}s\n\n{choice.cohort.citation.text()}"


@functools.cache
def _swatch(style: CurveStyle) -> QIcon:
    """An arm's colour and marker, as its curve is drawn (made once per style: a chooser lists dozens)."""
    pixmap = QPixmap(14, 14)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(style.colour))
    painter.drawPolygon(QPolygonF([QPointF(x, y) for x, y in MARKER_OUTLINES[style.marker]]))
    painter.end()
    return QIcon(pixmap)


def cohort_details_html(cohort: Cohort) -> str:
    population = cohort.population
    facts = [f"<b>{html.escape(cohort.name)}</b>", html.escape(cohort.citation.text()),
             f"<i>Design:</i> {html.escape(cohort.design)}",
             f"<i>Population:</i> n = {population.n if population.n is not None else 'not stated'}; "
             f"{html.escape(', '.join(population.phenotypes) or 'phenotypes not stated')}"
             + (f"; {html.escape(population.phenotype_detail)}" if population.phenotype_detail else ""),
             f"<i>Treatment:</i> {html.escape(cohort.treatment.description)}"]
    facts += [f"<i>Caveat:</i> {html.escape(text)}" for text in cohort.caveats]
    facts += [f"<i>Missing:</i> {html.escape(text)}" for text in cohort.missing]
    facts += [f"<i>Source:</i> {html.escape(what)}" + (f" <a href='{html.escape(url)}'>{html.escape(url)}</a>" if url else "")
              for url, what in cohort.sources]
    return "<br>".join(facts)


class TrajectoryView(QWidget):
    """The trajectory page: figure, cohort chooser, published findings and the chosen cohort's citation."""

    open_visit = Signal(int)
    closed = Signal()

    def __init__(self, clinic, library: ReferenceLibrary | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.clinic = clinic
        self._library = library
        self.series: PatientSeries | None = None
        self.overlays: dict[str, list[CohortOverlay]] = {}
        self.heading = ""
        self._findings_shown: str | None = None

        self.back = QPushButton("\u2190 Patient")
        self.back.clicked.connect(self.closed)
        self.calendar = QCheckBox("Calendar dates")
        self.calendar.setObjectName("calendar_toggle")
        self.calendar.setToolTip("Show dates on the time axis instead of months since the first intrathecal dose")
        self.calendar.toggled.connect(lambda _on: self.redraw())
        save_png = QPushButton("Save PNG\u2026")
        save_png.clicked.connect(lambda: self._ask_and_save("png"))
        save_svg = QPushButton("Save SVG\u2026")
        save_svg.clicked.connect(lambda: self._ask_and_save("svg"))
        copy = QPushButton("Copy figure")
        copy.clicked.connect(self.copy_figure)
        notice = QLabel(COMPUTED_FLAGS_NOTICE + " Hover any mark for its details.")
        notice.setObjectName("computed_notice")
        notice.setStyleSheet("color: #6e2c00;")

        bar = QHBoxLayout()
        for widget in (self.back, self.calendar):
            bar.addWidget(widget)
        bar.addStretch(1)
        for widget in (save_png, save_svg, copy):
            bar.addWidget(widget)

        self.plots = TrajectoryPlots()
        self.plots.visit_activated.connect(self.open_visit)
        self.plots.event_clicked.connect(lambda event: self.details.setPlainText(event_text(event)))
        self.figure = QScrollArea()
        self.figure.setObjectName("trajectory_figure")
        self.figure.setWidgetResizable(True)
        self.figure.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.figure.setWidget(self.plots)
        self.chooser = CohortChooser()
        self.chooser.changed.connect(self._overlays_changed)
        self.chooser.cohort_selected.connect(self.show_cohort)
        self.findings = QTextBrowser()
        self.findings.setObjectName("findings")
        self.findings.setOpenLinks(False)
        self.findings.anchorClicked.connect(lambda url: self.show_cohort(self.library.cohort(url.toString())))
        self.details = QTextBrowser()
        self.details.setObjectName("cohort_details")
        self.details.setOpenExternalLinks(True)
        self.details.setPlaceholderText("Click a cohort for its citation, a ring for its criteria.")

        side = QSplitter(Qt.Orientation.Vertical)
        for widget in (self.chooser, self.findings, self.details):
            side.addWidget(widget)
        side.setSizes([300, 250, 110])
        body = QSplitter(Qt.Orientation.Horizontal)
        body.addWidget(self.figure)
        body.addWidget(side)
        body.setStretchFactor(0, 1)
        body.setSizes([1000, 340])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(bar)
        layout.addWidget(notice)
        layout.addWidget(body, 1)

    @property
    def library(self) -> ReferenceLibrary:
        if self._library is None:
            self._library = load_reference_library()
        return self._library

    def show_patient(self, patient_id: int) -> None:
        patient = self.clinic.patient(patient_id)
        self.heading = (f"{patient_display_name(patient.family_name, patient.given_names)} \u00b7 {patient.clinic_id} "
                        f"\u00b7 {Phenotype(patient.phenotype).label}")
        self.show_series(patient_series(self.clinic, patient_id), self.heading)

    def show_series(self, series: PatientSeries, heading: str) -> None:
        self.series, self.heading = series, heading
        self.chooser.fill(series, self.library)
        self._overlays_changed()

    def _overlays_changed(self) -> None:
        if self.series is None:
            return
        self.overlays = {key: list(arm_overlays(self.series, key, arms)) for key, arms in self.chooser.chosen_arms().items()}
        findings = self._findings_html()
        if findings != self._findings_shown:  # laying out the rich text costs more than a whole plot
            self.findings.setHtml(findings)
            self._findings_shown = findings
        self.redraw()

    def redraw(self) -> None:
        if self.series is not None:
            self.plots.draw(self.series, self.overlays, calendar=self.calendar.isChecked(), heading=self.heading)

    def _findings_html(self) -> str:
        parts = [("<b>Published findings</b> <span style='color:#555'>(checked cohorts; click a name for the "
                  "citation)</span>")]
        for key, overlays in self.overlays.items():
            rows = [f"<li><a href='{o.cohort.id}'>{html.escape(o.cohort.short_name)}</a>: "
                    f"{html.escape(statement.removeprefix(o.cohort.short_name).lstrip(' :'))}</li>"
                    for o in overlays for statement in o.statements]
            if rows:
                parts.append(f"<p><b>{html.escape(REGISTRY.measure(key).label)}</b><ul style='margin-left:-20px'>"
                             + "".join(rows) + "</ul></p>")
        return "".join(parts)

    def show_cohort(self, cohort: Cohort) -> None:
        self.details.setHtml(cohort_details_html(cohort))

    # ----- the figure -------------------------------------------------------------------------------
    def save_png(self, path: str | Path) -> None:
        if not self.plots.grab().save(str(path), "PNG"):
            raise OSError(f"could not write {path}")

    def save_svg(self, path: str | Path) -> None:
        # Qt's own SVG generator: pyqtgraph 0.14's SVGExporter fails on the plots' clip paths.
        from PySide6.QtSvg import QSvgGenerator

        size = self.plots.viewport().size()
        generator = QSvgGenerator()
        generator.setFileName(str(path))
        generator.setSize(size)
        generator.setViewBox(QRect(QPoint(0, 0), size))
        generator.setTitle(self.heading)
        generator.setDescription(COMPUTED_FLAGS_NOTICE)
        painter = QPainter(generator)
        self.plots.render(painter)
        ok = painter.end()
        if not ok:
            raise OSError(f"could not write {path}")

    def copy_figure(self) -> None:
        QApplication.clipboard().setPixmap(self.plots.grab())

    def _ask_and_save(self, kind: str) -> None:
        path, _filter = QFileDialog.getSaveFileName(self, f"Save figure as {kind.upper()}",
                                                    f"trajectory.{kind}", f"{kind.upper()} image (*.{kind})")
        if path:
            (self.save_png if kind == "png" else self.save_svg)(path)
