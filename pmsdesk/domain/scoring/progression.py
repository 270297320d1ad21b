"""Confirmed disability worsening (CDW) and improvement (CDI) over a patient's visits.

Definitions and defaults are those of msprog / pymsprog 1.0.7 (spec 4.2-4.6, sources S6/S7), so
that the events found here are the events pymsprog finds on the same data and options. One
deliberate difference (spec 4.6): thresholds are compared exactly, so a value exactly 20 % above
baseline is a worsening here, while pymsprog's binary floating point may miss it.

Per patient (spec 4.6 "Algorithm", S7): visits with the same date keep the last one; the baseline is
the first visit at least ``relapse_to_baseline`` days after a relapse; the search walks forward to the
first visit that differs from baseline by at least the threshold; that change is confirmed at the
first visit inside the confirmation window (and away from relapses) provided it holds at every visit
in between; improvement is tested before worsening; the search then resumes after the confirming
visit (or the onset), where a roving baseline also moves.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from pmsdesk.domain.scoring.change import (
    DEFAULT_RULES,
    Measure,
    Measurement,
    ThresholdRules,
    exact,
    meaningful_change,
)

INF_DAYS = math.inf  # e.g. an unbounded confirmation window or sustained to the end of follow-up


class EventKind(StrEnum):
    CDW = "CDW"  # confirmed disability worsening
    CDI = "CDI"  # confirmed disability improvement


class RelapseActivity(StrEnum):
    """Relation of a CDW to relapses (spec 4.4, S6/S29)."""

    PIRA = "PIRA"  # progression independent of relapse activity
    RAW = "RAW"  # relapse-associated worsening
    UNDEFINED = "undefined"  # neither: a relapse falls in a PIRA window but the onset is not relapse-associated


class BaselineScheme(StrEnum):
    """spec 4.3, S6/S28."""

    FIXED = "fixed"
    ROVING = "roving"  # moves after every confirmed event
    ROVING_IMPROVEMENT = "roving_impr"  # moves only after a CDI
    ROVING_WORSENING = "roving_wors"  # moves only after a CDW


class EventSelection(StrEnum):
    FIRST_CDW = "firstCDW"
    FIRST_CDI = "firstCDI"
    FIRST = "first"
    MULTIPLE = "multiple"


class ProceedFrom(StrEnum):
    FIRST_CONFIRMATION = "firstconf"
    EVENT = "event"


class PrecedingVisit(StrEnum):
    """Which visit the PIRA 'preceding' window is centred on (spec 4.4, S6/S7 ``prec_type``)."""

    BASELINE = "baseline"
    LAST = "last"  # last visit before onset
    LAST_DELTA = "last_delta"  # last visit before onset that differs meaningfully from the onset value


Window = tuple[float | None, float | None]  # days before, days after; None merges with the neighbour window


@dataclass(frozen=True)
class PiraWindows:
    """Relapse-free windows around the preceding visit, the onset and the confirming visit.

    Defaults are msprog's (Müller 2023: 90 days before to 30 days after onset and confirmation,
    spec 4.4, S6/S29). A window (0, 0) is ignored; ``(x, None)`` followed by ``(None, y)`` merges two
    windows into one running from the first point minus x to the second plus y.
    """

    preceding: Window = (0, 0)
    onset: Window = (90, 30)
    confirmation: Window = (90, 30)
    preceding_visit: PrecedingVisit = PrecedingVisit.BASELINE

    def __post_init__(self) -> None:
        if self.preceding[0] is None:
            raise ValueError("the preceding window needs a start (days before the preceding visit)")
        object.__setattr__(self, "preceding_visit", PrecedingVisit(self.preceding_visit))


def _pair(value: float | tuple[float, float] | Sequence[float]) -> tuple[float, float]:
    """msprog relapse distances: a single number is (after last relapse, 0 before next relapse)."""
    if isinstance(value, (int, float)):
        return (value, 0)
    pair = tuple(value)
    return (pair[0], 0) if len(pair) == 1 else (pair[0], pair[1])


@dataclass(frozen=True)
class ProgressionOptions:
    """Every setting of the detection, with msprog / pymsprog 1.0.7 defaults (spec 4.6 table, S6/S7)."""

    event: EventSelection = EventSelection.FIRST_CDW
    baseline: BaselineScheme = BaselineScheme.FIXED
    proceed_from: ProceedFrom = ProceedFrom.FIRST_CONFIRMATION
    confirmation_days: int = 84  # 12 weeks (spec 4.2)
    confirmation_tolerance: tuple[float, float] = (7, 730.5)  # days before, after the confirmation day
    require_sustained_days: float = 0  # INF_DAYS = sustained to the end of follow-up
    check_intermediate: bool = True
    relapse_to_baseline: tuple[float, float] = (30, 0)  # min days after last / before next relapse
    relapse_to_event: tuple[float, float] = (0, 0)
    relapse_to_confirmation: tuple[float, float] = (30, 0)
    relapse_associated: tuple[float, float] = (90, 0)  # RAW: max days after last / before next relapse
    pira_windows: PiraWindows = field(default_factory=PiraWindows)
    classify_relapse_activity: bool = False  # msprog RAW_PIRA
    thresholds: ThresholdRules = DEFAULT_RULES

    def __post_init__(self) -> None:
        for name, kind in (("event", EventSelection), ("baseline", BaselineScheme), ("proceed_from", ProceedFrom)):
            object.__setattr__(self, name, kind(getattr(self, name)))
        for name in ("relapse_to_baseline", "relapse_to_event", "relapse_to_confirmation", "relapse_associated"):
            object.__setattr__(self, name, _pair(getattr(self, name)))
        tolerance = self.confirmation_tolerance
        if isinstance(tolerance, (int, float)):
            tolerance = (tolerance, tolerance)
        object.__setattr__(self, "confirmation_tolerance", tuple(tolerance))
        if self.confirmation_days <= 0 or min(self.confirmation_tolerance) < 0 or self.require_sustained_days < 0:
            raise ValueError("confirmation days must be positive; tolerances and sustained days not negative")

    @property
    def confirmation_window(self) -> tuple[float, float]:
        """Days after onset within which a confirming visit must fall (msprog ``conf_window``)."""
        return (self.confirmation_days - self.confirmation_tolerance[0],
                self.confirmation_days + self.confirmation_tolerance[1])

    def describe_confirmation(self) -> str:
        low, high = self.confirmation_window
        span = f"{low:g} days or more" if high == INF_DAYS else f"{low:g}-{high:g} days"
        where = "at every visit up to" if self.check_intermediate else "at"
        text = f"confirmed {where} a visit {span} after onset ({self.confirmation_days} days with tolerance)"
        if self.require_sustained_days == INF_DAYS:
            text += " and sustained to the last visit"
        elif self.require_sustained_days:
            text += f" and sustained for {self.require_sustained_days:g} days"
        return text


@dataclass(frozen=True)
class ProgressionEvent:
    """A confirmed change, with everything needed to show why it was found."""

    outcome: Measure
    kind: EventKind
    baseline: Measurement
    threshold: Decimal  # minimum meaningful change from this baseline
    onset: Measurement
    confirmation: Measurement  # first confirming visit
    relapse_activity: RelapseActivity | None  # None when not classified (no relapse data or not requested)
    pira_confirmation: Measurement | None  # first confirming visit clear of the PIRA windows
    sustained_days: int  # onset to the last visit that still showed the change
    sustained_to_last_visit: bool
    options: ProgressionOptions = field(repr=False, compare=False)

    def criteria(self) -> str:
        label = self.outcome.label
        what = "worsening" if self.kind is EventKind.CDW else "improvement"
        kind = self.kind.value + (f", {self.relapse_activity.value}" if self.relapse_activity else "")
        return (f"{label} {what} ({kind}): {_value(self.onset)} on {self.onset.date.isoformat()} against the "
                f"{self.options.baseline.value} baseline {_value(self.baseline)} of {self.baseline.date.isoformat()} "
                f"reaches the threshold of {format(self.threshold.normalize(), 'f')} "
                f"({self.options.thresholds.describe(self.outcome)}), {self.options.describe_confirmation()}: "
                f"{_value(self.confirmation)} on {self.confirmation.date.isoformat()}.")


def _value(measurement: Measurement) -> str:
    return format(exact(measurement.value).normalize(), "f")


# Accepted value ranges, as pymsprog checks them (S7): times only warn there above 180/300 s.
_RANGES = {Measure.EDSS: (0, 10), Measure.SDMT: (0, 110), Measure.T25FW: (0, math.inf), Measure.NHPT: (0, math.inf),
           Measure.SIX_MINUTE_WALK: (0, math.inf)}


def check_value(outcome: Measure, value: float | int | Decimal) -> None:
    """Raise ValueError if ``value`` is outside the range pymsprog accepts for ``outcome``."""
    low, high = _RANGES[outcome]
    if not low <= value <= high:
        raise ValueError(f"{outcome.label} value {value} is outside {low}-{high:g}")


def _prepare(outcome: Measure, visits: Iterable[Measurement]) -> list[Measurement]:
    """Visits in date order; several on one date keep the last one given (spec 4.6 step 1, S7)."""
    by_date: dict[dt.date, Measurement] = {}
    for visit in visits:
        value = visit.value
        if value is None or (isinstance(value, float) and math.isnan(value)):
            continue  # missing values are dropped, as in msprog
        check_value(outcome, value)
        by_date.pop(visit.date, None)
        by_date[visit.date] = visit
    return sorted(by_date.values(), key=lambda m: m.date)


def detect_events(outcome: Measure | str, visits: Iterable[Measurement], relapses: Iterable[dt.date] = (),
                  options: ProgressionOptions = ProgressionOptions()) -> list[ProgressionEvent]:
    """Confirmed events of one patient, in onset order, selected by ``options.event``."""
    outcome = Measure(outcome)
    series = _prepare(outcome, visits)
    if not series:
        return []
    return _PatientScan(outcome, series, sorted(relapses), options).run()


def detect_cohort_events(outcome: Measure | str, visits: Mapping[object, Iterable[Measurement]],
                         relapses: Mapping[object, Iterable[dt.date]] | None = None,
                         options: ProgressionOptions = ProgressionOptions()) -> dict[object, list[ProgressionEvent]]:
    """``detect_events`` for every patient of a cohort, keyed like ``visits``."""
    relapses = relapses or {}
    return {patient: detect_events(outcome, series, relapses.get(patient, ()), options)
            for patient, series in visits.items()}


class _PatientScan:
    """One patient's forward scan; mirrors pymsprog 1.0.7 ``MSprog`` for the supported options (S7)."""

    def __init__(self, outcome: Measure, series: list[Measurement], relapses: list[dt.date],
                 options: ProgressionOptions) -> None:
        self.outcome, self.series, self.options = outcome, series, options
        self.days = [m.date.toordinal() for m in series]
        self.values = [exact(m.value) for m in series]
        first_day = self.days[0]
        # Relapses long before the first visit are ignored (S7: onset >= first visit - relapse_to_bl).
        self.relapse_days = [d for d in (r.toordinal() for r in relapses)
                             if d >= first_day - options.relapse_to_baseline[0]]
        self.classify = options.classify_relapse_activity
        self.since_relapse, self.until_relapse = self._relapse_distances()
        self._thresholds: dict[tuple[Decimal, bool], Decimal] = {}

    def _relapse_distances(self) -> tuple[list[float], list[float]]:
        """Days since the last relapse and until the next one, per visit (a same-day relapse is both)."""
        since, until = [], []
        rel = self.relapse_days
        for day in self.days:
            i = bisect.bisect_right(rel, day)
            since.append(day - rel[i - 1] if i else INF_DAYS)
            j = bisect.bisect_left(rel, day)
            until.append(rel[j] - day if j < len(rel) else INF_DAYS)
        return since, until

    def threshold(self, reference: Decimal, improvement: bool = False) -> Decimal:
        found = self._thresholds.get((reference, improvement))
        if found is None:
            found = self._thresholds[reference, improvement] = meaningful_change(
                self.outcome, reference, self.options.thresholds, improvement)
        return found

    def worse(self, i: int, ref: int) -> bool:
        """Visit ``i`` is meaningfully worse than visit ``ref`` (spec 4.1 comparisons, S6/S7)."""
        diff = self.values[i] - self.values[ref]
        return (diff if self.outcome.higher_is_worse else -diff) >= self.threshold(self.values[ref])

    def better(self, i: int, ref: int) -> bool:
        diff = self.values[i] - self.values[ref]
        return (-diff if self.outcome.higher_is_worse else diff) >= self.threshold(self.values[ref], improvement=True)

    def clear_of_relapses(self, i: int, distances: tuple[float, float]) -> bool:
        return self.since_relapse[i] >= distances[0] and self.until_relapse[i] >= distances[1]

    def run(self) -> list[ProgressionEvent]:
        opts, n = self.options, len(self.days)
        low, high = opts.confirmation_window
        events: list[ProgressionEvent] = []
        bl, search = 0, 1
        while True:
            # Baseline at least relapse_to_baseline days from relapses (spec 4.3, S6/S7).
            while not self.clear_of_relapses(bl, opts.relapse_to_baseline):
                bl += 1
                if bl > n - 2:
                    return self._selected(events)
            search = max(search, bl + 1)
            change = next((i for i in range(search, n)
                           if (self.worse(i, bl) or self.better(i, bl))
                           and self.clear_of_relapses(i, opts.relapse_to_event)), None)
            if change is None:
                return self._selected(events)
            onset_day = self.days[change]
            confirming = [i for i in range(change + 1, n)
                          if low <= self.days[i] - onset_day <= high
                          and self.clear_of_relapses(i, opts.relapse_to_confirmation)]
            # Improvement is tested before worsening (spec 4.6 step 5, S7).
            if confirming and self.better(change, bl) and self._confirmed(self.better, change, confirming[0], bl):
                kind, moves_baseline = EventKind.CDI, opts.baseline in (BaselineScheme.ROVING,
                                                                         BaselineScheme.ROVING_IMPROVEMENT)
                holds = self.better
            elif confirming and self.worse(change, bl) and self._confirmed(self.worse, change, confirming[0], bl):
                kind, moves_baseline = EventKind.CDW, opts.baseline in (BaselineScheme.ROVING,
                                                                         BaselineScheme.ROVING_WORSENING)
                holds = self.worse
            else:
                search = change + 1  # unconfirmed: skip the change (spec 4.6 step 8)
                continue
            first_lost = next((i for i in range(confirming[0] + 1, n) if not holds(i, bl)), None)
            kept = self._sustained(holds, change, bl, first_lost)
            if kept:
                still_held = [i for i in confirming if first_lost is None or i < first_lost]
                events.append(self._event(kind, bl, change, still_held, first_lost))
            after_event = confirming[0] if opts.proceed_from is ProceedFrom.FIRST_CONFIRMATION else change
            if moves_baseline:
                bl = after_event  # a roving baseline moves even if the event is not kept (S7)
            search = (after_event if kept or moves_baseline else change) + 1
            if self._done(events):
                return self._selected(events)

    def _confirmed(self, holds: Callable[[int, int], bool], change: int, confirm: int, ref: int) -> bool:
        """The change holds at every visit up to the confirming one, or only there (check_intermediate)."""
        if self.options.check_intermediate:
            return all(holds(i, ref) for i in range(change + 1, confirm + 1))
        return holds(confirm, ref)

    def _sustained(self, holds: Callable[[int, int], bool], change: int, ref: int, first_lost: int | None) -> bool:
        """msprog ``require_sust_days``: the change must also last this long (or to the end of follow-up)."""
        required = self.options.require_sustained_days
        if not required:
            return True
        if self.options.check_intermediate:
            return first_lost is None or self.days[first_lost] - self.days[change] >= required
        last = len(self.days) - 1
        checkpoint = last
        if self.days[last] - self.days[change] >= required:
            checkpoint = next(i for i in range(change + 1, last + 1) if self.days[i] - self.days[change] >= required)
        return holds(checkpoint, ref)

    def _done(self, events: list[ProgressionEvent]) -> bool:
        wanted = {EventSelection.FIRST_CDW: {EventKind.CDW}, EventSelection.FIRST_CDI: {EventKind.CDI},
                  EventSelection.FIRST: {EventKind.CDW, EventKind.CDI}}.get(self.options.event, set())
        return any(e.kind in wanted for e in events)

    def _selected(self, events: list[ProgressionEvent]) -> list[ProgressionEvent]:
        selection = self.options.event
        if selection is EventSelection.FIRST_CDW:
            return [e for e in events if e.kind is EventKind.CDW][:1]
        if selection is EventSelection.FIRST_CDI:
            return [e for e in events if e.kind is EventKind.CDI][:1]
        return events[:1] if selection is EventSelection.FIRST else events

    def _event(self, kind: EventKind, bl: int, change: int, confirming: list[int],
               first_lost: int | None) -> ProgressionEvent:
        n = len(self.days)
        last_held = n - 1 if first_lost is None else first_lost - 1
        activity, pira_confirm = None, None
        if kind is EventKind.CDW and self.classify:
            activity, pira_confirm = self._relapse_activity(bl, change, confirming)
        return ProgressionEvent(
            outcome=self.outcome, kind=kind, baseline=self.series[bl], threshold=self.threshold(self.values[bl], improvement=kind is EventKind.CDI),
            onset=self.series[change], confirmation=self.series[confirming[0]], relapse_activity=activity,
            pira_confirmation=None if pira_confirm is None else self.series[pira_confirm],
            sustained_days=self.days[last_held] - self.days[change], sustained_to_last_visit=last_held == n - 1,
            options=self.options)

    def _relapse_activity(self, bl: int, change: int, confirming: list[int]) -> tuple[RelapseActivity, int | None]:
        """RAW if the onset is near a relapse, else PIRA if some confirming visit has relapse-free windows (spec 4.4)."""
        opts = self.options
        after, before = opts.relapse_associated
        if self.since_relapse[change] <= after or self.until_relapse[change] <= before:
            return RelapseActivity.RAW, None  # spec 4.4 relapse_assoc, S6/S7
        windows = opts.pira_windows
        preceding = {PrecedingVisit.BASELINE: bl, PrecedingVisit.LAST: change - 1,
                     PrecedingVisit.LAST_DELTA: self._last_meaningful_before(change, confirming[0])}[windows.preceding_visit]
        for confirm in confirming:
            points = ((self.days[preceding], windows.preceding), (self.days[change], windows.onset),
                      (self.days[confirm], windows.confirmation))
            if not any(start <= r <= end for start, end in _intervals(points) for r in self.relapse_days):
                return RelapseActivity.PIRA, confirm
        return RelapseActivity.UNDEFINED, None

    def _last_meaningful_before(self, change: int, confirm: int) -> int:
        """msprog ``last_delta``: last visit before onset from which onset and confirmation are worse (else 0)."""
        for ref in range(change - 1, 0, -1):
            if self.worse(change, ref) and self._confirmed(self.worse, change, confirm, ref):
                return ref
        return 0


def _intervals(points: Iterable[tuple[int, Window]]) -> list[tuple[float, float]]:
    """Day intervals of the PIRA windows; a None end merges a window with the next one (S6/S7)."""
    intervals, start = [], None
    for day, (before, after) in points:
        if before is not None:
            start = day - before
        if after is not None:
            end = day + after
            if end > start:
                intervals.append((start, end))
    return intervals

