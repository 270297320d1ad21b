"""The words and numbers of a visit summary, worked out from :class:`VisitReportData` (no layout here).

Every cell says what it is: a value, "not recorded", or "not completed: <reason>"; never a blank or a
zero standing for a missing test. Change flags carry the sentence of the rule that raised them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from pmsdesk.domain.naming import agent_label
from pmsdesk.domain.assessments import EDSS, REGISTRY, Measure
from pmsdesk.domain.assessments import Reading as MeasureReading
from pmsdesk.domain.assessments.edss import edss_result
from pmsdesk.domain.functional_systems import FUNCTIONAL_SYSTEMS
from pmsdesk.domain.scoring.change import Direction, Measurement, change_between, exact
from pmsdesk.domain.scoring.edss import EdssResult
from pmsdesk.domain.vocab import (
    AdverseEventTerm,
    AeOutcome,
    Phenotype,
    Relatedness,
    Sex,
    VisitKind,
)
from pmsdesk.reports.data import VisitReportData
from pmsdesk.services.series import MeasureSeries

NOT_RECORDED = "not recorded"
NO_COMPARISON = "not available"
AID_STATEMENT = ("Computed values (the EDSS step from functional systems, change flags and confirmed events) are "
                 "aids to the clinician's judgement, never a replacement for it; the clinician's own values are "
                 "what is recorded.")


@dataclass(frozen=True)
class Reading:
    """One measure at one visit as a table cell: the value (None when there is none) and its text."""

    value: float | int | None
    text: str
    detail: str | None = None  # trials, computed EDSS, walking aid
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class MeasureLine:
    label: str  # with its unit, e.g. "T25FW (s)"
    current: Reading
    previous: Reading
    baseline: Reading
    from_baseline: str
    from_previous: str
    flags: tuple[str, ...]  # each ends with its note number, e.g. "Meaningful worsening from baseline [1]"


@dataclass(frozen=True)
class MeasureTable:
    lines: tuple[MeasureLine, ...]
    notes: tuple[str, ...]  # criteria sentences; note n is notes[n - 1]


def _cell(measure: Measure, found: MeasureReading | None) -> Reading:
    """A registry reading as a table cell, with the measure's own number format."""
    if found is None:
        return Reading(None, NOT_RECORDED)
    if found.value is None:
        text = f"not completed: {found.not_completed or 'reason not recorded'}"
        return Reading(None, f"{text} ({found.note})" if found.note else text, None, found.warnings)
    parts = []
    if found.trials:
        parts.append(f"trial{'s' if len(found.trials) > 1 else ''} " + ", ".join(f"{t:g}" for t in found.trials))
    parts += found.details
    return Reading(found.value, measure.format(found.value), "; ".join(parts) or None, found.warnings)


def reading(key: str, record) -> Reading:
    """Measure ``key`` as recorded at a visit (``record`` None: there is no such visit)."""
    if record is None:
        return Reading(None, "no earlier visit")
    measure = REGISTRY.measure(key)
    return _cell(measure, record.reading(measure))


def measure_label(spec: Measure) -> str:
    return spec.label_with_unit


def _baseline(spec: Measure, measure: MeasureSeries | None, visit_id: int) -> tuple[Reading, dt.date | None]:
    """The series' baseline of a measure as a cell, and its date when it is an earlier visit."""
    baseline = measure.baseline if measure is not None else None
    if baseline is None:
        return Reading(None, "no completed value yet"), None
    if baseline.visit_id == visit_id:
        return Reading(None, "this visit is the baseline"), None
    return Reading(baseline.value, spec.format(baseline.value), baseline.date.isoformat()), baseline.date


def _number(value) -> str:
    return format(exact(value).normalize(), "f")


def _change_text(absolute: Decimal, percent: Decimal | None) -> str:
    text = ("+" if absolute > 0 else "") + _number(absolute)
    return text if percent is None else f"{text} ({percent:+.1f} %)"


class _Notes:
    """Criteria sentences numbered in order of first use; the same sentence keeps its number."""

    def __init__(self) -> None:
        self.sentences: list[str] = []

    def cite(self, sentence: str) -> int:
        if sentence not in self.sentences:
            self.sentences.append(sentence)
        return self.sentences.index(sentence) + 1


def _compare(spec: Measure, reference: Reading, reference_date: dt.date | None, current: Reading,
             when: dt.date, rules, notes: _Notes, words: str) -> tuple[str, str | None]:
    """(change text, flag or None) of ``current`` against ``reference``."""
    if reference.value is None or current.value is None or reference_date is None:
        return NO_COMPARISON, None
    if spec.change_rule is None:
        absolute = exact(current.value) - exact(reference.value)
        percent = None if reference.value == 0 else absolute * 100 / exact(reference.value)
        return _change_text(absolute, percent), None
    change = change_between(spec.change_rule, Measurement(reference_date, reference.value),
                            Measurement(when, current.value), rules)
    flag = None
    if change.meaningful:
        direction = "worsening" if change.direction is Direction.WORSENING else "improvement"
        sentence = change.describe().replace(spec.change_rule.label, spec.label, 1)
        flag = f"Meaningful {direction} {words} [{notes.cite(sentence)}]"
    return _change_text(change.absolute, change.percent), flag


def measure_table(data: VisitReportData) -> MeasureTable:
    """The measures table: this visit, the previous visit, the baseline, the changes and their flags.

    Baselines, thresholds and confirmed events are the series' (the same as the trajectory screen).
    """
    notes = _Notes()
    lines = []
    visit_id, when = data.visit.visit.id, data.visit_date
    rules = data.series.options.rules
    for spec in REGISTRY.measures():
        measure = data.series.measures.get(spec.key)
        current = reading(spec.key, data.visit)
        previous = reading(spec.key, data.previous)
        baseline, baseline_date = _baseline(spec, measure, visit_id)
        if spec.optional_in_summary and all(r.value is None for r in (current, previous, baseline)):
            continue
        previous_date = data.previous.visit.visit_date if data.previous is not None else None
        from_baseline, baseline_flag = _compare(spec, baseline, baseline_date, current, when, rules, notes, "from baseline")
        from_previous, previous_flag = _compare(spec, previous, previous_date, current, when, rules, notes,
                                                "from the previous visit")
        flags = [flag for flag in (baseline_flag, previous_flag) if flag]
        for mark in measure.events if measure is not None else ():
            what = "Confirmed worsening" if mark.is_worsening else "Confirmed improvement"
            activity = f", {mark.event.relapse_activity.value}" if mark.event.relapse_activity else ""
            confirmed = "this visit" if mark.confirmation.visit_id == visit_id else mark.confirmation.date.isoformat()
            flags.append(f"{what} ({mark.kind.value}{activity}): onset {mark.onset.date.isoformat()}, "
                         f"confirmed {confirmed} [{notes.cite(mark.criteria)}]")
        if not flags:
            compared = (from_baseline, from_previous) != (NO_COMPARISON, NO_COMPARISON)
            flags.append(_no_flag(spec, compared=compared, rules=rules))
        lines.append(MeasureLine(measure_label(spec), current, previous, baseline, from_baseline, from_previous,
                                 tuple(flags)))
    return MeasureTable(tuple(lines), tuple(notes.sentences))


def _no_flag(spec: Measure, *, compared: bool, rules) -> str:
    if spec.change_rule is None:
        return "No published meaningful-change threshold"
    if not compared:
        return "No comparison: a value is missing"
    return f"No meaningful change (threshold: {rules.describe(spec.change_rule)})"


def edss_derivation(data: VisitReportData) -> list[str] | None:
    """How the computed EDSS step follows from the functional systems, when all of them are recorded."""
    values = data.visit.assessment_values(EDSS.key)
    result: EdssResult | None = edss_result(values) if values is not None else None
    if result is None:
        if values is not None and any(values.get(fs.field) is not None for fs in FUNCTIONAL_SYSTEMS):
            return ["Functional systems only partly recorded: no EDSS step was computed."]
        return None
    lines = result.explain()
    if values.get("edss") is not None and values["edss"] != result.step:
        lines.insert(1, f"The clinician's EDSS is {values['edss']:.1f}; both values are kept, the clinician's is recorded.")
    return lines


def _label(choice: type, value: str | None) -> str | None:
    return choice(value).label if value else None


def _age(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def patient_fields(data: VisitReportData) -> list[tuple[str, str]]:
    patient = data.patient
    return [
        ("Patient", data.patient_name),
        ("Clinic identifier", patient.clinic_id),
        ("Date of birth", f"{patient.birth_date.isoformat()} (age {_age(patient.birth_date, data.visit_date)} at visit)"),
        ("Sex", _label(Sex, patient.sex) or NOT_RECORDED),
        ("MS phenotype", _label(Phenotype, patient.phenotype) or NOT_RECORDED),
    ]


def agent_name(course) -> str:
    if course is None:
        return "no treatment course"
    return agent_label(course.agent, course.agent_name)


def _amount(value: float | None, unit: str | None) -> str | None:
    if value is None:
        return None
    return f"{value:g} {unit}" if unit else f"{value:g}"


def visit_fields(data: VisitReportData) -> list[tuple[str, str]]:
    visit = data.visit.visit
    course = data.course
    treatment = NOT_RECORDED if visit.treatment_number is None else f"no. {visit.treatment_number}"
    if course is not None:
        treatment += f" of the course started {course.start_date.isoformat()}"
        if course.protocol_id:
            treatment += f" (protocol {course.protocol_id})"
    dose = _amount(visit.dose_given, visit.dose_unit) or NOT_RECORDED
    fields_ = [
        ("Visit date", visit.visit_date.isoformat()),
        ("Visit kind", VisitKind(visit.kind).label),
        ("Treatment", treatment),
        ("Agent and dose", f"{agent_name(course)}, {dose}"),
    ]
    if visit.kind in (VisitKind.TREATMENT, VisitKind.BASELINE) or any(
            value is not None for value in (visit.lp_level, visit.lp_needle, visit.lp_attempts, visit.csf_removed_ml)):
        fields_.append(("Lumbar puncture", lumbar_puncture(visit)))
    fields_.append(("Performed by", visit.performed_by or NOT_RECORDED))
    return fields_


def lumbar_puncture(visit) -> str:
    attempts = None if visit.lp_attempts is None else f"{visit.lp_attempts} attempt{'s' if visit.lp_attempts != 1 else ''}"
    csf = None if visit.csf_removed_ml is None else f"{visit.csf_removed_ml:g} mL CSF removed"
    parts = [
        f"level {visit.lp_level}" if visit.lp_level else "level not recorded",
        f"needle {visit.lp_needle}" if visit.lp_needle else "needle not recorded",
        attempts or "attempts not recorded",
        csf or "CSF volume not recorded",
    ]
    return "; ".join(parts)


def relapses_since_previous(data: VisitReportData) -> str:
    start = data.previous.visit.visit_date if data.previous is not None else None
    dates = [mark.date for mark in data.series.relapses
             if mark.date <= data.visit_date and (start is None or mark.date > start)]
    since = f"since the previous visit ({start.isoformat()})" if start else "up to this visit"
    if not dates:
        return f"No relapse recorded {since}."
    return f"Relapse onset {since}: " + ", ".join(d.isoformat() for d in dates) + "."


ADVERSE_EVENT_COLUMNS = ("Event", "Onset", "CTCAE grade", "Serious", "Related to treatment", "Outcome")


def adverse_event_rows(data: VisitReportData) -> list[tuple[str, ...]]:
    rows = []
    for event in data.visit.adverse_events:
        term = AdverseEventTerm(event.term)
        name = event.term_other if term is AdverseEventTerm.OTHER and event.term_other else term.label
        if event.notes:
            name += f" ({event.notes})"
        outcome = _label(AeOutcome, event.outcome) or NOT_RECORDED
        if event.resolved_date:
            outcome += f", resolved {event.resolved_date.isoformat()}"
        rows.append((
            name,
            event.onset_date.isoformat(),
            NOT_RECORDED if event.ctcae_grade is None else str(event.ctcae_grade),
            "yes" if event.serious else "no",
            _label(Relatedness, event.relatedness) or NOT_RECORDED,
            outcome,
        ))
    return rows


def signature_lines(data: VisitReportData) -> list[str]:
    signature = data.signature
    if not signature.signed:
        return []
    by = signature.signed_by or "signer not recorded"
    at = f" on {signature.signed_at:%Y-%m-%d %H:%M}" if signature.signed_at else ""
    return [f"Signed by {by}{at}."]
