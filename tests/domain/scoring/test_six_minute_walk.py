"""The six-minute walk's meaningful change: the minimal important change in MS of Oosterveer DM et al.,
Mult Scler Relat Disord 2022;57:103438 (doi:10.1016/j.msard.2021.103438): 7.2 m deterioration,
19.7 m improvement, from the baseline distance."""

import datetime as dt
from decimal import Decimal

import pytest

from pmsdesk.domain.assessments import SIX_MINUTE_WALK
from pmsdesk.domain.scoring import (
    DEFAULT_RULES,
    Direction,
    EventKind,
    Measure,
    Measurement,
    ProgressionOptions,
    change_between,
    classify_change,
    detect_events,
    meaningful_change,
)

D = Decimal
WALK = Measure.SIX_MINUTE_WALK
DAY = dt.date(2025, 1, 6)


def test_thresholds_are_the_published_minimal_important_changes():
    assert meaningful_change(WALK, D(468)) == D("7.2")  # deterioration, whatever the baseline
    assert meaningful_change(WALK, D(120), improvement=True) == D("19.7")
    assert WALK.higher_is_worse is False and WALK.label == "6MW"
    assert SIX_MINUTE_WALK.measures[0].change_rule is WALK


@pytest.mark.parametrize(("value", "expected"), [
    (D("392.8"), Direction.WORSENING),  # exactly 7.2 m shorter
    (D(393), Direction.NONE),  # 7 m: below the deterioration MIC
    (D(392), Direction.WORSENING),  # whole metres: 8 m
    (D("419.7"), Direction.IMPROVEMENT),  # exactly 19.7 m longer
    (D(419), Direction.NONE),  # 19 m
    (D(420), Direction.IMPROVEMENT),
])
def test_boundaries_from_a_400_m_baseline(value, expected):
    assert classify_change(WALK, D(400), value) is expected


def test_a_change_carries_the_threshold_of_its_direction_and_the_source():
    shorter = change_between(WALK, Measurement(DAY, 400), Measurement(DAY + dt.timedelta(days=91), 350))
    longer = change_between(WALK, Measurement(DAY, 400), Measurement(DAY + dt.timedelta(days=91), 410))
    assert (shorter.threshold, shorter.direction) == (D("7.2"), Direction.WORSENING)
    assert (longer.threshold, longer.direction) == (D("19.7"), Direction.NONE)  # 10 m longer: not meaningful
    assert "doi:10.1016/j.msard.2021.103438" in DEFAULT_RULES.describe(WALK)


def test_confirmed_worsening_and_improvement_use_their_own_threshold():
    def visits(*metres):
        return [Measurement(DAY + dt.timedelta(days=91 * i), m) for i, m in enumerate(metres)]
    worse = detect_events(WALK, visits(400, 390, 388))  # 10 and 12 m shorter, 13 weeks apart
    assert [(e.kind, e.threshold) for e in worse] == [(EventKind.CDW, D("7.2"))]
    assert detect_events(WALK, visits(400, 415, 418), options=ProgressionOptions(event="firstCDI")) == []
    better = detect_events(WALK, visits(400, 420, 425), options=ProgressionOptions(event="firstCDI"))
    assert [(e.kind, e.threshold) for e in better] == [(EventKind.CDI, D("19.7"))]
    assert "minimal important change in MS" in better[0].criteria()
