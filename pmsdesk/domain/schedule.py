"""When a patient's next intrathecal treatment is due, from the course's planned interval.

A course planned "every 8-11 weeks" opens its next window 8 weeks after the last treatment and
closes it 11 weeks after; a course with no treatment yet is due from its start date (its first
window is as wide as the planned interval's spread). These are scheduling aids for the clinic's
day list, not clinical rules.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum

# How many days before a window opens a patient is listed as "due soon" (so the clinic can book).
DUE_SOON_DAYS = 7


class DueStatus(Enum):
    NOT_YET = "not yet due"
    DUE_SOON = "due soon"
    DUE = "due"
    OVERDUE = "overdue"
    # A protocol's expected visits (pmsdesk.domain.protocols) also end in one of these.
    MISSED = "missed"  # a visit on the protocol's calendar whose window closed with no visit
    DONE = "done"
    DONE_OUT_OF_WINDOW = "done out of window"

    @property
    def label(self) -> str:
        return self.value.capitalize()


@dataclass(frozen=True)
class TreatmentWindow:
    opens: dt.date
    closes: dt.date

    def status(self, today: dt.date) -> DueStatus:
        if today > self.closes:
            return DueStatus.OVERDUE
        if today >= self.opens:
            return DueStatus.DUE
        if today >= self.opens - dt.timedelta(days=DUE_SOON_DAYS):
            return DueStatus.DUE_SOON
        return DueStatus.NOT_YET

    def describe(self) -> str:
        if self.opens == self.closes:
            return self.opens.isoformat()
        return f"{self.opens.isoformat()} to {self.closes.isoformat()}"


def next_treatment_window(start_date: dt.date, last_treatment: dt.date | None,
                          interval_weeks_min: int | None, interval_weeks_max: int | None) -> TreatmentWindow | None:
    """The window of the next treatment; None when the course has treatments but no planned interval."""
    low = interval_weeks_min if interval_weeks_min is not None else interval_weeks_max
    high = interval_weeks_max if interval_weeks_max is not None else interval_weeks_min
    if last_treatment is None:
        spread = dt.timedelta(weeks=(high - low)) if low is not None else dt.timedelta(0)
        return TreatmentWindow(start_date, start_date + spread)
    if low is None:
        return None
    return TreatmentWindow(last_treatment + dt.timedelta(weeks=low), last_treatment + dt.timedelta(weeks=high))
