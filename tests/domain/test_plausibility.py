"""The typing guards between two visits: wide thresholds that catch a slipped decimal point."""

from __future__ import annotations

import pytest

from pmsdesk.domain.plausibility import implausible_change


@pytest.mark.parametrize(("measure", "previous", "current", "expected"), [
    ("t25fw", 6.5, 65.0, "more than double the last value"),
    ("t25fw", 6.5, 13.0, None),  # exactly double is still plausible
    ("t25fw", 6.5, 3.2, "less than half the last value"),
    ("nhpt_dominant", 22.0, 23.5, None),
    ("nhpt_nondominant", 24.0, 49.0, "more than double the last value"),
    ("six_minute_walk", 420, 150, "less than half the last value"),
    ("edss", 4.0, 6.0, "2.0 points from the last value"),
    ("edss", 4.0, 5.5, None),
    ("edss", 6.5, 4.5, "2.0 points from the last value"),
    ("sdmt", 48, 63, None),
    ("sdmt", 48, 84, "36 points from the last value"),
    ("sdmt", 48, 32, "16 points from the last value"),
])
def test_guards(measure, previous, current, expected):
    assert implausible_change(measure, previous, current) == expected


def test_a_measure_without_a_guard_is_never_implausible():
    """A measure the registry does not know (or one declared without a guard) gives no warning,
    so the editor's live update never crashes on a new measure."""
    assert implausible_change("pasat", 40, 500) is None
