"""Change from baseline and from the previous visit, and the meaningful-change threshold per measure.

Thresholds follow spec 4.1 (sources S6/S7 for the msprog defaults, S15-S20 for the trial
conventions). Arithmetic is exact (``decimal``): a value exactly 20 % above baseline counts as a
20 % worsening, which binary floating point in pymsprog sometimes misses (spec 4.6).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

_ZERO = Decimal(0)
_FIVE = Decimal(5)
_FOUR_POINTS = Decimal(4)
_ONE_POINT = Decimal(1)


def exact(value: float | int | Decimal | str) -> Decimal:
    """The decimal a recorded value stands for: 9.6 (a float) is exactly 9.6, not 9.5999..."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))  # shortest repr round-trips to the typed decimal
    return Decimal(value)


class Measure(StrEnum):
    """An outcome measure followed over visits; the values are msprog's outcome names (S6/S7)."""

    EDSS = "edss"
    T25FW = "t25fw"  # seconds, mean of two trials
    NHPT = "nhpt"  # seconds, mean of two trials of one hand
    SDMT = "sdmt"  # correct substitutions in 90 s
    SIX_MINUTE_WALK = "6mwt"  # metres in six minutes; a custom outcome in msprog's terms (no msprog default)

    @property
    def higher_is_worse(self) -> bool:
        """Direction of worsening: a lower SDMT or a shorter walk is worse, a higher time or EDSS is worse
        (spec 4.1, S6/S7)."""
        return self not in (Measure.SDMT, Measure.SIX_MINUTE_WALK)

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {Measure.EDSS: "EDSS", Measure.T25FW: "T25FW", Measure.NHPT: "9HPT", Measure.SDMT: "SDMT",
           Measure.SIX_MINUTE_WALK: "6MW"}

# Six-minute walk: the minimal important change (MIC) in MS, anchor-based (predictive modelling with a
# 3-point anchor question), 118 patients walking at comfortable speed twice about one year apart:
# 19.7 m improvement (95 % CI 9.8-30.9 m), 7.2 m deterioration (95 % CI -3.3-18.2 m). Oosterveer DM,
# van den Berg C, Volker G, Wouda NC, Terluin B, Hoitsma E. Mult Scler Relat Disord 2022;57:103438,
# doi:10.1016/j.msard.2021.103438. Limits: one cohort of mostly mildly affected walkers (mean 468 m),
# comfortable rather than fastest speed, and the deterioration CI includes zero (a small drop is flagged
# that may be within test-retest noise); the only MS estimate found with both directions. The flag is an
# aid; confirmation over 12 weeks (spec 4.2) still applies to events.
SIX_MINUTE_WALK_IMPROVEMENT_M = Decimal("19.7")
SIX_MINUTE_WALK_DETERIORATION_M = Decimal("7.2")
SIX_MINUTE_WALK_SOURCE = "Oosterveer DM et al., Mult Scler Relat Disord 2022;57:103438, doi:10.1016/j.msard.2021.103438"


class SdmtRule(StrEnum):
    """Meaningful SDMT change, whichever of the two is smaller (spec 4.1, UNCERTAIN which to use)."""

    FOUR_POINTS_OR_20_PERCENT = "4pts_or_20pct"  # msprog and pymsprog code (S6/S7), default
    FOUR_POINTS_OR_10_PERCENT = "4pts_or_10pct"  # 4-point MCID (S20) with the 10 % rule (S19)


@dataclass(frozen=True)
class ThresholdRules:
    """The configurable parts of the meaningful-change thresholds (spec 4.1).

    ``edss_small_step_above``: from which baseline EDSS a 0.5 change counts (UNCERTAIN): 5.0 as in
    msprog/pymsprog (S6/S7) and Bsteh/Hoepner (S28), the default; 5.5 as in the trials (S17/S19).
    """

    edss_small_step_above: Decimal = Decimal("5.0")
    sdmt_rule: SdmtRule = SdmtRule.FOUR_POINTS_OR_20_PERCENT

    def __post_init__(self) -> None:
        object.__setattr__(self, "edss_small_step_above", exact(self.edss_small_step_above))
        if self.edss_small_step_above not in (Decimal("5.0"), Decimal("5.5")):
            raise ValueError("edss_small_step_above must be 5.0 or 5.5")
        object.__setattr__(self, "sdmt_rule", SdmtRule(self.sdmt_rule))

    def describe(self, measure: Measure) -> str:
        if measure is Measure.EDSS:
            return (f"EDSS +/-1.5 from 0, 1.0 from 1.0-{self.edss_small_step_above}, "
                    f"0.5 above {self.edss_small_step_above}")
        if measure is Measure.SDMT:
            pct = 20 if self.sdmt_rule is SdmtRule.FOUR_POINTS_OR_20_PERCENT else 10
            return f"SDMT 4 points or {pct} % of baseline, whichever is smaller"
        if measure is Measure.SIX_MINUTE_WALK:
            return (f"6MW {SIX_MINUTE_WALK_DETERIORATION_M} m shorter or {SIX_MINUTE_WALK_IMPROVEMENT_M} m longer, "
                    f"minimal important change in MS ({SIX_MINUTE_WALK_SOURCE})")
        return f"{measure.label} 20 % of baseline"


DEFAULT_RULES = ThresholdRules()

# The trial convention used by the MSC-NP primary outcome: 1.0 up to baseline 5.5 (spec 4.5, S17).
TRIAL_RULES = ThresholdRules(edss_small_step_above=Decimal("5.5"))


def meaningful_change(measure: Measure, baseline: Decimal, rules: ThresholdRules = DEFAULT_RULES,
                      improvement: bool = False) -> Decimal:
    """Minimum change from ``baseline`` that is clinically meaningful (spec 4.1): a worsening, or with
    ``improvement`` an improvement (the same for every measure but the six-minute walk).

    As in msprog the threshold depends on the baseline value, never on the new value (S6/S7).
    """
    if measure is Measure.SIX_MINUTE_WALK:
        return SIX_MINUTE_WALK_IMPROVEMENT_M if improvement else SIX_MINUTE_WALK_DETERIORATION_M
    if measure is Measure.EDSS:
        if baseline == 0:
            return Decimal("1.5")  # spec 4.1, S18 and S6/S7
        return Decimal("1.0") if baseline <= rules.edss_small_step_above else Decimal("0.5")  # spec 4.1, S6/S7/S17/S19
    if measure in (Measure.T25FW, Measure.NHPT):
        return baseline / _FIVE  # 20 % of baseline, spec 4.1, S6/S7/S15/S16
    fraction = _FIVE if rules.sdmt_rule is SdmtRule.FOUR_POINTS_OR_20_PERCENT else Decimal(10)
    # spec 4.1, S6/S7 (20 %) or S19/S20 (10 %). SDMT scores are whole numbers, so any threshold up to
    # one point means "one point"; the floor only matters at baseline 0, where the percentage rule
    # gives 0 and msprog/pymsprog would call an unchanged score an event (docs/scoring.md).
    return max(min(baseline / fraction, _FOUR_POINTS), _ONE_POINT)


def worsening_amount(measure: Measure, reference: Decimal, value: Decimal) -> Decimal:
    """How much worse ``value`` is than ``reference`` (negative when better)."""
    return value - reference if measure.higher_is_worse else reference - value


class Direction(StrEnum):
    WORSENING = "worsening"
    IMPROVEMENT = "improvement"
    NONE = "no meaningful change"


def classify_change(measure: Measure, reference: Decimal, value: Decimal,
                    rules: ThresholdRules = DEFAULT_RULES) -> Direction:
    """Whether ``value`` is meaningfully worse or better than ``reference`` (spec 4.1 comparisons, S6/S7)."""
    worse_by = worsening_amount(measure, reference, value)
    if worse_by >= meaningful_change(measure, reference, rules):
        return Direction.WORSENING
    if -worse_by >= meaningful_change(measure, reference, rules, improvement=True):
        return Direction.IMPROVEMENT
    return Direction.NONE


@dataclass(frozen=True)
class Measurement:
    """One value of a measure at one date; ``value`` is kept as typed (float, int or Decimal)."""

    date: dt.date
    value: float | int | Decimal


@dataclass(frozen=True)
class Change:
    """The change of one measure between a reference visit and a later visit."""

    measure: Measure
    reference: Measurement
    current: Measurement
    absolute: Decimal  # current - reference
    percent: Decimal | None  # relative to the reference; None when the reference is 0
    threshold: Decimal  # the threshold in the direction of the change
    direction: Direction
    rules: ThresholdRules

    @property
    def meaningful(self) -> bool:
        return self.direction is not Direction.NONE

    def describe(self) -> str:
        pct = "" if self.percent is None else f" ({self.percent:+.1f} %)"
        return (f"{self.measure.label} {_num(self.reference.value)} on {self.reference.date.isoformat()} -> "
                f"{_num(self.current.value)} on {self.current.date.isoformat()}: {_signed(self.absolute)}{pct}; "
                f"threshold {_num(self.threshold)} ({self.rules.describe(self.measure)}): {self.direction.value}.")


def change_between(measure: Measure, reference: Measurement, current: Measurement,
                   rules: ThresholdRules = DEFAULT_RULES) -> Change:
    ref, cur = exact(reference.value), exact(current.value)
    absolute = cur - ref
    percent = None if ref == 0 else absolute * 100 / ref
    improving = worsening_amount(measure, ref, cur) < 0
    return Change(measure, reference, current, absolute, percent,
                  meaningful_change(measure, ref, rules, improvement=improving),
                  classify_change(measure, ref, cur, rules), rules)


@dataclass(frozen=True)
class VisitChanges:
    """A visit's value with its change from the baseline visit and from the previous visit."""

    measurement: Measurement
    from_baseline: Change | None  # None for the baseline visit itself
    from_previous: Change | None


def changes_over_time(measure: Measure, series: list[Measurement] | tuple[Measurement, ...],
                      rules: ThresholdRules = DEFAULT_RULES) -> list[VisitChanges]:
    """Change from baseline (the first visit by date) and from the previous visit for every visit."""
    ordered = sorted(series, key=lambda m: m.date)
    result = []
    for i, visit in enumerate(ordered):
        if i == 0:
            result.append(VisitChanges(visit, None, None))
        else:
            result.append(VisitChanges(visit, change_between(measure, ordered[0], visit, rules),
                                       change_between(measure, ordered[i - 1], visit, rules)))
    return result


def _num(value: float | int | Decimal) -> str:
    return format(exact(value).normalize(), "f")


def _signed(value: Decimal) -> str:
    return ("+" if value > 0 else "") + _num(value)
