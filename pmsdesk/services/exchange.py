"""Data leaving and entering pmsdesk: what exports and imports read and write, checked and audited.

:mod:`pmsdesk.exchange` (file formats, pseudonymisation, the import's dry run) reads and writes the
clinic only through these functions, and gets frozen read models (:mod:`pmsdesk.services.views`) or
plain values, never stored rows or a session.

- Exports read every patient's records with :func:`export_records`, which checks the actor may
  export (:attr:`Action.EXPORT`: neurologists, administrators, system actors) and hands out each
  patient's stable research pseudonym when asked; the records are read :data:`PATIENTS_PER_BATCH`
  patients at a time as the export walks through them, so memory holds one batch whatever the
  clinic's size; the export itself is written to the audit trail
  by :meth:`Clinic.record_event <pmsdesk.services.clinic.Clinic.record_event>` once its file is written.
- Imports are recording (:attr:`Action.RECORD`: nurses, neurologists, system actors): the dry run
  reads what is stored with :func:`stored_records`, the remembered column mappings are read and kept
  with :func:`column_mapping` / :func:`remember_column_mapping`, and the write runs inside
  :func:`import_batch`, one transaction whose every row is audited by the store and which ends with
  one ``import`` entry (:func:`record_import`) saying what the file created.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from sqlalchemy import select

from pmsdesk.domain.audit import AuditKind
from pmsdesk.domain.permissions import Action
from pmsdesk.services.clinic import Clinic, NotFound
from pmsdesk.services.views import VisitView, row_view, row_views, visit_view
from pmsdesk.store import audit
from pmsdesk.store.batches import batches, scalars_in
from pmsdesk.store.tables import (
    ASSESSMENT_TABLES,
    CLINICAL_TABLES,
    AdverseEvent,
    DmtHistory,
    ImportColumnMapping,
    Patient,
    ResearchPseudonym,
    TreatmentCourse,
)

MAX_DATE_SHIFT_DAYS = 365
SUBJECT_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"  # no 0/O, 1/I/L: read aloud and typed safely
SUBJECT_CODE_LENGTH = 8
# Patients whose records an export reads at once: a few hundred queries for a large clinic, and a few
# megabytes of records in memory however many patients there are.
PATIENTS_PER_BATCH = 200

def assessment_table_name(key: str) -> str:
    """The stored table of an assessment ("edss" -> "edss_assessment"), which names its archive member."""
    return ASSESSMENT_TABLES[key].__tablename__


def column_types(table_name: str) -> dict[str, str]:
    """Column -> database type (``VARCHAR(40)``, ``DATE``...) of a stored clinical table, for the data dictionary."""
    tables = {table.__tablename__: table for table in (*CLINICAL_TABLES, *ASSESSMENT_TABLES.values())}
    return {column.name: str(column.type) for column in tables[table_name].__table__.columns}


@dataclass(frozen=True)
class PatientRecords:
    """One patient and everything recorded about them (deleted records left out), as frozen copies."""

    patient: Any
    courses: tuple[Any, ...] = ()  # by start date
    visits: tuple[VisitView, ...] = ()  # by date, each with its assessments and adverse events
    relapses: tuple[Any, ...] = ()  # by onset
    therapies: tuple[Any, ...] = ()  # by start date
    adverse_events: tuple[Any, ...] = ()  # all the patient's events, by onset (visit_id None: not at a visit)


@dataclass(frozen=True)
class Pseudonym:
    """A patient's research identity: a stable random subject code and a stable date shift (never 0)."""

    subject_code: str
    date_shift_days: int


@dataclass(frozen=True)
class ExportRecords:
    patient_ids: tuple[int, ...]  # every patient, archived ones too, by clinic identifier
    pseudonyms: Mapping[int, Pseudonym]  # patient id -> pseudonym; empty unless asked for
    read: Callable[[Sequence[int]], dict[int, PatientRecords]]  # the records of a batch of patients

    @property
    def patients(self) -> Iterator[PatientRecords]:
        """Each patient's records in turn, read :data:`PATIENTS_PER_BATCH` patients at a time."""
        for batch in batches(self.patient_ids, PATIENTS_PER_BATCH):
            records = self.read(batch)
            yield from (records[patient_id] for patient_id in batch)


def _grouped(rows: Iterable[Any], patient_ids: Sequence[int]) -> dict[int, tuple[Any, ...]]:
    groups: dict[int, list[Any]] = {patient_id: [] for patient_id in patient_ids}
    for row in rows:
        groups[row.patient_id].append(row)
    return {patient_id: row_views(rows) for patient_id, rows in groups.items()}


def _patient_records(clinic: Clinic, patient_ids: Sequence[int]) -> dict[int, PatientRecords]:
    """The records of many patients at once: one query per table, not per patient."""
    ids = list(patient_ids)
    with clinic.db.reading() as session:
        patients = {p.id: p for p in scalars_in(session, select(Patient), Patient.id, ids)}
        courses = _grouped(scalars_in(session, select(TreatmentCourse).order_by(
            TreatmentCourse.start_date, TreatmentCourse.id), TreatmentCourse.patient_id, ids), ids)
        therapies = _grouped(scalars_in(session, select(DmtHistory).order_by(DmtHistory.start_date),
                                        DmtHistory.patient_id, ids), ids)
        events = _grouped(scalars_in(session, select(AdverseEvent).order_by(AdverseEvent.onset_date, AdverseEvent.id),
                                     AdverseEvent.patient_id, ids), ids)
    missing = [patient_id for patient_id in ids if patient_id not in patients]
    if missing:
        raise NotFound(f"patient {missing[0]} does not exist (it may have been removed)")
    visits = clinic.visit_records_by_patient(ids)
    relapses = clinic.relapses_by_patient(ids)
    return {
        patient_id: PatientRecords(
            row_view(patients[patient_id]), courses[patient_id],
            tuple(visit_view(record) for record in visits[patient_id]), row_views(relapses[patient_id]),
            therapies[patient_id], events[patient_id])
        for patient_id in ids
    }


# ----- exports -------------------------------------------------------------------------------------

def _new_subject_code(taken: set[str]) -> str:
    while True:
        code = "S-" + "".join(secrets.choice(SUBJECT_CODE_ALPHABET) for _ in range(SUBJECT_CODE_LENGTH))
        if code not in taken:
            return code


def pseudonyms(clinic: Clinic, patient_ids: Iterable[int]) -> dict[int, Pseudonym]:
    """Each patient's subject code and date shift, created (random, then kept) on first use."""
    clinic.actor.require(Action.EXPORT)
    wanted = set(patient_ids)
    with clinic.db.transaction() as session:
        known = {row.patient_id: row for row in session.scalars(select(ResearchPseudonym))}
        taken = {row.subject_code for row in known.values()}
        for patient_id in sorted(wanted - set(known)):
            code = _new_subject_code(taken)
            taken.add(code)
            shift = secrets.choice([d for d in range(-MAX_DATE_SHIFT_DAYS, MAX_DATE_SHIFT_DAYS + 1) if d])
            known[patient_id] = ResearchPseudonym(patient_id=patient_id, subject_code=code, date_shift_days=shift)
            session.add(known[patient_id])
        return {patient_id: Pseudonym(known[patient_id].subject_code, known[patient_id].date_shift_days)
                for patient_id in wanted}


def _patient_ids(clinic: Clinic) -> list[int]:
    """Every patient's id (archived ones too), in clinic-identifier order."""
    with clinic.db.reading() as session:
        return list(session.scalars(select(Patient.id).order_by(Patient.clinic_id)))


def export_records(clinic: Clinic, *, pseudonymise: bool = False) -> ExportRecords:
    """Every patient (archived ones too) with all their records, in clinic-identifier order, and their
    pseudonyms when ``pseudonymise``. Deleted records (kept, hidden) are left out, as on every screen.
    The records are read as :attr:`ExportRecords.patients` is walked, a batch of patients at a time."""
    clinic.actor.require(Action.EXPORT)
    ids = _patient_ids(clinic)
    codes = pseudonyms(clinic, ids) if pseudonymise else {}
    return ExportRecords(tuple(ids), MappingProxyType(codes), lambda batch: _patient_records(clinic, batch))


# ----- imports -------------------------------------------------------------------------------------

def patient_ids_by_clinic_id(clinic: Clinic) -> dict[str, int]:
    """Clinic identifier -> patient id of every patient (archived ones too): who an import's rows name."""
    clinic.actor.require(Action.RECORD)
    with clinic.db.reading() as session:
        return {clinic_id: patient_id for clinic_id, patient_id in session.execute(select(Patient.clinic_id, Patient.id))}


def stored_records(clinic: Clinic, patient_id: int) -> PatientRecords:
    """What pmsdesk already holds about a patient, for an import to compare its rows with."""
    clinic.actor.require(Action.RECORD)
    return _patient_records(clinic, [patient_id])[patient_id]


def column_mapping(clinic: Clinic, header_key: str) -> dict[str, str]:
    """The column mapping remembered for files whose header has ``header_key`` (empty if none)."""
    clinic.actor.require(Action.RECORD)
    with clinic.db.reading() as session:
        row = session.get(ImportColumnMapping, header_key)
        return json.loads(row.mapping) if row is not None else {}


def remember_column_mapping(clinic: Clinic, header_key: str, mapping: Mapping[str, str]) -> None:
    """Keep ``mapping`` for the next file with the same columns (on any workstation)."""
    clinic.actor.require(Action.RECORD)
    with clinic.db.transaction() as session:
        row = session.get(ImportColumnMapping, header_key) or ImportColumnMapping(header_key=header_key, mapping="")
        row.mapping = json.dumps(dict(mapping), sort_keys=True)
        session.add(row)


@contextmanager
def import_batch(clinic: Clinic) -> Iterator[Clinic]:
    """The clinic as an import writes to it: every save inside joins one transaction, committed when
    the block ends and rolled back entirely if it raises (a refusal, a failure, a cancel)."""
    clinic.actor.require(Action.RECORD)
    with clinic.db.batch() as database:
        yield Clinic(database, actor=clinic.actor, today=clinic.today)


def record_import(batch: Clinic, details: Mapping[str, Any]) -> None:
    """The import's audit entry (inside :func:`import_batch`, so it commits with what it describes):
    the file's name and how many records of each kind it created; no clinical values."""
    batch.actor.require(Action.RECORD)
    with batch.db.transaction() as session:
        audit.record_event(session, AuditKind.IMPORT, details=dict(details))
