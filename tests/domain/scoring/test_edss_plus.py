"""EDSS-Plus worsening (Cadavid 2017) and the MSC-NP improvement definition (spec 4.5)."""

import datetime as dt

from pmsdesk.domain.scoring import (
    EdssPlusAssessment,
    Measurement,
    edss_plus_improvement_mscnp,
    edss_plus_worsening,
)

START = dt.date(2020, 1, 1)


def series(values, step=91):
    return [Measurement(START + dt.timedelta(days=step * i), v) for i, v in enumerate(values)]


def test_worsening_on_either_hand_counts_and_earliest_component_wins():
    result = edss_plus_worsening(
        edss=series([4.0, 4.0, 5.0, 5.0, 5.0, 5.0]),
        t25fw=series([8.0, 8.1, 8.0, 8.2, 8.0, 8.1]),
        nhpt_dominant=series([25.0, 25.0, 25.0, 25.0, 25.0, 25.0]),
        nhpt_non_dominant=series([30.0, 36.0, 37.0, 38.0, 36.5, 37.0]),  # +20 % from the second visit
    )
    name, event = result.first
    assert result.worsened and name == "9HPT non-dominant hand"
    assert event.onset.date == START + dt.timedelta(days=91)
    assert (event.confirmation.date - event.onset.date).days >= 168  # confirmed >= 24 weeks (S15)
    assert result.component_events["EDSS"].onset.value == 5.0
    assert result.component_events["T25FW"] is None
    assert result.criteria().startswith("EDSS-Plus worsening first on 9HPT non-dominant hand")


def test_no_worsening_sentence():
    flat = series([3.0, 3.0, 3.0])
    result = edss_plus_worsening(flat, series([6.0] * 3), series([20.0] * 3), series([21.0] * 3))
    assert not result.worsened and result.criteria().startswith("No EDSS-Plus worsening")


def assessment(day, edss, t25fw, dom, nondom):
    return EdssPlusAssessment(START + dt.timedelta(days=day), edss, t25fw, dom, nondom)


def test_mscnp_improvement_uses_trial_edss_bands():
    baseline = assessment(0, 5.5, 10.0, 30.0, 32.0)
    half_step = edss_plus_improvement_mscnp(baseline, assessment(395, 5.0, 9.5, 29.0, 31.0))
    assert not half_step.improved  # from 5.5 the trial needs 1.0 (S17), not msprog's 0.5
    full_step = edss_plus_improvement_mscnp(baseline, assessment(395, 4.5, 9.5, 29.0, 31.0))
    assert full_step.improved and "improved on EDSS" in full_step.criteria()
    from_six = edss_plus_improvement_mscnp(assessment(0, 6.0, None, None, None), assessment(395, 5.5, 9.0, None, None))
    assert from_six.improved and from_six.missing == ("T25FW", "9HPT dominant hand", "9HPT non-dominant hand")


def test_mscnp_improvement_on_timed_tests_exactly_20_percent():
    baseline = assessment(0, 4.0, 10.0, 30.0, 25.0)
    result = edss_plus_improvement_mscnp(baseline, assessment(395, 4.0, 9.0, 30.0, 20.0))  # hand 25 -> 20 s
    assert result.improved
    assert [c.component for c in result.comparisons if c.improved] == ["9HPT non-dominant hand"]
    assert any("9HPT non-dominant hand: 25 -> 20, improvement threshold 5: met." == line for line in result.explain())
