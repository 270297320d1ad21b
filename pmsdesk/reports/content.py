"""The words and numbers of a visit summary, worked out from :class:`VisitReportData` (no layout here).

Every cell says what it is: a value, "not recorded", or "not completed: <reason>"; never a blank or a
zero standing for a missing test. Change flags carry the sentence of the rule that raised them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from decimal import Decimal

from pmsdesk.domain.naming import agent_label
from pmsdesk.domain.adverse_events import blocks_methotrexate, grade_text, relatedness_label
from pmsdesk.domain.assessments import EDSS, REGISTRY, Measure
from pmsdesk.domain.assessments import Reading as MeasureReading
from pmsdesk.domain.assessments.edss import edss_result
from pmsdesk.domain.functional_systems import FUNCTIONAL_SYSTEMS
from pmsdesk.domain.moments import local_time
from pmsdesk.domain.procedure_record import CsfAppearance, NeedleType, Position, PunctureResult
from pmsdesk.domain.procedure_safety import RECORDED_WITHOUT_CHECK
from pmsdesk.domain.recorded_elsewhere import as_recorded
from pmsdesk.domain.scoring.change import Direction, Measurement, change_between, exact
from pmsdesk.domain.scoring.edss import EdssResult
from pmsdesk.domain.vocab import (
    AdverseEventTerm,
    AeOutcome,
    Hand,
    Phenotype,
    Sex,
    VisitKind,
)
from pmsdesk.reports.data import Signature, VisitReportData
from pmsdesk.services.series import MeasureSeries

NOT_RECORDED = "not recorded"
NO_COMPARISON = "no earlier value"
THIS_IS_BASELINE = "baseline (this visit)"
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
    standing: Direction | None = None  # the newest standing since baseline: the row's tint


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


def measure_label(spec: Measure, dominant_hand: str | None = None) -> str:
    """The measure with its unit; a hand's 9HPT names the hand ("9HPT dominant hand, right (s)")."""
    hand = spec.hand
    if hand is None or dominant_hand not in (Hand.RIGHT, Hand.LEFT):
        return spec.label_with_unit
    other = Hand.LEFT if dominant_hand == Hand.RIGHT else Hand.RIGHT
    side = Hand(dominant_hand) if hand == "dominant" else other
    return f"{spec.label}, {side.label.lower()} ({spec.unit})" if spec.unit else f"{spec.label}, {side.label.lower()}"


def _dominant_hand(data: VisitReportData) -> str | None:
    """The hand recorded as dominant at this visit's 9HPT, else the patient's."""
    nhpt = data.visit.assessments.get("nhpt")
    return (nhpt.dominant_hand if nhpt is not None else None) or data.patient.dominant_hand


def _baseline(spec: Measure, measure: MeasureSeries | None, visit_id: int) -> tuple[Reading, dt.date | None]:
    """The series' baseline of a measure as a cell, and its date when it is an earlier visit."""
    baseline = measure.baseline if measure is not None else None
    if baseline is None:
        return Reading(None, "no completed value yet"), None
    if baseline.visit_id == visit_id:
        return Reading(None, THIS_IS_BASELINE), None
    return Reading(baseline.value, spec.format(baseline.value), baseline.date.isoformat()), baseline.date


MINUS = "\u2212"


def typographic(text: str) -> str:
    """Real signs for the ASCII stand-ins of the scoring rules' sentences: →, ±, − (a minus, not a hyphen)."""
    text = text.replace(" -> ", " \u2192 ").replace("+/-", "\u00b1")
    return re.sub(r"(?<![\w.])-(?=\d)", MINUS, text)


def _signed(text: str) -> str:
    """A number's text with its sign: a real minus, or a plus."""
    if text.startswith(("-", MINUS)):
        return MINUS + text[1:]
    return "+" + text


def _change_text(spec: Measure, absolute: Decimal, percent: Decimal | None) -> str:
    """A change in the measure's own number format, the percentage kept to one decimal and on one line."""
    text = _signed(spec.format(float(absolute))) if absolute else "0"
    if percent is None:
        return text
    return f"{text} ({_signed(f'{percent:.1f}') if round(percent, 1) else '0.0'}\u00a0%)"


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
    if current.value is None:
        return ("not completed" if current.text.startswith("not completed") else NOT_RECORDED), None
    if reference.text == THIS_IS_BASELINE:
        return "baseline", None
    if reference.value is None or reference_date is None:
        return NO_COMPARISON, None
    if spec.change_rule is None:
        absolute = exact(current.value) - exact(reference.value)
        percent = None if reference.value == 0 else absolute * 100 / exact(reference.value)
        return _change_text(spec, absolute, percent), None
    change = change_between(spec.change_rule, Measurement(reference_date, reference.value),
                            Measurement(when, current.value), rules)
    flag = None
    if change.meaningful:
        direction = "worsening" if change.direction is Direction.WORSENING else "improvement"
        sentence = typographic(change.describe().replace(spec.change_rule.label, spec.label, 1))
        flag = f"Meaningful {direction} {words} [{notes.cite(sentence)}]"
    return _change_text(spec, change.absolute, change.percent), flag


def measure_table(data: VisitReportData) -> MeasureTable:
    """The measures table: this visit, the previous visit, the baseline, the changes and their flags.

    Baselines, thresholds and confirmed events are the series' (the same as the trajectory screen).
    """
    notes = _Notes()
    lines = []
    visit_id, when = data.visit.visit.id, data.visit_date
    rules = data.series.options.rules
    hand = _dominant_hand(data)
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
        events = measure.events if measure is not None else ()
        if events:
            flags += _event_lines(events, visit_id, notes.cite(confirmation_rule(data.series.options.progression)))
        if not flags:
            compared = any(text[:1] in "+0" or text.startswith(MINUS) for text in (from_baseline, from_previous))
            flags.append(_no_flag(spec, current=current, baseline=baseline, compared=compared, rules=rules))
        lines.append(MeasureLine(measure_label(spec, hand), current, previous, baseline, from_baseline, from_previous,
                                 tuple(flags), _standing(events, baseline_flag)))
    return MeasureTable(tuple(lines), tuple(notes.sentences))


def _event_lines(events, visit_id: int, rule_note: int) -> list[str]:
    """What is new at this visit (an event confirmed here), then each earlier event on one line."""
    def said(mark) -> str:
        what = "worsening" if mark.is_worsening else "improvement"
        activity = f", {mark.event.relapse_activity.value}" if mark.event.relapse_activity else ""
        weeks = (mark.confirmation.date - mark.onset.date).days // 7
        return (f"confirmed {what} ({mark.kind.value}{activity}), onset {mark.onset.date.isoformat()}, "
                f"confirmed at {mark.confirmation.date.isoformat()}, {weeks} weeks later [{rule_note}]")
    new = [mark for mark in events if mark.confirmation.visit_id == visit_id]
    earlier = [mark for mark in events if mark.confirmation.visit_id != visit_id]
    return [f"New at this visit: {said(mark)}" for mark in new] + [f"Earlier: {said(mark)}" for mark in earlier]


def _standing(events, baseline_flag: str | None) -> Direction | None:
    """The measure's standing since baseline, which tints its row: the newest confirmed event, else a
    meaningful change from baseline at this visit."""
    if events:
        newest = max(events, key=lambda mark: (mark.confirmation.date, mark.onset.date))
        return Direction.WORSENING if newest.is_worsening else Direction.IMPROVEMENT
    if baseline_flag is None:
        return None
    return Direction.WORSENING if baseline_flag.startswith("Meaningful worsening") else Direction.IMPROVEMENT


def confirmation_rule(options) -> str:
    """The rule of a confirmed event in words, for the reference list."""
    weeks = options.confirmation_days / 7
    return (f"Confirmed worsening (CDW) or improvement (CDI): a change from the {options.baseline.value} baseline "
            f"that reaches the measure's meaningful-change threshold and is still reached at every visit up to a "
            f"confirming visit at least {weeks:g} weeks later (up to {options.confirmation_tolerance[0]:g} days "
            "earlier accepted). Definitions of msprog: Montobbio N et al., Mult Scler 2024;30(9):1185\u20131192.")


def _no_flag(spec: Measure, *, current: Reading, baseline: Reading, compared: bool, rules) -> str:
    if current.value is None:
        return "Not assessed at this visit" if current.text == NOT_RECORDED else "Test not completed (see reason)"
    if baseline.value is None and baseline.text == THIS_IS_BASELINE:
        return "Baseline"
    if spec.change_rule is None:
        return "No published meaningful-change threshold"
    if not compared:
        return "No earlier completed value to compare with"
    return f"No meaningful change (threshold: {typographic(rules.describe(spec.change_rule))})"


def edss_derivation(data: VisitReportData) -> list[str] | None:
    """How the computed EDSS step follows from the functional systems, when all of them are recorded."""
    values = data.visit.assessment_values(EDSS.key)
    result: EdssResult | None = edss_result(values) if values is not None else None
    if result is None:
        if values is not None and any(values.get(fs.field) is not None for fs in FUNCTIONAL_SYSTEMS):
            return ["Functional systems only partly recorded: no EDSS step was computed."]
        return None
    # The rule set's internal name is for the audit trail, not the clinician's page.
    lines = [line for line in result.explain() if not line.startswith("Rule set:")]
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
        ("Family name", patient.family_name),
        ("Given names", patient.given_names),
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
    dose = _amount(visit.dose_given, visit.dose_unit)
    treated = visit.kind == VisitKind.TREATMENT or dose is not None
    fields_ = [("Visit date", visit.visit_date.isoformat()), ("Visit kind", VisitKind(visit.kind).label)]
    # A baseline or follow-up visit without a dose says so once, rather than "dose not recorded".
    if treated:
        fields_ += [("Treatment", treatment), ("Agent and dose", f"{agent_name(course)}, {dose or NOT_RECORDED}")]
    else:
        fields_.append(("Treatment", f"no treatment at this visit ({agent_name(course)} course)"
                        if course is not None else "no treatment at this visit"))
    if treated or any(value is not None for value in
                      (visit.lp_level, visit.lp_needle, visit.lp_attempts, visit.csf_removed_ml)):
        fields_.append(("Lumbar puncture", lumbar_puncture(visit)))
    performed = visit.performed_by or NOT_RECORDED
    fields_.append(("Performed by", performed + (f", assisted by {visit.assisted_by}" if visit.assisted_by else "")))
    if treated:
        fields_.append(("Second-person check", second_check_text(getattr(data.visit, "dose_check", None))))
        observed = [(visit.observation_notes or "").rstrip("."),
                    f"discharged at {visit.discharge_time}" if visit.discharge_time else ""]
        fields_.append(("Observation", "; ".join(part for part in observed if part) or NOT_RECORDED))
    return fields_


def second_check_text(check) -> str:
    """The second-person check of the dose (pmsdesk.domain.register): what was confirmed, both names, the time."""
    if check is None:
        return "not recorded in pmsdesk"
    lot = f", lot {check.lot}" if check.lot else ""
    return (f"{check.dose:g} {check.dose_unit} {agent_label(check.agent, check.agent)}, {check.route}{lot}, patient "
            f"identity {'confirmed' if check.patient_identity else 'NOT confirmed'}; given by {check.administered_name}, "
            f"checked by {check.checked_name} at {local_time(check.checked_at)}{as_recorded(check.imported_from)}")


def lumbar_puncture(visit) -> str:
    attempts = None if visit.lp_attempts is None else f"{visit.lp_attempts} attempt{'s' if visit.lp_attempts != 1 else ''}"
    csf = None if visit.csf_removed_ml is None else f"{visit.csf_removed_ml:g} mL CSF removed"
    needle = " ".join(str(part) for part in (visit.lp_needle_gauge, NeedleType(visit.lp_needle_type).label.lower()
                                             if visit.lp_needle_type else None, visit.lp_needle) if part)
    parts = [
        f"at {visit.puncture_time}" if visit.puncture_time else None,
        Position(visit.lp_position).label.lower() if visit.lp_position else None,
        f"level {visit.lp_level}" if visit.lp_level else "level not recorded",
        f"needle {needle}" if needle else "needle not recorded",
        attempts or "attempts not recorded",
        f"{visit.lp_levels_tried} level{'s' if visit.lp_levels_tried != 1 else ''} tried" if visit.lp_levels_tried else None,
        PunctureResult(visit.lp_result).label.split(":")[0].lower() if visit.lp_result else None,
        f"opening pressure {visit.opening_pressure_cmh2o:g} cm H2O" if visit.opening_pressure_cmh2o is not None else None,
        f"CSF {CsfAppearance(visit.csf_appearance).label.lower()}" if visit.csf_appearance else None,
        csf or "CSF volume not recorded",
        f"{visit.csf_sampled_ml:g} mL sampled" if visit.csf_sampled_ml is not None else None,
        f"{visit.dose_volume_ml:g} mL given" if visit.dose_volume_ml is not None else None,
        f"batch {visit.dose_batch}" if visit.dose_batch else None,
    ]
    return "; ".join(part for part in parts if part)


def safety_check_lines(data: VisitReportData) -> list[str] | None:
    """The pre-puncture safety check as recorded at the save (pmsdesk.services.safety): its result, each
    item's finding (without the sources, which the screen shows on hover), and a neurologist's override
    with its reason. None for a visit without a check and without a dose; a dose recorded without one
    (imported, or recorded before pmsdesk asked for the check) says so."""
    check = getattr(data.visit, "safety_check", None)
    if check is None:
        return [RECORDED_WITHOUT_CHECK] if data.visit.visit.dose_given is not None else None
    result = {"passed": "passed", "failed": "FAILED", "unanswered": "NOT COMPLETE"}.get(check.result, check.result)
    lines = [f"Result: {result}."]
    lines += [line.split(" [", 1)[0] for line in check.findings.splitlines()]
    if check.override_by:
        when = local_time(check.override_at) if check.override_at else ""
        lines.append(f"OVERRIDDEN by {check.override_name or check.override_by} ({check.override_by}) {when}: "
                     f"\u201c{check.override_reason}\u201d (items: {(check.override_items or '').replace(',', ', ')})"
                     f"{as_recorded(check.override_imported_from)}")
    return lines


def relapses_since_previous(data: VisitReportData) -> str:
    start = data.previous.visit.visit_date if data.previous is not None else None
    dates = [mark.date for mark in data.series.relapses
             if mark.date <= data.visit_date and (start is None or mark.date > start)]
    since = f"since the previous visit ({start.isoformat()})" if start else "up to this visit"
    if not dates:
        return f"No relapse recorded {since}."
    return f"Relapse onset {since}: " + ", ".join(d.isoformat() for d in dates) + "."


ADVERSE_EVENT_COLUMNS = ("Event", "Onset", "CTCAE grade", "Serious", "Related to", "Outcome")


def relatedness_text(event) -> str:
    """Both answers (the procedure, the drug), and the single earlier answer where one was recorded."""
    text = (f"procedure: {relatedness_label(event.related_procedure)}; "
            f"drug: {relatedness_label(event.related_drug)}")
    if event.relatedness:
        text += f" (earlier single answer, treatment: {relatedness_label(event.relatedness)})"
    return text


def neurotoxicity_text(event) -> str | None:
    """Whether a neurotoxicity event still blocks intrathecal methotrexate, or who cleared it and why."""
    if not blocks_methotrexate(event.term):
        return None
    if event.cleared_at is None:
        return "Blocks further intrathecal methotrexate until a neurologist clears it."
    return (f"Cleared for intrathecal methotrexate by {event.cleared_by_name or event.cleared_by} on "
            f"{local_time(event.cleared_at)}: {event.clearance_reason}{as_recorded(event.clearance_imported_from)}")


def adverse_event_rows(data: VisitReportData) -> list[tuple[str, ...]]:
    rows = []
    for event in data.visit.adverse_events:
        term = AdverseEventTerm(event.term)
        name = event.term_other if term is AdverseEventTerm.OTHER and event.term_other else term.label
        if event.notes:
            name += f" ({event.notes})"
        if event.ctcae_grade is not None:
            name += f". {grade_text(term, event.ctcae_grade)}"
        if neurotoxicity_text(event):
            name += f". {neurotoxicity_text(event)}"
        outcome = _label(AeOutcome, event.outcome) or NOT_RECORDED
        if event.resolved_date:
            outcome += f", resolved {event.resolved_date.isoformat()}"
        rows.append((
            name,
            event.onset_date.isoformat(),
            NOT_RECORDED if event.ctcae_grade is None else str(event.ctcae_grade),
            "yes" if event.serious else "no",
            relatedness_text(event),
            outcome,
        ))
    return rows


DRAFT_STATUS = "DRAFT \u2014 NOT SIGNED"


def _signed_text(signature: Signature) -> str:
    by = signature.signed_by or "signer not recorded"
    at = f" on {signature.signed_at:%Y-%m-%d %H:%M}" if signature.signed_at else ""
    meaning = f" ({signature.meaning})" if signature.meaning else ""
    return f"Signed by {by}{at}{meaning}"


def status_lines(signature: Signature) -> tuple[tuple[str, ...], bool]:
    """Where the record stands, for the top of every page (one or two lines), and whether it needs
    attention (red): a draft, or a record changed after it was signed."""
    first = _signed_text(signature) if signature.signed else DRAFT_STATUS
    if not signature.amended:
        return (first,), not signature.signed
    last = signature.amendments[-1]
    count = len(signature.amendments)
    times = "" if count == 1 else f" {count} times, last"
    changes = sum(len(a.changes) for a in signature.amendments)
    return (first, f"AMENDED after signing{times} by {last.amended_by} on {last.amended_at:%Y-%m-%d %H:%M}: "
                   f"{_shortened(last.reason, 60)} ({changes} change{'s' if changes != 1 else ''}, listed at the "
                   "end)"), True


def _shortened(text: str, length: int) -> str:
    return text if len(text) <= length else text[:length - 1].rstrip() + "\u2026"


def signature_lines(data: VisitReportData) -> list[str]:
    """The signature block's sentences: who signed, when and with what meaning (nothing for a draft)."""
    signature = data.signature
    if not signature.signed:
        return []
    again = " after the amendments below" if signature.amended else ""
    return [f"{_signed_text(signature)}{again}."]


def amendment_lines(signature: Signature) -> list[tuple[str, tuple[str, ...]]]:
    """Each amendment after signing as (who, when and why; what changed), oldest first."""
    return [(f"Amended by {a.amended_by} on {a.amended_at:%Y-%m-%d %H:%M}. Reason: {a.reason or 'not given'}.",
             a.changes) for a in signature.amendments]


# Curation notes kept in resources/references for maintainers: never printed into a medical record.
_CURATION = re.compile(r"\[Unconfirmed[^\]]*\]|\bper neurotrials\.ai\b|source does not say which|"
                       r"check before citing", re.IGNORECASE)
# The summary points to the literature, it does not reproduce it: a few statements per chart.
STATEMENTS_PER_COHORT = 2
FINDINGS_PER_MEASURE = 4


def is_curation_note(text: str) -> bool:
    return _CURATION.search(text) is not None


AUTHORS_LISTED = 3


def reference_text(citation) -> str:
    """A published source as a short reference list prints it: the first authors (three, then "et
    al.", as the Vancouver style shortens a long list), title, journal, year, details, the DOI (PubMed
    ids only without one) and a trial's registry id, in the library's own format; never the curators'
    notes about it (doubts about its fields, notes, companion papers)."""
    authors = citation.authors
    names = authors.split(", ") if authors else []
    if len(names) > AUTHORS_LISTED and not authors.rstrip(".").endswith("et al"):
        authors = ", ".join(names[:AUTHORS_LISTED]) + ", et al."
    short = {"pmid": None, "pmcid": None} if citation.doi else {}
    return replace(citation, authors=authors, unconfirmed=(), note=None, also=(), **short).text()


def findings(overlay, phenotype: str | None) -> list[str]:
    """A cohort's published statements for one chart, kept to the patient's phenotype (or unstated),
    short, without curation notes."""
    values = {value.short_statement(): value for value in overlay.cohort.values}
    kept = []
    for statement in overlay.statements:
        value = values.get(statement)
        if value is not None and value.phenotype is not None and phenotype and value.phenotype.value != phenotype:
            continue
        if not is_curation_note(statement):
            kept.append(typographic(statement))
    return kept[:STATEMENTS_PER_COHORT]
