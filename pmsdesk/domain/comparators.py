"""Which published cohort arms a patient's trajectory is compared with: decided once, here, for the
trajectory screen and the PDF reports alike.

A comparator is one arm (or subgroup) of one cohort for one measure: ORATORIO's placebo arm, the
IT-MSC arm of Petrou 2020, the EDSS 6.0–6.5 subgroup of Harris 2024's saline arm. Every arm that
reports the measure is offered; it is drawn without anyone asking only when it fits the patient:

- **phenotype**: the arm's own phenotype (a PPMS subgroup) or else the cohort's phenotypes include
  the patient's (a PPMS patient is not compared with an SPMS-only trial, an RRMS patient with no
  progressive-MS cohort);
- **disability**: the patient's baseline EDSS (their first recorded EDSS, where their trajectory
  and the cohort overlays start) lies in the EDSS range of the subgroup, or of the cohort's entry
  criteria, or within :data:`EDSS_RANGE_MARGIN` of it (one EDSS step: the smallest change the scale
  records). A subgroup defined by EDSS needs a recorded EDSS; an entry range is not held against a
  patient without one;
- **agent**: a treated arm only for a patient with a course of that treatment (MSC-NP arms for
  MSC-NP courses, intrathecal methotrexate arms for ITMTX);
- **a course of the arm**: never a subset picked by its outcome ("T25FW progressors only"), arms
  pooled, a placebo arm later switched to treatment, or a difference between arms;
- **the source**: every number read in a primary source (paper, registry, the clinic's records).

An arm that does not fit says why ("SPMS cohort; this patient has PPMS"), where the user can still
add it. Placebo arms (and untreated natural history) come first, the patient's own treatment's arms
next, then the rest. Each arm gets its own colour and marker (:data:`PALETTE`, :data:`MARKERS`), the
same on screen and on paper and on every measure's chart: styles are dealt over the arms of all
measures at once (:func:`arm_styles`), in the same order, so an arm keeps its style from chart to chart.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from pmsdesk.domain.assessments import REGISTRY
from pmsdesk.domain.assessments import Measure as AssessmentMeasure
from pmsdesk.domain.references import (
    Arm,
    Cohort,
    NhptHand,
    ReferenceLibrary,
    ReferenceValue,
)
from pmsdesk.domain.vocab import Agent, Choice, Phenotype

EDSS_RANGE_MARGIN = 0.5  # one EDSS step either side of a cohort's range still counts as "near"

# Short names a clinician uses for the intrathecal agents; other agents are named as the file names them.
AGENT_SHORT = {Agent.IT_METHOTREXATE: "ITMTX", Agent.MSC_NP: "MSC-NP", Agent.AUTOLOGOUS_MSC: "MSC"}

# Okabe & Ito's colour-blind-safe palette without its black (the patient's own line is the dark one):
# Okabe M, Ito K. Color Universal Design (CUD): how to make figures and presentations that are
# friendly to colorblind people. J*Fly, 2008. https://jfly.uni-koeln.de/color/ ; also Wong B. Points
# of view: color blindness. Nat Methods 2011;8:441. doi:10.1038/nmeth.1618. Yellow, the faintest on
# white, comes last.
PALETTE = (("#E69F00", "orange"), ("#0072B2", "blue"), ("#009E73", "bluish green"),
           ("#CC79A7", "reddish purple"), ("#56B4E9", "sky blue"), ("#D55E00", "vermillion"),
           ("#F0E442", "yellow"))
# Markers at a cohort's published timepoints, so arms differ in shape too (and in greyscale), and
# line patterns for a mean course (a rate per year is always dotted). With 7 colours, 4 markers and 3
# patterns the first 84 arms of a measure all look different.
MARKERS = ("square", "triangle", "diamond", "inverted triangle")
DASHES = ("dashed", "dash-dot", "long dashes")


class Role(Choice):
    COMPARISON = "comparison", "placebo or untreated comparison"
    OWN_TREATMENT = "own_treatment", "arm of this patient's treatment"
    OTHER = "other", "other arm"


@dataclass(frozen=True)
class PatientProfile:
    """What decides which cohorts are fair to compare a patient with."""

    phenotype: Phenotype | None
    baseline_edss: float | None  # the first recorded EDSS
    agents: frozenset[str] = frozenset()  # the agent codes of the patient's courses

    @property
    def phenotype_text(self) -> str:
        if self.phenotype in (Phenotype.PPMS, Phenotype.SPMS, Phenotype.RRMS):
            return f"this patient has {self.phenotype.value}"
        return "this patient's phenotype is not classified" if self.phenotype else "no phenotype recorded"


@dataclass(frozen=True)
class CurveStyle:
    colour: str  # "#E69F00"
    colour_name: str
    marker: str  # one of MARKERS
    dash: str  # one of DASHES


@dataclass(frozen=True)
class ComparatorChoice:
    """One arm of one cohort for one measure, with whether it is drawn by default and, if not, why."""

    cohort: Cohort
    group: str  # the arm or subgroup as the source names it
    arm: Arm
    values: tuple[ReferenceValue, ...]  # its numbers for this measure (this hand), earliest first
    role: Role
    mismatch: str | None  # why it is not drawn by default; None: it fits the patient
    style: CurveStyle

    @property
    def default_on(self) -> bool:
        return self.mismatch is None

    @property
    def key(self) -> str:
        """Stable across calls: the chooser and the reports name an arm by it."""
        return f"{self.cohort.id}/{self.group}"

    @property
    def label(self) -> str:
        """The arm as a legend names it, its subgroup included: "Harris 2024 MSC-NP phase 2 saline,
        EDSS 6.0-6.5 subgroup"; a subset picked by its outcome says so."""
        text = self.values[0].subject
        return f"{text} (selected subset, not the arm's course)" if self.selected_by_outcome else text

    @property
    def selected_by_outcome(self) -> bool:
        return any(value.selected_by_outcome for value in self.values)


def comparators_for(library: ReferenceLibrary, profile: PatientProfile,
                    measure: AssessmentMeasure | str) -> tuple[ComparatorChoice, ...]:
    """Every cohort arm reporting this measure (one hand's numbers only on that hand's plot), those
    that fit the patient first: placebo and natural-history arms, then the patient's own treatment's
    arms, then the rest, each with the reason it does not fit. Within each group, arms of the
    patient's phenotype alone come before mixed cohorts, then file order."""
    spec = REGISTRY.measure(measure) if isinstance(measure, str) else measure
    styles = arm_styles(library, profile)
    return tuple(ComparatorChoice(cohort, group, arm, values, role, mismatch, styles[_arm_identity(cohort, group)])
                 for *_order, cohort, group, arm, values, role, mismatch in _ranked(library, profile, spec))


def _ranked(library: ReferenceLibrary, profile: PatientProfile, spec: AssessmentMeasure) -> list[tuple]:
    """The arms reporting ``spec`` as rows (sort key..., cohort, group, arm, values, role, mismatch), sorted."""
    if spec.reference is None:  # a measure no published cohort reports
        return []
    arms = []
    for cohort in library.cohorts_reporting(spec.reference):
        by_group: dict[str, list[ReferenceValue]] = {}
        for value in cohort.values_for(spec.reference):
            if _on_this_hand(value, spec.hand):
                by_group.setdefault(value.group, []).append(value)
        for group, values in by_group.items():
            arm = values[0].arm
            role = _role(cohort, values[0], profile)
            mismatch = _mismatch(cohort, values, profile)
            arms.append((mismatch is not None, _ROLE_ORDER[role], not _own_phenotype(cohort, values, profile),
                         len(arms), cohort, group, arm, tuple(values), role, mismatch))
    arms.sort(key=lambda row: row[:4])
    return arms


_STYLES: dict[tuple[int, PatientProfile], tuple[ReferenceLibrary, dict[str, CurveStyle]]] = {}


def arm_styles(library: ReferenceLibrary, profile: PatientProfile) -> dict[str, CurveStyle]:
    """Each arm's style, one for all measures (by :func:`_arm_identity`: one hand's numbers of an arm
    are that arm). Arms are ranked as on a chart, each by its best place on any measure's chart (those
    fitting the patient first), ties in the library's order; in turn each takes a style no other arm
    has: one whose colour and marker no arm drawn with it by default has (nor another arm of its
    trial), whose colour differs from theirs where it can (more than seven arms drawn on one chart
    share a colour, never a marker too), and whose colour and marker as few arms offered on its charts
    have as can be (36 arms report the EDSS, against 28 colour-and-marker pairs: then the line
    pattern differs)."""
    known = _STYLES.get((id(library), profile))
    if known is not None and known[0] is library:
        return known[1]
    best: dict[str, tuple] = {}
    drawn_together: dict[str, set[str]] = {}
    offered_together: dict[str, set[str]] = {}
    for position, spec in enumerate(REGISTRY.measures()):
        drawn, offered = [], []
        for row in _ranked(library, profile, spec):
            cohort, group, mismatch = row[4], row[5], row[9]
            key = _arm_identity(cohort, group)
            rank = (row[0], row[1], row[2], library.cohorts.index(cohort), position, row[3])
            best[key] = min(best.get(key, rank), rank)
            offered.append(key)
            if mismatch is None:
                drawn.append(key)
        for together, keys in ((drawn_together, drawn), (offered_together, offered)):
            for key in keys:
                together.setdefault(key, set()).update(other for other in keys if other != key)
    taken: dict[str, int] = {}
    for key in sorted(best, key=best.__getitem__):
        used = set(taken.values())
        drawn = [taken[other] for other in drawn_together.get(key, ()) if other in taken]
        drawn_looks, colours = {_look(i) for i in drawn}, {i % len(PALETTE) for i in drawn}
        offered = Counter(_look(taken[other]) for other in offered_together.get(key, ()) if other in taken)
        cohort = key.split("/", 1)[0]
        siblings = {_look(index) for other, index in taken.items() if other.split("/", 1)[0] == cohort}
        candidates = [i for i in range(len(used) + len(PALETTE) * len(MARKERS) + 1) if i not in used]
        # a curve drawn beside it must not look the same, nor another arm of its trial; then its colour
        # differs where it can; then as few arms offered on its charts as can be share its look
        taken[key] = min(candidates, key=lambda i: (_look(i) in drawn_looks, _look(i) in siblings,
                                                    i % len(PALETTE) in colours, offered[_look(i)], i))
    styles = {key: style_for(index) for key, index in taken.items()}
    if len(_STYLES) > 32:  # a few patients' profiles at a time; never grows without bound
        _STYLES.clear()
    _STYLES[id(library), profile] = (library, styles)
    return styles


def style_for(index: int) -> CurveStyle:
    """The index-th arm's style: colours and markers cycle at coprime lengths (7 and 4), the line
    pattern changes after each 28."""
    colour, name = PALETTE[index % len(PALETTE)]
    return CurveStyle(colour, name, MARKERS[index % len(MARKERS)],
                      DASHES[index // (len(PALETTE) * len(MARKERS)) % len(DASHES)])


def _look(index: int) -> tuple[int, int]:
    """The colour and marker of :func:`style_for` (index): what tells two curves apart at a glance."""
    return index % len(PALETTE), index % len(MARKERS)


_ROLE_ORDER = {Role.COMPARISON: 0, Role.OWN_TREATMENT: 1, Role.OTHER: 2}

# A group that is one hand's numbers of an arm ("sham (placebo), dominant hand") is that arm.
_HAND_OF_ARM = re.compile(r",? \(?(?:either|dominant|non-dominant) hand\)?$")


def _arm_identity(cohort: Cohort, group: str) -> str:
    return f"{cohort.id}/{_HAND_OF_ARM.sub('', group)}"


def _on_this_hand(value: ReferenceValue, hand: NhptHand | None) -> bool:
    # One hand's numbers belong to that hand's plot; "either hand" and unstated ones go to both.
    return (value.hand is None or hand is None or value.hand is hand
            or value.hand in (NhptHand.EITHER, NhptHand.BOTH_AVERAGED))


def _agent(cohort: Cohort, value: ReferenceValue) -> str | None:
    return value.agent or cohort.treatment.agent


def agent_name(agent: str) -> str:
    """"ITMTX" for a course agent code, the file's own name for any other treatment."""
    return AGENT_SHORT.get(agent, agent)


def _role(cohort: Cohort, value: ReferenceValue, profile: PatientProfile) -> Role:
    if value.arm in (Arm.PLACEBO, Arm.NATURAL_HISTORY):
        return Role.COMPARISON
    if value.arm is Arm.ACTIVE and _agent(cohort, value) in profile.agents:
        return Role.OWN_TREATMENT
    return Role.OTHER


def _own_phenotype(cohort: Cohort, values: list[ReferenceValue], profile: PatientProfile) -> bool:
    phenotype = values[0].phenotype
    return profile.phenotype is not None and (
        phenotype is profile.phenotype or (phenotype is None and cohort.population.phenotypes == (profile.phenotype,)))


def _mismatch(cohort: Cohort, values: list[ReferenceValue], profile: PatientProfile) -> str | None:
    """Why this arm is not a fair default comparison for the patient, or None."""
    first = values[0]
    if any(value.selected_by_outcome for value in values):
        return "a subset selected by its outcome, not the course of the arm"
    not_a_course = {Arm.POOLED: "arms pooled (treated and untreated together)",
                    Arm.DELAYED_START: "placebo later switched to treatment",
                    Arm.CONTRAST: "a difference between arms"}.get(first.arm)
    if not_a_course:
        return f"{not_a_course}, not the course of one arm"
    if first.phenotype is not None:
        if first.phenotype is not profile.phenotype:
            whole = cohort.population.phenotypes == (first.phenotype,)
            return f"{first.phenotype.value} {'cohort' if whole else 'subgroup'}; {profile.phenotype_text}"
    elif cohort.population.phenotypes and profile.phenotype not in cohort.population.phenotypes:
        return f"{'/'.join(p.value for p in cohort.population.phenotypes)} cohort; {profile.phenotype_text}"
    range_problem = _edss_mismatch(first.edss_range, "subgroup", profile, required=True) or _edss_mismatch(
        cohort.population.edss_range, "at entry", profile, required=False)
    if range_problem:
        return range_problem
    if first.arm is Arm.ACTIVE:
        agent = _agent(cohort, first)
        if agent not in profile.agents:
            treated = (", ".join(sorted(agent_name(a) for a in profile.agents)) if profile.agents else None)
            patient = f"this patient receives {treated}" if treated else "this patient has no treatment course"
            return f"{agent_name(agent) if agent else 'treated'} arm; {patient}"
    secondary = sorted({value.source.type.label for value in values if not value.source.type.is_primary})
    if secondary:
        return f"from a {' and a '.join(secondary)}, not a primary source"
    return None


def _edss_mismatch(edss_range: tuple[float, float] | None, what: str, profile: PatientProfile, *,
                   required: bool) -> str | None:
    if edss_range is None:
        return None
    low, high = edss_range
    named = f"EDSS {low:.1f}\u2013{high:.1f} {what}"
    edss = profile.baseline_edss
    if edss is None:
        return f"{named}; this patient has no EDSS recorded" if required else None
    if low - EDSS_RANGE_MARGIN <= edss <= high + EDSS_RANGE_MARGIN:
        return None
    return f"{named}; this patient's baseline EDSS is {edss:.1f}"


__all__ = ["AGENT_SHORT", "DASHES", "EDSS_RANGE_MARGIN", "MARKERS", "PALETTE", "ComparatorChoice", "CurveStyle",
           "PatientProfile", "Role", "agent_name", "arm_styles", "comparators_for", "style_for"]
