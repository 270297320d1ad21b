"""Protocol templates: the dose schedule and the schedule of assessments a course follows.

A template says when doses are given and which assessments (keys of
:data:`pmsdesk.domain.assessments.REGISTRY`) are asked at which month, with the published source it
comes from. :func:`expected_visits` turns a template and a course's start date into its expected
visits, each with a target date, a window and, on a given day, a :class:`DueStatus`.

Two kinds of visit, because the sources describe two kinds of schedule:

- **Calendar visits** sit at set months from the start (the trials' doses and assessment visits).
  When the window closes with no visit the visit is MISSED: the calendar moves on without it.
- **Interval doses** follow the last dose given ("every 8-11 weeks"), as a course's planned interval
  does (:func:`pmsdesk.domain.schedule.next_treatment_window`). A dose past its window is OVERDUE, still
  wanted; the next window runs from the day it is finally given.

A visit made outside its window is DONE_OUT_OF_WINDOW. Where no source gives a window, the template
uses :data:`CLINIC_DEFAULT_WINDOW`, which says it is a clinic choice, not a published fact.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from pmsdesk.domain.references import Citation
from pmsdesk.domain.schedule import DueStatus, TreatmentWindow, next_treatment_window


@dataclass(frozen=True)
class VisitWindow:
    """How far before and after its target date a calendar visit still counts, and where that comes from."""

    days_before: int
    days_after: int
    basis: str
    published: bool

    def around(self, target: dt.date) -> TreatmentWindow:
        return TreatmentWindow(target - dt.timedelta(days=self.days_before), target + dt.timedelta(days=self.days_after))


CLINIC_DEFAULT_WINDOW = VisitWindow(
    14, 14, published=False,
    basis="No visit window is published for this protocol: \u00b114 days is pmsdesk's default, a clinic choice "
          "to be set by the clinic, not a published fact.",
)


@dataclass(frozen=True)
class IntervalDoses:
    """A dose every ``weeks_min``-``weeks_max`` weeks after the last dose given, for as long as the course runs."""

    weeks_min: int
    weeks_max: int

    def describe(self) -> str:
        return f"every {self.weeks_min}\u2013{self.weeks_max} weeks after the last dose"


@dataclass(frozen=True)
class FixedDoses:
    """Doses at set months from the start; ``continue_every_months``: then on, open-ended, at that interval."""

    months: tuple[int, ...]
    continue_every_months: int | None = None

    def describe(self) -> str:
        text = f"doses at months {', '.join(str(m) for m in self.months)}"
        if self.continue_every_months:
            text += f", then every {self.continue_every_months} months"
        return text


@dataclass(frozen=True)
class SingleDoseWithCrossover:
    """One active dose, blinded: an injection at each of ``months``, the active product at one and
    placebo at the other, so each is a dose visit (a lumbar puncture) on the calendar."""

    months: tuple[int, int]

    def describe(self) -> str:
        first, second = self.months
        return f"one active dose at month {first} or month {second} (placebo at the other; crossover)"


DoseSchedule = IntervalDoses | FixedDoses | SingleDoseWithCrossover


@dataclass(frozen=True)
class ScheduledAssessments:
    """The assessments asked at a month from the start; ``note`` says what the source does not."""

    month: int
    assessments: tuple[str, ...]
    note: str = ""


@dataclass(frozen=True)
class ProtocolTemplate:
    key: str
    name: str
    citation: Citation
    doses: DoseSchedule
    product: str  # what each dose is (product, route, amount), as the source gives it
    window: VisitWindow  # of every calendar visit (no seed source gives one per visit)
    assessments: tuple[ScheduledAssessments, ...] = ()
    at_every_dose: tuple[str, ...] = ()  # assessment keys asked at each dose visit
    other_assessments: tuple[str, ...] = ()  # asked by the source, not recorded by pmsdesk
    before_first_dose: tuple[str, ...] = ()  # steps the source puts before dosing
    reference_cohort: str | None = None  # its cohort in the shipped reference file, to compare against

    def assessment_keys(self) -> frozenset[str]:
        return frozenset(self.at_every_dose).union(*(s.assessments for s in self.assessments))


@dataclass(frozen=True)
class RecordedVisit:
    """What a recorded visit tells the schedule: its date, whether a dose was given, what was assessed."""

    date: dt.date
    dose_given: bool
    assessments: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ExpectedVisit:
    label: str
    target: dt.date  # the day it is planned for; an interval dose: the day its window opens
    window: TreatmentWindow
    window_published: bool  # from the source; False for a default window (an interval dose's is its interval)
    dose: bool
    assessments: tuple[str, ...]
    status: DueStatus
    visit: RecordedVisit | None  # the recorded visit that made it, if any
    missing_assessments: tuple[str, ...]  # asked and not recorded in its window (or at its visit)
    note: str = ""  # what the source says, or does not, about this visit

    @property
    def out_of_window(self) -> bool:
        return self.status is DueStatus.DONE_OUT_OF_WINDOW


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, or the month's last day when it has fewer (31 Jan + 1 = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def expected_visits(protocol: ProtocolTemplate, start_date: dt.date, recorded_visits: Iterable[RecordedVisit],
                    on: dt.date) -> tuple[ExpectedVisit, ...]:
    """The course's expected visits in date order with their status on day ``on``.

    Only visits recorded on or before ``on`` count. An open-ended schedule is listed up to its first
    visit whose window has not opened by ``on``.
    """
    recorded = sorted((v for v in recorded_visits if v.date <= on), key=lambda v: v.date)
    visits = list(_calendar_visits(protocol, start_date, recorded, on))
    if isinstance(protocol.doses, IntervalDoses):
        visits.extend(_interval_doses(protocol, protocol.doses, start_date, recorded, on))
    return tuple(sorted(visits, key=lambda v: (v.target, not v.dose)))


@dataclass(frozen=True)
class _Slot:
    month: int
    dose: bool
    assessments: tuple[str, ...]
    target: dt.date
    window: TreatmentWindow
    note: str

    def made_by(self, visit: RecordedVisit) -> bool:
        """A dose slot is made by a dose; an assessment-only slot by any of its assessments."""
        return visit.dose_given if self.dose else bool(visit.assessments & set(self.assessments))


def _calendar_visits(protocol: ProtocolTemplate, start: dt.date, recorded: list[RecordedVisit],
                     on: dt.date) -> list[ExpectedVisit]:
    slots = _calendar_slots(protocol, start, on)
    made: dict[int, RecordedVisit] = {}
    claimed: set[int] = set()  # ids of recorded visits already making a slot

    def claim(index: int, candidates: list[RecordedVisit]) -> None:
        if candidates:
            best = min(candidates, key=lambda v: abs((v.date - slots[index].target).days))
            made[index] = best
            claimed.add(id(best))

    for index, slot in enumerate(slots):  # first every visit made within its window
        claim(index, [v for v in recorded if id(v) not in claimed and slot.made_by(v)
                      and slot.window.opens <= v.date <= slot.window.closes])
    for index, slot in enumerate(slots):  # then a visit outside every window goes to the nearest slot's target
        if index in made:
            continue
        earlier = slots[index - 1].target if index else None
        later = slots[index + 1].target if index + 1 < len(slots) else None
        # The first and last slot reach as far out as towards their one neighbour (a visit long before
        # the start belongs to no slot of this course).
        if earlier is None and later is not None:
            earlier = slot.target - (later - slot.target)
        if later is None and earlier is not None:
            later = slot.target + (slot.target - earlier)
        claim(index, [v for v in recorded if id(v) not in claimed and slot.made_by(v)
                      and (earlier is None or v.date - earlier > slot.target - v.date)
                      and (later is None or later - v.date >= v.date - slot.target)])
    visits = []
    for index, slot in enumerate(slots):
        visit = made.get(index)
        if visit is None:
            status = slot.window.status(on)
            status = DueStatus.MISSED if status is DueStatus.OVERDUE else status
        elif slot.window.opens <= visit.date <= slot.window.closes:
            status = DueStatus.DONE
        else:
            status = DueStatus.DONE_OUT_OF_WINDOW
        label = f"Month {slot.month}" + (" dose" if slot.dose else "")
        visits.append(ExpectedVisit(label, slot.target, slot.window, window_published=protocol.window.published,
                                    dose=slot.dose, assessments=slot.assessments, status=status, visit=visit,
                                    missing_assessments=_missing(slot.assessments, slot.window, visit, recorded),
                                    note=slot.note))
    return visits


def _calendar_slots(protocol: ProtocolTemplate, start: dt.date, on: dt.date) -> list[_Slot]:
    """One slot per month that has a dose or assessments on the calendar (a dose month's assessments join it)."""
    doses = protocol.doses
    dose_months = set() if isinstance(doses, IntervalDoses) else set(doses.months)
    asked: dict[int, tuple[str, ...]] = {}
    for scheduled in protocol.assessments:
        asked[scheduled.month] = asked.get(scheduled.month, ()) + scheduled.assessments
    if isinstance(doses, FixedDoses) and doses.continue_every_months:
        # Open-ended: on through the last assessment month, and up to the first dose not yet open on ``on``.
        month, last_asked = max(doses.months), max(asked, default=0)
        while month < last_asked or protocol.window.around(add_months(start, month)).opens <= on:
            month += doses.continue_every_months
            dose_months.add(month)
    notes = {s.month: s.note for s in protocol.assessments if s.note}
    slots = []
    for month in sorted(dose_months | set(asked)):
        keys = asked.get(month, ())
        if month in dose_months:
            keys = tuple(dict.fromkeys(protocol.at_every_dose + keys))
        target = add_months(start, month)
        slots.append(_Slot(month, month in dose_months, keys, target, protocol.window.around(target),
                           notes.get(month, "")))
    return slots


def _interval_doses(protocol: ProtocolTemplate, doses: IntervalDoses, start: dt.date,
                    recorded: list[RecordedVisit], on: dt.date) -> list[ExpectedVisit]:
    """Each dose given since the start, judged against the window the dose before it opened, then the next one."""
    visits = []
    last = None
    for number, visit in enumerate((v for v in recorded if v.dose_given and v.date >= start), start=1):
        window = next_treatment_window(start, last, doses.weeks_min, doses.weeks_max)
        status = DueStatus.DONE if window.opens <= visit.date <= window.closes else DueStatus.DONE_OUT_OF_WINDOW
        visits.append(ExpectedVisit(f"Dose {number}", window.opens, window, window_published=True, dose=True,
                                    assessments=protocol.at_every_dose, status=status, visit=visit,
                                    missing_assessments=_missing(protocol.at_every_dose, window, visit, recorded)))
        last = visit.date
    window = next_treatment_window(start, last, doses.weeks_min, doses.weeks_max)
    visits.append(ExpectedVisit(f"Dose {len(visits) + 1}", window.opens, window, window_published=True, dose=True,
                                assessments=protocol.at_every_dose, status=window.status(on), visit=None,
                                missing_assessments=_missing(protocol.at_every_dose, window, None, recorded)))
    return visits


def _missing(asked: tuple[str, ...], window: TreatmentWindow, visit: RecordedVisit | None,
             recorded: list[RecordedVisit]) -> tuple[str, ...]:
    """Asked assessments recorded neither at the visit nor at any visit within the window (tests may
    be done on another day than the dose)."""
    done = set(visit.assessments) if visit else set()
    for other in recorded:
        if window.opens <= other.date <= window.closes:
            done |= other.assessments
    return tuple(key for key in asked if key not in done)


# The four seed protocols (issue 19). Each fact is from the cited source's abstract or registry
# record as read for the reference cohorts (resources/references/); their citations are the
# shipped reference file's, so a test keeps the two identical.

KOLB_2025_ITMTX = ProtocolTemplate(
    key="itmtx-phase1-kolb-2025",
    name="Intrathecal methotrexate, quarterly (phase 1, Kolb 2025)",
    citation=Citation(
        authors="Kolb H, Shachaf Y, Fainberg K, Golan M, Regev K, Vigiser I, Fuchs L, Gadoth A, Kestenbaum M, "
                "Omer N, Shopin L, Ash EL, Artzi M, Ben Bashat D, Aizenstein O, Karni A",
        title="Intrathecal methotrexate in progressive multiple sclerosis: a phase 1 open-label study with "
              "long-term follow-up",
        journal="J Neurol", year=2025, details="272(5):374", doi="10.1007/s00415-025-13114-z", pmid="40319416",
        registry_id="NCT02644044"),
    # Abstract: every 3 months for a year, then long-term continuation (2-9 years) in 10 patients.
    doses=FixedDoses(months=(0, 3, 6, 9), continue_every_months=3),
    product="Intrathecal methotrexate; the dose is not stated in the abstract.",
    window=CLINIC_DEFAULT_WINDOW,
    # EDSS, 25-foot walk and SDMT at baseline, 6 and 12 months (the abstract reports the 12-month result).
    assessments=(ScheduledAssessments(0, ("edss", "t25fw", "sdmt")),
                 ScheduledAssessments(6, ("edss", "t25fw", "sdmt")),
                 ScheduledAssessments(12, ("edss", "t25fw", "sdmt"))),
    reference_cohort="kolb2025_itmtx_phase1",
)

STARK_2019_ITMTX = ProtocolTemplate(
    key="itmtx-long-term-stark-2019",
    name="Intrathecal methotrexate 12.5 mg every 8\u201311 weeks (long-term, Stark 2019)",
    citation=Citation(
        authors="Stark JW, Josephs L, Dulak D, Clague M, Sadiq SA",
        title="Safety of long-term intrathecal methotrexate in progressive forms of MS",
        journal="Ther Adv Neurol Disord", year=2019, details="12:1756286419892360",
        doi="10.1177/1756286419892360", pmid="31832101", pmcid="PMC6891004",
        also=("Earlier interim report on 33 of these patients: Use of long-term intrathecal methotrexate in "
              "progressive forms of MS. AAN abstract P04.139.",)),
    # Abstract: 12.5 mg every 8-11 weeks for 3-10 years; EDSS recorded at every treatment. The interval is
    # the published window: there are no calendar visits.
    doses=IntervalDoses(weeks_min=8, weeks_max=11),
    product="Intrathecal methotrexate 12.5 mg.",
    window=CLINIC_DEFAULT_WINDOW,  # of calendar visits a clinic may add; the doses keep their interval
    at_every_dose=("edss",),
    reference_cohort="stark2019_itmtx_longterm",
)

HARRIS_2024_MSC_NP = ProtocolTemplate(
    key="msc-np-phase2-harris-2024",
    name="MSC-NP, six intrathecal doses two months apart (phase II, Harris 2024)",
    citation=Citation(
        authors="Harris VK, et al.",
        title="Efficacy of intrathecal mesenchymal stem cell-neural progenitor therapy in progressive MS: results "
              "from a phase II, randomized, placebo-controlled clinical trial",
        journal="Stem Cell Res Ther", year=2024, details="15(1):151", doi="10.1186/s13287-024-03765-6",
        pmid="38783390", registry_id="NCT03355365",
        also=("Interim report: Efficacy of intrathecal mesenchymal stem cell-neural progenitor therapy in "
              "progressive MS: results from a phase II clinical trial. AAN abstract S16.005.",)),
    # Abstract: six intrathecal injections every 2 months over the first year.
    doses=FixedDoses(months=(0, 2, 4, 6, 8, 10)),
    product="Autologous MSC-NP, intrathecal; each dose made from the patient's own cells and tested before "
         "release (Harris 2016, Cytotherapy 18:1476). Expanded access NCT03822858: 5\u201310 million cells per dose.",
    window=CLINIC_DEFAULT_WINDOW,
    # Primary outcome EDSS-Plus (EDSS, T25FW, 9HPT) improvement from baseline to month 13 (registry time
    # frame); six-minute walk secondary.
    assessments=(ScheduledAssessments(0, ("edss", "t25fw", "nhpt", "six_minute_walk")),
                 ScheduledAssessments(13, ("edss", "t25fw", "nhpt", "six_minute_walk"),
                                      note="Primary outcome time frame: baseline to month 13 (NCT03355365).")),
    other_assessments=("Urodynamics (secondary outcome; not recorded in pmsdesk)",),
    before_first_dose=("Bone-marrow harvest for the patient's own MSC-NP.",),
    reference_cohort="harris2024_mscnp_phase2",
)

SMART_MS = ProtocolTemplate(
    key="smart-ms-kvistad-2025",
    name="SMART-MS, one intrathecal MSC dose with crossover at 6 months (ECTRIMS 2025)",
    citation=Citation(
        authors="Kvistad CE, et al.",
        title="SMART-MS: results presented at ECTRIMS 2025 (Haukeland University Hospital)",
        journal="ECTRIMS 2025 congress presentation", year=2025, registry_id="NCT04749667",
        note="A 2026 full publication (Class III evidence; per neurotrials.ai) was not retrievable.",
        also=("Design paper: Kvistad CE, et al. Front Neurol. 2022;13:891514.",)),
    # Conference report: MSC or saline at baseline, crossover at 6 months, 18 months of follow-up.
    doses=SingleDoseWithCrossover(months=(0, 6)),
    product="Autologous bone-marrow MSC, 1 million cells per kg body weight (at most 100 million), intrathecal; "
         "product cryopreserved for the crossover.",
    window=CLINIC_DEFAULT_WINDOW,
    # The report gives EDSS, 9HPT and T25FW results; visits at 6, 12 and 18 months (issue 19).
    assessments=(ScheduledAssessments(0, ("edss", "t25fw", "nhpt"),
                                      note="Baseline before the first dose: implied by the comparison, not stated "
                                           "in the report (a clinic choice)."),
                 ScheduledAssessments(6, ("edss", "t25fw", "nhpt")),
                 ScheduledAssessments(12, ("edss", "t25fw", "nhpt")),
                 ScheduledAssessments(18, ("edss", "t25fw", "nhpt"))),
    before_first_dose=("Bone-marrow aspiration (harvest) before dosing.",),
    reference_cohort="smartms_kvistad",
)

SEED_PROTOCOLS = (KOLB_2025_ITMTX, STARK_2019_ITMTX, HARRIS_2024_MSC_NP, SMART_MS)
