"""The clinic's use cases: find, create and change patients, courses, visits and their history.

Every method owns its transaction and returns detached rows or plain objects, never a live
session. Every write validates with the domain rules first and refuses a stale save: the caller
passes the ``version`` it started editing from, and a row changed since then is not overwritten.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from pmsdesk.domain.fields import ASSESSMENT_SECTIONS, Field
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
from pmsdesk.domain.vocab import Choice
from pmsdesk.store.database import Database
from pmsdesk.store.tables import (
    ASSESSMENT_TABLES,
    AdverseEvent,
    DmtHistory,
    Patient,
    Relapse,
    Setting,
    TreatmentCourse,
    Visit,
    VisitAssessment,
    utcnow,
)

Row = TypeVar("Row")


class NotFound(LookupError):
    pass


class StaleRecord(RuntimeError):
    """A save refused because the record changed after it was opened."""

    def __init__(self, what: str):
        super().__init__(
            f"This {what} was changed by someone else (on this or another workstation) after you opened it. "
            "Your entries are still on the screen and were not saved; note them, reload the "
            f"{what} to see the other changes, then enter yours again."
        )


def _stored(value: Any) -> Any:
    return value.value if isinstance(value, Choice) else value


def _apply(row: Any, values: Mapping[str, Any]) -> None:
    for name, value in values.items():
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
        return f"{self.family_name.upper()}, {self.given_names}"


@dataclass
class VisitRecord:
    """A visit with its assessments (None where not recorded) and the adverse events reported at it."""

    visit: Visit
    assessments: dict[str, VisitAssessment | None]
    adverse_events: list[AdverseEvent] = field(default_factory=list)

    def form_values(self) -> dict[str, Any]:
        from pmsdesk.domain.fields import VISIT_FIELDS

        values = row_values(self.visit, VISIT_FIELDS)
        for section, fields in ASSESSMENT_SECTIONS.items():
            row = self.assessments.get(section)
            if row is not None:
                values.update(row_values(row, fields, section + "."))
        return values


def _prefixed(problems: list[Problem], prefix: str) -> list[Problem]:
    return [Problem(prefix + p.field, p.message) for p in problems]


class Clinic:
    def __init__(self, db: Database, *, today: Callable[[], dt.date] = dt.date.today):
        self.db = db
        self.today = today

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
        try:
            with self.db.transaction() as session:
                return work(session)
        except StaleDataError:
            raise StaleRecord(what) from None

    def _birth_date(self, session: Session, patient_id: int) -> dt.date:
        return self._get(session, Patient, patient_id, "patient").birth_date

    # ----- patients --------------------------------------------------------------------------
    def find_patients(self, text: str = "", *, include_archived: bool = False) -> list[PatientSummary]:
        """Patients whose name or clinic identifier contains every word of ``text``, by name."""
        visits = (
            select(Visit.patient_id, func.count(Visit.id).label("n"), func.max(Visit.visit_date).label("last"))
            .group_by(Visit.patient_id)
            .subquery()
        )
        query = select(Patient, visits.c.n, visits.c.last).outerjoin(visits, visits.c.patient_id == Patient.id)
        if not include_archived:
            query = query.where(Patient.archived.is_(False))
        for word in text.split():
            pattern = f"%{word.lower()}%"
            query = query.where(or_(
                func.lower(Patient.family_name).like(pattern),
                func.lower(Patient.given_names).like(pattern),
                func.lower(Patient.clinic_id).like(pattern),
            ))
        query = query.order_by(func.lower(Patient.family_name), func.lower(Patient.given_names), Patient.id)
        with self.db.reading() as session:
            return [
                PatientSummary(p.id, p.clinic_id, p.family_name, p.given_names, p.birth_date, p.phenotype,
                               p.archived, n or 0, last)
                for p, n, last in session.execute(query)
            ]

    def patient(self, patient_id: int) -> Patient:
        with self.db.reading() as session:
            return self._get(session, Patient, patient_id, "patient")

    def patient_count(self) -> int:
        with self.db.reading() as session:
            return session.scalar(select(func.count(Patient.id)))

    def _check_clinic_id_free(self, session: Session, clinic_id: str, patient_id: int | None) -> None:
        other = session.scalar(select(Patient).where(Patient.clinic_id == clinic_id))
        if other is not None and other.id != patient_id:
            raise ValidationFailed([Problem(
                "clinic_id",
                f"Clinic identifier: \u201c{clinic_id}\u201d is already used by {other.family_name.upper()}, "
                f"{other.given_names}; enter a different identifier.",
            )])

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

    def update_patient(self, patient_id: int, expected_version: int, raw: Mapping[str, Any]) -> Patient:
        values = validate_patient(raw, today=self.today())

        def work(session: Session) -> Patient:
            patient = self._for_update(session, Patient, patient_id, expected_version, "patient")
            self._check_clinic_id_free(session, values["clinic_id"], patient_id)
            _apply(patient, values)
            return patient

        return self._write("patient", work)

    def set_archived(self, patient_id: int, expected_version: int, archived: bool) -> Patient:
        def work(session: Session) -> Patient:
            patient = self._for_update(session, Patient, patient_id, expected_version, "patient")
            patient.archived = archived
            return patient

        return self._write("patient", work)

    # ----- treatment courses -----------------------------------------------------------------
    def courses(self, patient_id: int) -> list[TreatmentCourse]:
        with self.db.reading() as session:
            query = select(TreatmentCourse).where(TreatmentCourse.patient_id == patient_id)
            return list(session.scalars(query.order_by(TreatmentCourse.start_date, TreatmentCourse.id)))

    def create_course(self, patient_id: int, raw: Mapping[str, Any]) -> TreatmentCourse:
        def work(session: Session) -> TreatmentCourse:
            values = validate_course(raw, birth_date=self._birth_date(session, patient_id))
            course = TreatmentCourse(patient_id=patient_id)
            _apply(course, values)
            session.add(course)
            session.flush()
            return course

        return self._write("treatment course", work)

    def update_course(self, course_id: int, expected_version: int, raw: Mapping[str, Any]) -> TreatmentCourse:
        def work(session: Session) -> TreatmentCourse:
            course = self._for_update(session, TreatmentCourse, course_id, expected_version, "treatment course")
            values = validate_course(raw, birth_date=self._birth_date(session, course.patient_id))
            _apply(course, values)
            return course

        return self._write("treatment course", work)

    # ----- visits ----------------------------------------------------------------------------
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
        return VisitRecord(visit, assessments, list(events))

    def visit_records(self, patient_id: int) -> list[VisitRecord]:
        """All of a patient's visits with their assessments and adverse events, in date order
        (one query per table, not per visit)."""
        with self.db.reading() as session:
            visits = list(session.scalars(
                select(Visit).where(Visit.patient_id == patient_id).order_by(Visit.visit_date, Visit.id)
            ))
            ids = [visit.id for visit in visits]
            by_section = {
                section: {row.visit_id: row for row in session.scalars(select(table).where(table.visit_id.in_(ids)))}
                for section, table in ASSESSMENT_TABLES.items()
            }
            events: dict[int, list[AdverseEvent]] = {}
            query = select(AdverseEvent).where(AdverseEvent.visit_id.in_(ids)).order_by(AdverseEvent.onset_date, AdverseEvent.id)
            for event in session.scalars(query):
                events.setdefault(event.visit_id, []).append(event)
            return [
                VisitRecord(visit, {section: rows.get(visit.id) for section, rows in by_section.items()},
                            events.get(visit.id, []))
                for visit in visits
            ]

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

    def _store_visit(self, session: Session, visit: Visit, raw: Mapping[str, Any]) -> VisitRecord:
        patient = self._get(session, Patient, visit.patient_id, "patient")
        values, events = self._validated_visit(session, patient, raw)
        _apply(visit, values.visit)
        visit.updated_at = utcnow()  # always a change, so the visit's version moves with any part of it
        if "course_id" in raw:
            visit.course_id = raw["course_id"]
        session.add(visit)
        session.flush()
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
            self._complete_assessment(section, row, patient)
        if "adverse_events" in raw:  # a caller that does not send the list leaves the events alone
            self._store_adverse_events(session, visit, events)
        session.flush()
        return self._visit_record(session, visit)

    @staticmethod
    def _complete_assessment(section: str, row: VisitAssessment, patient: Patient) -> None:
        """Values the assessment derives from elsewhere: the 9HPT's dominant hand, the computed EDSS step."""
        if section == "nhpt":
            row.dominant_hand = patient.dominant_hand
        elif section == "edss":
            from pmsdesk.services.scores import computed_edss

            row.computed_edss, row.computed_rules = computed_edss(row)

    def _store_adverse_events(self, session: Session, visit: Visit, events) -> None:
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
        for event_id, event in existing.items():
            if event_id not in kept:
                session.delete(event)

    def create_visit(self, patient_id: int, raw: Mapping[str, Any]) -> VisitRecord:
        def work(session: Session) -> VisitRecord:
            self._get(session, Patient, patient_id, "patient")
            return self._store_visit(session, Visit(patient_id=patient_id), raw)

        return self._write("visit", work)

    def update_visit(self, visit_id: int, expected_version: int, raw: Mapping[str, Any]) -> VisitRecord:
        def work(session: Session) -> VisitRecord:
            visit = self._for_update(session, Visit, visit_id, expected_version, "visit")
            return self._store_visit(session, visit, raw)

        return self._write("visit", work)

    # ----- adverse events, relapses, disease-modifying therapy -------------------------------
    def adverse_events(self, patient_id: int) -> list[AdverseEvent]:
        with self.db.reading() as session:
            query = select(AdverseEvent).where(AdverseEvent.patient_id == patient_id)
            return list(session.scalars(query.order_by(AdverseEvent.onset_date, AdverseEvent.id)))

    def relapses(self, patient_id: int) -> list[Relapse]:
        with self.db.reading() as session:
            query = select(Relapse).where(Relapse.patient_id == patient_id).order_by(Relapse.onset_date)
            return list(session.scalars(query))

    def dmt_history(self, patient_id: int) -> list[DmtHistory]:
        with self.db.reading() as session:
            query = select(DmtHistory).where(DmtHistory.patient_id == patient_id).order_by(DmtHistory.start_date)
            return list(session.scalars(query))

    def _save_patient_row(self, table, what: str, validate, patient_id: int, row_id: int | None,
                          expected_version: int | None, raw: Mapping[str, Any]):
        def work(session: Session):
            values = validate(raw, birth_date=self._birth_date(session, patient_id), today=self.today())
            if row_id is None:
                row = table(patient_id=patient_id)
                session.add(row)
            else:
                row = self._for_update(session, table, row_id, expected_version, what)
            _apply(row, values)
            session.flush()
            return row

        return self._write(what, work)

    def save_relapse(self, patient_id: int, raw: Mapping[str, Any], *, relapse_id: int | None = None,
                     expected_version: int | None = None) -> Relapse:
        return self._save_patient_row(Relapse, "relapse", validate_relapse, patient_id, relapse_id, expected_version, raw)

    def save_dmt(self, patient_id: int, raw: Mapping[str, Any], *, dmt_id: int | None = None,
                 expected_version: int | None = None) -> DmtHistory:
        return self._save_patient_row(DmtHistory, "therapy", validate_dmt, patient_id, dmt_id, expected_version, raw)

    def save_adverse_event(self, patient_id: int, raw: Mapping[str, Any], *, event_id: int | None = None,
                           expected_version: int | None = None) -> AdverseEvent:
        return self._save_patient_row(AdverseEvent, "adverse event", validate_adverse_event, patient_id, event_id,
                                      expected_version, raw)

    # ----- settings --------------------------------------------------------------------------
    def setting(self, key: str, default: str | None = None) -> str | None:
        with self.db.reading() as session:
            row = session.get(Setting, key)
            return row.value if row is not None else default

    def set_setting(self, key: str, value: str) -> None:
        with self.db.transaction() as session:
            row = session.get(Setting, key) or Setting(key=key, value=value)
            row.value = value
            session.add(row)

