"""The trajectory view and the clinic overview, offscreen: what is plotted equals the series, marks
explain themselves on hover, a double-click opens the visit, the axis switches to dates, the figure
saves, and the overview sorts, filters and opens a trajectory."""

from __future__ import annotations

import datetime as dt

import pyqtgraph as pg
import pytest
from known_patient import PATIENT, create_known_patient, months
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QHelpEvent, QMouseEvent
from PySide6.QtWidgets import QApplication, QLabel, QToolTip

from pmsdesk.domain.references import load_reference_library
from pmsdesk.services.series import COMPUTED_FLAGS_NOTICE, Status
from pmsdesk.ui.overview import ClinicOverview
from pmsdesk.ui.plot_items import (
    DoseLines,
    EventMarker,
    NotCompletedMarks,
    ReferenceBand,
    ReferenceCurve,
    RelapseLines,
    ThresholdBandItem,
    VisitPoints,
)
from pmsdesk.ui.trajectory import PLOT_HEIGHT, MonthAxis, TrajectoryView

pytestmark = pytest.mark.usefixtures("qapp")


@pytest.fixture(scope="module")
def library():
    return load_reference_library()


@pytest.fixture
def known(clinic):
    return create_known_patient(clinic)


@pytest.fixture
def view(qtbot, clinic, known, library):
    view = TrajectoryView(clinic, library)
    qtbot.addWidget(view)
    view.resize(1366, 768)
    view.show()
    qtbot.waitExposed(view)
    view.show_patient(known[0])
    QApplication.processEvents()  # lay the plots out, so data positions map to the screen
    return view


def only(items):
    (item,) = items
    return item


def patient_points(view, key: str) -> VisitPoints:
    """The completed values' points (not the crosses for tests not completed)."""
    return only([i for i in view.plots.items_of(key, VisitPoints) if not isinstance(i, NotCompletedMarks)])


def xy(item) -> tuple[list[float], list[float]]:
    x, y = item.getData()
    return list(x), list(y)


def test_patient_points_are_the_series(view, known):
    _patient, ids = known
    assert list(view.plots.shown) == ["edss", "t25fw", "nhpt_dominant", "nhpt_nondominant", "sdmt"]
    points = patient_points(view, "t25fw")
    x, y = xy(points)
    assert x == pytest.approx([months("2024-01-08"), months("2024-04-15"), months("2024-07-15")])
    assert y == [6.1, 7.5, 7.8]
    assert [p.visit_id for p in points.points_shown] == [ids[0], ids[2], ids[3]]
    assert xy(patient_points(view, "sdmt"))[1] == [50, 49, 50, 45]


def test_a_test_not_completed_is_a_cross_with_its_reason(view):
    marks = only(view.plots.items_of("t25fw", NotCompletedMarks))
    x, y = xy(marks)
    assert x == pytest.approx([months("2024-10-14")])
    assert y[0] > 7.8  # beyond the worst completed value, where "worse" is
    tip = marks.opts["tip"](x=x[0], y=y[0], data=marks.points_shown[0])
    assert "Reason: Unable: physical limitation due to MS (Could not stand unaided)" in tip
    assert "not completed" in view.plots.legends["t25fw"].text


def test_hover_on_a_point_shows_visit_value_and_trials(view):
    points = patient_points(view, "t25fw")
    spot = points.points()[1]
    tip = points.opts["tip"](x=spot.pos().x(), y=spot.pos().y(), data=spot.data())
    assert tip.splitlines()[:3] == ["2024-04-15 (month 3.0), Treatment #2 visit", "T25FW: 7.50 s", "Trials 7.4 and 7.6 s"]


def test_dose_and_relapse_lines_sit_at_their_dates(view):
    doses = only(view.plots.items_of("edss", DoseLines))
    assert doses.xs == pytest.approx([0, 91 / 30.4375, 182 / 30.4375])
    assert doses.tooltips[1] == "Intrathecal methotrexate, 12.5 mg\ntreatment 2, 2024-04-15 (month 3.0)"
    relapse = only(view.plots.items_of("sdmt", RelapseLines))
    assert relapse.xs == pytest.approx([230 / 30.4375])
    assert relapse.tooltips == ("Relapse, onset 2024-09-01\nSensory relapse",)


def test_hovering_near_a_dose_line_names_the_dose(view):
    doses = only(view.plots.items_of("edss", DoseLines))
    assert doses.nearest(doses.xs[2] + doses.pixelWidth()) == 2
    assert doses.nearest(doses.xs[2] + 1.5) is None  # 1.5 months away: nowhere near


def test_threshold_band_is_the_meaningful_change_from_baseline(view):
    band = only(view.plots.items_of("t25fw", ThresholdBandItem))
    assert band.getRegion() == pytest.approx((4.88, 7.32))
    assert "±1.22 s" in band.toolTip() and "T25FW 20 % of baseline" in band.toolTip()


def test_confirmed_worsening_is_marked_with_its_criteria(view):
    marker = only(view.plots.items_of("t25fw", EventMarker))
    x, y = xy(marker)
    assert (x, y) == (pytest.approx([months("2024-04-15")]), [7.5])
    points = patient_points(view, "t25fw")
    onset = points.points()[1]
    tip = points.hover_text(x=x[0], y=y[0], data=onset.data())
    assert "\n\nT25FW worsening (CDW): 7.5 on 2024-04-15" in tip and tip.startswith("2024-04-15 (month 3.0)")
    assert view.plots.items_of("edss", EventMarker) == []


def test_default_overlays_are_plotted_with_their_values(view, library):
    curves = {c.curve.label: c for c in view.plots.items_of("edss", ReferenceCurve)}
    petrou = curves["Petrou 2020 IT/IV-MSC sham (placebo): mean change ± SD"]
    start = months("2024-01-08")
    x, y = xy(petrou)
    assert x == pytest.approx([start, start + 3, start + 6]) and y == pytest.approx([4.0, 4.24, 4.3])
    band = next(b for b in view.plots.items_of("edss", ReferenceBand) if b.curve is petrou.curve)
    assert [p.high for p in band.curve.points] == pytest.approx([4.0, 4.64, 4.7])
    assert any(entry.startswith("Petrou 2020 IT/IV-MSC sham") for entry in view.plots.legends["edss"].entries)
    assert library.cohort("petrou2020_itmsc_ivmsc_sham").citation.text() in petrou.toolTip()  # one hover away
    for key in view.plots.shown:  # no two curves of a plot look alike
        styles = [(c.curve.style.colour, c.curve.style.marker) for c in view.plots.items_of(key, ReferenceCurve)]
        assert len(set(styles)) == len(styles)


def test_the_chooser_adds_and_removes_cohort_arms(view):
    chooser = view.chooser
    petrou = chooser.item_for("edss", "petrou2020_itmsc_ivmsc_sham/sham (placebo)")
    assert petrou.checkState(0) == Qt.CheckState.Checked and "Petrou" in petrou.toolTip(0)
    petrou.setCheckState(0, Qt.CheckState.Unchecked)
    assert not any("Petrou" in c.curve.label for c in view.plots.items_of("edss", ReferenceCurve))
    slc = chooser.item_for("edss", "natural_history_ppms_slc_hapims/all")
    assert slc.checkState(0) == Qt.CheckState.Unchecked  # a PPMS cohort for this SPMS patient
    assert slc.text(0).endswith("\u2014 PPMS cohort; this patient has SPMS")
    slc.setCheckState(0, Qt.CheckState.Checked)
    assert any(c.curve.is_rate for c in view.plots.items_of("edss", ReferenceCurve))


def test_a_subgroup_for_another_disability_range_is_named_and_can_still_be_added(view):
    saline = view.chooser.item_for("t25fw", "harris2024_mscnp_phase2/saline, EDSS 6.0-6.5 subgroup")
    assert saline.checkState(0) == Qt.CheckState.Unchecked
    assert "EDSS 6.0\u20136.5 subgroup; this patient's baseline EDSS is 4.0" in saline.text(0)
    assert not any("saline" in c.curve.label for c in view.plots.items_of("t25fw", ReferenceCurve))
    saline.setCheckState(0, Qt.CheckState.Checked)
    drawn = next(c for c in view.plots.items_of("t25fw", ReferenceCurve) if "saline" in c.curve.label)
    assert xy(drawn)[1] == pytest.approx([6.1, 6.1 * 1.544])
    # the legend names the subgroup in full (it wraps, never cuts)
    assert "Harris 2024 MSC-NP phase 2 saline, EDSS 6.0-6.5 subgroup: mean % change \u00b1 SD" in \
        view.plots.legends["t25fw"].entries


def test_a_chosen_arm_without_a_curve_says_so_in_the_legend(view):
    entries = view.plots.legends["edss"].entries
    missing = next(entry for entry in entries if entry.startswith("Chosen, no curve here"))
    assert "IMPACT placebo, SPMS (proportions)" in missing and "Kolb 2025 ITMTX phase 1 (a finding only)" in missing


def test_dose_lines_are_in_the_legend_and_span_the_plot(view):
    assert "intrathecal dose (hover: agent and dose)" in view.plots.legends["edss"].entries
    doses = only(view.plots.items_of("edss", DoseLines))
    assert doses.boundingRect() == view.plots.plots["edss"].getViewBox().viewRect()


def test_plots_are_tall_enough_to_read_and_their_legends_are_not_cut(view):
    for key in view.plots.shown:
        assert view.plots.plots[key].height() >= PLOT_HEIGHT
        legend = view.plots.legends[key]
        assert legend.item.boundingRect().height() <= legend.size().height() + 1
    assert view.figure.verticalScrollBar().maximum() > 0  # five plots at 1366x768: the figure scrolls


def test_statements_and_citation_beside_the_plot(view, library):
    text = view.findings.toPlainText()
    assert "placebo, SPMS: 41.9% had a 24-week confirmed 20% T25FW worsening by 2 years" in text
    view.chooser.setCurrentItem(view.chooser.item_for("t25fw", "impact_placebo_edssplus/placebo"))
    assert library.cohort("impact_placebo_edssplus").citation.text()[:40] in view.details.toPlainText()


def test_computed_flags_are_called_aids(view):
    assert COMPUTED_FLAGS_NOTICE in view.findChild(QLabel, "computed_notice").text()


def test_verdict_heads_the_figure(view):
    title = view.plots.title.text
    assert "worsening confirmed</span>: T25FW" in title and "EXAMPLE, Alex" in title


def double_click(widget, pos) -> None:
    """The events a real double-click delivers: press, release, double-click, release (QTest's
    mouseDClick does not reliably make Qt synthesise the double-click offscreen)."""
    left, none = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
    for kind, buttons in ((QEvent.Type.MouseButtonPress, left), (QEvent.Type.MouseButtonRelease, none),
                          (QEvent.Type.MouseButtonDblClick, left), (QEvent.Type.MouseButtonRelease, none)):
        QApplication.sendEvent(widget, QMouseEvent(kind, QPointF(pos), QPointF(widget.mapToGlobal(pos)), left,
                                                    buttons, Qt.KeyboardModifier.NoModifier))


def test_double_click_on_a_point_opens_its_visit(view, known, qtbot):
    _patient, ids = known
    plot = view.plots.plots["t25fw"]
    pos = view.plots.mapFromScene(plot.getViewBox().mapViewToScene(QPointF(months("2024-04-15"), 7.5)))
    with qtbot.waitSignal(view.open_visit, timeout=1000) as opened:
        double_click(view.plots.viewport(), pos)
    assert opened.args == [ids[2]]


def ring_position(view, key: str, months_at: float, value: float, *, below_pixels: int = 0) -> QPoint:
    """Where a ring drawn around this value is on the figure's viewport, ``below_pixels`` under its centre."""
    plot = view.plots.plots[key]
    centre = view.plots.mapFromScene(plot.getViewBox().mapViewToScene(QPointF(months_at, value)))
    return centre + QPoint(0, below_pixels)


def hover(widget, pos: QPoint) -> str:
    """Move the mouse there, ask for the tooltip as Qt does after a pause, and return its text."""
    QApplication.sendEvent(widget, QMouseEvent(QEvent.Type.MouseMove, QPointF(pos), QPointF(widget.mapToGlobal(pos)),
                                               Qt.MouseButton.NoButton, Qt.MouseButton.NoButton,
                                               Qt.KeyboardModifier.NoModifier))
    QApplication.sendEvent(widget, QHelpEvent(QEvent.Type.ToolTip, pos, widget.mapToGlobal(pos)))
    return QToolTip.text()


def test_hovering_a_confirmed_event_ring_shows_its_criteria_not_the_dose(view):
    # The onset visit is also a dose: the ring's edge lies on the dose line, and over a cohort band.
    viewport = view.plots.viewport()
    pos = ring_position(view, "t25fw", months("2024-04-15"), 7.5, below_pixels=8)
    text = hover(viewport, pos)
    assert text.startswith("Confirmed worsening (CDW), onset 2024-04-15\nT25FW worsening (CDW): 7.5 on 2024-04-15")
    assert "Intrathecal methotrexate, 12.5 mg" not in text
    away = hover(viewport, ring_position(view, "t25fw", months("2024-04-15"), 7.5, below_pixels=40))
    assert "Confirmed worsening" not in away  # only the ring says so


def test_clicking_a_confirmed_event_ring_shows_its_criteria(view, qtbot):
    pos = ring_position(view, "t25fw", months("2024-04-15"), 7.5, below_pixels=8)
    left, none = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
    with qtbot.waitSignal(view.plots.event_clicked, timeout=1000) as clicked:
        for kind, buttons in ((QEvent.Type.MouseButtonPress, left), (QEvent.Type.MouseButtonRelease, none)):
            QApplication.sendEvent(view.plots.viewport(), QMouseEvent(
                kind, QPointF(pos), QPointF(view.plots.viewport().mapToGlobal(pos)), left, buttons,
                Qt.KeyboardModifier.NoModifier))
    assert clicked.args[0].onset.date == dt.date(2024, 4, 15)
    details = view.details.toPlainText()
    assert "Confirmed worsening (CDW)" in details and "T25FW worsening (CDW): 7.5 on 2024-04-15" in details


def test_calendar_axis_ticks_every_month_with_the_year(view):
    view.calendar.setChecked(True)
    axis = view.plots.plots["t25fw"].getAxis("bottom")
    assert isinstance(axis, MonthAxis)
    low, high = (dt.datetime(2024, 1, 1, tzinfo=dt.UTC).timestamp(), dt.datetime(2024, 12, 20, tzinfo=dt.UTC).timestamp())
    ((_spacing, ticks),) = axis.tickValues(low, high, 700)
    assert axis.tickStrings(ticks, 1, 0) == ["Jan 2024", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
                                            "Nov", "Dec"]
    ((_spacing, crowded),) = axis.tickValues(low, high + 3 * 365 * 86400, 500)  # four years on 500 px
    assert [dt.datetime.fromtimestamp(t, dt.UTC).month for t in crowded[:3]] == [1, 7, 1]
    ((_spacing, later),) = axis.tickValues(dt.datetime(2024, 3, 10, tzinfo=dt.UTC).timestamp(), high, 700)
    assert axis.tickStrings(later, 1, 0)[:2] == ["Apr 2024", "May"]  # the first tick says its year
    view.calendar.setChecked(False)


def test_calendar_toggle_puts_dates_on_the_axis(view):
    view.calendar.setChecked(True)
    plot = view.plots.plots["t25fw"]
    assert isinstance(plot.getAxis("bottom"), pg.DateAxisItem)
    points = patient_points(view, "t25fw")
    first = dt.datetime(2024, 1, 8, tzinfo=dt.UTC).timestamp()
    assert xy(points)[0][0] == pytest.approx(first)
    view.calendar.setChecked(False)
    assert not isinstance(plot.getAxis("bottom"), pg.DateAxisItem)


def test_figure_saves_as_png_and_svg_and_copies(view, tmp_path):
    view.save_png(tmp_path / "t.png")
    view.save_svg(tmp_path / "t.svg")
    assert (tmp_path / "t.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = (tmp_path / "t.svg").read_text()
    assert "<svg" in svg and "T25FW" in svg
    view.copy_figure()
    assert not QApplication.clipboard().pixmap().isNull()


@pytest.fixture
def overview(qtbot, clinic, known):
    stable = clinic.create_patient({**PATIENT, "clinic_id": "MS-0002", "family_name": "Steady", "phenotype": "PPMS"})
    for day in ("2024-01-08", "2024-04-15", "2024-07-15"):
        clinic.create_visit(stable.id, {"visit_date": day, "kind": "assessment", "edss.edss": "6.0"})
    widget = ClinicOverview(clinic)
    qtbot.addWidget(widget)
    widget.refresh()
    widget.wait_loaded()
    return widget


def column(widget, name: str) -> list[str]:
    header = [widget.model.headerData(c, Qt.Orientation.Horizontal) for c in range(widget.model.columnCount())]
    c = header.index(name)
    return [widget.model.index(r, c).data() for r in range(widget.model.rowCount())]


def test_overview_lists_latest_values_changes_and_status(overview):
    assert column(overview, "Patient") == ["EXAMPLE, Alex", "STEADY, Alex"]  # worsening first
    assert column(overview, "Status") == [Status.WORSENING, Status.STABLE]
    # each change reaches its measure's threshold the worse way (SDMT: lower is worse), and says so
    assert column(overview, "T25FW") == ["7.80 (+1.70) worse", ""]
    assert column(overview, "EDSS") == ["5.0 (+1.0) worse", "6.0 (+0.0)"]
    assert column(overview, "SDMT") == ["45 (\u22125) worse", ""]


def test_overview_sorts_and_filters(overview):
    header = [overview.model.headerData(c, Qt.Orientation.Horizontal) for c in range(overview.model.columnCount())]
    overview.table.sortByColumn(header.index("Patient"), Qt.SortOrder.DescendingOrder)
    assert column(overview, "Patient") == ["STEADY, Alex", "EXAMPLE, Alex"]
    overview.search.setText("ms-0001")
    assert column(overview, "Patient") == ["EXAMPLE, Alex"]
    overview.search.setText("")
    overview.status.setCurrentIndex(overview.status.findData(Status.STABLE))
    assert column(overview, "Patient") == ["STEADY, Alex"]


def test_overview_double_click_opens_the_trajectory(overview, known, qtbot):
    overview.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    with qtbot.waitSignal(overview.open_trajectory, timeout=1000) as opened:
        overview.table.doubleClicked.emit(overview.model.index(0, 0))
    assert opened.args == [known[0]]


def test_main_window_opens_the_overview_and_trajectories(qtbot, clinic, known):
    from PySide6.QtGui import QAction

    from pmsdesk.ui.main_window import MainWindow

    window = MainWindow(clinic)
    qtbot.addWidget(window)
    window.show()
    window.findChild(QAction, "action_overview").trigger()
    assert window.pages.currentWidget() is window.overview and not window.patient_list.isVisible()
    window.overview.open_trajectory.emit(known[0])
    assert window.pages.currentWidget() is window.trajectory
    assert window.trajectory.series.measures["t25fw"].status == Status.WORSENING
    window.trajectory.back.click()
    assert window.pages.currentWidget() is window.patient_view
    window.patient_view.trajectory_button.click()
    assert window.pages.currentWidget() is window.trajectory
