"""The demo clinic: clearly fictional patients treated intrathecally, to look around pmsdesk.

Every patient is invented (made-up names, identifiers ``DEMO-001``..., a note saying so) and the
whole clinic follows from the seed: the same seed and the same day give the same clinic. Most
patients receive intrathecal methotrexate (12.5 mg every 8-12 weeks, quarterly as in the Tel Aviv
protocol, over 1-6 years); some receive MSC-NP (six doses of 10 million cells two months apart).
Each course starts with a baseline visit; every visit records EDSS, T25FW, 9HPT and SDMT (and the
six-minute walk at MSC-NP visits). Disability is modelled as functional-system grades and an
ambulation score that stay put, step up or (rarely) step down; the clinician's EDSS is the step
computed from them, now and then half a step apart. The patients are written in bulk (many per
transaction, see :func:`_write_patients_in_bulk`) through the same validation as typed entries and
the store's own audit trail; the few visits showing the other states go through :class:`Clinic`.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import Enum
from itertools import islice, takewhile
from typing import Any

from sqlalchemy import select

from pmsdesk.domain.assessments import REGISTRY
from pmsdesk.domain.assessments.labs import LAB_KEYS
from pmsdesk.domain.audit import AuditKind
from pmsdesk.domain.fields import ADVERSE_EVENT_FIELDS
from pmsdesk.domain.functional_systems import EDSS_STEPS, FUNCTIONAL_SYSTEMS, FUNCTIONAL_SYSTEMS_BY_KEY
from pmsdesk.domain.permissions import Actor, Role
from pmsdesk.domain.procedure_safety import ANSWER_FIELDS, LabResult, parse_answers, pre_puncture_check
from pmsdesk.domain.register import dose_to_check, require_valid_check
from pmsdesk.domain.refusals import Cancelled, Refusal
from pmsdesk.domain.scoring.edss import FunctionalSystemScores, compute_edss
from pmsdesk.domain.signatures import DEFAULT_MEANING, signature_digest
from pmsdesk.domain.validation import (validate_adverse_event, validate_course, validate_dmt, validate_patient,
                                       validate_relapse, validate_visit)
from pmsdesk.domain.vocab import (
    AdverseEventTerm,
    AeOutcome,
    Agent,
    Hand,
    NotCompletedReason,
    Phenotype,
    Relatedness,
    SdmtModality,
    Sex,
    VisitKind,
    VisitStatus,
    WalkingAid,
)
from pmsdesk.services import register, safety
from pmsdesk.services.accounts import Accounts, SignInRefused
from pmsdesk.services.clinic import Clinic, VisitRecord, _amendable_values, _apply, row_values
from pmsdesk.store import audit
from pmsdesk.store.tables import (ASSESSMENT_TABLES, AdverseEvent, DmtHistory, DoseCheck, Patient, Relapse,
                                  SafetyCheck, TreatmentCourse, UserAccount, Visit, utcnow)

DEFAULT_SEED = 20261122
# Whoever asks for it, the demo clinic is written by this system actor (the audit trail says so).
DEMO_ACTOR = Actor.system("demo clinic")
DEMO_SETTING = "demo_clinic"  # "true" in a database holding the demo clinic

# Sign-in accounts of the demo clinic, one per role. The password is public on purpose: the demo
# holds fictional patients only, and a real clinic's database never gets these accounts.
DEMO_PASSWORD = "demo-clinic"
DEMO_ACCOUNTS = (
    ("demo-nurse", "Demo Nurse (fictional)", Role.NURSE),
    ("demo-neurologist", "Demo Neurologist (fictional)", Role.NEUROLOGIST),
    ("demo-admin", "Demo Administrator (fictional)", Role.ADMINISTRATOR),
)
DEMO_NEUROLOGIST = "demo-neurologist"  # signs the demo's older visits
DEMO_SIGN_IN_HINT = (
    "Demo clinic (fictional patients): sign in as " + ", ".join(name for name, _, _ in DEMO_ACCOUNTS)
    + f" with the password \u201c{DEMO_PASSWORD}\u201d."
)


def create_demo_accounts(database) -> bool:
    """Give a database with no user accounts yet the demo accounts; False when it already had accounts."""
    accounts = Accounts(database, actor=Actor.system("demo clinic"))
    if not accounts.needs_first_administrator():
        return False
    for username, full_name, role in DEMO_ACCOUNTS:
        accounts.create_user(username, full_name, role, DEMO_PASSWORD)
    return True
IDENTIFIER_PREFIX = "DEMO-"

FAMILY_NAMES = (
    "Samplewood", "Placeholm", "Examplar", "Testerly", "Mockridge", "Pretendorf", "Imaginaro",
    "Fictora", "Dummington", "Specimenz", "Trialsworth", "Synthetica", "Unrealton", "Inventeau",
    "Madeupson", "Notreal", "Fabulon", "Hypothetti", "Protoype", "Simulanti",
)
GIVEN_NAMES = {
    Sex.FEMALE: ("Ada", "Bea", "Cleo", "Dora", "Edda", "Fay", "Greta", "Hedy", "Ines", "Juno", "Kira", "Lena"),
    Sex.MALE: ("Abel", "Bram", "Cyrus", "Dov", "Emil", "Felix", "Gideon", "Hugo", "Ivo", "Jonas", "Kai", "Leon"),
}
# The demo's bench staff: accounts nobody can sign in to (a random password nobody is told), on the
# intrathecal register (pmsdesk.domain.register) so that each demo dose has its second-person check.
STAFF = (("demo-ada.placeholder", "Dr. Ada Placeholder (fictional)"),
         ("demo-ben.examplewood", "Dr. Ben Examplewood (fictional)"),
         ("demo-cleo.mockford", "Dr. Cleo Mockford (fictional)"))
REGISTER_YEARS = 8  # the staff's entries start this long before today (before any demo visit)
# Dr. Mockford's and demo-nurse's "check" entries expired this long ago: the register shows an expired
# entry, and asking either of them to check a dose now shows the refusal.
EXPIRED_CHECK_DAYS = 40
EXPIRED_CHECKER = "demo-cleo.mockford"
PATIENT_NOTE = "Fictional demo patient, generated by pmsdesk demo; not a real person."

ATRAUMATIC_NEEDLE = ("atraumatic", "22G")
QUINCKE_NEEDLE = ("cutting", "20G")
SDMT_FORMS = ("A", "B")  # alternate forms, used in turn


class DatabaseNotEmpty(Refusal, ValueError):
    """The demo clinic was asked to fill a database that already holds patients."""


@dataclass(frozen=True)
class DemoSummary:
    patients: int
    courses: int
    visits: int
    adverse_events: int
    signed: int = 0  # visits signed by the demo neurologist (the amended one among them)
    amended: int = 0  # signed visits changed afterwards, with a reason
    voided: int = 0  # visits deleted with a reason (kept, hidden)


# Every state a visit can be in is in the demo, so a newcomer sees each: visits older than this are
# signed, one signed visit was amended with a reason, one visit entered twice was voided.
SIGNED_BEFORE_DAYS = 30
AMENDMENT = ("Telephone follow-up: mild headache the day after the puncture, settled with rest.",
             "Telephone follow-up after signing")
VOID_REASON = "Entered twice: the same visit was recorded again by mistake."


def fill_demo_clinic(
    clinic: Clinic,
    *,
    patients: int = 30,
    seed: int = DEFAULT_SEED,
    today: dt.date | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] = lambda: False,
    allow_existing: bool = False,
) -> DemoSummary:
    """Write ``patients`` fictional patients, their courses, visits and history, and mark the
    database as a demo. All of it is one transaction: on any error nothing is written.

    ``today`` (default: the clinic's today) anchors every date; it must not be after the clinic's
    today, which validation uses. The patients are written :data:`BULK_PATIENTS` at a time (see
    :func:`_write_patients_in_bulk`); ``progress(done, total)`` is called after each batch;
    ``cancelled()`` is asked before each batch, and True rolls everything back (:class:`Cancelled`). A database
    that already has patients is refused unless ``allow_existing``; the new identifiers then skip
    the ``DEMO-`` numbers already taken.

    Visits older than a month are signed by the demo neurologist's account (with the demo password)
    when the database has it; one signed visit is then amended with a reason and signed again, and
    one visit entered twice is voided with a reason, all through the clinic's own rules. Without the
    demo neurologist the visits stay unsigned (the voided one is still there). Which visits is seeded too.
    """
    if patients < 1:
        raise ValueError(f"the demo clinic needs at least one patient, not {patients}")
    planner = _PatientPlanner(random.Random(seed), today or clinic.today())
    totals: Counter[str] = Counter()
    with clinic.db.batch() as database:
        batch = Clinic(database, actor=DEMO_ACTOR, today=clinic.today)
        existing = batch.patient_count()
        if existing and not allow_existing:
            raise DatabaseNotEmpty(
                f"this database already holds {existing} patient{'s' if existing > 1 else ''}; "
                "the demo clinic only fills an empty database, so choose a new one"
            )
        written: list[int] = []
        _register_demo_staff(database, planner.today)
        signer = _demo_signer(database)
        signing = _Signing(signer, planner.today - dt.timedelta(days=SIGNED_BEFORE_DAYS), []) if signer else None
        identifiers = _free_identifiers(batch, patients)
        for start in range(0, patients, BULK_PATIENTS):
            if cancelled():
                raise Cancelled("demo clinic cancelled; nothing was written")
            plans = [planner.plan(clinic_id) for clinic_id in identifiers[start:start + BULK_PATIENTS]]
            ids, counts = _write_patients_in_bulk(
                database, plans, planner.today, signing, start,
                lambda done: progress(start + done, patients) if progress is not None else None)
            written += ids
            totals += counts
        states = _every_state(batch, signer, written, random.Random(seed + 1), planner.today, cancelled,
                              signing.signed if signing else [])
        batch.set_setting(DEMO_SETTING, "true")
    return DemoSummary(patients, totals["courses"], totals["visits"], totals["adverse_events"],
                       states["signed"], states["amended"], states["voided"])


def _demo_signer(database) -> Actor | None:
    """The demo neurologist, signed in with the demo password to sign the demo's visits (a signature
    needs its signer's password); None when the database has no such account or its password changed."""
    if not any(user.username == DEMO_NEUROLOGIST and user.active
               for user in Accounts(database, actor=DEMO_ACTOR).users()):
        return None
    try:
        return Accounts(database).sign_in(DEMO_NEUROLOGIST, DEMO_PASSWORD)
    except SignInRefused:
        return None


def _every_state(clinic: Clinic, signer: Actor | None, patient_ids: list[int], rng: random.Random,
                 today: dt.date, cancelled: Callable[[], bool], signed_in_bulk: list[int]) -> Counter[str]:
    """Sign the older visits of the first patients (the others' were signed by the bulk path, whose ids
    are ``signed_in_bulk``), amend one signed visit and void one visit entered twice (see fill_demo_clinic)."""
    counts: Counter[str] = Counter()
    before = today - dt.timedelta(days=SIGNED_BEFORE_DAYS)
    # One visit entered twice, voided: a copy of a patient's latest visit, deleted with its reason.
    twice = clinic.visit_records(rng.choice(patient_ids))[-1]
    again = {"second_check": {"checked_by": twice.dose_check.checked_by}} if twice.dose_check is not None else {}
    copy = clinic.create_visit(twice.visit.patient_id, {**twice.form_values(), **again,
                                                        "notes": "Entered twice by mistake."})
    clinic.delete_visit(copy.visit.id, copy.visit.version, VOID_REASON)
    counts["voided"] += 1
    _safety_states(clinic, signer, patient_ids, today)
    if signer is None:
        return counts
    neurologist = Clinic(clinic.db, actor=signer, today=clinic.today)
    _neurotoxicity_cleared(clinic, neurologist, patient_ids[:CHANGED_LATER], today)
    if cancelled():
        raise Cancelled("demo clinic cancelled; nothing was written")
    outcome = neurologist.sign_visits([(visit.id, visit.version) for patient_id in patient_ids[:CHANGED_LATER]
                                       for visit in neurologist.visits(patient_id) if visit.visit_date < before],
                                      password=DEMO_PASSWORD)
    signed = [visit.id for visit in outcome.signed] + signed_in_bulk
    counts["signed"] = len(signed)
    if signed:
        record = neurologist.visit_record(rng.choice(signed))
        note, reason = AMENDMENT
        earlier = record.visit.notes
        amended = neurologist.update_visit(record.visit.id, record.visit.version,
                                           {**record.form_values(), "notes": f"{earlier} {note}" if earlier else note},
                                           amendment_reason=reason)
        neurologist.sign_visit(amended.visit.id, amended.visit.version, password=DEMO_PASSWORD)  # signed anew
        counts["amended"] = 1
    return counts


# ----- the register and the second-person check (services.register) ------------------------------
def _register_demo_staff(database, today: dt.date) -> None:
    """The bench staff's accounts and register entries (and the demo accounts', when the database has
    them: demo-neurologist may prescribe, check and administer; demo-nurse administers, and her entry
    to check expired, so asking her to check shows the refusal)."""
    import secrets

    from pmsdesk.services.register import Register

    accounts = Accounts(database, actor=DEMO_ACTOR)
    existing = {user.username for user in accounts.users()}
    for username, full_name in STAFF:
        if username not in existing:
            accounts.create_user(username, full_name, Role.NEUROLOGIST, secrets.token_urlsafe(24))
    register = Register(database, DEMO_ACTOR, today=lambda: today)
    registered = {(line.entry.username, line.entry.task.value) for line in register.lines()}
    start = today - dt.timedelta(days=365 * REGISTER_YEARS)
    until = today + dt.timedelta(days=300)
    entries = [(username, task, until) for username, _ in STAFF for task in ("prescribe", "check", "administer")
               if (username, task) != (EXPIRED_CHECKER, "check")]
    entries.append((EXPIRED_CHECKER, "check", today - dt.timedelta(days=EXPIRED_CHECK_DAYS)))
    entries += [("demo-neurologist", task, until) for task in ("prescribe", "check", "administer")]
    entries += [("demo-nurse", "administer", until), ("demo-nurse", "check", today - dt.timedelta(days=EXPIRED_CHECK_DAYS))]
    people = {username: user_id for user_id, username, _ in register.people()}
    for username, task, expires in entries:
        if username in people and (username, task) not in registered:
            register.add(people[username], task, start, expires)


def _second_check(date: dt.date, number: int, regimen: "_Regimen", clinic_id: str, today: dt.date) -> dict[str, Any]:
    """Who gave the dose and who checked it (two different staff registered on that day, chosen without
    a random draw so the rest of the demo stays as seeded), when, and a cell product's lot."""
    performer = STAFF[number % len(STAFF)][0]
    lapsed = date > today - dt.timedelta(days=EXPIRED_CHECK_DAYS)
    checker = next(name for name, _ in (STAFF[(number + step) % len(STAFF)] for step in (1, 2))
                   if not (lapsed and name == EXPIRED_CHECKER))
    checked_at = dt.datetime.combine(date, dt.time(9, 30), dt.UTC)
    lot = {"dose_batch": f"MSCNP-{clinic_id}-{number:02d}"} if regimen.agent is Agent.MSC_NP else {}
    return {"performed_by": performer, "assisted_by": checker, "puncture_time": "09:40",
            "second_check": {"checked_by": checker, "checked_at": checked_at}, **lot}


# ----- the pre-puncture safety check (services.safety): every demo treatment passes it --------------
def _passed_safety_check(date: dt.date, number: int) -> dict[str, Any]:
    """A blood count two days before the puncture and a check that passes (no random draw, so the
    rest of the demo clinic stays as seeded)."""
    return {"labs.sampled_on": date - dt.timedelta(days=2), "labs.platelets": 180 + (number * 37) % 150,
            "labs.wbc": round(5.2 + (number % 4) / 2, 1), "labs.lymphocytes": round(1.1 + (number % 3) / 5, 2),
            "labs.alt": 18 + number % 9,
            "labs.creatinine": 70 + number % 15,
            **{f"safety_check.{name}": value for name, value in (
                ("antithrombotic", "none"), ("pregnancy_possible", False), ("active_infection", False),
                ("methotrexate_allergy", False), ("methotrexate_neurotoxicity", False))}}


def _latest_treatment(clinic: Clinic, patient_id: int):
    treatments = [r for r in clinic.visit_records(patient_id) if r.visit.kind == VisitKind.TREATMENT.value]
    return treatments[-1] if treatments else None


def _safety_states(clinic: Clinic, signer: Actor | None, patient_ids: list[int], today: dt.date) -> None:
    """So a new user sees each state of the safety check: a patient on apixaban who stopped it long
    enough before the puncture (ABN 2018: 48 h), a new visit typed today for a patient who took
    clopidogrel 4 days ago (7 are needed: the dose is blocked), and a platelet count below 50 given
    anyway on a neurologist's override with its reason. Patients due today whose latest blood count is
    older than the limit show "labs out of date" on Today."""
    held = _latest_treatment(clinic, patient_ids[0])
    if held is not None:
        clinic.update_visit(held.visit.id, held.visit.version, {
            **held.form_values(), "safety_check.antithrombotic": "apixaban", "safety_check.hours_since_last_dose": 60})
    if len(patient_ids) > 1:
        clinic.save_draft(patient_ids[1], None, {
            "visit_date": today.isoformat(), "kind": VisitKind.TREATMENT.value,
            **{key: str(value) if isinstance(value, dt.date) else value
               for key, value in _passed_safety_check(today, 1).items()},
            "safety_check.antithrombotic": "clopidogrel", "safety_check.hours_since_last_dose": "96"})
    overridden = _latest_treatment(clinic, patient_ids[2]) if signer is not None and len(patient_ids) > 2 else None
    if overridden is not None:
        Clinic(clinic.db, actor=signer, today=clinic.today).update_visit(
            overridden.visit.id, overridden.visit.version,
            {**overridden.form_values(), "labs.platelets": 45, "safety_check.antithrombotic": "none",
             "safety_override_reason": "Platelets stable at 45-50 for two years (haematology review); atraumatic "
                                       "needle, single experienced operator."})


NEUROTOXICITY_CLEARANCE = ("Transient encephalopathy after the puncture, resolved within days; examination and MRI "
                           "normal at the neurology review. Intrathecal methotrexate may continue.")


def _neurotoxicity_cleared(clinic: Clinic, neurologist: Clinic, patient_ids: list[int], today: dt.date) -> None:
    """So a new user sees the methotrexate neurotoxicity block and its clearance: the latest treatment
    of the first methotrexate patient among ``patient_ids`` reports a neurotoxicity event
    (pmsdesk.domain.adverse_events), which the neurologist then clears with a reason."""
    for patient_id in patient_ids:
        record = _latest_treatment(clinic, patient_id)
        if record is None or clinic.courses(patient_id)[0].agent != Agent.IT_METHOTREXATE.value:
            continue
        onset = record.visit.visit_date
        event = {"term": AdverseEventTerm.NEUROTOXICITY, "onset_date": onset, "ctcae_grade": 2, "serious": False,
                 "related_procedure": Relatedness.POSSIBLE, "related_drug": Relatedness.PROBABLE,
                 "outcome": AeOutcome.RECOVERED, "resolved_date": min(onset + dt.timedelta(days=6), today)}
        kept = [{"id": e.id, "version": e.version, **row_values(e, ADVERSE_EVENT_FIELDS)} for e in record.adverse_events]
        updated = clinic.update_visit(record.visit.id, record.visit.version,
                                      {**record.form_values(), "adverse_events": [*kept, event]})
        reported = next(e for e in updated.adverse_events if e.term == AdverseEventTerm.NEUROTOXICITY.value)
        neurologist.clear_neurotoxicity(reported.id, reported.version, NEUROTOXICITY_CLEARANCE)
        return


def _free_identifiers(clinic: Clinic, count: int) -> list[str]:
    taken = {summary.clinic_id for summary in clinic.find_patients(IDENTIFIER_PREFIX, include_archived=True)}
    identifiers: list[str] = []
    number = 0
    while len(identifiers) < count:
        number += 1
        identifier = f"{IDENTIFIER_PREFIX}{number:03d}"
        if identifier not in taken:
            identifiers.append(identifier)
    return identifiers


@dataclass(frozen=True)
class _PatientPlan:
    """One fictional patient as raw form values, ready for the clinic."""

    patient: dict[str, Any]
    course: dict[str, Any]
    visits: list[dict[str, Any]]
    relapses: list[dict[str, Any]]
    therapies: list[dict[str, Any]]


# ----- treatment regimens ----------------------------------------------------------------------
@dataclass(frozen=True)
class _Regimen:
    agent: Agent
    dose: float
    dose_unit: str
    interval_weeks: tuple[int, int]
    protocol_id: str
    doses: int | None = None  # a fixed number of doses; None = given until stopped
    ongoing_share: float = 0.7  # share of courses still running today


ITMTX_REGIMENS = (
    _Regimen(Agent.IT_METHOTREXATE, 12.5, "mg", (8, 11), "DEMO-ITMTX-8-11W"),
    _Regimen(Agent.IT_METHOTREXATE, 12.5, "mg", (8, 12), "DEMO-ITMTX-8-12W"),
    _Regimen(Agent.IT_METHOTREXATE, 12.5, "mg", (12, 12), "DEMO-ITMTX-QUARTERLY"),
)
MSC_NP_REGIMEN = _Regimen(Agent.MSC_NP, 10, "million cells", (8, 9), "DEMO-MSCNP-6X2M", doses=6, ongoing_share=0.3)
MSC_NP_SHARE = 0.25


# ----- disability ------------------------------------------------------------------------------
# Ambulation scores a worsening patient passes through, each a real change in walking: unrestricted,
# >= 500 m, 300-499 m, 200-299 m, 100-199 m, one aid >= 50 m, two aids >= 120 m, two aids < 120 m,
# wheelchair. From 2 on they set the EDSS step (4.5 upwards); at 0 and 1 the FS grades set it.
AMBULATION_LADDER = (0, 1, 2, 3, 4, 6, 7, 9, 10)
STARTING_RUNG_WEIGHTS = (1, 2, 3, 3, 3, 5, 3, 2, 0)  # nobody starts in a wheelchair
WALKING_AID_BY_AMBULATION = {6: WalkingAid.UNILATERAL, 7: WalkingAid.BILATERAL, 9: WalkingAid.BILATERAL}
CANNOT_WALK_AMBULATION = 10  # cannot walk 5 m even with aid: no T25FW, no six-minute walk
# Typical T25FW seconds by ambulation score, before the patient's own factor.
T25FW_SECONDS_BY_AMBULATION = {0: 4.6, 1: 5.2, 2: 6.0, 3: 6.8, 4: 7.8, 6: 11.0, 7: 13.5, 9: 22.0}
T25FW_DISTANCE_M = 7.62


@dataclass
class _Disability:
    """A patient's functional-system grades and place on the ambulation ladder at one time."""

    grades: dict[str, int]
    rung: int

    @property
    def ambulation(self) -> int:
        return AMBULATION_LADDER[self.rung]

    def edss(self) -> float:
        return compute_edss(FunctionalSystemScores(**self.grades, ambulation=self.ambulation)).step

    def raise_grade(self, key: str, at_least: int) -> None:
        self.grades[key] = min(max(self.grades[key], at_least), FUNCTIONAL_SYSTEMS_BY_KEY[key].max_grade)

    def worsen(self, rng: random.Random) -> None:
        """Walking declines a rung (walking-range patients always do), or one FS worsens a grade."""
        if self.ambulation >= 3 or rng.random() < 0.5:
            self.rung = min(self.rung + 1, len(AMBULATION_LADDER) - 1)
            self.raise_grade("pyramidal", 4 if self.ambulation >= 7 else 3 if self.ambulation >= 3 else 2)
        else:
            key = rng.choice(("pyramidal", "cerebellar", "sensory", "bowel_bladder"))
            self.raise_grade(key, self.grades[key] + 1)

    def improve(self) -> None:
        """Walking recovers a rung, or, when it is unrestricted, sensory signs ease a grade."""
        if self.rung > 0:
            self.rung -= 1
        else:
            self.grades["sensory"] = max(self.grades["sensory"] - 1, 0)


class _Trajectory(Enum):
    """How a patient fares over the course, with the yearly drift of the timed tests."""

    STABLE = "stable", 0.0, 0.0, 0.0
    WORSENING = "worsening", 0.07, 0.04, -1.5
    IMPROVING = "improving", -0.03, -0.02, 1.0

    def __init__(self, _name: str, walk_per_year: float, pegs_per_year: float, sdmt_per_year: float):
        self.walk_per_year = walk_per_year  # relative change of the T25FW time
        self.pegs_per_year = pegs_per_year  # relative change of the 9HPT times
        self.sdmt_per_year = sdmt_per_year  # SDMT points


TRAJECTORY_WEIGHTS = {_Trajectory.STABLE: 45, _Trajectory.WORSENING: 40, _Trajectory.IMPROVING: 15}


# ----- adverse events after a lumbar puncture --------------------------------------------------
@dataclass(frozen=True)
class _Reaction:
    grade2_share: float
    related_procedure: tuple[Relatedness, ...]  # the nurse's answers, picked in pairs with related_drug
    related_drug: tuple[Relatedness, ...]
    onset_days: tuple[int, int]  # after the visit
    lasting_days: tuple[int, int]


REACTIONS = {
    AdverseEventTerm.POST_LP_HEADACHE: _Reaction(0.35, (Relatedness.PROBABLE, Relatedness.DEFINITE),
                                                 (Relatedness.UNLIKELY, Relatedness.POSSIBLE), (0, 2), (2, 7)),
    AdverseEventTerm.BACK_PAIN: _Reaction(0.1, (Relatedness.POSSIBLE, Relatedness.PROBABLE),
                                          (Relatedness.UNLIKELY, Relatedness.UNLIKELY), (0, 1), (1, 5)),
    AdverseEventTerm.FATIGUE: _Reaction(0.1, (Relatedness.UNLIKELY, Relatedness.POSSIBLE),
                                        (Relatedness.POSSIBLE, Relatedness.PROBABLE), (0, 2), (2, 10)),
    AdverseEventTerm.NAUSEA_VOMITING: _Reaction(0.0, (Relatedness.POSSIBLE, Relatedness.PROBABLE),
                                                (Relatedness.POSSIBLE, Relatedness.POSSIBLE), (0, 1), (1, 2)),
}


# ----- past disease-modifying therapy ----------------------------------------------------------
FIRST_LINE_THERAPIES = (("Interferon beta-1a", 1996), ("Interferon beta-1b", 1993), ("Glatiramer acetate", 1996))
SECOND_LINE_THERAPIES = (("Fingolimod", 2010), ("Natalizumab", 2006), ("Siponimod", 2019))
OCRELIZUMAB_AVAILABLE = dt.date(2017, 6, 1)
STOP_REASONS = ("Stopped: disease progression", "Stopped: side effects", "Stopped: patient's choice")
RELAPSE_NOTES = ("Sensory relapse, recovered", "Optic neuritis, treated with IV methylprednisolone",
                 "Brainstem relapse, partial recovery")


def _years(years: float) -> dt.timedelta:
    return dt.timedelta(days=round(years * 365.25))


def _weekday_on_or_before(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=max(day.weekday() - 4, 0))


def _seconds(value: float, limit: float) -> float:
    """A stopwatch time as written down: tenths of a second, at most the test's limit."""
    return min(round(value, 1), limit)


class _PatientPlanner:
    """Invents one patient after another from one random stream."""

    def __init__(self, rng: random.Random, today: dt.date):
        self.rng = rng
        self.today = today
        self.names_used: set[tuple[str, str]] = set()
        self.planned = 0

    def plan(self, clinic_id: str) -> _PatientPlan:
        rng = self.rng
        self.planned += 1
        regimen = MSC_NP_REGIMEN if rng.random() < MSC_NP_SHARE else rng.choice(ITMTX_REGIMENS)
        treatments, follow_up, course_ended = self._schedule(regimen)
        baseline = treatments[0] - dt.timedelta(weeks=rng.randint(1, 4))
        patient = self._patient(clinic_id, baseline)
        dates = [baseline, *treatments, *([follow_up] if follow_up else [])]
        course = {
            "agent": regimen.agent, "planned_dose": regimen.dose, "dose_unit": regimen.dose_unit,
            "interval_weeks_min": regimen.interval_weeks[0], "interval_weeks_max": regimen.interval_weeks[1],
            "start_date": treatments[0], "end_date": treatments[-1] if course_ended else None,
            "protocol_id": regimen.protocol_id, "notes": "Fictional demo course.",
        }
        visits = self._visits(patient, regimen, dates, len(treatments))
        return _PatientPlan(patient, course, visits, self._relapses(patient), self._therapies(patient, baseline))

    # ----- when -------------------------------------------------------------------------------
    def _schedule(self, regimen: _Regimen) -> tuple[list[dt.date], dt.date | None, bool]:
        """Treatment dates (oldest first), an MSC-NP follow-up date if due, and whether the course ended."""
        rng = self.rng
        ongoing = rng.random() < regimen.ongoing_share
        days_since_last = rng.randint(0, 7 * regimen.interval_weeks[1] - 1) if ongoing else rng.randint(30, 540)
        if self.planned == 1:  # whatever the draws, the first patient was treated lately: a visit awaits signature
            ongoing, days_since_last = True, days_since_last % 14
        last = _weekday_on_or_before(self.today - dt.timedelta(days=days_since_last))
        backwards = self._every_few_weeks_back(last, *regimen.interval_weeks)
        if regimen.doses is None:
            first_allowed = last - _years(1 + 5 * rng.random() ** 2)  # 1-6 years, mostly the shorter courses
            dates = list(takewhile(lambda day: day >= first_allowed, backwards))
        else:
            dates = list(islice(backwards, rng.randint(2, regimen.doses - 1) if ongoing else regimen.doses))
        dates.reverse()
        follow_up = None
        if regimen.doses is not None and not ongoing:
            due = dates[-1] + dt.timedelta(weeks=rng.randint(24, 28))
            follow_up = due if due <= self.today else None
        return dates, follow_up, not ongoing

    def _every_few_weeks_back(self, last: dt.date, low_weeks: int, high_weeks: int) -> Iterator[dt.date]:
        """``last`` and the dates before it, whole weeks apart so that the clinic keeps its weekday."""
        day = last
        while True:
            yield day
            day -= dt.timedelta(weeks=self.rng.randint(low_weeks, high_weeks))

    # ----- who --------------------------------------------------------------------------------
    def _patient(self, clinic_id: str, baseline: dt.date) -> dict[str, Any]:
        rng = self.rng
        phenotype = Phenotype.SPMS if rng.random() < 0.6 else Phenotype.PPMS
        female_share = 0.65 if phenotype is Phenotype.SPMS else 0.5
        sex = Sex.FEMALE if rng.random() < female_share else Sex.MALE
        if phenotype is Phenotype.SPMS:
            disease_years, onset_age, diagnosis_delay = rng.uniform(10, 25), rng.uniform(20, 38), rng.uniform(0.3, 4)
        else:
            disease_years, onset_age, diagnosis_delay = rng.uniform(3, 15), rng.uniform(33, 52), rng.uniform(1, 2.5)
        onset = baseline - _years(disease_years)
        family_name, given_names = self._name(sex)
        return {
            "clinic_id": clinic_id,
            "family_name": family_name,
            "given_names": given_names,
            "birth_date": onset - _years(onset_age),
            "sex": sex,
            "phenotype": phenotype,
            "onset_year": onset.year,
            "diagnosis_date": onset + _years(diagnosis_delay),
            "dominant_hand": Hand.LEFT if rng.random() < 0.1 else Hand.RIGHT,
            "education_years": rng.randint(9, 20),
            "notes": PATIENT_NOTE,
        }

    def _name(self, sex: Sex) -> tuple[str, str]:
        """A made-up name not used yet in this demo; a few tries, as large demos run out of them."""
        for _ in range(20):
            name = (self.rng.choice(FAMILY_NAMES), self.rng.choice(GIVEN_NAMES[sex]))
            if name not in self.names_used:
                break
        self.names_used.add(name)
        return name

    def _relapses(self, patient: dict[str, Any]) -> list[dict[str, Any]]:
        if patient["phenotype"] is not Phenotype.SPMS or self.rng.random() >= 0.3:
            return []
        span = (self.today - patient["diagnosis_date"]).days
        onset = patient["diagnosis_date"] + dt.timedelta(days=self.rng.randint(0, span))
        return [{"onset_date": onset, "notes": self.rng.choice(RELAPSE_NOTES)}]

    def _therapies(self, patient: dict[str, Any], baseline: dt.date) -> list[dict[str, Any]]:
        """Past disease-modifying therapy, all stopped before the intrathecal course began, except
        ocrelizumab, which some PPMS patients continue."""
        rng = self.rng
        diagnosis = patient["diagnosis_date"]
        if patient["phenotype"] is Phenotype.PPMS:
            start = max(diagnosis, OCRELIZUMAB_AVAILABLE) + dt.timedelta(days=rng.randint(30, 365))
            if start >= baseline or rng.random() < 0.5:
                return []
            continued = rng.random() < 0.3
            stop = None if continued else min(start + dt.timedelta(days=rng.randint(180, 1500)), baseline)
            return [self._therapy("Ocrelizumab", start, stop)]
        if rng.random() < 0.15:
            return []
        therapies = []
        start = diagnosis + dt.timedelta(days=rng.randint(30, 365))
        for line in (FIRST_LINE_THERAPIES, SECOND_LINE_THERAPIES):
            available = [name for name, year in line if year <= start.year]
            stop = min(start + _years(rng.uniform(1, 8)), baseline - dt.timedelta(days=60))
            if not available or stop <= start:
                break
            therapies.append(self._therapy(rng.choice(available), start, stop))
            if rng.random() < 0.5:
                break
            start = stop + dt.timedelta(days=rng.randint(30, 300))
        return therapies

    def _therapy(self, agent: str, start: dt.date, stop: dt.date | None) -> dict[str, Any]:
        return {"agent": agent, "start_date": start, "stop_date": stop,
                "notes": self.rng.choice(STOP_REASONS) if stop else "Continuing"}

    # ----- what happened at each visit --------------------------------------------------------
    def _visits(self, patient: dict[str, Any], regimen: _Regimen, dates: list[dt.date],
                treatments: int) -> list[dict[str, Any]]:
        rng = self.rng
        trajectory = rng.choices(list(TRAJECTORY_WEIGHTS), weights=list(TRAJECTORY_WEIGHTS.values()))[0]
        disability = self._starting_disability()
        changes = self._change_visits(trajectory, dates)
        tests = _TestPerformance(rng, trajectory, disability, patient["education_years"],
                                 with_six_minute_walk=regimen.agent is Agent.MSC_NP)
        visits = []
        for index, date in enumerate(dates):
            if index in changes:
                if trajectory is _Trajectory.IMPROVING:
                    disability.improve()
                else:
                    disability.worsen(rng)
            years = (date - dates[0]).days / 365.25
            visit = {"visit_date": date, **self._edss(disability), **tests.values(disability, years, index)}
            if index == 0:
                visit["kind"] = VisitKind.BASELINE
            elif index <= treatments:
                visit.update(self._treatment(regimen, date, index, patient["clinic_id"]))
            else:
                visit["kind"] = VisitKind.FOLLOW_UP
            visits.append(visit)
        return visits

    def _starting_disability(self) -> _Disability:
        rng = self.rng
        rung = rng.choices(range(len(AMBULATION_LADDER)), weights=STARTING_RUNG_WEIGHTS)[0]
        walking_limited = AMBULATION_LADDER[rung] >= 3
        uses_aid = AMBULATION_LADDER[rung] >= 6
        grades = {
            "visual": rng.choices((0, 1, 2), weights=(5, 3, 1))[0],
            "brainstem": rng.choices((0, 1, 2), weights=(4, 4, 2))[0],
            "pyramidal": rng.randint(3, 4) if uses_aid else 3 if walking_limited else rng.randint(2, 3),
            "cerebellar": rng.randint(2, 3) if uses_aid else rng.randint(1, 3),
            "sensory": rng.randint(1, 3),
            "bowel_bladder": rng.randint(2, 4) if uses_aid else rng.randint(1, 3),
            "cerebral": rng.choices((0, 1, 2), weights=(3, 4, 2))[0],
        }
        return _Disability(grades, rung)

    def _change_visits(self, trajectory: _Trajectory, dates: list[dt.date]) -> set[int]:
        """Indices of the visits at which disability has changed (never baseline or the first treatment)."""
        later = range(2, len(dates))
        if trajectory is _Trajectory.STABLE:
            return set()
        if trajectory is _Trajectory.IMPROVING:
            return {self.rng.choice(later[: max(1, len(later) // 2)])}
        years = (dates[-1] - dates[0]).days / 365.25
        count = min(max(1, round(years * self.rng.uniform(0.4, 0.9))), len(later))
        return set(self.rng.sample(later, count))

    def _edss(self, disability: _Disability) -> dict[str, Any]:
        """The examination: FS grades and ambulation, and the clinician's step, which now and then
        differs from the computed one by half a step."""
        step = disability.edss()
        neighbours = [s for s in EDSS_STEPS if abs(s - step) == 0.5]
        if neighbours and self.rng.random() < 0.08:
            step = self.rng.choice(neighbours)
        return {
            "edss.edss": step,
            **{f"edss.{fs.field}": disability.grades[fs.key] for fs in FUNCTIONAL_SYSTEMS},
            "edss.ambulation": disability.ambulation,
        }

    def _treatment(self, regimen: _Regimen, date: dt.date, number: int, clinic_id: str) -> dict[str, Any]:
        rng = self.rng
        needle = rng.choices((ATRAUMATIC_NEEDLE, QUINCKE_NEEDLE), weights=(3, 1))[0]
        attempts = rng.choices((1, 2, 3), weights=(80, 15, 5))[0]
        rng.choice(STAFF)  # the draw that once named the performer, kept so the rest stays as seeded
        return {
            "kind": VisitKind.TREATMENT,
            "treatment_number": number,
            "dose_given": regimen.dose,
            "dose_unit": regimen.dose_unit,
            "lp_level": rng.choices(("L3-L4", "L4-L5"), weights=(65, 35))[0],
            "lp_needle_type": needle[0],
            "lp_needle_gauge": needle[1],
            "lp_position": "lateral_decubitus" if number % 4 else "sitting",
            "lp_levels_tried": 1 if attempts < 3 else 2,
            "lp_result": "successful",
            "csf_appearance": "clear",
            "lp_attempts": attempts,
            "csf_removed_ml": rng.randint(10, 20) / 2,
            "discharge_time": "11:10",
            "observation_notes": "Observed lying down for one hour; pulse and blood pressure normal, no headache.",
            **_second_check(date, number, regimen, clinic_id, self.today),
            **_passed_safety_check(date, number),
            "adverse_events": self._adverse_events(regimen, date, needle, attempts),
        }

    def _adverse_events(self, regimen: _Regimen, date: dt.date, needle: str, attempts: int) -> list[dict[str, Any]]:
        """Reactions after this lumbar puncture; a cutting (Quincke) needle triples the headache risk."""
        risks = {
            AdverseEventTerm.POST_LP_HEADACHE: 0.25 if needle == QUINCKE_NEEDLE else 0.08,
            AdverseEventTerm.BACK_PAIN: 0.05 + 0.08 * (attempts - 1),
            AdverseEventTerm.FATIGUE: 0.04,
            AdverseEventTerm.NAUSEA_VOMITING: 0.05 if regimen.agent is Agent.IT_METHOTREXATE else 0.02,
        }
        return [self._adverse_event(term, date) for term, risk in risks.items() if self.rng.random() < risk]

    def _adverse_event(self, term: AdverseEventTerm, visit_date: dt.date) -> dict[str, Any]:
        rng = self.rng
        reaction = REACTIONS[term]
        onset = min(visit_date + dt.timedelta(days=rng.randint(*reaction.onset_days)), self.today)
        resolved = onset + dt.timedelta(days=rng.randint(*reaction.lasting_days))
        recovered = resolved <= self.today
        grade = 2 if rng.random() < reaction.grade2_share else 1
        pick = rng.randrange(len(reaction.related_procedure))  # one draw, as a single answer took
        return {
            "term": term,
            "onset_date": onset,
            "ctcae_grade": grade,
            "serious": False,
            "related_procedure": reaction.related_procedure[pick],
            "related_drug": reaction.related_drug[pick],
            "outcome": AeOutcome.RECOVERED if recovered else AeOutcome.RECOVERING,
            "resolved_date": resolved if recovered else None,
        }


class _TestPerformance:
    """One patient's timed tests and SDMT: personal levels, following disability and the trajectory."""

    def __init__(self, rng: random.Random, trajectory: _Trajectory, disability: _Disability,
                 education_years: int, *, with_six_minute_walk: bool):
        self.rng = rng
        self.trajectory = trajectory
        self.with_six_minute_walk = with_six_minute_walk
        self.walk_factor = rng.uniform(0.85, 1.2)
        self.six_minute_pace = rng.uniform(0.62, 0.75)  # six-minute walking speed / T25FW speed
        self.peg_factor = rng.uniform(0.9, 1.15)
        self.nondominant_ratio = rng.uniform(1.04, 1.15)
        self.sdmt_level = (52 - 3 * disability.grades["cerebral"] + (education_years - 13)
                           + rng.gauss(0, 6))

    def _trials(self, mean: float, limit: float) -> tuple[float, float]:
        first = mean * self.rng.gauss(1, 0.05)
        return _seconds(first, limit), _seconds(first * self.rng.uniform(0.92, 1.04), limit)

    def values(self, disability: _Disability, years: float, visit_index: int) -> dict[str, Any]:
        rng, trajectory = self.rng, self.trajectory
        values: dict[str, Any] = {}
        ambulation = disability.ambulation
        if ambulation >= CANNOT_WALK_AMBULATION or (ambulation == 9 and rng.random() < 0.25):
            values["t25fw.not_completed"] = NotCompletedReason.PHYSICAL_MS
        else:
            walk = T25FW_SECONDS_BY_AMBULATION[ambulation] * self.walk_factor * (1 + trajectory.walk_per_year * years)
            values["t25fw.trial1_s"], values["t25fw.trial2_s"] = self._trials(walk, 180)
            values["t25fw.walking_aid"] = WALKING_AID_BY_AMBULATION.get(ambulation, WalkingAid.NONE)
            if self.with_six_minute_walk:
                metres_per_second = T25FW_DISTANCE_M / walk * self.six_minute_pace * rng.uniform(0.97, 1.03)
                values["six_minute_walk.distance_m"] = float(round(360 * metres_per_second))

        grades = disability.grades
        pegs = ((18 + 2 * grades["cerebellar"] + 1.5 * max(grades["pyramidal"] - 2, 0))
                * self.peg_factor * (1 + trajectory.pegs_per_year * years))
        values["nhpt.dominant_trial1_s"], values["nhpt.dominant_trial2_s"] = self._trials(pegs, 300)
        values["nhpt.nondominant_trial1_s"], values["nhpt.nondominant_trial2_s"] = self._trials(
            pegs * self.nondominant_ratio, 300)

        sdmt = self.sdmt_level + trajectory.sdmt_per_year * years + rng.gauss(0, 2.5)
        values["sdmt.score"] = min(max(round(sdmt), 0), 110)
        values["sdmt.modality"] = SdmtModality.ORAL
        values["sdmt.form"] = SDMT_FORMS[visit_index % len(SDMT_FORMS)]
        return values


# ----- the bulk path: many patients per transaction --------------------------------------------
# A large demo (issue 20: 10,000 patients, 220,000 visits) cannot afford one service call, with its
# queries and its own transaction, per row. The rows are built here from the same plans, validated by
# the same domain rules (pmsdesk.domain.validation) the services apply, and added to one session per
# batch of patients: the store's audit hooks note every inserted and updated row at each flush and
# append them to the chain at the batch's commit, exactly as for a save through the services.
BULK_PATIENTS = 200  # patients per session: ~4,400 visits, a few tens of MB of ORM objects
# The first patients' visits are changed by _every_state through the services, then signed there.
CHANGED_LATER = 3


@dataclass
class _Signing:
    """Who signs the demo's older visits in the bulk path, and which visits they signed."""

    signer: Actor
    before: dt.date
    signed: list[int]


def _write_patients_in_bulk(database, plans: list[_PatientPlan], today: dt.date, signing: _Signing | None,
                            first_index: int, added: Callable[[int], None]) -> tuple[list[int], Counter[str]]:
    """Write ``plans`` (patients ``first_index``... of the demo) in one session; their ids and counts.
    ``added(n)`` is called once the first n patients' rows are all in the session."""
    totals: Counter[str] = Counter()
    with database.acting_as(DEMO_ACTOR).transaction() as session:  # audited as the demo, like its service calls
        patients = []
        for plan in plans:
            patient = Patient()
            _apply(patient, validate_patient(plan.patient, today=today))
            patients.append(patient)
        session.add_all(patients)
        session.flush()  # the patients' ids, for their rows
        courses = []
        for patient, plan in zip(patients, plans):
            course = TreatmentCourse(patient_id=patient.id)
            _apply(course, validate_course(plan.course, birth_date=patient.birth_date))
            courses.append(course)
            for table, validate, rows in ((Relapse, validate_relapse, plan.relapses),
                                          (DmtHistory, validate_dmt, plan.therapies)):
                for raw in rows:
                    row = table(patient_id=patient.id)
                    _apply(row, validate(raw, birth_date=patient.birth_date, today=today))
                    session.add(row)
        session.add_all(courses)
        session.flush()
        visits = []  # (visit, its clean values, its events' clean values, raw) of every plan
        for done, (patient, course, plan) in enumerate(zip(patients, courses, plans), start=1):
            if done > 1:
                added(done - 1)
            for raw in plan.visits:
                values = validate_visit(raw, birth_date=patient.birth_date, today=today)
                events = [validate_adverse_event(event, birth_date=patient.birth_date, today=today)
                          for event in raw.get("adverse_events", ())]
                visit = Visit(patient_id=patient.id, course_id=course.id)
                _apply(visit, values.visit)
                visits.append((patient, course, visit, values, events, raw))
        session.add_all(visit for _, _, visit, *_ in visits)
        session.flush()
        limits = safety.thresholds(session)
        register_entries = register.entries(session)
        names = {user.username: user.full_name for user in session.scalars(select(UserAccount))}
        records = []
        for patient, course, visit, values, events, raw in visits:
            assessments = {}
            for section, table in ASSESSMENT_TABLES.items():
                section_values = values.assessments[section]
                if section_values is None:
                    assessments[section] = None
                    continue
                row = assessments[section] = table(visit_id=visit.id)
                _apply(row, section_values)
                derive = REGISTRY.get(section).derive
                if derive is not None:
                    _apply(row, derive(section_values, {"dominant_hand": patient.dominant_hand}))
                session.add(row)
            adverse_events = []
            for event_values in events:
                event = AdverseEvent(patient_id=patient.id, visit_id=visit.id)
                _apply(event, event_values)
                adverse_events.append(event)
            session.add_all(adverse_events)
            checks = _treatment_checks(visit, course, values, raw, limits, register_entries, names)
            session.add_all(check for check in checks if check is not None)
            records.append(_visit_record(visit, assessments, adverse_events, *checks))
        session.flush()
        added(len(plans))
    if signing is not None:
        _sign_in_bulk(database, signing, records, {patient.id for patient in patients[max(CHANGED_LATER - first_index, 0):]})
    totals.update(courses=len(courses), visits=len(visits), adverse_events=sum(len(v[4]) for v in visits))
    return [patient.id for patient in patients], totals


def _visit_record(visit, assessments, adverse_events, safety_check, dose_check):
    # as Clinic.visit_record reads them: the events by onset, then id
    events = sorted(adverse_events, key=lambda event: (event.onset_date, event.id))
    return VisitRecord(visit, assessments, events, safety_check, dose_check=dose_check)


def _treatment_checks(visit, course, values, raw, limits, register_entries, names):
    """A treatment visit's pre-puncture safety check and second-person check of its dose, as
    services.safety and services.register keep them for a system actor (a check sent is kept, and
    held to the register's rules); (None, None) for another visit."""
    if visit.kind != VisitKind.TREATMENT.value:
        return None, None
    labs_entered = values.assessments["labs"] or {}
    # The demo samples every treatment's blood two days before it: the visit's own labs are its latest.
    labs = {key: LabResult(float(labs_entered[key]), labs_entered["sampled_on"])
            for key in LAB_KEYS if labs_entered.get(key) is not None}
    answers = parse_answers({key.split(".", 1)[1]: value for key, value in raw.items()
                             if key.startswith("safety_check.")})
    result = pre_puncture_check(answers, labs, agent=course.agent, visit_date=visit.visit_date, thresholds=limits)
    safety_check = SafetyCheck(visit_id=visit.id)
    for answer in ANSWER_FIELDS:
        value = getattr(answers, answer.name)
        setattr(safety_check, answer.name, value.value if hasattr(value, "value") else value)
    safety_check.result, safety_check.findings = result.outcome.value, result.explain()
    given = raw["second_check"]
    needed = dose_to_check(course.agent, visit.dose_given, visit.dose_unit, visit.dose_batch)
    administrator = (visit.performed_by, names.get(visit.performed_by) or visit.performed_by)
    checker = (given["checked_by"], names.get(given["checked_by"]) or given["checked_by"])
    require_valid_check(register_entries, needed, needed, administrator=administrator, checker=checker,
                        day=visit.visit_date)
    dose_check = DoseCheck(visit_id=visit.id, administered_by=administrator[0], administered_name=administrator[1],
                           checked_by=checker[0], checked_name=checker[1], checked_at=given["checked_at"],
                           agent=needed.agent, dose=needed.dose, dose_unit=needed.unit, route=needed.route,
                           lot=needed.lot, patient_identity=needed.patient_identity)
    return safety_check, dose_check


def _sign_in_bulk(database, signing: _Signing, records, patient_ids: set[int]) -> None:
    """Sign the visits older than ``signing.before`` of ``patient_ids`` as Clinic.sign_visits does, in
    one transaction of the signer's (the password was checked once, when the signer signed in): the
    visit's signature fields (an audited update) and the sign-off event with the digest of its content."""
    to_sign = [record for record in records
               if record.visit.patient_id in patient_ids and record.visit.visit_date < signing.before]
    with database.acting_as(signing.signer).transaction() as session:
        session.add_all(record.visit for record in to_sign)
        _sign_records(session, signing, to_sign)


def _sign_records(session, signing: _Signing, records) -> None:
    signer = session.get(UserAccount, signing.signer.user_id)
    signed_name = signer.full_name or signer.username
    signed_at = utcnow().replace(microsecond=0)
    meaning = DEFAULT_MEANING.value
    events = []
    for record in records:
        visit = record.visit
        visit.status, visit.signed_by, visit.signed_at = VisitStatus.SIGNED.value, signer.id, signed_at
        visit.signed_name, visit.signature_meaning = signed_name, meaning
        content = {**_amendable_values(record), "course_id": visit.course_id}
        visit.signature_digest = signature_digest(visit.id, visit.patient_id, content, signer_id=signer.id,
                                                  signed_name=signed_name, signed_at=signed_at, meaning=meaning)
        events.append(visit)
        signing.signed.append(visit.id)
    session.flush()  # the visits' update entries, then each sign-off after it, as a signature is noted
    for visit in events:
        audit.record_event(session, AuditKind.SIGN, patient_id=visit.patient_id, visit_id=visit.id,
                           table_name="visit", row_key=str(visit.id),
                           details={"meaning": meaning, "signed_name": visit.signed_name,
                                    "digest": visit.signature_digest})
