"""When the next intrathecal treatment is due: the window from the planned interval, and its status."""

from __future__ import annotations

import datetime as dt

import pytest

from pmsdesk.domain.schedule import (
    DUE_SOON_DAYS,
    DueStatus,
    TreatmentWindow,
    next_treatment_window,
)

LAST = dt.date(2026, 9, 1)


def test_window_runs_from_the_shortest_to_the_longest_planned_interval():
    window = next_treatment_window(dt.date(2025, 1, 6), LAST, 8, 11)
    assert window == TreatmentWindow(dt.date(2026, 10, 27), dt.date(2026, 11, 17))
    assert window.describe() == "2026-10-27 to 2026-11-17"


def test_a_fixed_interval_gives_a_one_day_window():
    window = next_treatment_window(dt.date(2025, 1, 6), LAST, 12, None)
    assert window.opens == window.closes == dt.date(2026, 11, 24)
    assert window.describe() == "2026-11-24"


def test_a_course_without_treatment_is_due_from_its_start():
    start = dt.date(2026, 11, 2)
    assert next_treatment_window(start, None, 8, 12) == TreatmentWindow(start, start + dt.timedelta(weeks=4))
    assert next_treatment_window(start, None, None, None) == TreatmentWindow(start, start)


def test_no_window_without_a_planned_interval_once_treated():
    assert next_treatment_window(dt.date(2025, 1, 6), LAST, None, None) is None


@pytest.mark.parametrize(("today", "status"), [
    (dt.date(2026, 10, 27) - dt.timedelta(days=DUE_SOON_DAYS + 1), DueStatus.NOT_YET),
    (dt.date(2026, 10, 27) - dt.timedelta(days=DUE_SOON_DAYS), DueStatus.DUE_SOON),
    (dt.date(2026, 10, 26), DueStatus.DUE_SOON),
    (dt.date(2026, 10, 27), DueStatus.DUE),
    (dt.date(2026, 11, 17), DueStatus.DUE),
    (dt.date(2026, 11, 18), DueStatus.OVERDUE),
])
def test_status_at_the_edges_of_the_window(today, status):
    assert TreatmentWindow(dt.date(2026, 10, 27), dt.date(2026, 11, 17)).status(today) is status
