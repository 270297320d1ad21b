"""Adverse events as a safety nurse records them: the CTCAE wording of each grade, the attribution scale
asked twice (to the procedure, to the drug), and the rule that a methotrexate neurotoxicity event stops
further intrathecal methotrexate for the patient until a neurologist clears it.

Sources:

- CTCAE: National Cancer Institute. Common Terminology Criteria for Adverse Events (CTCAE) version 5.0.
  U.S. Department of Health and Human Services, NIH, NCI; published 27 November 2017.
  The grade texts below are CTCAE v5.0's for the CTCAE term named beside each pmsdesk term; a dash in
  CTCAE ("-": that grade is not offered for the term) is ``None`` here. Each term's ``checked`` says
  whether its wording was compared with a second public transcription of v5.0 when it was entered;
  the others were typed from the v5.0 document and are marked "check against CTCAE v5.0" where shown.
- Attribution: the five categories of the NCI CTEP adverse-event guidelines (unrelated, unlikely,
  possible, probable, definite), asked separately for the procedure (the lumbar puncture) and for the
  drug or cell product; ``None`` is "not assessed" (events recorded before the two questions existed).
  For FHIR the four that match are given the WHO-UMC causality categories (HL7 code system
  adverse-event-causality-assess); "unrelated" has no WHO-UMC category and is sent as text.
- Methotrexate neurotoxicity (for example a meningo-encephalitis): no further intrathecal methotrexate
  for that patient (handbook guidance, not a formal guideline: the clinic's neurologist decides whether
  and when to go on, and that decision is recorded with its reason).

Pure Python: no Qt, no database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from pmsdesk.domain.permissions import Actor, Role
from pmsdesk.domain.refusals import Refusal
from pmsdesk.domain.vocab import AdverseEventTerm, Agent, Relatedness

CTCAE_V5 = ("National Cancer Institute. Common Terminology Criteria for Adverse Events (CTCAE) v5.0. "
            "U.S. Department of Health and Human Services, 27 November 2017")
CTEP_ATTRIBUTION = ("NCI CTEP. Guidelines for investigators: adverse event reporting requirements, "
                    "attribution categories (unrelated, unlikely, possible, probable, definite)")
NOT_ASSESSED = "Not assessed"
NOT_A_CTCAE_TERM = "not a CTCAE term"

# CTCAE v5.0's general grade definitions (its introduction), used for a term CTCAE does not list.
GENERAL_GRADES = (
    "Mild; asymptomatic or mild symptoms; clinical or diagnostic observations only; intervention not indicated",
    "Moderate; minimal, local or noninvasive intervention indicated; limiting age-appropriate instrumental ADL",
    "Severe or medically significant but not immediately life-threatening; hospitalization or prolongation of "
    "hospitalization indicated; disabling; limiting self care ADL",
    "Life-threatening consequences; urgent intervention indicated",
    "Death related to AE",
)
_PAIN = ("Mild pain", "Moderate pain; limiting instrumental ADL", "Severe pain; limiting self care ADL", None, None)
_SYMPTOMS = ("Mild symptoms", "Moderate symptoms; limiting instrumental ADL", "Severe symptoms; limiting self care ADL",
             "Life-threatening consequences; urgent intervention indicated", "Death")


@dataclass(frozen=True)
class CtcaeWording:
    """The CTCAE v5.0 term a pmsdesk term is graded by, and the text of grades 1-5 (None: not offered)."""

    ctcae_term: str | None  # None: not a CTCAE term, graded by the general definitions
    grades: tuple[str | None, str | None, str | None, str | None, str | None]
    note: str = ""  # how the pmsdesk term relates to the CTCAE term
    checked: bool = False  # compared with a second transcription of CTCAE v5.0

    def text(self, grade: int) -> str | None:
        return self.grades[grade - 1] if 1 <= grade <= 5 else None

    def offered(self) -> tuple[int, ...]:
        return tuple(number for number, text in enumerate(self.grades, 1) if text is not None)


CTCAE_WORDING: dict[AdverseEventTerm, CtcaeWording] = {
    AdverseEventTerm.POST_LP_HEADACHE: CtcaeWording(
        "Headache", _PAIN, "CTCAE v5.0 has no post-lumbar-puncture term: graded as Headache", checked=True),
    AdverseEventTerm.BACK_PAIN: CtcaeWording("Back pain", _PAIN),
    AdverseEventTerm.FATIGUE: CtcaeWording("Fatigue", (
        "Fatigue relieved by rest", "Fatigue not relieved by rest; limiting instrumental ADL",
        "Fatigue not relieved by rest, limiting self care ADL", None, None), checked=True),
    AdverseEventTerm.NAUSEA_VOMITING: CtcaeWording("Nausea; Vomiting", (
        "Nausea: loss of appetite without alteration in eating habits. Vomiting: intervention not indicated",
        "Nausea: oral intake decreased without significant weight loss, dehydration or malnutrition. "
        "Vomiting: outpatient IV hydration; medical intervention indicated",
        "Nausea: inadequate oral caloric or fluid intake; tube feeding, TPN, or hospitalization indicated. "
        "Vomiting: tube feeding, TPN, or hospitalization indicated",
        "Vomiting: life-threatening consequences", "Vomiting: death"),
        "CTCAE grades Nausea and Vomiting as two terms (Nausea has grades 1-3 only)"),
    AdverseEventTerm.FEVER: CtcaeWording("Fever", (
        "38.0 - 39.0 degrees C (100.4 - 102.2 degrees F)", ">39.0 - 40.0 degrees C (102.3 - 104.0 degrees F)",
        ">40.0 degrees C (>104.0 degrees F) for <=24 hrs", ">40.0 degrees C (>104.0 degrees F) for >24 hrs",
        "Death"), checked=True),
    AdverseEventTerm.RADICULAR_PAIN: CtcaeWording("Radiculitis", (
        "Mild symptoms", "Moderate symptoms; limiting instrumental ADL; medical intervention indicated",
        "Severe symptoms; limiting self care ADL", "Life-threatening consequences; urgent intervention indicated",
        "Death"), "graded as CTCAE's Radiculitis"),
    AdverseEventTerm.ARACHNOIDITIS: CtcaeWording("Arachnoiditis", _SYMPTOMS),
    AdverseEventTerm.CHEMICAL_MENINGITIS: CtcaeWording(
        "Meningismus", _SYMPTOMS, "CTCAE's Meningitis is an infection: a chemical (aseptic) meningitis is graded "
        "as Meningismus"),
    AdverseEventTerm.NEUROTOXICITY: CtcaeWording("Encephalopathy", _SYMPTOMS,
                                                 "graded as CTCAE's Encephalopathy (use Leukoencephalopathy's "
                                                 "imaging grades in the notes when an MRI shows it)"),
    AdverseEventTerm.INFECTION: CtcaeWording(
        None, GENERAL_GRADES, "CTCAE grades infections by site (for example Meningitis): the general grade "
        "definitions are shown", checked=True),
    AdverseEventTerm.OTHER: CtcaeWording(None, GENERAL_GRADES, "the general grade definitions are shown",
                                         checked=True),
}


def ctcae_wording(term: AdverseEventTerm | str) -> CtcaeWording:
    return CTCAE_WORDING[AdverseEventTerm(term)]


def grade_text(term: AdverseEventTerm | str, grade: int) -> str:
    """One line for ``grade`` of ``term``: the CTCAE v5.0 text, the term it is graded by, and when the
    term is not a CTCAE term or the grade is not offered for it, that."""
    wording = ctcae_wording(term)
    text = wording.text(grade)
    source = f"CTCAE v5.0 {wording.ctcae_term}" if wording.ctcae_term else f"{AdverseEventTerm(term).label}: " \
        f"{NOT_A_CTCAE_TERM}, CTCAE v5.0 general definition"
    if text is None:
        return f"Grade {grade}: not offered for {wording.ctcae_term} in CTCAE v5.0"
    check = "" if wording.checked else "; wording to check against CTCAE v5.0"
    return f"Grade {grade} ({source}{check}): {text}"


def relatedness_label(value: Relatedness | str | None) -> str:
    return Relatedness(value).label if value else NOT_ASSESSED


# ----- methotrexate neurotoxicity ----------------------------------------------------------------
@dataclass(frozen=True)
class NeurotoxicityEvent:
    """What the rule needs of a stored event (the service passes its rows)."""

    event_id: int | None  # None: being recorded now
    visit_id: int | None
    term: str
    onset_date: dt.date
    cleared_at: dt.datetime | None = None
    cleared_by_name: str | None = None
    clearance_reason: str | None = None


class MethotrexateBlocked(Refusal):
    """An intrathecal methotrexate dose refused: an uncleared neurotoxicity event blocks it."""

    def __init__(self, event: NeurotoxicityEvent):
        self.event = event
        which = f"adverse event {event.event_id}" if event.event_id is not None else "recorded at this visit"
        super().__init__(
            f"Intrathecal methotrexate is blocked for this patient: methotrexate neurotoxicity since "
            f"{event.onset_date.isoformat()} ({which}) has not been cleared. Only a "
            "neurologist may clear it, with a reason, on the patient's adverse events; until then the visit "
            "may be saved as an assessment visit, without a dose.")


class ClearanceRefused(Refusal):
    """A clearance that may not be given."""


def blocks_methotrexate(term: str) -> bool:
    return AdverseEventTerm(term) is AdverseEventTerm.NEUROTOXICITY


def blocking_event(events: Iterable[NeurotoxicityEvent], *, agent: Agent | str | None, visit_date: dt.date,
                   visit_id: int | None) -> NeurotoxicityEvent | None:
    """The neurotoxicity event that blocks an intrathecal methotrexate dose on ``visit_date``, if any:
    one not cleared that began before that day, or on that day when reported at an earlier visit (an
    event that began on the day of this visit and is recorded at it followed this dose). Only
    methotrexate is blocked."""
    if agent is None or Agent(agent) is not Agent.IT_METHOTREXATE:
        return None
    for event in sorted(events, key=lambda e: e.onset_date):
        at_this_visit = event.event_id is None or (visit_id is not None and event.visit_id == visit_id)
        began_before = event.onset_date < visit_date or (event.onset_date == visit_date and not at_this_visit)
        if blocks_methotrexate(event.term) and event.cleared_at is None and began_before:
            return event
    return None


def check_dose(events: Iterable[NeurotoxicityEvent], *, agent: Agent | str | None, visit_date: dt.date,
               visit_id: int | None) -> None:
    """Refuse (:class:`MethotrexateBlocked`) a methotrexate dose an uncleared neurotoxicity event blocks."""
    event = blocking_event(events, agent=agent, visit_date=visit_date, visit_id=visit_id)
    if event is not None:
        raise MethotrexateBlocked(event)


CLEARANCE_REASON_LIMIT = 500


def clearance_reason(actor: Actor, term: str, reason: object) -> str:
    """The reason of a neurologist's clearance of a neurotoxicity event; refused for anyone else, for
    another kind of event and without a reason."""
    if not blocks_methotrexate(term):
        raise ClearanceRefused(f"Only a neurotoxicity event blocks methotrexate; \u201c{AdverseEventTerm(term).label}\u201d "
                               "has nothing to clear.")
    if actor.role is not Role.NEUROLOGIST:
        who = actor.display_name if actor.role is None else f"{actor.display_name} ({actor.role.label})"
        raise ClearanceRefused(f"Not allowed: {who} may not clear a methotrexate neurotoxicity event. Only a "
                               "neurologist may, with a reason; a nurse may record the event and its outcome.")
    text = reason.strip() if isinstance(reason, str) else ""
    if not text:
        raise ClearanceRefused("Clearing a methotrexate neurotoxicity event needs a reason: say why further "
                               "intrathecal methotrexate may be given.")
    if len(text) > CLEARANCE_REASON_LIMIT:
        raise ClearanceRefused(f"The reason has {len(text)} characters; up to {CLEARANCE_REASON_LIMIT} are allowed.")
    return text
