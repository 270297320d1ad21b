"""One treatment per slot: a course's treatment number and treatment day are each used once, and a
treatment is never recorded sooner after (or before) another of the course than its protocol's
minimum interval.

An intrathecal dose entered twice, or given too soon after the last one, is a medication error; so
is a "last value" comparison that points at a duplicate. The rule is checked here (pure: the
Clinic service hands in the course's recorded treatments) and, for numbers and days, held by the
database's unique indexes too, so it holds across workstations and imports.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from pmsdesk.domain.validation import Problem, ValidationFailed


@dataclass(frozen=True)
class RecordedTreatment:
    """A treatment of the course already recorded: a stored visit not voided, or an earlier row of a
    file being imported."""

    visit_date: dt.date
    treatment_number: int | None
    where: str  # which record it is: "visit 12, saved, awaiting signature", "row 3 of visits.csv"

    def describe(self, *, dated: bool = True) -> str:
        number = f"treatment {self.treatment_number}" if self.treatment_number is not None else "a treatment"
        return f"{number}{f' on {self.visit_date.isoformat()}' if dated else ''} ({self.where})"


class TreatmentSlotTaken(ValidationFailed):
    """A treatment visit refused because its slot is taken; each problem names the visit in the way."""


def slot_problems(visit_date: dt.date, treatment_number: int | None, recorded: Iterable[RecordedTreatment],
                  interval_weeks_min: int | None) -> list[Problem]:
    """Why a treatment on ``visit_date`` numbered ``treatment_number`` cannot join ``recorded`` (the
    course's other treatment visits); an empty list when it can."""
    problems = []
    recorded = sorted(recorded, key=lambda t: t.visit_date)
    numbered = next((t for t in recorded if treatment_number is not None and t.treatment_number == treatment_number),
                    None)
    if numbered is not None:
        used = {t.treatment_number for t in recorded}
        free = next(n for n in range(1, len(used) + 2) if n not in used)
        problems.append(Problem("treatment_number", (
            f"Treatment {treatment_number} of this course is already recorded, on "
            f"{numbered.visit_date.isoformat()} ({numbered.where}). A number is used once per course: enter "
            f"this treatment's ({free} is free), or open that visit.")))
    same_day = next((t for t in recorded if t.visit_date == visit_date), None)
    if same_day is not None:
        # Kept short: the date shares its line with the kind, so its message wraps in a narrow column.
        problems.append(Problem("visit_date", (
            f"One treatment per course and day: this date has {same_day.describe(dated=False)}. "
            "Open that visit, or change the date.")))
    elif interval_weeks_min:
        minimum = dt.timedelta(weeks=interval_weeks_min)
        near = [t for t in recorded if abs(t.visit_date - visit_date) < minimum]
        if near:
            closest = min(near, key=lambda t: abs(t.visit_date - visit_date))
            gap = abs(closest.visit_date - visit_date).days
            earliest = closest.visit_date + minimum
            when = ("after" if closest.visit_date < visit_date else "before")
            problems.append(Problem("visit_date", (
                f"Too close to {closest.describe()}: {gap} days {when} it, and the course's protocol "
                f"keeps at least {interval_weeks_min} weeks ({minimum.days} days) between treatments. "
                + (f"The next treatment may be recorded from {earliest.isoformat()}." if when == "after" else
                   "Check the date, or open that visit."))))
    return problems


def check_slot(visit_date: dt.date, treatment_number: int | None, recorded: Iterable[RecordedTreatment],
               interval_weeks_min: int | None) -> None:
    """Raise :class:`TreatmentSlotTaken` with every reason the treatment's slot is taken."""
    problems = slot_problems(visit_date, treatment_number, recorded, interval_weeks_min)
    if problems:
        raise TreatmentSlotTaken(problems)
