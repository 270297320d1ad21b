"""The pre-puncture safety check of a treatment visit: the rules, their published sources, and the
override a neurologist may give with a reason.

Every intrathecal treatment visit answers the check before the dose is recorded (the bench's order:
check first). Each rule says what it found and carries its source; the numbers are clinic settings
(:data:`pmsdesk.domain.settings.SAFETY_SETTINGS`) with the sources' values as defaults. A failed
or unanswered item blocks the dose unless a neurologist overrides it with a reason; a nurse's
override, or one without a reason, is refused. Pure Python: the Clinic service stores the answers,
the result and the override per visit (and the audit trail records them).

Sources (cited where each rule is declared):

- Dodd KC, Emsley HCA, Desborough MJR, Chhetri SK. Periprocedural antithrombotic management for
  lumbar puncture: Association of British Neurologists clinical guideline. Pract Neurol
  2018;18(6):436-446. doi:10.1136/practneurol-2017-001820. Table 2 (creatinine clearance >= 50 mL/min;
  longer holds with renal impairment, see the guideline).
- NCT02644044, intrathecal methotrexate in progressive MS, phase 1 (Tel Aviv Sourasky Medical
  Center), exclusion criteria: https://clinicaltrials.gov/study/NCT02644044
- UK Teratology Information Service, methotrexate in pregnancy (medicinesinpregnancy.org, 2022).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from pmsdesk.domain.adverse_events import NeurotoxicityEvent
from pmsdesk.domain.fields import Field, FieldError, choice, decimal
from pmsdesk.domain.permissions import Actor, Role
from pmsdesk.domain.refusals import Refusal
from pmsdesk.domain.vocab import Agent, Choice

ABN_2018 = ("Dodd KC, Emsley HCA, Desborough MJR, Chhetri SK. Periprocedural antithrombotic management for "
            "lumbar puncture: Association of British Neurologists clinical guideline. Pract Neurol "
            "2018;18(6):436-446. doi:10.1136/practneurol-2017-001820 (Table 2)")
NCT02644044 = ("Intrathecal methotrexate in progressive MS, phase 1 (Tel Aviv Sourasky Medical Center), "
               "exclusion criteria. ClinicalTrials.gov NCT02644044, https://clinicaltrials.gov/study/NCT02644044")
UKTIS_2022 = ("UK Teratology Information Service. Use of methotrexate in pregnancy. medicinesinpregnancy.org, 2022")
CHECK_LOCALLY = ("a value in common use, not a guideline's (seen in a practice survey and secondary summaries): "
                 "check it against local policy")


class Antithrombotic(Choice):
    """The anticoagulant or antiplatelet medicine the patient takes (the most recent one, if several)."""

    NONE = "none", "None"
    ASPIRIN = "aspirin", "Aspirin alone"
    CLOPIDOGREL = "clopidogrel", "Clopidogrel"
    TICAGRELOR = "ticagrelor", "Ticagrelor"
    PRASUGREL = "prasugrel", "Prasugrel"
    WARFARIN = "warfarin", "Warfarin"
    LMWH_PROPHYLACTIC = "lmwh_prophylactic", "Low-molecular-weight heparin, prophylactic dose"
    LMWH_TREATMENT = "lmwh_treatment", "Low-molecular-weight heparin, treatment dose"
    FONDAPARINUX_TREATMENT = "fondaparinux_treatment", "Fondaparinux, treatment dose"
    HEPARIN_IV = "heparin_iv", "Unfractionated heparin, intravenous"
    APIXABAN = "apixaban", "Apixaban"
    RIVAROXABAN = "rivaroxaban", "Rivaroxaban"
    EDOXABAN = "edoxaban", "Edoxaban"
    DABIGATRAN = "dabigatran", "Dabigatran"
    DIPYRIDAMOLE = "dipyridamole", "Dipyridamole"
    CILOSTAZOL = "cilostazol", "Cilostazol"


# Where ABN 2018 gives a range (heparin 4-6 h, apixaban/rivaroxaban/edoxaban "about 24-48 h",
# dabigatran 48-72 h), the default is its longer end: the clinic may shorten it as a setting.
HOLD_HOURS_DEFAULTS: dict[Antithrombotic, int] = {
    Antithrombotic.CLOPIDOGREL: 7 * 24,
    Antithrombotic.TICAGRELOR: 7 * 24,
    Antithrombotic.PRASUGREL: 7 * 24,
    Antithrombotic.WARFARIN: 5 * 24,
    Antithrombotic.LMWH_PROPHYLACTIC: 12,
    Antithrombotic.LMWH_TREATMENT: 24,
    Antithrombotic.HEPARIN_IV: 6,
    Antithrombotic.APIXABAN: 48,
    Antithrombotic.RIVAROXABAN: 48,
    Antithrombotic.EDOXABAN: 48,
    Antithrombotic.DABIGATRAN: 72,
    Antithrombotic.DIPYRIDAMOLE: 24,
    Antithrombotic.CILOSTAZOL: 42,
}
# No hold makes these safe: ABN 2018 advises avoiding the puncture on treatment-dose fondaparinux.
AVOID_PUNCTURE = frozenset({Antithrombotic.FONDAPARINUX_TREATMENT})
# The medicines whose check needs an INR on the day.
NEEDS_INR = frozenset({Antithrombotic.WARFARIN})

# Reference ranges (low, high) by laboratory key, named in the check beside a value outside them. No
# guideline gives these: each laboratory publishes its own, so they are settings too.
REFERENCE_RANGE_SOURCE = ("a typical adult reference range of UK laboratories, not a guideline's: "
                          "set your own laboratory's range")
REFERENCE_RANGE_DEFAULTS: dict[str, tuple[float, float]] = {
    "platelets": (150.0, 400.0), "inr": (0.8, 1.2), "wbc": (4.0, 11.0), "lymphocytes": (1.0, 4.0),
    "alt": (0.0, 40.0), "creatinine": (45.0, 110.0), "egfr": (90.0, 200.0),
}


@dataclass(frozen=True)
class Thresholds:
    """The clinic's numbers for the check (see pmsdesk.domain.settings.SAFETY_SETTINGS)."""

    hold_hours: Mapping[Antithrombotic, int] = field(default_factory=lambda: dict(HOLD_HOURS_DEFAULTS))
    platelets_min: float = 50.0  # x10^9/L; CHECK_LOCALLY
    inr_max: float = 1.4  # ABN 2018, warfarin: INR <= 1.4 on the day
    wbc_min: float = 4.0  # x10^9/L = 4,000/uL; NCT02644044 excluded WBC < 4,000/uL
    lymphocytes_min: float = 0.8  # x10^9/L = 800/uL; NCT02644044 excluded lymphocytes < 800/uL
    lab_max_age_days: int = 28  # how old a laboratory value may be for the check (no published schedule)
    reference_ranges: Mapping[str, tuple[float, float]] = field(
        default_factory=lambda: dict(REFERENCE_RANGE_DEFAULTS))


PUBLISHED = Thresholds()  # the sources' values, which a finding names beside a clinic's own


def _in_force(value: float, default: float, unit: str = "") -> str:
    """Said after a finding's threshold when the clinic set its own value, so the finding names both."""
    return "" if value == default else f" (the clinic's setting; published default {default:g}{unit})"


@dataclass(frozen=True)
class Answers:
    """What was asked before the puncture; None where not answered."""

    antithrombotic: Antithrombotic | None = None
    hours_since_last_dose: float | None = None  # of the antithrombotic medicine
    pregnancy_possible: bool | None = None
    active_infection: bool | None = None
    methotrexate_allergy: bool | None = None
    methotrexate_neurotoxicity: bool | None = None  # an earlier neurotoxic reaction to methotrexate


class YesNo(Choice):
    """A yes-or-no answer of the check: a choice, so a blank (in a form or an import file) stays "not answered"."""

    YES = "yes", "Yes"
    NO = "no", "No"


# The answers as fields (a visit's values carry them as "safety_check.<name>"): blank is "not answered".
ANSWER_FIELDS: tuple[Field, ...] = (
    choice("antithrombotic", "Anticoagulant or antiplatelet medicine", Antithrombotic,
           hint="The anticoagulant or antiplatelet medicine the patient takes; None if none."),
    decimal("hours_since_last_dose", "Hours since its last dose", 0, 24 * 365, decimals=1, unit="h",
            hint="Hours between the last dose of that medicine and the puncture."),
    choice("pregnancy_possible", "Pregnancy possible", YesNo, hint="Could the patient be pregnant?"),
    choice("active_infection", "Active infection", YesNo, hint="Has the patient an active infection today?"),
    choice("methotrexate_allergy", "Methotrexate allergy", YesNo, hint="A known allergy to methotrexate."),
    choice("methotrexate_neurotoxicity", "Earlier methotrexate neurotoxicity", YesNo,
           hint="An earlier neurotoxic reaction to methotrexate (e.g. meningo-encephalitis)."),
)
SECTION = "safety_check"  # the key of the answers in a visit's raw values


class AnswersRefused(Refusal):
    """Answers of the check that cannot be read; ``problems`` by field name."""

    def __init__(self, problems: dict[str, str]):
        self.problems = problems
        super().__init__("; ".join(problems.values()))


def parse_answers(raw: Mapping[str, object]) -> Answers:
    """The :class:`Answers` in ``raw`` (field name -> text or value); every unreadable one refused at once."""
    values, problems = {}, {}
    for answer in ANSWER_FIELDS:
        given = raw.get(answer.name)
        if isinstance(given, bool):  # a stored answer
            given = YesNo.YES if given else YesNo.NO
        try:
            value = answer.parse(given)
        except FieldError as error:
            problems[answer.name] = str(error)
            continue
        values[answer.name] = (value is YesNo.YES) if isinstance(value, YesNo) else value
    if problems:
        raise AnswersRefused(problems)
    return Answers(**values)


@dataclass(frozen=True)
class LabResult:
    """A laboratory value with the day its sample was taken."""

    value: float
    sampled_on: dt.date


class Outcome(Choice):
    PASSED = "passed", "Passed"
    FAILED = "failed", "Failed"
    UNANSWERED = "unanswered", "Not answered"


@dataclass(frozen=True)
class CheckItem:
    code: str
    label: str
    outcome: Outcome
    finding: str  # what was found, in words ("platelets 42 x10^9/L on 2026-11-18, below 50")
    source: str

    @property
    def blocks(self) -> bool:
        return self.outcome is not Outcome.PASSED


@dataclass(frozen=True)
class CheckResult:
    items: tuple[CheckItem, ...]

    @property
    def passed(self) -> bool:
        return not self.blocking

    @property
    def blocking(self) -> tuple[CheckItem, ...]:
        return tuple(item for item in self.items if item.blocks)

    @property
    def outcome(self) -> Outcome:
        """Passed; failed when an item failed; else not answered (an item unanswered, missing or too old)."""
        if any(item.outcome is Outcome.FAILED for item in self.items):
            return Outcome.FAILED
        return Outcome.UNANSWERED if self.blocking else Outcome.PASSED

    def explain(self) -> str:
        """Every item with its outcome, finding and source, one a line (the screen's tooltip and the PDF)."""
        return "\n".join(f"{item.label}: {item.outcome.label.lower()} \u2013 {item.finding} [{item.source}]"
                         for item in self.items)


def _yes_no(code: str, label: str, answer: bool | None, found: str, source: str) -> CheckItem:
    if answer is None:
        return CheckItem(code, label, Outcome.UNANSWERED, "not answered", source)
    return CheckItem(code, label, Outcome.FAILED if answer else Outcome.PASSED, found if answer else "no", source)


def _lab(code: str, label: str, unit: str, result: LabResult | None, on: dt.date, thresholds: Thresholds,
         limit: str, below: bool, max_age_days: int, source: str) -> CheckItem:
    """A laboratory item: the latest value, no older than ``max_age_days`` on the day ``on``, within its
    bound (the threshold named ``limit``: at least that when ``below`` says a low value fails, else at
    most that). A value outside the laboratory's reference range says so, whatever the outcome."""
    if result is None:
        return CheckItem(code, label, Outcome.UNANSWERED, "no value recorded", source)
    age = (on - result.sampled_on).days
    shown = f"{result.value:g} {unit} on {result.sampled_on.isoformat()}".replace("  ", " ")
    if age > max_age_days:
        accepted = "one from the day of the puncture" if max_age_days == 0 else f"up to {max_age_days} days old"
        if max_age_days == thresholds.lab_max_age_days:
            accepted += _in_force(max_age_days, PUBLISHED.lab_max_age_days, " days")
        return CheckItem(code, label, Outcome.UNANSWERED,
                         f"latest value {shown} is {age} days old; the check needs {accepted}", source)
    if age < 0:
        return CheckItem(code, label, Outcome.UNANSWERED, f"{shown} is after the visit day", source)
    bound, published = getattr(thresholds, limit), getattr(PUBLISHED, limit)
    low, high = thresholds.reference_ranges.get(code, (float("-inf"), float("inf")))
    reference = "" if low <= result.value <= high else f"; outside the reference range {low:g}-{high:g}"
    if (result.value < bound) if below else (result.value > bound):
        words = f"below the minimum {bound:g}" if below else f"above the maximum {bound:g}"
        return CheckItem(code, label, Outcome.FAILED, f"{shown}, {words}{_in_force(bound, published)}{reference}",
                         source)
    words = f"minimum {bound:g}" if below else f"maximum {bound:g}"
    return CheckItem(code, label, Outcome.PASSED, f"{shown} ({words}){_in_force(bound, published)}{reference}",
                     source)


def _antithrombotic(answers: Answers, thresholds: Thresholds) -> CheckItem:
    code, label = "antithrombotic", "Anticoagulant or antiplatelet medicine"
    drug = answers.antithrombotic
    if drug is None:
        return CheckItem(code, label, Outcome.UNANSWERED, "not answered", ABN_2018)
    if drug in (Antithrombotic.NONE, Antithrombotic.ASPIRIN):
        found = "none" if drug is Antithrombotic.NONE else "aspirin alone, which ABN 2018 does not ask to stop"
        return CheckItem(code, label, Outcome.PASSED, found, ABN_2018)
    if drug in AVOID_PUNCTURE:
        return CheckItem(code, label, Outcome.FAILED, f"{drug.label}: ABN 2018 advises avoiding the puncture",
                         ABN_2018)
    hold = thresholds.hold_hours[drug]
    clinics = _in_force(hold, HOLD_HOURS_DEFAULTS[drug], " h")
    since = answers.hours_since_last_dose
    if since is None:
        return CheckItem(code, label, Outcome.UNANSWERED,
                         f"{drug.label}: time since the last dose not answered (hold {hold} h){clinics}", ABN_2018)
    if since < hold:
        return CheckItem(code, label, Outcome.FAILED,
                         f"{drug.label}: last dose {since:g} h ago, stop at least {hold} h before{clinics}", ABN_2018)
    return CheckItem(code, label, Outcome.PASSED,
                     f"{drug.label}: last dose {since:g} h ago (hold {hold} h){clinics}", ABN_2018)


NEUROTOXICITY_SOURCE = "handbook guidance on intrathecal methotrexate (not a formal guideline: check locally)"


def earlier_neurotoxicity(events: Sequence[NeurotoxicityEvent], visit_date: dt.date,
                          visit_id: int | None) -> list[NeurotoxicityEvent]:
    """The neurotoxicity events recorded at other visits that began on or before ``visit_date``: what
    the check's "earlier methotrexate neurotoxicity" is answered from."""
    return sorted((event for event in events if event.onset_date <= visit_date
                   and (visit_id is None or event.visit_id != visit_id) and event.event_id is not None),
                  key=lambda event: event.onset_date)


def _neurotoxicity(answer: bool | None, recorded: Sequence[NeurotoxicityEvent]) -> CheckItem:
    """The answer, read with the patient's recorded events: a "no" that a recorded event contradicts
    fails; a "yes" passes only when a neurologist cleared every recorded event (the clearance, with its
    reason, is the decision to go on: asking for an override again at each visit would repeat it)."""
    code, label = "methotrexate_neurotoxicity", "Earlier methotrexate neurotoxicity"
    dates = ", ".join(event.onset_date.isoformat() for event in recorded)
    if answer is None:
        return CheckItem(code, label, Outcome.UNANSWERED, "not answered", NEUROTOXICITY_SOURCE)
    if not answer:
        if recorded:
            return CheckItem(code, label, Outcome.FAILED, f"answered no, but a neurotoxicity event is recorded "
                             f"(onset {dates})", NEUROTOXICITY_SOURCE)
        return CheckItem(code, label, Outcome.PASSED, "no", NEUROTOXICITY_SOURCE)
    if recorded and all(event.cleared_at is not None for event in recorded):
        cleared = "; ".join(f"onset {event.onset_date.isoformat()}, cleared by {event.cleared_by_name} on "
                            f"{event.cleared_at.date().isoformat()}: {event.clearance_reason}" for event in recorded)
        return CheckItem(code, label, Outcome.PASSED, f"earlier neurotoxicity cleared by a neurologist ({cleared})",
                         NEUROTOXICITY_SOURCE)
    found = f" (recorded, onset {dates})" if recorded else ""
    return CheckItem(code, label, Outcome.FAILED, f"earlier neurotoxicity{found}: no further intrathecal methotrexate",
                     NEUROTOXICITY_SOURCE)


def pre_puncture_check(answers: Answers, labs: Mapping[str, LabResult | None], *, agent: str,
                       visit_date: dt.date, thresholds: Thresholds = Thresholds(),
                       recorded_neurotoxicity: Sequence[NeurotoxicityEvent] = ()) -> CheckResult:
    """Every rule for a puncture on ``visit_date`` giving ``agent`` (a :class:`Agent` code). ``labs``:
    the latest result by laboratory key (``platelets``, ``inr``, ``wbc``, ``lymphocytes``), None or
    absent when there is none. ``recorded_neurotoxicity``: the patient's earlier neurotoxicity events
    (:func:`earlier_neurotoxicity`)."""
    methotrexate = agent == Agent.IT_METHOTREXATE.value
    items = [
        _antithrombotic(answers, thresholds),
        _lab("platelets", "Platelet count", "x10^9/L", labs.get("platelets"), visit_date, thresholds, "platelets_min",
             True, thresholds.lab_max_age_days, f"platelet count before an elective lumbar puncture: {CHECK_LOCALLY}"),
    ]
    if answers.antithrombotic in NEEDS_INR:
        items.append(_lab("inr", "INR on the day (warfarin)", "", labs.get("inr"), visit_date, thresholds, "inr_max",
                          False, 0, ABN_2018))
    pregnancy = "pregnancy possible"
    if methotrexate:
        pregnancy += ("; methotrexate: avoid pregnancy for 6 months after the last dose (women) and for at least "
                      "3 months (men), as the manufacturers advise")
    items.append(_yes_no("pregnancy", "Pregnancy possible", answers.pregnancy_possible, pregnancy,
                         f"{NCT02644044}; {UKTIS_2022}" if methotrexate else NCT02644044))
    items.append(_yes_no("infection", "Active infection", answers.active_infection, "active infection", NCT02644044))
    if methotrexate:
        items.append(_yes_no("methotrexate_allergy", "Methotrexate allergy", answers.methotrexate_allergy,
                             "known methotrexate allergy", NCT02644044))
        items.append(_neurotoxicity(answers.methotrexate_neurotoxicity, recorded_neurotoxicity))
        items.append(_lab("wbc", "White cell count", "x10^9/L", labs.get("wbc"), visit_date, thresholds, "wbc_min",
                          True, thresholds.lab_max_age_days, NCT02644044))
        items.append(_lab("lymphocytes", "Lymphocyte count", "x10^9/L", labs.get("lymphocytes"), visit_date,
                          thresholds, "lymphocytes_min", True, thresholds.lab_max_age_days, NCT02644044))
    return CheckResult(tuple(items))


class OverrideRefused(Refusal):
    """An override of a failed check that may not be given."""


@dataclass(frozen=True)
class Override:
    """A neurologist's decision to give the dose despite the items named, and why."""

    by: str  # the neurologist's user name
    by_name: str
    reason: str
    items: tuple[str, ...]  # the codes of the blocking items overridden


def override(result: CheckResult, actor: Actor, reason: object) -> Override:
    """The override of ``result``'s blocking items by ``actor`` with ``reason``; refused for anyone but
    a neurologist and without a reason."""
    if actor.role is not Role.NEUROLOGIST:
        raise OverrideRefused("A failed safety check may be overridden only by a neurologist, with a reason; "
                              "ask the neurologist to review the check.")
    text = reason.strip() if isinstance(reason, str) else ""
    if not text:
        raise OverrideRefused("An override of the safety check needs a reason: say why the dose is given "
                              "despite the failed items (up to 500 characters).")
    if len(text) > 500:
        raise OverrideRefused(f"The override's reason has {len(text)} characters; up to 500 are allowed.")
    return Override(actor.name, actor.display_name, text, tuple(item.code for item in result.blocking))


def dose_may_be_recorded(result: CheckResult, given: Override | None) -> bool:
    """True when every item passed, or an override covers every blocking item."""
    return result.passed or (given is not None and set(given.items) >= {item.code for item in result.blocking})


# A dose recorded without the check: imported from where it was given and checked (imports are exempt
# from the check, pmsdesk.services.safety.check_before_dose), or recorded before pmsdesk asked for it.
RECORDED_WITHOUT_CHECK = ("Not recorded in pmsdesk: the dose was recorded without it (imported from where it was "
                          "given and checked, or recorded before pmsdesk asked for the check).")


class DoseBlocked(Refusal):
    """A treatment dose that may not be recorded: the check was not passed and no override covers it."""


def require_dose_allowed(result: CheckResult | None, given: Override | None) -> None:
    """Refuse the dose of a treatment visit unless the check (None: never answered) passed, or a
    neurologist's override covers each of its blocking items. The refusal names what blocks it."""
    if result is None:
        raise DoseBlocked("The dose can be recorded once the pre-puncture safety check is answered: answer each "
                          "item of the safety check first.")
    if dose_may_be_recorded(result, given):
        return
    uncovered = [item for item in result.blocking if given is None or item.code not in given.items]
    listed = "; ".join(f"{item.label}: {item.finding}" for item in uncovered)
    raise DoseBlocked(f"The dose cannot be recorded: the pre-puncture safety check did not pass ({listed}). "
                      "Answer or correct these items, or a neurologist may override them with a reason.")
