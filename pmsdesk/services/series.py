"""A patient's course as plot-ready data: the trajectory screen and the PDF reports draw the same series.

No Qt here. :func:`build_patient_series` is a pure function of the stored visits, courses and
relapses, the options and the reference library; :func:`patient_series` loads them through the
Clinic service first.

Time runs in months since the first intrathecal dose (30.4375 days per month, the convention of the
reference cohorts file), or since the first visit when no dose is recorded. The baseline of each
measure is its first completed value; the meaningful-change band, the confirmed events (fixed
baseline, 12-week confirmation, every event) and the cohort overlays all start from it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from pmsdesk.domain.assessments import REGISTRY, Measure
from pmsdesk.domain.comparators import (
    AGENT_SHORT,
    ComparatorChoice,
    CurveStyle,
    PatientProfile,
    comparators_for,
)
from pmsdesk.domain.references import (
    Arm,
    Cohort,
    ReferenceLibrary,
    ReferenceValue,
    SignConvention,
    ValueKind,
)
from pmsdesk.domain.scoring.change import (
    DEFAULT_RULES,
    Measurement,
    ThresholdRules,
    exact,
    meaningful_change,
)
from pmsdesk.domain.scoring.edss_plus import EdssPlusWorsening, edss_plus_worsening
from pmsdesk.domain.scoring.progression import (
    BaselineScheme,
    EventKind,
    EventSelection,
    ProgressionEvent,
    ProgressionOptions,
    detect_events,
)
from pmsdesk.domain.vocab import Agent, Phenotype, VisitKind

DAYS_PER_MONTH = 30.4375  # 365.25 / 12, as in resources/references/cohorts.json
COMPUTED_FLAGS_NOTICE = ("Computed changes and events are aids to the clinician's judgement, "
                         "not a replacement for it.")


class Status:
    """A measure's (or a patient's) course in one word group, worst first."""

    WORSENING = "worsening confirmed"
    UNCONFIRMED = "unconfirmed change"
    IMPROVEMENT = "improvement confirmed"
    STABLE = "stable"
    NO_DATA = "no data"

    ORDER = (WORSENING, UNCONFIRMED, IMPROVEMENT, STABLE, NO_DATA)


class ChangeShown:
    """How a change since baseline compares with the measure's meaningful-change threshold."""

    WORSE = "worse"
    BETTER = "better"
    WITHIN = "within"



@dataclass(frozen=True)
class SeriesOptions:
    confirmation_weeks: int = 12
    rules: ThresholdRules = DEFAULT_RULES

    @property
    def progression(self) -> ProgressionOptions:
        return ProgressionOptions(event=EventSelection.MULTIPLE, baseline=BaselineScheme.FIXED,
                                  confirmation_days=self.confirmation_weeks * 7, thresholds=self.rules)


# ----- the patient's own data -----------------------------------------------------------------------

@dataclass(frozen=True)
class Point:
    """One visit's value of one measure; ``value`` is None when the test could not be completed."""

    visit_id: int
    date: dt.date
    months: float
    value: float | None
    not_completed: str | None  # the reason's label, when value is None
    detail: str  # several lines for a hover: visit, value, trials / functional systems

    @property
    def completed(self) -> bool:
        return self.value is not None


@dataclass(frozen=True)
class ThresholdBand:
    """Values within the meaningful change of the baseline: outside it a change counts (spec 4.1)."""

    baseline: float
    threshold: float  # a meaningful worsening
    rule: str  # e.g. "T25FW 20 % of baseline"
    improvement: float | None = None  # a meaningful improvement, when it differs (the six-minute walk)
    higher_is_worse: bool = True

    @property
    def better(self) -> float:
        return self.threshold if self.improvement is None else self.improvement

    @property
    def low(self) -> float:
        return self.baseline - (self.better if self.higher_is_worse else self.threshold)

    @property
    def high(self) -> float:
        return self.baseline + (self.threshold if self.higher_is_worse else self.better)

    def size(self, unit: str = "") -> str:
        """The band's half-widths in words: "±2 s" or "worse by 7.2 m, better by 19.7 m"."""
        unit = f" {unit}" if unit else ""
        if self.better == self.threshold:
            return f"\u00b1{self.threshold:g}{unit}"
        return f"worse by {self.threshold:g}{unit}, better by {self.better:g}{unit}"


@dataclass(frozen=True)
class EventMark:
    """A confirmed worsening (CDW) or improvement (CDI), marked at its onset."""

    kind: EventKind
    onset: Point
    confirmation: Point
    criteria: str
    event: ProgressionEvent = field(repr=False, compare=False)

    @property
    def is_worsening(self) -> bool:
        return self.kind is EventKind.CDW


@dataclass(frozen=True)
class MeasureSeries:
    spec: Measure  # the registry's measure: label, unit, decimals, change rule, reference
    points: tuple[Point, ...]  # every visit where the test was recorded, completed or not, by date
    baseline: Point | None  # the first completed value
    band: ThresholdBand | None
    events: tuple[EventMark, ...]

    @property
    def key(self) -> str:
        return self.spec.key

    @property
    def completed(self) -> tuple[Point, ...]:
        return tuple(point for point in self.points if point.completed)

    @property
    def not_completed(self) -> tuple[Point, ...]:
        return tuple(point for point in self.points if not point.completed)

    @property
    def latest(self) -> Point | None:
        completed = self.completed
        return completed[-1] if completed else None

    @property
    def change_since_baseline(self) -> float | None:
        latest = self.latest
        if latest is None or self.baseline is None or latest is self.baseline:
            return None
        return latest.value - self.baseline.value

    @property
    def status(self) -> str:
        """The last confirmed event decides; without one, a latest value outside the band is an
        unconfirmed change."""
        if self.baseline is None:
            return Status.NO_DATA
        if self.events:
            return Status.WORSENING if self.events[-1].is_worsening else Status.IMPROVEMENT
        latest = self.latest
        if self.band is not None and not self.band.low < latest.value < self.band.high:
            return Status.UNCONFIRMED
        return Status.STABLE

    @property
    def change_shown(self) -> str | None:
        """The change since baseline (what a table shows beside the latest value) judged against the
        meaningful-change threshold in the measure's direction of worsening: ``ChangeShown.WORSE`` or
        ``BETTER`` when it reaches the threshold, ``WITHIN`` below it; None when there is no change
        yet (only a baseline) or the measure has no threshold. Judged on the value alone: the
        confirmed events decide :attr:`status`, not this."""
        change = self.change_since_baseline
        if change is None or self.band is None:
            return None
        worse_by = exact(self.latest.value) - exact(self.baseline.value)
        if not self.spec.higher_is_worse:
            worse_by = -worse_by
        threshold = exact(self.band.threshold)
        if worse_by >= threshold:
            return ChangeShown.WORSE
        if -worse_by >= threshold:
            return ChangeShown.BETTER
        return ChangeShown.WITHIN

    def format_value(self, value: float) -> str:
        return self.spec.format(value)


@dataclass(frozen=True)
class DoseMark:
    visit_id: int
    date: dt.date
    months: float
    agent: str  # short name, e.g. "ITMTX"
    agent_label: str  # full name
    dose: str  # e.g. "12.5 mg"; "" when not recorded
    treatment_number: int | None

    @property
    def label(self) -> str:
        number = f" #{self.treatment_number}" if self.treatment_number else ""
        return f"{self.agent}{number}"

    @property
    def detail(self) -> str:
        dose = f", {self.dose}" if self.dose else ""
        number = f"treatment {self.treatment_number}" if self.treatment_number else "treatment"
        return f"{self.agent_label}{dose}\n{number}, {self.date.isoformat()} (month {self.months:.1f})"


@dataclass(frozen=True)
class RelapseMark:
    date: dt.date
    months: float
    note: str

    @property
    def detail(self) -> str:
        return f"Relapse, onset {self.date.isoformat()}" + (f"\n{self.note}" if self.note else "")


@dataclass(frozen=True)
class PatientSeries:
    anchor: dt.date
    anchor_is_first_dose: bool
    phenotype: Phenotype | None
    measures: dict[str, MeasureSeries]  # by measure key, in the registry's order; never recorded: absent
    doses: tuple[DoseMark, ...]
    relapses: tuple[RelapseMark, ...]
    edss_plus: EdssPlusWorsening
    options: SeriesOptions
    agents: frozenset[str] = frozenset()  # the agents of the patient's courses (codes; an "other" agent by name)

    @property
    def profile(self) -> PatientProfile:
        """What decides the fair comparators: phenotype, baseline EDSS, the patient's treatments."""
        edss = self.measures.get("edss")
        baseline = edss.baseline.value if edss is not None and edss.baseline is not None else None
        return PatientProfile(self.phenotype, baseline, self.agents)

    def months_since_anchor(self, date: dt.date) -> float:
        return months_between(self.anchor, date)

    @property
    def anchor_text(self) -> str:
        return "first intrathecal dose" if self.anchor_is_first_dose else "first visit (no dose recorded)"

    @property
    def last_months(self) -> float:
        """End of follow-up: the latest visit, dose or relapse."""
        months = [p.months for s in self.measures.values() for p in s.points]
        months += [d.months for d in self.doses] + [r.months for r in self.relapses]
        return max(months, default=0.0)

    @property
    def status(self) -> str:
        """The patient's overall status: the worst status of any measure (EDSS-Plus style)."""
        return next(iter(self.status_groups()), Status.NO_DATA)

    def status_groups(self) -> dict[str, tuple[str, ...]]:
        """Measure labels by status, worst status first: {"worsening confirmed": ("T25FW",), ...}."""
        groups = {status: tuple(s.spec.label for s in self.measures.values() if s.status == status)
                  for status in Status.ORDER}
        return {status: labels for status, labels in groups.items() if labels}


def months_between(start: dt.date, date: dt.date) -> float:
    return (date - start).days / DAYS_PER_MONTH


def build_patient_series(records: Sequence, courses: Sequence = (), relapses: Sequence = (), *,
                         phenotype: Phenotype | str | None = None,
                         options: SeriesOptions = SeriesOptions()) -> PatientSeries:
    """Series of every measure from the Clinic's VisitRecords (date order), TreatmentCourses and Relapses."""
    records = sorted(records, key=lambda r: (r.visit.visit_date, r.visit.id))
    treatments = [r.visit for r in records if r.visit.kind == VisitKind.TREATMENT]
    if treatments:
        anchor, from_dose = treatments[0].visit_date, True
    else:
        anchor, from_dose = (records[0].visit.visit_date if records else dt.date.today()), False
    course_by_id = {course.id: course for course in courses}
    doses = tuple(_dose_mark(visit, course_by_id.get(visit.course_id), anchor) for visit in treatments)
    relapse_marks = tuple(RelapseMark(r.onset_date, months_between(anchor, r.onset_date), r.notes or "")
                          for r in sorted(relapses, key=lambda r: r.onset_date))
    relapse_dates = [mark.date for mark in relapse_marks]
    measures = {}
    for spec in REGISTRY.followed_measures():
        points = tuple(point for record in records
                       if (point := _point(spec, record, anchor)) is not None)
        if points:
            measures[spec.key] = _measure_series(spec, points, relapse_dates, options)
    edss_plus = edss_plus_worsening(*(_measurements(measures.get(key)) for key in
                                      ("edss", "t25fw", "nhpt_dominant", "nhpt_nondominant")),
                                    relapses=relapse_dates)
    agents = frozenset((course.agent_name or course.agent) if course.agent == Agent.OTHER else course.agent
                       for course in courses)
    return PatientSeries(anchor, from_dose, Phenotype(phenotype) if phenotype else None, measures, doses,
                         relapse_marks, edss_plus, options, agents)


def patient_series(clinic, patient_id: int, options: SeriesOptions = SeriesOptions()) -> PatientSeries:
    """:func:`build_patient_series` for one stored patient."""
    return build_patient_series(clinic.visit_records(patient_id), clinic.courses(patient_id),
                                clinic.relapses(patient_id), phenotype=clinic.patient(patient_id).phenotype,
                                options=options)


def _dose_mark(visit, course, anchor: dt.date) -> DoseMark:
    agent_code = course.agent if course is not None else None
    if agent_code is None:
        agent, agent_label = "dose", "Intrathecal treatment (no course linked)"
    elif agent_code == Agent.OTHER:
        agent = agent_label = course.agent_name or Agent.OTHER.label
    else:
        agent, agent_label = AGENT_SHORT[Agent(agent_code)], Agent(agent_code).label
    dose = f"{visit.dose_given:g} {visit.dose_unit or ''}".strip() if visit.dose_given is not None else ""
    return DoseMark(visit.id, visit.visit_date, months_between(anchor, visit.visit_date), agent, agent_label,
                    dose, visit.treatment_number)


def _measure_series(spec: Measure, points: tuple[Point, ...], relapse_dates: list[dt.date],
                    options: SeriesOptions) -> MeasureSeries:
    completed = [point for point in points if point.completed]
    baseline = completed[0] if completed else None
    band, events = None, ()
    if baseline is not None and spec.change_rule is not None:
        worse, better = (meaningful_change(spec.change_rule, exact(baseline.value), options.rules, improvement)
                         for improvement in (False, True))
        band = ThresholdBand(baseline.value, float(worse), options.rules.describe(spec.change_rule),
                             None if better == worse else float(better), spec.change_rule.higher_is_worse)
        by_date = {point.date: point for point in completed}  # as detect_events: the last on a date
        found = detect_events(spec.change_rule, [Measurement(p.date, p.value) for p in completed],
                              relapse_dates, options.progression)
        events = tuple(EventMark(event.kind, by_date[event.onset.date], by_date[event.confirmation.date],
                                 event.criteria().replace(spec.change_rule.label, spec.label, 1), event)
                       for event in found)
    return MeasureSeries(spec, points, baseline, band, events)


def _measurements(series: MeasureSeries | None) -> list[Measurement]:
    return [] if series is None else [Measurement(p.date, p.value) for p in series.completed]


# ----- one point per visit and measure --------------------------------------------------------------

def _point(spec: Measure, record, anchor: dt.date) -> Point | None:
    reading = record.reading(spec)
    if reading is None:
        return None
    visit = record.visit
    months = months_between(anchor, visit.visit_date)
    kind = VisitKind(visit.kind).label if visit.kind in VisitKind._value2member_map_ else visit.kind
    if visit.treatment_number:
        kind += f" #{visit.treatment_number}"
    shown = "not completed" if reading.value is None else spec.format_with_unit(reading.value)
    lines = [f"{visit.visit_date.isoformat()} (month {months:.1f}), {kind} visit", f"{spec.label}: {shown}"]
    if reading.value is None:
        lines.append(f"Reason: {reading.not_completed}" + (f" ({reading.note})" if reading.note else ""))
    if reading.trials:
        lines.append("Trials " + " and ".join(f"{t:g}" for t in reading.trials) + f" {spec.unit}")
    lines += [*reading.context, *reading.details, *reading.warnings]
    return Point(visit.id, visit.visit_date, months, reading.value, reading.not_completed, "\n".join(lines))


# ----- published cohorts beside the patient ---------------------------------------------------------

@dataclass(frozen=True)
class OverlayPoint:
    months: float  # on the patient's axis: the baseline's months plus the cohort's timepoint
    value: float  # what the patient's value would be on the cohort's mean course
    low: float | None = None  # mean - SD, converted the same way; None without an SD
    high: float | None = None


@dataclass(frozen=True)
class OverlayCurve:
    """One arm's course anchored at the patient's baseline: a mean (or % change) band, or a rate line."""

    cohort_id: str
    label: str  # legend text, e.g. "Petrou 2020 IT/IV-MSC sham (placebo): mean change ± SD"
    arm: Arm
    is_rate: bool
    points: tuple[OverlayPoint, ...]  # starts at the baseline
    values: tuple[ReferenceValue, ...]  # the published numbers behind it
    style: CurveStyle  # its arm's colour and marker, the same on screen and in the PDF

    @property
    def has_spread(self) -> bool:
        return any(point.low is not None for point in self.points)


@dataclass(frozen=True)
class CohortOverlay:
    """Chosen arms of one cohort beside the patient: their courses as curves, the rest as statements."""

    cohort: Cohort
    measure_key: str
    curves: tuple[OverlayCurve, ...]
    statements: tuple[str, ...]  # proportions, findings and numbers that are not a course
    label: str  # the arm as the legend names it (the cohort's name for several arms)
    style: CurveStyle
    values: tuple[ReferenceValue, ...] = ()

    @property
    def citation(self) -> str:
        return self.cohort.citation.text()

    @property
    def no_curve(self) -> str | None:
        """Why a chosen arm draws nothing on this measure's plot ("proportions"); None when it has a curve."""
        if self.curves:
            return None
        kinds = sorted({_NOT_A_COURSE.get(v.kind, "values at a timepoint") for v in self.values
                        if _curve_kind(v) is None})
        return ", ".join(kinds) or "no baseline value of this patient to start from"


def no_curve_text(overlays: Sequence[CohortOverlay]) -> str | None:
    """The legend's (and the PDF key's) line naming the chosen arms that draw no curve on this plot."""
    missing = [f"{overlay.label} ({overlay.no_curve})" for overlay in overlays if overlay.no_curve]
    return f"Chosen, no curve here (see the findings): {'; '.join(missing)}" if missing else None


# How a number that is not a course is named in a legend's "no curve" line.
_NOT_A_COURSE = {ValueKind.QUALITATIVE: "a finding only", ValueKind.COUNT: "counts",
                 ValueKind.BETWEEN_GROUP_DIFFERENCE: "a difference between arms",
                 ValueKind.MODEL_ESTIMATE: "a model estimate",
                 ValueKind.MEAN_PERCENT_CHANGE: "a % change of a reciprocal time",
                 **{kind: "proportions" for kind in ValueKind if kind.is_proportion}}


@dataclass(frozen=True)
class CohortChoice:
    """A cohort reporting a measure; ``default_on`` when one of its arms fits the patient."""

    cohort: Cohort
    default_on: bool

    @property
    def label(self) -> str:
        return self.cohort.short_name


def _profile(patient: PatientProfile | Phenotype | str | None) -> PatientProfile:
    if isinstance(patient, PatientProfile):
        return patient
    return PatientProfile(Phenotype(patient) if patient else None, None)


def cohort_choices(library: ReferenceLibrary, measure_key: str,
                   patient: PatientProfile | Phenotype | str | None) -> tuple[CohortChoice, ...]:
    """Cohorts reporting this measure (and hand), in the order of their first arm in
    :func:`comparators_for` (the cohorts with an arm that fits the patient first)."""
    fits: dict[str, bool] = {}
    cohorts: dict[str, Cohort] = {}
    for choice in comparators_for(library, _profile(patient), measure_key):
        cohorts.setdefault(choice.cohort.id, choice.cohort)
        fits[choice.cohort.id] = fits.get(choice.cohort.id, False) or choice.default_on
    return tuple(CohortChoice(cohort, fits[cohort_id]) for cohort_id, cohort in cohorts.items())


def comparator_overlay(series: MeasureSeries, choice: ComparatorChoice,
                       until_months: float | None = None) -> CohortOverlay:
    """One arm's numbers beside the patient: change kinds as curves from the patient's baseline,
    rates per year as lines (to ``until_months``, or 12 months after baseline), everything else as
    statements."""
    return _overlay(series, choice.cohort, [choice], choice.label, until_months)


def cohort_overlay(series: MeasureSeries, cohort: Cohort, *, all_arms: bool = False,
                   until_months: float | None = None, profile: PatientProfile | None = None) -> CohortOverlay:
    """A cohort's arms for one measure in one overlay: those that fit ``profile``, or all of them
    (``all_arms``, and for a cohort none of whose arms fits)."""
    choices = comparators_for(ReferenceLibrary((cohort,), ()), _profile(profile), series.spec)
    fitting = [choice for choice in choices if choice.default_on]
    return _overlay(series, cohort, choices if all_arms or not fitting else fitting, cohort.short_name, until_months)


def comparator_overlays(series: PatientSeries, library: ReferenceLibrary, measure_key: str,
                        chosen: Iterable[str] | None = None) -> tuple[CohortOverlay, ...]:
    """An overlay per chosen arm, in the order of :func:`comparators_for` (so in its styles):
    ``chosen`` names arms (:attr:`ComparatorChoice.key`) or whole cohorts (their id: every arm);
    None takes the arms that fit the patient."""
    if measure_key not in series.measures:
        return ()
    chosen = None if chosen is None else set(chosen)
    return arm_overlays(series, measure_key, [
        choice for choice in comparators_for(library, series.profile, measure_key)
        if (choice.default_on if chosen is None else choice.key in chosen or choice.cohort.id in chosen)])


def arm_overlays(series: PatientSeries, measure_key: str,
                 choices: Iterable[ComparatorChoice]) -> tuple[CohortOverlay, ...]:
    """An overlay per arm of :func:`comparators_for` (for a screen that already holds them)."""
    measure = series.measures[measure_key]
    until = max(series.last_months, (measure.baseline.months if measure.baseline else 0) + 12)
    return tuple(comparator_overlay(measure, choice, until) for choice in choices)


def default_overlays(series: PatientSeries, library: ReferenceLibrary, measure_key: str) -> tuple[CohortOverlay, ...]:
    """The overlays drawn before anyone opens the chooser (what a report shows)."""
    return comparator_overlays(series, library, measure_key)


def _overlay(series: MeasureSeries, cohort: Cohort, choices: Sequence[ComparatorChoice], label: str,
             until_months: float | None) -> CohortOverlay:
    curves = []
    baseline = series.baseline
    for choice in choices:
        drawable = [v for v in choice.values if baseline is not None and _curve_kind(v) is not None
                    and (v.timepoint_months is not None or v.kind is ValueKind.RATE_PER_YEAR)]
        kinds = list(dict.fromkeys(_curve_kind(v) for v in drawable))
        # A median beside a mean of the same arm would draw the arm twice: keep the mean, state the median.
        if ValueKind.MEAN_CHANGE in kinds and ValueKind.MEDIAN_CHANGE in kinds:
            kinds.remove(ValueKind.MEDIAN_CHANGE)
        curves += [_curve(series, cohort, [v for v in drawable if _curve_kind(v) is kind], until_months, choice.style)
                   for kind in kinds]
    values = tuple(v for choice in choices for v in choice.values)
    drawn = {v for curve in curves for v in curve.values}
    statements = tuple(dict.fromkeys(v.short_statement() for v in values if v not in drawn))
    style = choices[0].style if choices else None
    return CohortOverlay(cohort, series.spec.key, tuple(curves), statements, label, style, values)


def _curve_kind(value: ReferenceValue) -> ValueKind | None:
    """Kinds drawn as a course from the patient's baseline (a percent change only in a unit of time
    or distance the patient's value is in, not the reciprocal 9HPT)."""
    if value.kind in (ValueKind.MEAN_CHANGE, ValueKind.MEDIAN_CHANGE, ValueKind.RATE_PER_YEAR):
        return value.kind
    if value.kind is ValueKind.MEAN_PERCENT_CHANGE and value.unit == "%":
        return value.kind
    return None


def _curve(series: MeasureSeries, cohort: Cohort, values: list[ReferenceValue],
           until_months: float | None, style: CurveStyle) -> OverlayCurve:
    base = series.baseline
    first = values[0]
    if first.kind is ValueKind.RATE_PER_YEAR:
        span = first.timepoint_months or max((until_months or 0) - base.months, 12.0)
        points = (OverlayPoint(base.months, base.value), OverlayPoint(base.months + span,
                                                                      base.value + first.value * span / 12))
        label = f"{first.subject}: {first.value:+g} {first.unit or ''} (rate)".replace("  ", " ")
        return OverlayCurve(cohort.id, label, first.arm, True, points, (first,), style)
    points = [OverlayPoint(base.months, base.value, *((base.value, base.value) if _has_sd(values) else ()))]
    for value in sorted(values, key=lambda v: v.timepoint_months):
        level = _level(series.spec, base.value, value, value.value)
        if value.sd is None:
            points.append(OverlayPoint(base.months + value.timepoint_months, level))
            continue
        bounds = sorted((_level(series.spec, base.value, value, value.value - value.sd),
                         _level(series.spec, base.value, value, value.value + value.sd)))
        points.append(OverlayPoint(base.months + value.timepoint_months, level, *bounds))
    what = {ValueKind.MEAN_CHANGE: "mean change", ValueKind.MEDIAN_CHANGE: "median change",
            ValueKind.MEAN_PERCENT_CHANGE: "mean % change"}[first.kind]
    spread = " ± SD" if _has_sd(values) else ""
    return OverlayCurve(cohort.id, f"{first.subject}: {what}{spread}", first.arm, False, tuple(points),
                        tuple(values), style)


def _has_sd(values: Iterable[ReferenceValue]) -> bool:
    return all(value.sd is not None for value in values)


def _level(spec: Measure, baseline: float, value: ReferenceValue, number: float) -> float:
    """The patient's value after the cohort's change ``number`` (absolute, or percent with its sign)."""
    if value.kind is not ValueKind.MEAN_PERCENT_CHANGE:
        return baseline + number
    # As a percent change of the patient's own value: "positive is better" (Harris 2024's
    # % improvement) means a shorter time or a longer distance.
    worse = number if value.sign_convention is SignConvention.POSITIVE_IS_WORSE else -number
    level = baseline * (1 + worse / 100) if spec.higher_is_worse else baseline * (1 - worse / 100)
    return max(level, 0.0)  # a wide SD of a % change can pass -100 %; no time or distance is negative


__all__ = [
    "COMPUTED_FLAGS_NOTICE", "DAYS_PER_MONTH",
    "CohortChoice", "CohortOverlay", "DoseMark", "EventMark", "MeasureSeries", "OverlayCurve",
    "OverlayPoint", "PatientSeries", "Point", "RelapseMark", "SeriesOptions", "Status", "ThresholdBand",
    "arm_overlays", "build_patient_series", "cohort_choices", "cohort_overlay", "comparator_overlay",
    "comparator_overlays", "default_overlays", "months_between", "no_curve_text",
    "patient_series",
]
