"""Property tests: arbitrary valid histories never crash and give sane events (hypothesis)."""

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from pmsdesk.domain.scoring import (
    EventKind,
    Measure,
    Measurement,
    ProgressionOptions,
    RelapseActivity,
    classify_change,
    detect_events,
)
from pmsdesk.domain.scoring.change import Direction, exact

START = dt.date(2010, 1, 1)
EDSS = [0.0] + [1.0 + 0.5 * i for i in range(19)]
VALUES = {
    Measure.EDSS: st.sampled_from(EDSS),
    Measure.T25FW: st.floats(1, 300, allow_nan=False).map(lambda v: round(v, 1)),
    Measure.NHPT: st.floats(5, 400, allow_nan=False).map(lambda v: round(v, 2)),
    Measure.SDMT: st.integers(0, 110),
    Measure.SIX_MINUTE_WALK: st.integers(1, 999),  # whole metres
}


@st.composite
def histories(draw):
    outcome = draw(st.sampled_from(list(Measure)))
    offsets = draw(st.lists(st.integers(0, 3000), min_size=0, max_size=25))
    visits = [Measurement(START + dt.timedelta(days=d), draw(VALUES[outcome])) for d in offsets]
    relapses = [START + dt.timedelta(days=d) for d in draw(st.lists(st.integers(-200, 3200), max_size=4))]
    options = ProgressionOptions(
        event=draw(st.sampled_from(["firstCDW", "firstCDI", "first", "multiple"])),
        baseline=draw(st.sampled_from(["fixed", "roving", "roving_impr", "roving_wors"])),
        proceed_from=draw(st.sampled_from(["firstconf", "event"])),
        confirmation_days=draw(st.sampled_from([84, 168])),
        check_intermediate=draw(st.booleans()),
        require_sustained_days=draw(st.sampled_from([0, 84, float("inf")])),
        classify_relapse_activity=draw(st.booleans()),
    )
    return outcome, visits, relapses, options


@settings(max_examples=400, deadline=None)
@given(histories())
def test_events_are_sane(history):
    outcome, visits, relapses, options = history
    events = detect_events(outcome, visits, relapses, options)
    dates = {v.date for v in visits}
    low, high = options.confirmation_window
    for event in events:
        assert event.baseline.date < event.onset.date < event.confirmation.date
        assert {event.baseline.date, event.onset.date, event.confirmation.date} <= dates
        assert low <= (event.confirmation.date - event.onset.date).days <= high
        expected = Direction.WORSENING if event.kind is EventKind.CDW else Direction.IMPROVEMENT
        assert classify_change(outcome, exact(event.baseline.value), exact(event.onset.value)) is expected
        assert classify_change(outcome, exact(event.baseline.value), exact(event.confirmation.value)) is expected
        assert event.threshold > 0 or (outcome is Measure.SDMT and event.threshold == Decimal(0))
        assert event.sustained_days >= 0
        if event.kind is EventKind.CDI or not options.classify_relapse_activity:
            assert event.relapse_activity is None
        else:
            assert event.relapse_activity in set(RelapseActivity)
        assert event.criteria().endswith(".")
    onsets = [e.onset.date for e in events]
    assert onsets == sorted(onsets) and len(set(onsets)) == len(onsets)
    if options.event != "multiple":
        assert len(events) <= 1
    if options.event == "firstCDW":
        assert all(e.kind is EventKind.CDW for e in events)


@settings(max_examples=200, deadline=None)
@given(st.lists(VALUES[Measure.EDSS], min_size=1, max_size=20))
def test_flat_or_improving_edss_never_worsens(values):
    values = sorted(values, reverse=True)
    visits = [Measurement(START + dt.timedelta(days=91 * i), v) for i, v in enumerate(values)]
    assert detect_events("edss", visits) == []
