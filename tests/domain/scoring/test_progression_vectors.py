"""Every pymsprog 1.0.7 reference output in vectors/pymsprog_progression.json (spec 4.6, S7)."""

from collections import defaultdict

import pytest

from pmsdesk.domain.scoring import Measurement, detect_cohort_events, detect_events
from pymsprog_vectors import TOYDATA_CONFIGS, TRAJECTORY_CONFIGS, day, engine_rows, expected_rows, load, series

VECTORS = load()
EXACT_THRESHOLD_CASE = "t25fw_exactly_20pct_confirmed"
TRAJECTORY_CASES = [(t, config) for t in VECTORS["synthetic_trajectories"] for config in TRAJECTORY_CONFIGS]


@pytest.mark.parametrize("trajectory,config", TRAJECTORY_CASES,
                         ids=[f"{t['name']}-{c}" for t, c in TRAJECTORY_CASES])
def test_synthetic_trajectories(trajectory, config):
    options = TRAJECTORY_CONFIGS[config]
    events = detect_events(trajectory["outcome"], series(trajectory["days"], trajectory["values"]), (), options)
    expected = expected_rows(trajectory[config], options.confirmation_days)
    if trajectory["name"] == EXACT_THRESHOLD_CASE:
        # Deliberate difference (spec 4.6): 8.0 -> 9.6 is exactly +20 %; pmsdesk counts it at day 91,
        # pymsprog's floating point misses it and (for 12 weeks) finds 9.7 instead.
        assert events[0].onset.date == day(91) and events[0].onset.value == 9.6
        assert expected == [] or expected[0][2] == day(182)
    else:
        assert engine_rows(events) == expected


@pytest.mark.parametrize("key", list(VECTORS["toydata_results"]))
def test_pymsprog_toy_dataset(key):
    outcome, config = key.split("_", 1)
    options, with_relapses = TOYDATA_CONFIGS[config]
    visits, relapses = defaultdict(list), defaultdict(list)
    for row in VECTORS["toydata_visits"]:
        visits[row["id"]].append(Measurement(day(row["day"]), row[outcome.upper()]))
    if with_relapses:
        for row in VECTORS["toydata_relapses"]:
            relapses[row["id"]].append(day(row["day"]))
    found = detect_cohort_events(outcome, visits, relapses, options)
    rows = VECTORS["toydata_results"][key]
    for patient in visits:
        assert engine_rows(found[patient]) == expected_rows([r for r in rows if r["id"] == patient], 84), patient


def test_event_criteria_sentence():
    events = detect_events("edss", series([0, 91, 182, 273], [3.0, 4.0, 4.0, 4.0]))
    assert events[0].criteria() == (
        "EDSS worsening (CDW): 4 on 2000-04-01 against the fixed baseline 3 of 2000-01-01 reaches the threshold "
        "of 1 (EDSS +/-1.5 from 0, 1.0 from 1.0-5.0, 0.5 above 5.0), confirmed at every visit up to a visit "
        "77-814.5 days after onset (84 days with tolerance): 4 on 2000-07-01.")
