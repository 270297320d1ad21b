"""The clinic's use cases: find, create and change patients, courses, visits and their history.

Every method owns its transaction and returns read models (frozen views of the stored rows, see
:mod:`pmsdesk.services.views`) or plain objects, never a row or a live session. Every write validates with the domain rules first and refuses a stale save: the caller
passes the ``version`` it started editing from, and a row changed since then is not overwritten.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import socket
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar, TypeVar

from sqlalchemy import and_, func, or_, select
from sqlalchemy import text as sql_text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, aliased
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import SQLModel

from pmsdesk.domain.adverse_events import NeurotoxicityEvent
from pmsdesk.domain.assessments import EDSS, REGISTRY, Measure, Reading
from pmsdesk.domain.audit import AuditKind
from pmsdesk.domain.fields import ADVERSE_EVENT_FIELDS, Field
from pmsdesk.domain.moments import as_utc, local_time
from pmsdesk.domain.naming import family_name_shown, patient_display_name
from pmsdesk.domain.permissions import SYSTEM_ACTOR, Action, Actor, PermissionDenied
from pmsdesk.domain.refusals import Refusal
from pmsdesk.domain.schedule import DueStatus, TreatmentWindow, next_treatment_window
from pmsdesk.domain.signatures import DEFAULT_MEANING, SignatureMeaning, signature_digest
from pmsdesk.domain.treatment_slots import RecordedTreatment, check_slot
from pmsdesk.domain.validation import (
    Problem,
    ValidationFailed,
    validate_adverse_event,
    validate_course,
    validate_dmt,
    validate_patient,
    validate_relapse,
    validate_visit,
)
from pmsdesk.domain.vocab import OPEN_AE_OUTCOMES, Choice, VisitKind, VisitStatus
from pmsdesk.domain.procedure_record import ADDED_IN_0010
from pmsdesk.services import neurotoxicity, register, safety
from pmsdesk.services import overview as _overview  # noqa: F401 - keeps the overview's rows true at every commit
from pmsdesk.services.audit_trail import AuditEntry, read_entries
from pmsdesk.services.offline_drafts import OfflineDrafts, lost_connection
from pmsdesk.services.review import AwaitingSignature, history_lines, visit_kind_label, visit_summary, visit_warnings
from pmsdesk.services.views import row_view, visit_view
from pmsdesk.store import audit
from pmsdesk.store.batches import batches, scalars_in
from pmsdesk.store.database import Database
from pmsdesk.store.tables import (
    ASSESSMENT_TABLES,
    AdverseEvent,
    AuditEvent,
    DmtHistory,
    DoseCheck,
    EdssAssessment,
    Patient,
    Relapse,
    SafetyCheck,
    Setting,
    TreatmentCourse,
    UserAccount,
    Visit,
    VisitAssessment,
    VisitDraft,
    utcnow,
)

Row = TypeVar("Row")


class NotFound(Refusal, LookupError):
    """A record asked for that does not exist (any more); ``str()`` says which."""


class StaleRecord(Refusal, RuntimeError):
    """A save refused because the record changed after it was opened."""

    def __init__(self, what: str):
        super().__init__(
            f"This {what} was changed by someone else (on this or another workstation) after you opened it. "
            "Your entries are still on the screen and were not saved; note them, reload the "
            f"{what} to see the other changes, then enter yours again."
        )


class ServerUnreachable(Refusal, ConnectionError):
    """The clinic's database server could not be reached; nothing was written."""

    def __init__(self):
        super().__init__(
            "The clinic's database cannot be reached (the network or the server is down), so nothing was saved. "
            "What you typed stays on the screen and is kept as a draft on this computer; save again when the "
            "connection is back.")


class DraftKept(Choice):
    """Where a draft write put the typing."""

    IN_DATABASE = "database", "Kept in the clinic's database"
    ON_THIS_COMPUTER = "this computer", "Kept on this computer until the clinic's database can be reached"


def _stored(value: Any) -> Any:
    return value.value if isinstance(value, Choice) else value


def _apply(row: Any, values: Mapping[str, Any]) -> None:
    columns = row.__table__.c
    for name, value in values.items():
        if value is None and not columns[name].nullable:  # a flag left blank: its default, an unticked box
            value = columns[name].default.arg
        setattr(row, name, _stored(value))


def row_values(row: Any, fields: Sequence[Field], prefix: str = "") -> dict[str, Any]:
    """A row's values keyed like the entry forms (``prefix + field name``)."""
    return {prefix + f.name: getattr(row, f.name) for f in fields}


@dataclass(frozen=True)
class PatientSummary:
    id: int
    clinic_id: str
    family_name: str
    given_names: str
    birth_date: dt.date
    phenotype: str
    archived: bool
    visit_count: int
    last_visit_date: dt.date | None

    @property
    def display_name(self) -> str:
        return patient_display_name(self.family_name, self.given_names)


@dataclass
class VisitRecord:
    """A visit with its assessments (None where not recorded) and the adverse events reported at it."""

    visit: Visit
    assessments: dict[str, VisitAssessment | None]
    adverse_events: list[AdverseEvent] = field(default_factory=list)
    safety_check: SafetyCheck | None = None  # the pre-puncture check of a treatment visit (services.safety)
    dose_check: DoseCheck | None = None  # the second-person check of its dose (services.register)

    def form_values(self) -> dict[str, Any]:
        from pmsdesk.domain.fields import VISIT_FIELDS

        values = row_values(self.visit, VISIT_FIELDS)
        for name in ADDED_IN_0010:  # left out while blank: a visit signed before 0010 keeps its digest
            if values[name] is None:
                del values[name]
        for assessment in REGISTRY:
            row = self.assessments.get(assessment.key)
            if row is not None:
                values.update(row_values(row, assessment.fields, assessment.prefix))
        values.update(safety.stored_answers(self.safety_check))
        return values

    def assessment_values(self, key: str) -> dict[str, Any] | None:
        """The stored values of assessment ``key`` (its fields and what it derived), None if not recorded."""
        row = self.assessments.get(key)
        if row is None:
            return None
        return {name: getattr(row, name) for name in REGISTRY.get(key).stored_names()}

    def reading(self, measure: Measure) -> Reading | None:
        """Measure ``measure`` as recorded at this visit; None when it was not recorded."""
        values = self.assessment_values(measure.assessment)
        return None if values is None else measure.read(values)

    def formatted(self, measure: Measure) -> str:
        """The measure as the registry prints it ('' not recorded, "not done", or the value)."""
        return measure.format_reading(self.reading(measure))


@dataclass(frozen=True)
class DueTreatment:
    """A patient whose next treatment of an active course is due soon, due or overdue."""

    patient: PatientSummary
    course: TreatmentCourse
    window: TreatmentWindow
    status: DueStatus
    last_treatment: dt.date | None
    treatments_done: int
    labs: str = ""  # "labs missing" or "labs out of date (...)": what the safety check will lack; "" when fine


class DayState(Choice):
    """Where a visit on today's list stands, as the list shows it (worked out, never stored)."""

    UNSAVED = "unsaved", "Unsaved"  # a new visit typed, never saved
    CHANGES_NOT_SAVED = "changes_not_saved", "Saved, changes not saved"  # typed since its last save
    # A stored visit's own states, worded as everywhere else.
    AWAITING_SIGNATURE = "awaiting_signature", VisitStatus.DRAFT.label
    SIGNED = "signed", VisitStatus.SIGNED.label


@dataclass(frozen=True)
class StartedVisit:
    """A visit recorded on the day, or a new visit typed but not saved yet (``visit`` None);
    ``draft_updated`` is when typing not saved yet was last kept (a new visit's, or a saved one's)."""

    patient: PatientSummary
    visit: Visit | None
    draft_updated: dt.datetime | None = None

    @property
    def state(self) -> DayState:
        if self.visit is None:
            return DayState.UNSAVED
        if self.draft_updated is not None:
            return DayState.CHANGES_NOT_SAVED
        return DayState.SIGNED if self.visit.status == VisitStatus.SIGNED else DayState.AWAITING_SIGNATURE


@dataclass(frozen=True)
class SigningOutcome:
    """A batch signed with one entry of the password: the visits signed (read models, in the order
    asked) and, by visit id, the refusal of each one not signed."""

    signed: list[Visit]
    refusals: dict[int, Refusal]


@dataclass(frozen=True)
class SignatureProblem:
    """A visit whose signature does not hold, and why (for ``pmsdesk audit verify``)."""

    visit_id: int
    patient_id: int
    reason: str
    signer: str = ""  # the printed name the visit carries, if any

    def describe(self) -> str:
        by = f", signed by {self.signer}" if self.signer else ""
        return f"visit {self.visit_id} (patient {self.patient_id}{by}): signature does not hold: {self.reason}"


@dataclass(frozen=True)
class DraftHolder:
    """Who is typing into a visit's draft, where, since when, and when they last typed."""

    username: str
    full_name: str
    workstation: str
    since: dt.datetime
    last_typed: dt.datetime

    def describe(self) -> str:
        return (f"{self.full_name} is editing this visit on {self.workstation} since {local_time(self.since)} "
                f"(last typed {local_time(self.last_typed)})")


def _holder(draft: VisitDraft) -> DraftHolder | None:
    if draft.holder_name is None:
        return None
    return DraftHolder(draft.holder_name, draft.holder_full_name or draft.holder_name, draft.workstation or "",
                       draft.held_since or draft.created_at, draft.updated_at)


class DraftHeld(Refusal):
    """Typing into a draft another person (or workstation) holds, without taking it over."""

    def __init__(self, holder: DraftHolder):
        self.holder = holder
        super().__init__(f"{holder.describe()}. Your typing was not kept: take the draft over to continue "
                         "it here (their typing so far comes with it), or leave the visit to them.")


class _NothingChanged(Exception):
    """Raised inside a visit's save that changes nothing, to roll its transaction back."""


def recorded_treatment(visit: Visit) -> RecordedTreatment:
    """A stored treatment visit as the slot rule names it."""
    return RecordedTreatment(visit.visit_date, visit.treatment_number,
                             f"visit {visit.id}, {VisitStatus(visit.status).label.lower()}")


def _amendable_values(record: VisitRecord) -> dict[str, Any]:
    """What an amendment may change, keyed like the visit form: its fields and its adverse events."""
    values = {key: _stored(value) for key, value in record.form_values().items()}
    values["adverse_events"] = [_event_values(event) for event in record.adverse_events]
    return values


RELATEDNESS_SINCE_0009 = ("related_procedure", "related_drug")


def _event_values(event: AdverseEvent) -> dict[str, Any]:
    """An adverse event's values as a signature binds them. Until either answer of 0009 is given, the
    event is bound as before 0009 (its single earlier answer, without the two new ones), so a visit
    signed before the upgrade keeps its signature."""
    values = row_values(event, ADVERSE_EVENT_FIELDS)
    if all(values[name] is None for name in RELATEDNESS_SINCE_0009):
        for name in RELATEDNESS_SINCE_0009:
            del values[name]
        values["relatedness"] = event.relatedness
    return values


def _prefixed(problems: list[Problem], prefix: str) -> list[Problem]:
    return [Problem(prefix + p.field, p.message) for p in problems]


def _required_reason(raw: Any, field_name: str, label: str) -> str:
    """A reason typed by a person: required, at most 500 characters."""
    text = raw.strip() if isinstance(raw, str) else ""
    if not text:
        raise ValidationFailed([Problem(field_name, f"{label}: required; say in a few words why.")])
    if len(text) > 500:
        raise ValidationFailed([Problem(field_name, f"{label}: use at most 500 characters.")])
    return text



def _frozen(value: Any) -> Any:
    """``value`` with every stored row in it replaced by its frozen view (pmsdesk.services.views)."""
    if isinstance(value, VisitRecord):
        return visit_view(value)
    if isinstance(value, list):
        return [_frozen(item) for item in value]
    if isinstance(value, dict):
        return {key: _frozen(item) for key, item in value.items()}
    if isinstance(value, DueTreatment):
        return replace(value, course=row_view(value.course))
    if isinstance(value, StartedVisit):
        return replace(value, visit=row_view(value.visit))
    if isinstance(value, SQLModel):
        return row_view(value)
    return value


def read_model(method: Callable) -> Callable:
    """A Clinic method whose result reaches its caller as read models, never as stored rows: a screen
    cannot change, save or lazily load what it was given, only hand its version back with a save."""
    @functools.wraps(method)
    def reading(self, *args, **kwargs):
        return _frozen(method(self, *args, **kwargs))

    return reading


class Clinic:
    """The clinic's use cases, done by ``actor``: the signed-in user, or a named system actor
    (command line, demo clinic, tests; the default). Every write checks the actor's permission and
    is written to the audit trail under the actor's name."""

    def __init__(self, db: Database, *, actor: Actor = SYSTEM_ACTOR,
                 today: Callable[[], dt.date] = dt.date.today, workstation: str | None = None):
        self.actor = actor
        self.db = db.acting_as(actor)
        self.today = today
        # Named beside a draft being typed here, so another workstation sees where it is held.
        self.workstation = workstation or socket.gethostname() or "this workstation"
        self.offline_drafts = OfflineDrafts(db.location)

    def change_actor(self, actor: Actor) -> None:
        """From now on done by ``actor``: a shared workstation changing hands (someone else signed in at
        the screen lock). Every screen holding this clinic then reads, writes and is audited as them."""
        self.actor = actor
        self.db = self.db.acting_as(actor)

    @property
    def location(self) -> str:
        """Where the clinic's database is (a file path, or a URL without its password), for the screens."""
        return self.db.location

    def intrathecal_register(self) -> register.Register:
        """The intrathecal register of this clinic's database, acting as this clinic's actor."""
        return register.Register(self.db, self.actor, today=self.today)

    def accounts(self):
        """The user-account service of this clinic's database, acting as this clinic's actor."""
        from pmsdesk.services.accounts import Accounts

        return Accounts(self.db, self.actor)

    # ----- helpers ---------------------------------------------------------------------------
    @staticmethod
    def _get(session: Session, table: type[Row], row_id: int, what: str) -> Row:
        row = session.get(table, row_id)
        if row is None:
            raise NotFound(f"{what} {row_id} does not exist (it may have been removed)")
        return row

    def _for_update(self, session: Session, table: type[Row], row_id: int, expected_version: int, what: str) -> Row:
        row = self._get(session, table, row_id, what)
        if row.version != expected_version:
            raise StaleRecord(what)
        return row

    def _write(self, what: str, work: Callable[[Session], Row]) -> Row:
        """Run ``work`` in one transaction; a concurrent update surfaces as :class:`StaleRecord`."""
        self.actor.require(Action.RECORD)
        try:
            with self.db.transaction() as session:
                return work(session)
        except StaleDataError:
            raise StaleRecord(what) from None
        except DBAPIError as error:
            if lost_connection(error):
                raise ServerUnreachable() from None
            raise

    def _birth_date(self, session: Session, patient_id: int) -> dt.date:
        return self._get(session, Patient, patient_id, "patient").birth_date

    # ----- patients --------------------------------------------------------------------------
    @staticmethod
    def _patients_matching(text: str, include_archived: bool):
        """Patients whose name or clinic identifier contains every word of ``text`` in any case (lower()
        is Python's on SQLite, see pmsdesk.store.database, so "ÖZTÜRK" finds Öztürk; ``%`` and ``_`` are
        letters here): a condition on the patient table alone, which a search scans (30,000 patients in
        about 20 ms)."""
        query = select(Patient)
        if not include_archived:
            query = query.where(Patient.archived.is_(False))
        # One folded text per patient (a word has no space, so it cannot match across two of its parts):
        # one lower() a row instead of three.
        searched = func.lower(Patient.family_name + " " + Patient.given_names + " " + Patient.clinic_id)
        for word in text.split():
            pattern = "%" + word.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            query = query.where(searched.like(pattern, escape="\\"))
        return query

    # The patient list's order. Not served by an index: an index on lower() would hold Python's folding on
    # SQLite, which any other program writing the file (the sqlite3 shell) would maintain with SQLite's own.
    _NAME_ORDER = (func.lower(Patient.family_name), func.lower(Patient.given_names), Patient.id)

    def find_patients(self, text: str = "", *, include_archived: bool = False, offset: int = 0,
                      limit: int | None = None) -> list[PatientSummary]:
        """Patients whose name or clinic identifier contains every word of ``text``, by name; ``limit``
        rows from ``offset`` for a list that shows a page at a time. Visit counts and last visit dates
        are read for the rows returned only (one index lookup each), so a page costs the same whatever
        the clinic's size."""
        return self._patient_page(text, include_archived, offset, limit)[0]

    def search_patients(self, text: str = "", *, include_archived: bool = False,
                        limit: int = 200) -> tuple[list[PatientSummary], int]:
        """The first ``limit`` patients :meth:`find_patients` finds and how many it finds in all (a keystroke
        in the search box): a search counts its matches in the scan that finds them; the whole list is
        counted apart, without folding every name (35 ms and 30 ms at 30,000 patients)."""
        if not text.split():
            return (self._patient_page(text, include_archived, 0, limit)[0],
                    self.count_patients(text, include_archived=include_archived))
        return self._patient_page(text, include_archived, 0, limit, with_total=True)

    def _patient_page(self, text: str, include_archived: bool, offset: int, limit: int | None,
                      with_total: bool = False) -> tuple[list[PatientSummary], int]:
        page = self._patients_matching(text, include_archived).order_by(*self._NAME_ORDER)
        if with_total:
            page = page.add_columns(func.count().over().label("matching"))
        if limit is not None:
            page = page.limit(limit).offset(offset)
        shown = page.subquery()
        query, patient = self._with_visit_counts(shown)
        if with_total:
            query = query.add_columns(shown.c.matching)
        query = query.order_by(func.lower(patient.family_name), func.lower(patient.given_names), patient.id)
        with self.db.reading() as session:
            rows = session.execute(query).all()
        found = [self._summary(row[0], row[1], row[2]) for row in rows]
        return found, (rows[0][3] if rows and with_total else len(found))

    @staticmethod
    def _with_visit_counts(shown):
        """The patients of the subquery ``shown``, each with its visit count and last visit date (one
        index lookup each), and the patient entity to order them by."""
        patient = aliased(Patient, shown)
        of_patient = Visit.patient_id == patient.id
        return select(patient, select(func.count(Visit.id)).where(of_patient).scalar_subquery(),
                      select(func.max(Visit.visit_date)).where(of_patient).scalar_subquery()), patient

    @staticmethod
    def _summary(p: Patient, visit_count: int | None = 0, last_visit: dt.date | None = None) -> PatientSummary:
        return PatientSummary(p.id, p.clinic_id, p.family_name, p.given_names, p.birth_date, p.phenotype,
                              p.archived, visit_count or 0, last_visit)

    def patient_summary(self, patient_id: int) -> PatientSummary:
        """One patient's line of the patient list (after a save changed its visit count or last visit)."""
        found = self.patient_summaries([patient_id])
        if not found:
            raise NotFound(f"patient {patient_id} not found")
        return found[0]

    def patient_summaries(self, patient_ids: Sequence[int]) -> list[PatientSummary]:
        """The :class:`PatientSummary` of each of ``patient_ids`` that exists, in the order given."""
        with self.db.reading() as session:
            found = self._summaries_of(session, patient_ids)
        return [found[patient_id] for patient_id in patient_ids if patient_id in found]

    def active_patient_ids(self) -> list[int]:
        """Every patient not archived, in the patient list's order (one sort, for a screen that then
        reads them a page at a time by id, instead of sorting the clinic again for every page)."""
        query = self._patients_matching("", False).with_only_columns(Patient.id).order_by(*self._NAME_ORDER)
        with self.db.reading() as session:
            return list(session.scalars(query))

    def count_patients(self, text: str = "", *, include_archived: bool = False) -> int:
        """How many patients :meth:`find_patients` would return."""
        query = self._patients_matching(text, include_archived).with_only_columns(func.count(Patient.id))
        with self.db.reading() as session:
            return session.scalar(query)

    @read_model
    def patient(self, patient_id: int) -> Patient:
        with self.db.reading() as session:
            return self._get(session, Patient, patient_id, "patient")

    def patient_count(self) -> int:
        """Every patient, archived ones included."""
        return self.count_patients(include_archived=True)

    def _check_clinic_id_free(self, session: Session, clinic_id: str, patient_id: int | None) -> None:
        other = session.scalar(select(Patient).where(Patient.clinic_id == clinic_id))
        if other is not None and other.id != patient_id:
            raise ValidationFailed([Problem(
                "clinic_id",
                f"Clinic identifier: \u201c{clinic_id}\u201d is already used by {family_name_shown(other.family_name)}, "
                f"{other.given_names}; enter a different identifier.",
            )])

    @read_model
    def create_patient(self, raw: Mapping[str, Any]) -> Patient:
        values = validate_patient(raw, today=self.today())

        def work(session: Session) -> Patient:
            self._check_clinic_id_free(session, values["clinic_id"], None)
            patient = Patient()
            _apply(patient, values)
            session.add(patient)
            session.flush()
            return patient

        try:
            return self._write("patient", work)
        except IntegrityError:  # another workstation took the identifier in the meantime
            with self.db.reading() as session:
                self._check_clinic_id_free(session, values["clinic_id"], None)
            raise

    @read_model
    def update_patient(self, patient_id: int, expected_version: int, raw: Mapping[str, Any]) -> Patient:
        values = validate_patient(raw, today=self.today())

        def work(session: Session) -> Patient:
            patient = self._for_update(session, Patient, patient_id, expected_version, "patient")
            self._check_clinic_id_free(session, values["clinic_id"], patient_id)
            _apply(patient, values)
            return patient

        return self._write("patient", work)

    @read_model
    def set_archived(self, patient_id: int, expected_version: int, archived: bool) -> Patient:
        def work(session: Session) -> Patient:
            patient = self._for_update(session, Patient, patient_id, expected_version, "patient")
            patient.archived = archived
            return patient

        return self._write("patient", work)

    # ----- treatment courses -----------------------------------------------------------------
    @read_model
    def courses(self, patient_id: int) -> list[TreatmentCourse]:
        with self.db.reading() as session:
            query = select(TreatmentCourse).where(TreatmentCourse.patient_id == patient_id)
            return list(session.scalars(query.order_by(TreatmentCourse.start_date, TreatmentCourse.id)))

    @read_model
    def create_course(self, patient_id: int, raw: Mapping[str, Any]) -> TreatmentCourse:
        def work(session: Session) -> TreatmentCourse:
            values = validate_course(raw, birth_date=self._birth_date(session, patient_id))
            course = TreatmentCourse(patient_id=patient_id)
            _apply(course, values)
            session.add(course)
            session.flush()
            return course

        return self._write("treatment course", work)

    @read_model
    def update_course(self, course_id: int, expected_version: int, raw: Mapping[str, Any]) -> TreatmentCourse:
        def work(session: Session) -> TreatmentCourse:
            course = self._for_update(session, TreatmentCourse, course_id, expected_version, "treatment course")
            values = validate_course(raw, birth_date=self._birth_date(session, course.patient_id))
            _apply(course, values)
            return course

        return self._write("treatment course", work)

    # ----- visits ----------------------------------------------------------------------------
    @read_model
    def visits(self, patient_id: int) -> list[Visit]:
        with self.db.reading() as session:
            query = select(Visit).where(Visit.patient_id == patient_id).order_by(Visit.visit_date, Visit.id)
            return list(session.scalars(query))

    def _visit_record(self, session: Session, visit: Visit) -> VisitRecord:
        assessments = {
            section: session.scalar(select(table).where(table.visit_id == visit.id))
            for section, table in ASSESSMENT_TABLES.items()
        }
        events = session.scalars(
            select(AdverseEvent).where(AdverseEvent.visit_id == visit.id).order_by(AdverseEvent.onset_date, AdverseEvent.id)
        )
        return VisitRecord(visit, assessments, list(events), safety.check_of(session, visit.id),
                           dose_check=register.check_of(session, visit.id))

    @read_model
    def visit_records(self, patient_id: int, *, include_voided: bool = False) -> list[VisitRecord]:
        """All of a patient's visits with their assessments and adverse events, in date order
        (one query per table, not per visit). ``include_voided`` adds the deleted (voided) visits,
        each with ``visit.deleted_at`` and ``visit.deleted_reason`` set and its assessments, for a
        list that shows them marked; their adverse events, deleted with them, stay out."""
        with self.db.reading() as session:
            query = select(Visit).where(Visit.patient_id == patient_id).order_by(Visit.visit_date, Visit.id)
            if include_voided:
                query = query.execution_options(**{audit.INCLUDE_DELETED: True})
            visits = list(session.scalars(query))
            return self._records_of(session, visits)

    @read_model
    def visit_records_by_patient(self, patient_ids: Sequence[int]) -> dict[int, list[VisitRecord]]:
        """``visit_records`` of many patients at once (one query per table, not per patient)."""
        with self.db.reading() as session:
            visits = list(scalars_in(session, select(Visit).order_by(Visit.visit_date, Visit.id), Visit.patient_id,
                                     patient_ids))
            by_patient: dict[int, list[VisitRecord]] = {patient_id: [] for patient_id in patient_ids}
            for record in self._records_of(session, visits):
                by_patient[record.visit.patient_id].append(record)
            return by_patient

    @read_model
    def relapses_by_patient(self, patient_ids: Sequence[int]) -> dict[int, list[Relapse]]:
        with self.db.reading() as session:
            query = select(Relapse).order_by(Relapse.onset_date)
            by_patient: dict[int, list[Relapse]] = {patient_id: [] for patient_id in patient_ids}
            for relapse in scalars_in(session, query, Relapse.patient_id, patient_ids):
                by_patient[relapse.patient_id].append(relapse)
            return by_patient

    @staticmethod
    def _records_of(session: Session, visits: list[Visit]) -> list[VisitRecord]:
        ids = [visit.id for visit in visits]
        by_section = {
            section: {row.visit_id: row for row in scalars_in(session, select(table), table.visit_id, ids)}
            for section, table in ASSESSMENT_TABLES.items()
        }
        events: dict[int, list[AdverseEvent]] = {}
        query = select(AdverseEvent).order_by(AdverseEvent.onset_date, AdverseEvent.id)
        for event in scalars_in(session, query, AdverseEvent.visit_id, ids):
            events.setdefault(event.visit_id, []).append(event)
        checks, dose_checks = {}, {}
        for batch in batches(ids):  # the safety and dose checks read their rows with an IN list of their own
            checks.update(safety.checks_of(session, batch))
            dose_checks.update(register.checks_of(session, batch))
        return [
            VisitRecord(visit, {section: rows.get(visit.id) for section, rows in by_section.items()},
                        events.get(visit.id, []), checks.get(visit.id), dose_check=dose_checks.get(visit.id))
            for visit in visits
        ]

    @read_model
    def visit_record(self, visit_id: int) -> VisitRecord:
        with self.db.reading() as session:
            return self._visit_record(session, self._get(session, Visit, visit_id, "visit"))

    def _validated_visit(self, session: Session, patient: Patient, raw: Mapping[str, Any]):
        """Validate the visit and each adverse event in it; every problem is reported at once."""
        problems: list[Problem] = []
        today = self.today()
        try:
            values = validate_visit(raw, birth_date=patient.birth_date, today=today)
        except ValidationFailed as failed:
            problems.extend(failed.problems)
            values = None
        events = []
        for index, event in enumerate(raw.get("adverse_events", ())):
            try:
                events.append((event, validate_adverse_event(event, birth_date=patient.birth_date, today=today)))
            except ValidationFailed as failed:
                problems.extend(_prefixed(failed.problems, f"adverse_events[{index}]."))
        if problems:
            raise ValidationFailed(problems)
        return values, events

    def _store_visit(self, session: Session, visit: Visit, raw: Mapping[str, Any],
                     checker: register.Checker | None = None, imported_from: str | None = None) -> VisitRecord:
        patient = self._get(session, Patient, visit.patient_id, "patient")
        dose_before = register.dose_details(visit)
        values, events = self._validated_visit(session, patient, raw)
        self._check_edss_unchanged_unless_allowed(session, visit, values.assessments[EDSS.key])
        self._check_treatment_slot(session, visit, values.visit, raw.get("course_id", visit.course_id))
        # Review decision: an import and the system actor are exempt from the neurotoxicity, safety and dose
        # gates: an import records what happened elsewhere (the dose was given and checked there), it performs
        # no dose; the checks recorded there come with it and are kept as recorded (domain.recorded_elsewhere).
        exempt = self.actor.is_system or imported_from is not None
        if imported_from is None:
            neurotoxicity.gate(session, visit, values.visit, raw.get("course_id", visit.course_id),
                               events if "adverse_events" in raw else None)
        safety_check = safety.check_before_dose(session, self.actor, visit, values.visit, values.assessments["labs"],
                                                raw, raw.get("course_id", visit.course_id), required=not exempt,
                                                imported_from=imported_from)
        _apply(visit, values.visit)
        visit.updated_at = utcnow()  # always a change, so the visit's version moves with any part of it
        if "course_id" in raw:
            visit.course_id = raw["course_id"]
        session.add(visit)
        session.flush()
        register.gate(session, visit, dose_before, checker, visit.visit_date,  # the second-person check
                      required=not exempt)
        if imported_from is not None:
            register.keep_recorded(session, visit, raw, imported_from)
        for section, table in ASSESSMENT_TABLES.items():
            row = session.scalar(select(table).where(table.visit_id == visit.id))
            section_values = values.assessments[section]
            if section_values is None:
                if row is not None:
                    session.delete(row)
                continue
            if row is None:
                row = table(visit_id=visit.id)
                session.add(row)
            _apply(row, section_values)
            assessment = REGISTRY.get(section)
            if assessment.derive is not None:
                _apply(row, assessment.derive(section_values, {"dominant_hand": patient.dominant_hand}))
        if "adverse_events" in raw:  # a caller that does not send the list leaves the events alone
            self._store_adverse_events(session, visit, events, raw.get("removed_adverse_events") or {}, imported_from)
        safety.store(session, visit, safety_check)
        session.flush()
        return self._visit_record(session, visit)

    @staticmethod
    def _lock_treatment_slots(session: Session, raw: Mapping[str, Any], visit_id: int | None = None) -> None:
        """Take the course's write lock before anything is read, so two workstations saving a treatment
        of one course at once check its slots one after the other: a no-op UPDATE of the course row
        in plain SQL (no ORM event, no new version, nothing to audit), the first statement of the transaction (SQLite then holds the database's write lock instead of
        a read snapshot it could not upgrade; PostgreSQL holds the course's row lock)."""
        if "course_id" in raw:
            if raw["course_id"] is not None:
                session.execute(sql_text("UPDATE treatment_course SET id = id WHERE id = :course"),
                                {"course": raw["course_id"]})
        elif visit_id is not None:
            session.execute(sql_text("UPDATE treatment_course SET id = id WHERE id = "
                                 "(SELECT course_id FROM visit WHERE id = :visit)"), {"visit": visit_id})

    def _check_treatment_slot(self, session: Session, visit: Visit, entered: Mapping[str, Any],
                              course_id: int | None) -> None:
        """One treatment per slot (pmsdesk.domain.treatment_slots): refuse a treatment number or day the
        course has used, and a date sooner than the protocol's minimum interval after or before another
        of its treatments. A stored visit whose course and date stay as they were keeps its place
        whatever the interval (it may predate the rule)."""
        if entered["kind"] is not VisitKind.TREATMENT or course_id is None:
            return
        course = self._get(session, TreatmentCourse, course_id, "treatment course")
        others = session.scalars(select(Visit).where(
            Visit.course_id == course_id, Visit.kind == VisitKind.TREATMENT.value,
            *([Visit.id != visit.id] if visit.id is not None else [])))
        recorded = [recorded_treatment(other) for other in others]
        moved = visit.id is None or visit.course_id != course_id or visit.visit_date != entered["visit_date"]
        check_slot(entered["visit_date"], entered["treatment_number"], recorded,
                   course.interval_weeks_min if moved else None)

    def _slot_taken_meanwhile(self, visit_id: int | None, raw: Mapping[str, Any]) -> None:
        """After the database refused a treatment visit (another workstation took its slot at the same
        moment), the same check again on what is committed now, so the refusal names that visit."""
        with self.db.reading() as session:
            visit = self._get(session, Visit, visit_id, "visit") if visit_id is not None else None
            patient_id = visit.patient_id if visit is not None else raw["patient_id"]
            values, _events = self._validated_visit(session, self._get(session, Patient, patient_id, "patient"), raw)
            self._check_treatment_slot(session, visit or Visit(patient_id=patient_id), values.visit,
                                       raw.get("course_id", visit.course_id if visit is not None else None))

    def _check_edss_unchanged_unless_allowed(self, session: Session, visit: Visit, entered) -> None:
        """Whoever may not examine (a nurse) may save a visit whose EDSS a neurologist entered, unchanged."""
        if self.actor.may(Action.EDIT_EDSS):
            return
        stored = session.scalar(select(EdssAssessment).where(EdssAssessment.visit_id == visit.id)) if visit.id else None
        if entered != (row_values(stored, EDSS.fields) if stored is not None else None):
            raise PermissionDenied(self.actor, Action.EDIT_EDSS)

    def _store_adverse_events(self, session: Session, visit: Visit, events, removal_reasons: Mapping,
                              imported_from: str | None = None) -> None:
        """Events keep their place in the visit's list; one dropped from it is deleted (kept, hidden)
        with the reason given for it in ``removal_reasons`` (event id -> reason)."""
        existing = {e.id: e for e in session.scalars(select(AdverseEvent).where(AdverseEvent.visit_id == visit.id))}
        kept = set()
        for raw, values in events:
            event_id = raw.get("id")
            if event_id is not None:
                event = existing.get(event_id)
                if event is None:
                    raise NotFound(f"adverse event {event_id} is no longer part of this visit")
                if event.version != raw.get("version", event.version):
                    raise StaleRecord("adverse event")
                kept.add(event_id)
            else:
                event = AdverseEvent(patient_id=visit.patient_id, visit_id=visit.id)
                session.add(event)
            _apply(event, values)
            if imported_from is not None:
                neurotoxicity.keep_recorded(event, raw, imported_from)
        for event_id, event in existing.items():
            if event_id not in kept:
                reason = removal_reasons.get(event_id) or session.info.get(audit.REASON)
                self._mark_deleted(event, reason or "Removed from the visit's list of adverse events.")

    @read_model
    def create_visit(self, patient_id: int, raw: Mapping[str, Any], *, imported_from: str | None = None) -> VisitRecord:
        """A new visit. ``imported_from``: the file of an imported visit, whose dose was given and checked
        where it was recorded: no check is asked here; a second-person check signed in with it is held to
        every rule, and the checks recorded there are kept as recorded (pmsdesk.domain.recorded_elsewhere)."""
        checker = register.confirm_checker(self.actor, self.accounts(), raw, utcnow().replace(microsecond=0))

        def work(session: Session) -> VisitRecord:
            self._lock_treatment_slots(session, raw)
            self._get(session, Patient, patient_id, "patient")
            record = self._store_visit(session, Visit(patient_id=patient_id), raw, checker, imported_from)
            self._delete_draft(session, patient_id, None)
            return record

        try:
            return self._write("visit", work)
        except IntegrityError:
            self._slot_taken_meanwhile(None, {**raw, "patient_id": patient_id})
            raise

    @read_model
    def update_visit(self, visit_id: int, expected_version: int, raw: Mapping[str, Any], *,
                     amendment_reason: str | None = None) -> VisitRecord:
        """Save a visit's changes; a signed visit's changes are an amendment and need a reason.

        A save that changes nothing (every value as stored, the same course, no event added or
        removed) writes nothing: no new version, no audit entry, no amendment; the stored record comes
        back with ``version`` still ``expected_version`` (see :meth:`visit_unchanged`), and the draft
        kept for the visit is dropped, as it holds nothing new."""
        checker = register.confirm_checker(self.actor, self.accounts(), raw, utcnow().replace(microsecond=0))

        def work(session: Session) -> VisitRecord:
            self._lock_treatment_slots(session, raw, visit_id)
            visit = self._for_update(session, Visit, visit_id, expected_version, "visit")
            amending = visit.status == VisitStatus.SIGNED
            if amending:
                self.actor.require(Action.AMEND_SIGNED_VISIT)
            before = _amendable_values(self._visit_record(session, visit))
            course_before = visit.course_id
            if amending:
                session.info[audit.REASON] = _required_reason(amendment_reason, "amendment_reason",
                                                              "Reason for the amendment")
            record = self._store_visit(session, visit, raw, checker)
            if _amendable_values(record) == before and visit.course_id == course_before:
                raise _NothingChanged
            self._delete_draft(session, visit.patient_id, visit_id)
            if amending:
                after = _amendable_values(record)
                changes = {key: [before.get(key), after.get(key)] for key in sorted(set(before) | set(after))
                           if before.get(key) != after.get(key)}
                voided = self._void_signature(visit)  # the amended content needs a new signature
                session.flush()
                record = self._visit_record(session, visit)
                audit.record_event(session, AuditKind.AMEND, reason=session.info[audit.REASON],
                                   details={"changes": changes, "voided_signature": voided},
                                   patient_id=visit.patient_id, visit_id=visit.id,
                                   table_name="visit", row_key=str(visit.id))
            return record

        try:
            return self._write("visit", work)
        except _NothingChanged:  # the transaction was rolled back: nothing of it was written
            self.discard_draft(self._visit_patient(visit_id), visit_id)
            return self.visit_record(visit_id)
        except IntegrityError:
            self._slot_taken_meanwhile(visit_id, raw)
            raise

    @staticmethod
    def visit_unchanged(saved: VisitRecord, expected_version: int) -> bool:
        """True when ``update_visit`` returned ``saved`` without writing (nothing had changed)."""
        return saved.visit.version == expected_version

    def _visit_patient(self, visit_id: int) -> int:
        with self.db.reading() as session:
            return self._get(session, Visit, visit_id, "visit").patient_id

    # ----- the day list ----------------------------------------------------------------------
    @read_model
    def due_treatments(self) -> list[DueTreatment]:
        """Patients (not archived) whose active course's next treatment is due soon, due or overdue
        today, most urgent first. A course with a visit under way today is left out, as that visit is
        on the list already: one dated today, or a new one typed and not saved, of that course or of
        no course (the patient is listed once, by the visit under way).

        One grouped query gives every active course's last treatment and count (the treatment-slot
        index serves it); rows are read only for the courses and patients listed."""
        today = self.today()
        with self.db.reading() as session:
            under_way = set(session.execute(select(Visit.patient_id, Visit.course_id).where(Visit.visit_date == today)))
            for draft in session.scalars(select(VisitDraft).where(VisitDraft.visit_id.is_(None))):
                try:
                    course_id = json.loads(draft.raw).get("course_id")
                except (ValueError, AttributeError):
                    course_id = None
                under_way.add((draft.patient_id, course_id))
            treatment = and_(Visit.course_id == TreatmentCourse.id, Visit.kind == VisitKind.TREATMENT.value)
            courses = session.execute(
                select(TreatmentCourse.id, TreatmentCourse.patient_id, TreatmentCourse.start_date,
                       TreatmentCourse.interval_weeks_min, TreatmentCourse.interval_weeks_max,
                       func.max(Visit.visit_date), func.count(Visit.id))
                .join(Patient, Patient.id == TreatmentCourse.patient_id)
                .outerjoin(Visit, treatment)
                .where(Patient.archived.is_(False),
                       or_(TreatmentCourse.end_date.is_(None), TreatmentCourse.end_date >= today))
                .group_by(TreatmentCourse.id)
            )
            found = []
            for course_id, patient_id, start, weeks_min, weeks_max, last, done in courses:
                if last is not None and last >= today:
                    continue
                if {(patient_id, course_id), (patient_id, None)} & under_way:
                    continue
                window = next_treatment_window(start, last, weeks_min, weeks_max)
                status = window.status(today) if window else DueStatus.NOT_YET
                if status is not DueStatus.NOT_YET:
                    found.append((course_id, patient_id, window, status, last, done))
            course_rows = {row.id: row for row in scalars_in(session, select(TreatmentCourse), TreatmentCourse.id,
                                                             [f[0] for f in found])}
            patients = self._summaries_of(session, {f[1] for f in found})
            gaps = safety.lab_gaps(session, list(patients), today)  # one grouped query per batch
            due = [DueTreatment(patients[patient_id], course_rows[course_id], window, status, last, done,
                                labs=gaps.get(patient_id, ""))
                   for course_id, patient_id, window, status, last, done in found]
        urgency = [DueStatus.OVERDUE, DueStatus.DUE, DueStatus.DUE_SOON]
        return sorted(due, key=lambda d: (urgency.index(d.status), d.window.opens, d.patient.display_name))

    def _summaries_of(self, session: Session, patient_ids) -> dict[int, PatientSummary]:
        """The :class:`PatientSummary` of each of ``patient_ids`` (archived or not), read in batches."""
        found: dict[int, PatientSummary] = {}
        for batch in batches(sorted(patient_ids)):
            query, _patient = self._with_visit_counts(select(Patient).where(Patient.id.in_(batch)).subquery())
            found.update((p.id, self._summary(p, n, last)) for p, n, last in session.execute(query))
        return found

    @read_model
    def visits_on(self, day: dt.date) -> list[StartedVisit]:
        """Visits dated ``day``, then new visits typed but never saved (whatever their day), by name;
        a saved visit with changes typed since its save carries when they were kept (``draft_updated``),
        so its ``state`` says so."""
        with self.db.reading() as session:
            visits = list(session.scalars(select(Visit).where(Visit.visit_date == day).order_by(Visit.id)))
            pending = dict(session.execute(select(VisitDraft.visit_id, VisitDraft.updated_at)
                                           .where(VisitDraft.visit_id.is_not(None))).all())
            drafts = list(session.scalars(select(VisitDraft).where(VisitDraft.visit_id.is_(None))))
            patients = self._summaries_of(session, {v.patient_id for v in visits} | {d.patient_id for d in drafts})
            started = sorted((StartedVisit(patients[v.patient_id], v, pending.get(v.id)) for v in visits),
                             key=lambda s: s.patient.display_name)
            unsaved = sorted((StartedVisit(patients[d.patient_id], None, d.updated_at) for d in drafts),
                             key=lambda s: s.patient.display_name)
        return started + unsaved

    # ----- drafts: typed entries kept until saved or discarded --------------------------------
    @staticmethod
    def _draft_query(patient_id: int, visit_id: int | None):
        query = select(VisitDraft).where(VisitDraft.patient_id == patient_id)
        return query.where(VisitDraft.visit_id.is_(None) if visit_id is None else VisitDraft.visit_id == visit_id)

    def save_draft(self, patient_id: int, visit_id: int | None, raw: Mapping[str, Any], *,
                   take_over: bool = False) -> DraftKept:
        """Keep what was typed into a visit (``visit_id`` None: a visit not saved yet), as typed. A draft
        needs the permission its save would: recording visits, and amending for a signed visit.

        A draft belongs to whoever typed it, on their workstation: anyone else's typing is refused
        (:class:`DraftHeld`, saying who holds it since when) unless they ``take_over`` the draft,
        which makes it theirs, here.

        When the database server cannot be reached the draft is kept on this computer instead
        (:mod:`pmsdesk.services.offline_drafts`), and the next draft written to the database takes every
        draft kept here along."""
        self.actor.require(Action.RECORD)
        text = json.dumps(raw, default=lambda v: v.isoformat() if isinstance(v, dt.date) else str(v))
        try:
            for kept in list(self.offline_drafts.pending()):
                if (kept.patient_id, kept.visit_id) != (patient_id, visit_id) and kept.username == self.actor.name:
                    self._write_draft(kept.patient_id, kept.visit_id, json.dumps(kept.raw), take_over)
                    self.offline_drafts.forget(kept.patient_id, kept.visit_id)
            self._write_draft(patient_id, visit_id, text, take_over)
        except DBAPIError as error:
            if not lost_connection(error):
                raise
            self.offline_drafts.keep(patient_id, visit_id, text, self.actor.name)
            return DraftKept.ON_THIS_COMPUTER
        self.offline_drafts.forget(patient_id, visit_id)
        return DraftKept.IN_DATABASE

    def _write_draft(self, patient_id: int, visit_id: int | None, text: str, take_over: bool) -> None:
        with self.db.transaction() as session:
            self._get(session, Patient, patient_id, "patient")
            if visit_id is not None:
                visit = self._get(session, Visit, visit_id, "visit")
                if visit.patient_id != patient_id:
                    raise NotFound(f"visit {visit_id} is not a visit of patient {patient_id}")
                if visit.status == VisitStatus.SIGNED:
                    self.actor.require(Action.AMEND_SIGNED_VISIT)
            draft = session.scalar(self._draft_query(patient_id, visit_id))
            if draft is None:
                draft = VisitDraft(patient_id=patient_id, visit_id=visit_id, raw=text)
            holder = _holder(draft)
            if holder is not None and not self._holds(holder) and not take_over:
                raise DraftHeld(holder)
            if holder is None or not self._holds(holder):
                draft.holder_name, draft.holder_full_name = self.actor.name, self.actor.display_name
                draft.workstation, draft.held_since = self.workstation, utcnow()
            draft.raw = text
            draft.updated_at = utcnow()
            session.add(draft)

    def _holds(self, holder: DraftHolder) -> bool:
        return (holder.username, holder.workstation) == (self.actor.name, self.workstation)

    def draft_held_elsewhere(self, patient_id: int, visit_id: int | None) -> DraftHolder | None:
        """Who else is typing into this visit (another person, or this person on another workstation),
        since when and last when; None when the draft is nobody's or this workstation's own."""
        with self.db.reading() as session:
            draft = session.scalar(self._draft_query(patient_id, visit_id))
            holder = _holder(draft) if draft is not None else None
            return None if holder is None or self._holds(holder) else holder

    def take_over_draft(self, patient_id: int, visit_id: int | None) -> None:
        """Make the visit's draft this person's, on this workstation (its typing kept as it is); the
        one who held it is refused from then on and sees who took it."""
        kept = self.draft(patient_id, visit_id)
        if kept is not None:
            self.save_draft(patient_id, visit_id, kept[0], take_over=True)

    def draft(self, patient_id: int, visit_id: int | None) -> tuple[dict[str, Any], dt.datetime] | None:
        """The typed entries kept for a visit and when they were last typed; None when there are none.
        A draft kept on this computer while the server was unreachable counts when it is the newer."""
        kept = self.offline_drafts.get(patient_id, visit_id)
        try:
            with self.db.reading() as session:
                draft = session.scalar(self._draft_query(patient_id, visit_id))
                stored = None if draft is None else (json.loads(draft.raw), as_utc(draft.updated_at))
        except DBAPIError as error:
            if kept is None or not lost_connection(error):
                raise
            stored = None
        if kept is not None and (stored is None or kept.typed_at > stored[1]):
            return kept.raw, kept.typed_at
        return stored

    def discard_draft(self, patient_id: int, visit_id: int | None) -> None:
        with self.db.transaction() as session:
            self._delete_draft(session, patient_id, visit_id)

    def _delete_draft(self, session: Session, patient_id: int, visit_id: int | None) -> None:
        for draft in session.scalars(self._draft_query(patient_id, visit_id)):
            session.delete(draft)
        self.offline_drafts.forget(patient_id, visit_id)

    # ----- adverse events, relapses, disease-modifying therapy -------------------------------
    @read_model
    def adverse_events(self, patient_id: int) -> list[AdverseEvent]:
        with self.db.reading() as session:
            query = select(AdverseEvent).where(AdverseEvent.patient_id == patient_id)
            return list(session.scalars(query.order_by(AdverseEvent.onset_date, AdverseEvent.id)))

    def open_adverse_events(self, patient_id: int, *, other_than_visit: int | None = None) -> list[AdverseEvent]:
        """Events still ongoing or recovering, except those reported at ``other_than_visit``."""
        open_codes = [outcome.value for outcome in OPEN_AE_OUTCOMES]
        return [e for e in self.adverse_events(patient_id)
                if e.outcome in open_codes and (other_than_visit is None or e.visit_id != other_than_visit)]

    @read_model
    def relapses(self, patient_id: int) -> list[Relapse]:
        with self.db.reading() as session:
            query = select(Relapse).where(Relapse.patient_id == patient_id).order_by(Relapse.onset_date)
            return list(session.scalars(query))

    @read_model
    def dmt_history(self, patient_id: int) -> list[DmtHistory]:
        with self.db.reading() as session:
            query = select(DmtHistory).where(DmtHistory.patient_id == patient_id).order_by(DmtHistory.start_date)
            return list(session.scalars(query))

    def _save_patient_row(self, table, what: str, validate, patient_id: int, row_id: int | None,
                          expected_version: int | None, raw: Mapping[str, Any], finish=None):
        """``finish(row)``: what else is written on the row once its values are applied."""
        def work(session: Session):
            values = validate(raw, birth_date=self._birth_date(session, patient_id), today=self.today())
            if row_id is None:
                row = table(patient_id=patient_id)
                session.add(row)
            else:
                row = self._for_update(session, table, row_id, expected_version, what)
            _apply(row, values)
            if finish is not None:
                finish(row)
            session.flush()
            return row

        return self._write(what, work)

    @read_model
    def save_relapse(self, patient_id: int, raw: Mapping[str, Any], *, relapse_id: int | None = None,
                     expected_version: int | None = None) -> Relapse:
        return self._save_patient_row(Relapse, "relapse", validate_relapse, patient_id, relapse_id, expected_version, raw)

    @read_model
    def save_dmt(self, patient_id: int, raw: Mapping[str, Any], *, dmt_id: int | None = None,
                 expected_version: int | None = None) -> DmtHistory:
        return self._save_patient_row(DmtHistory, "therapy", validate_dmt, patient_id, dmt_id, expected_version, raw)

    @read_model
    def save_adverse_event(self, patient_id: int, raw: Mapping[str, Any], *, event_id: int | None = None,
                           expected_version: int | None = None, imported_from: str | None = None) -> AdverseEvent:
        """``imported_from``: the file of an imported event, whose clearance (and earlier single relatedness
        answer) are kept as recorded there."""
        def keep_clearance(event: AdverseEvent) -> None:
            neurotoxicity.keep_recorded(event, raw, imported_from)

        return self._save_patient_row(AdverseEvent, "adverse event", validate_adverse_event, patient_id, event_id,
                                      expected_version, raw, keep_clearance if imported_from is not None else None)

    # ----- methotrexate neurotoxicity (pmsdesk.services.neurotoxicity) ------------------------
    @read_model
    def clear_neurotoxicity(self, event_id: int, expected_version: int, reason: Any) -> AdverseEvent:
        """A neurologist clears a methotrexate neurotoxicity event with a reason, so intrathecal
        methotrexate may be given again; a nurse, or a clearance without a reason, is refused."""
        def work(session: Session) -> AdverseEvent:
            event = self._for_update(session, AdverseEvent, event_id, expected_version, "adverse event")
            neurotoxicity.clear(self.actor, event, reason)
            session.flush()
            return event

        return self._write("adverse event", work)

    def methotrexate_block(self, patient_id: int, agent: str | None, day: dt.date,
                           visit_id: int | None = None) -> NeurotoxicityEvent | None:
        """The neurotoxicity event that blocks an intrathecal methotrexate dose on ``day``, if any."""
        with self.db.reading() as session:
            return neurotoxicity.blocking(session, patient_id, agent, day, visit_id)

    # ----- the pre-puncture safety check (pmsdesk.services.safety) ----------------------------
    def safety_check_preview(self, patient_id: int, visit_id: int | None, raw: Mapping[str, Any]):
        """The safety check as saving ``raw`` would find it (a CheckResult), for the screen while typing."""
        with self.db.reading() as session:
            return safety.preview(session, patient_id, visit_id, raw)

    # ----- settings --------------------------------------------------------------------------
    def setting(self, key: str, default: str | None = None) -> str | None:
        with self.db.reading() as session:
            row = session.get(Setting, key)
            return row.value if row is not None else default

    def set_setting(self, key: str, value: str) -> None:
        self.actor.require(Action.MANAGE_SETTINGS)
        with self.db.transaction() as session:
            row = session.get(Setting, key) or Setting(key=key, value=value)
            row.value = value
            session.add(row)

    # ----- sign-off, deletion with a reason, the audit trail ----------------------------------
    @read_model
    def sign_visit(self, visit_id: int, expected_version: int, *, password: Any,
                   meaning: SignatureMeaning | str = DEFAULT_MEANING) -> Visit:
        """The neurologist signs the visit with their password, re-entered, and the signature's stated
        ``meaning``; from now on a change is an amendment with a reason, and voids the signature."""
        outcome = self.sign_visits([(visit_id, expected_version)], password=password, meaning=meaning)
        if outcome.refusals:
            raise outcome.refusals[visit_id]
        return outcome.signed[0]

    def sign_visits(self, visits: Sequence[tuple[int, int]], *, password: Any,
                    meaning: SignatureMeaning | str = DEFAULT_MEANING) -> SigningOutcome:
        """Sign each ``(visit id, version)`` with one entry of the password (a batch of the review desk):
        the password and the meaning are checked once, before anything is signed (a wrong password
        counts towards the account's lockout); then each visit is signed in its own transaction, and
        one that is stale, already signed or gone is kept in ``refusals`` with its reason."""
        self.actor.require(Action.SIGN_VISIT)
        chosen = self._signature_meaning(meaning)
        if not isinstance(password, str) or not password:
            raise ValidationFailed([Problem("password", "Password: required; signing asks for your password "
                                                        "again, so that only you can sign in your name.")])
        self.accounts().confirm_password(self.actor, password, purpose="sign")
        signed, refusals = [], {}
        for visit_id, version in visits:
            try:
                signed.append(_frozen(self._write("visit", lambda session, v=visit_id, n=version:
                                                  self._sign(session, v, n, chosen))))
            except Refusal as refusal:
                refusals[visit_id] = refusal
        return SigningOutcome(signed, refusals)

    @staticmethod
    def _signature_meaning(meaning: Any) -> SignatureMeaning:
        try:
            return SignatureMeaning(meaning)
        except ValueError:
            raise ValidationFailed([Problem("meaning", "Meaning of the signature: choose one of: " + "; ".join(
                m.short_label for m in SignatureMeaning) + ".")]) from None

    def _sign(self, session: Session, visit_id: int, expected_version: int, meaning: SignatureMeaning) -> Visit:
        visit = self._for_update(session, Visit, visit_id, expected_version, "visit")
        if visit.status == VisitStatus.SIGNED:
            raise ValidationFailed([Problem("status", "This visit is already signed; a change now is an "
                                                      "amendment, saved with its reason.")])
        signer = self._get(session, UserAccount, self.actor.user_id, "user account")
        visit.status, visit.signed_by = VisitStatus.SIGNED.value, signer.id
        visit.signed_at, visit.signed_name = utcnow().replace(microsecond=0), signer.full_name or signer.username
        visit.signature_meaning = meaning.value
        visit.signature_digest = self._content_digest(session, visit)
        audit.record_event(session, AuditKind.SIGN, patient_id=visit.patient_id, visit_id=visit.id,
                           table_name="visit", row_key=str(visit.id),
                           details={"meaning": meaning.value, "signed_name": visit.signed_name,
                                    "digest": visit.signature_digest})
        return visit

    def _content_digest(self, session: Session, visit: Visit) -> str:
        """The digest binding ``visit``'s signature (as now set on it) to its content."""
        content = {**_amendable_values(self._visit_record(session, visit)), "course_id": visit.course_id}
        return signature_digest(visit.id, visit.patient_id, content, signer_id=visit.signed_by,
                                signed_name=visit.signed_name, signed_at=visit.signed_at,
                                meaning=visit.signature_meaning)

    @staticmethod
    def _void_signature(visit: Visit) -> dict[str, Any]:
        """Take a signed visit back to awaiting signature (an amendment); what the signature was, for the trail."""
        voided = {"signed_by": visit.signed_by, "signed_name": visit.signed_name,
                  "signed_at": visit.signed_at.isoformat() if visit.signed_at else None,
                  "meaning": visit.signature_meaning, "digest": visit.signature_digest}
        visit.status = VisitStatus.DRAFT.value
        visit.signed_by = visit.signed_at = visit.signed_name = visit.signature_meaning = None
        visit.signature_digest = None
        return voided

    def signature_problems(self) -> list[SignatureProblem]:
        """Every signed visit whose signature does not match it: no digest, or a digest that is not
        its content's (changed after signing, or a signature copied from another visit); and every
        unsigned visit carrying a signature's traces. Empty when every signature holds. Deleted visits
        are checked too."""
        problems = []
        with self.db.reading() as session:
            query = (select(Visit).where(or_(Visit.status == VisitStatus.SIGNED.value, Visit.signed_by.is_not(None),
                                             Visit.signature_digest.is_not(None)))
                     .order_by(Visit.id).execution_options(**{audit.INCLUDE_DELETED: True}))
            for visit in session.scalars(query):
                if (reason := self._signature_mismatch(session, visit)) is not None:
                    problems.append(SignatureProblem(visit.id, visit.patient_id, reason, visit.signed_name or ""))
        return problems

    def signature_holds(self, visit_id: int) -> bool:
        """True when the visit is signed and its signature still matches its content."""
        with self.db.reading() as session:
            visit = self._get(session, Visit, visit_id, "visit")
            return visit.status == VisitStatus.SIGNED and self._signature_mismatch(session, visit) is None

    def _signature_mismatch(self, session: Session, visit: Visit) -> str | None:
        if visit.status != VisitStatus.SIGNED:
            return "not signed, yet it carries a signature's signer or digest"
        if visit.signed_by is None or visit.signed_at is None or not visit.signature_digest:
            return "signed without a signer, a time or a content digest"
        if visit.signature_digest != self._content_digest(session, visit):
            return ("its content or its signature is not what was signed (changed after signing, or a "
                    "signature taken from another visit)")
        return None

    @staticmethod
    def _mark_deleted(row: Any, reason: str) -> None:
        row.deleted_at, row.deleted_reason = utcnow(), reason

    def _soft_delete(self, table: type[Row], what: str, row_id: int, expected_version: int, reason: Any) -> None:
        self.actor.require(Action.DELETE_RECORD)
        reason = _required_reason(reason, "reason", f"Reason for deleting this {what}")

        def work(session: Session) -> None:
            row = self._for_update(session, table, row_id, expected_version, what)
            if table is Visit:
                if row.status == VisitStatus.SIGNED:
                    self.actor.require(Action.AMEND_SIGNED_VISIT)
                for event in session.scalars(select(AdverseEvent).where(AdverseEvent.visit_id == row_id)):
                    self._mark_deleted(event, reason)
            self._mark_deleted(row, reason)

        self._write(what, work)

    def delete_visit(self, visit_id: int, expected_version: int, reason: str) -> None:
        """Hide a visit and the adverse events reported at it; they stay in the database and the audit trail."""
        self._soft_delete(Visit, "visit", visit_id, expected_version, reason)

    def delete_adverse_event(self, event_id: int, expected_version: int, reason: str) -> None:
        self._soft_delete(AdverseEvent, "adverse event", event_id, expected_version, reason)

    def delete_relapse(self, relapse_id: int, expected_version: int, reason: str) -> None:
        self._soft_delete(Relapse, "relapse", relapse_id, expected_version, reason)

    def delete_dmt(self, dmt_id: int, expected_version: int, reason: str) -> None:
        self._soft_delete(DmtHistory, "therapy", dmt_id, expected_version, reason)

    def audit_entries(self, *, patient_id: int | None = None, visit_id: int | None = None) -> list[AuditEntry]:
        """Everything recorded about a patient or a visit (deleted rows included), oldest first."""
        with self.db.reading() as session:
            return read_entries(session, patient_id=patient_id, visit_id=visit_id)

    def audit_checkpoint(self) -> str:
        """The audit trail's head now, ``N:HASH``: reports and exports carry it, so the trail can be checked
        against them later (``pmsdesk audit verify --checkpoint N:HASH``)."""
        with self.db.reading() as session:
            return audit.checkpoint(session.connection())

    def visit_history(self, visit_id: int) -> list[AuditEntry]:
        """The visit's sign-off and amendments (who, when, reason, what changed), oldest first."""
        with self.db.reading() as session:
            return read_entries(session, visit_id=visit_id, kinds=(AuditKind.SIGN, AuditKind.AMEND))

    # ----- the review desk: visits waiting for a signature, readable history -----------------
    def user_names(self) -> dict[int, str]:
        """Every user account's id and the name the screens show (full name, else user name)."""
        with self.db.reading() as session:
            return {user_id: full_name or username for user_id, username, full_name in
                    session.execute(select(UserAccount.id, UserAccount.username, UserAccount.full_name))}

    def visits_awaiting_signature(self) -> list[AwaitingSignature]:
        """Saved visits not signed yet (deleted ones left out), oldest first: each with its patient,
        who recorded it, a summary of what was recorded and what to look at before signing."""
        with self.db.reading() as session:
            visits = list(session.scalars(select(Visit).where(Visit.status != VisitStatus.SIGNED.value)
                                          .order_by(Visit.visit_date, Visit.id)))
            records = self._records_of(session, visits)
            patients = self._summaries_of(session, {v.patient_id for v in visits})
            names = dict(session.execute(select(UserAccount.username, UserAccount.full_name)).all())
            inserts = select(AuditEvent).where(AuditEvent.kind == AuditKind.INSERT.value,
                                               AuditEvent.table_name == "visit")
            created = {int(event.row_key): event for event in scalars_in(
                session, inserts, AuditEvent.row_key, [str(v.id) for v in visits])}
        queue = []
        for record in records:
            visit = record.visit
            patient = patients.get(visit.patient_id)
            event = created.get(visit.id)
            queue.append(AwaitingSignature(
                visit_id=visit.id, version=visit.version, patient_id=visit.patient_id,
                patient_name=patient.display_name if patient is not None else f"patient {visit.patient_id}",
                visit_date=visit.visit_date, kind=visit_kind_label(visit.kind),
                recorded_by=names.get(event.actor, event.actor) if event is not None else (visit.performed_by or ""),
                recorded_at=dt.datetime.fromisoformat(event.occurred_at) if event is not None else visit.created_at,
                summary=visit_summary(record), warnings=visit_warnings(record)))
        return queue

    def visit_history_lines(self, visit_id: int) -> list[str]:
        """The visit's history as a clinical record reads it, one line per change, oldest first."""
        return history_lines(self.audit_entries(visit_id=visit_id), self.user_names())

    EVENT_PERMISSIONS: ClassVar[dict[AuditKind, Action]] = {AuditKind.EXPORT: Action.EXPORT,
                                                             AuditKind.REPORT: Action.REPORT}

    def record_event(self, kind: AuditKind, details: Mapping[str, Any] | None = None, *,
                     patient_id: int | None = None, visit_id: int | None = None) -> None:
        """Write an export or a report to the audit trail (one call, after the file was written);
        ``details`` says what, e.g. ``{"file": "visit-12.pdf", "visits": [12]}`` (no clinical values)."""
        if kind not in self.EVENT_PERMISSIONS:
            raise ValueError(f"{kind.value} events are recorded by pmsdesk itself, not through record_event")
        self.actor.require(self.EVENT_PERMISSIONS[kind])
        with self.db.transaction() as session:
            audit.record_event(session, kind, details=details, patient_id=patient_id, visit_id=visit_id)

