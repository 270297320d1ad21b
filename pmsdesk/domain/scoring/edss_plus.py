"""EDSS-Plus: worsening on any of EDSS, T25FW or 9HPT (either hand), and the MSC-NP improvement outcome.

Worsening (Cadavid 2017, spec 4.5, S15/S16): a confirmed worsening of at least one component; each
component is searched with the confirmed-worsening engine (``progression``), 9HPT hands separately.
Improvement (MSC-NP phase II primary outcome, spec 4.5, S17): a single comparison of one visit with
baseline, no confirmation; EDSS 1.0 down from baseline <= 5.5 or 0.5 from >= 6.0, or T25FW or either
9HPT hand at least 20 % faster. The registry wording "increase" is read as improvement (UNCERTAIN).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from pmsdesk.domain.scoring.change import (
    TRIAL_RULES,
    Direction,
    Measure,
    Measurement,
    classify_change,
    exact,
    meaningful_change,
)
from pmsdesk.domain.scoring.progression import (
    INF_DAYS,
    EventSelection,
    ProgressionEvent,
    ProgressionOptions,
    detect_events,
)

# Cadavid 2017 confirms each component >= 24 weeks later (spec 4.5, S15): 168 days, no upper bound.
EDSS_PLUS_OPTIONS = ProgressionOptions(confirmation_days=168, confirmation_tolerance=(0, INF_DAYS))

COMPONENTS = (  # (name, measure)
    ("EDSS", Measure.EDSS),
    ("T25FW", Measure.T25FW),
    ("9HPT dominant hand", Measure.NHPT),
    ("9HPT non-dominant hand", Measure.NHPT),
)


@dataclass(frozen=True)
class EdssPlusWorsening:
    """First confirmed worsening of each EDSS-Plus component, and the earliest of them."""

    component_events: dict[str, ProgressionEvent | None]

    @property
    def first(self) -> tuple[str, ProgressionEvent] | None:
        found = [(event.onset.date, i, name, event)
                 for i, (name, event) in enumerate(self.component_events.items()) if event is not None]
        return min(found)[2:] if found else None

    @property
    def worsened(self) -> bool:
        return self.first is not None

    def criteria(self) -> str:
        first = self.first
        if first is None:
            return ("No EDSS-Plus worsening: no confirmed worsening of EDSS, T25FW or 9HPT (either hand) "
                    "(Cadavid et al., Mult Scler 2017).")
        name, event = first
        return f"EDSS-Plus worsening first on {name} (Cadavid et al., Mult Scler 2017): {event.criteria()}"


def edss_plus_worsening(edss: Iterable[Measurement], t25fw: Iterable[Measurement],
                        nhpt_dominant: Iterable[Measurement], nhpt_non_dominant: Iterable[Measurement],
                        relapses: Sequence[dt.date] = (),
                        options: ProgressionOptions = EDSS_PLUS_OPTIONS) -> EdssPlusWorsening:
    """EDSS-Plus confirmed worsening; ``options`` apply to every component (event forced to firstCDW)."""
    options = replace(options, event=EventSelection.FIRST_CDW)
    events = {}
    for (name, measure), series in zip(COMPONENTS, (edss, t25fw, nhpt_dominant, nhpt_non_dominant)):
        found = detect_events(measure, series, relapses, options)
        events[name] = found[0] if found else None
    return EdssPlusWorsening(events)


@dataclass(frozen=True)
class EdssPlusAssessment:
    """The EDSS-Plus components measured at one visit; None when not available."""

    date: dt.date
    edss: float | None
    t25fw_s: float | None
    nhpt_dominant_s: float | None
    nhpt_non_dominant_s: float | None

    def component_values(self) -> tuple[float | None, ...]:
        return (self.edss, self.t25fw_s, self.nhpt_dominant_s, self.nhpt_non_dominant_s)


@dataclass(frozen=True)
class ComponentComparison:
    component: str
    baseline: Decimal
    value: Decimal
    threshold: Decimal
    improved: bool


@dataclass(frozen=True)
class EdssPlusImprovement:
    """MSC-NP primary outcome: any component improved from baseline (spec 4.5, S17)."""

    baseline: EdssPlusAssessment
    follow_up: EdssPlusAssessment
    comparisons: tuple[ComponentComparison, ...]
    missing: tuple[str, ...]  # components not measured at both visits

    @property
    def improved(self) -> bool:
        return any(c.improved for c in self.comparisons)

    def criteria(self) -> str:
        met = [c.component for c in self.comparisons if c.improved]
        verdict = f"improved on {', '.join(met)}" if met else "not improved"
        return (f"EDSS-Plus improvement (MSC-NP definition, Harris et al., Stem Cell Res Ther 2024;15:151), "
                f"{self.follow_up.date.isoformat()} vs "
                f"baseline {self.baseline.date.isoformat()}: {verdict} (EDSS down 1.0 from <= 5.5 or 0.5 from >= 6.0, "
                "or T25FW or either 9HPT hand at least 20 % faster; no confirmation visit).")

    def explain(self) -> list[str]:
        lines = [self.criteria()]
        for c in self.comparisons:
            lines.append(f"{c.component}: {_fmt(c.baseline)} -> {_fmt(c.value)}, improvement threshold "
                         f"{_fmt(c.threshold)}: {'met' if c.improved else 'not met'}.")
        if self.missing:
            lines.append("Not measured at both visits: " + ", ".join(self.missing) + ".")
        return lines


def edss_plus_improvement_mscnp(baseline: EdssPlusAssessment, follow_up: EdssPlusAssessment) -> EdssPlusImprovement:
    comparisons, missing = [], []
    for (name, measure), before, after in zip(COMPONENTS, baseline.component_values(), follow_up.component_values()):
        if before is None or after is None:
            missing.append(name)
            continue
        before, after = exact(before), exact(after)
        # The trial's EDSS bands: 1.0 up to 5.5, 0.5 from 6.0 (TRIAL_RULES); 20 % for the timed tests.
        direction = classify_change(measure, before, after, TRIAL_RULES)
        comparisons.append(ComponentComparison(name, before, after, meaningful_change(measure, before, TRIAL_RULES),
                                               direction is Direction.IMPROVEMENT))
    return EdssPlusImprovement(baseline, follow_up, tuple(comparisons), tuple(missing))


def _fmt(value: Decimal) -> str:
    return format(value.normalize(), "f")

