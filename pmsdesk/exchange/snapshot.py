"""The clinic's records as plain rows for an export, identified or pseudonymised.

Rows are dicts keyed by field name (the archive's column names). Every export format is written
from a :class:`ClinicSnapshot`, so pseudonymisation is applied in one place: without it a patient is
named by the clinic identifier; with it by a stable random subject code (kept only in the
database, table ``research_pseudonym``), names, identifiers, free-text notes and the day and month
of birth are left out, and with ``shift_dates`` every date of a patient moves by the patient's own
stable offset, so intervals within a patient stay true.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from pmsdesk.domain.fields import (
    ADVERSE_EVENT_FIELDS,
    ASSESSMENT_SECTIONS,
    COURSE_FIELDS,
    DMT_FIELDS,
    PATIENT_FIELDS,
    RELAPSE_FIELDS,
    VISIT_FIELDS,
    Field,
    Kind,
)
from pmsdesk.services.clinic import Clinic
from pmsdesk.store.tables import ResearchPseudonym

# Left out of every pseudonymised export: who the patient is, and free text that may say so.
IDENTIFYING_COLUMNS = frozenset({"clinic_id", "family_name", "given_names", "birth_date", "notes", "performed_by"})
MAX_DATE_SHIFT_DAYS = 365
SUBJECT_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"  # no 0/O, 1/I/L: read aloud and typed safely
SUBJECT_CODE_LENGTH = 8

DERIVED_COLUMNS = {
    "edss": ("computed_edss", "computed_rules"),
    "nhpt": ("dominant_hand",),
}


@dataclass
class VisitRows:
    visit: dict[str, Any]
    assessments: dict[str, dict[str, Any] | None]  # section -> row (None: not recorded)
    adverse_events: list[dict[str, Any]]

    def form_values(self) -> dict[str, Any]:
        """The visit's values keyed like the visit form and the template (``edss.edss``)."""
        values = {f.name: self.visit.get(f.name) for f in VISIT_FIELDS}
        for section, fields in ASSESSMENT_SECTIONS.items():
            row = self.assessments.get(section) or {}
            values.update({f"{section}.{f.name}": row.get(f.name) for f in fields})
        return values


@dataclass
class PatientRows:
    subject: str  # the clinic identifier, or the subject code when pseudonymised
    patient: dict[str, Any]
    courses: list[dict[str, Any]] = field(default_factory=list)
    visits: list[VisitRows] = field(default_factory=list)
    relapses: list[dict[str, Any]] = field(default_factory=list)
    therapies: list[dict[str, Any]] = field(default_factory=list)
    adverse_events: list[dict[str, Any]] = field(default_factory=list)  # not reported at a visit

    def record_count(self) -> int:
        assessments = sum(1 for v in self.visits for row in v.assessments.values() if row is not None)
        return (1 + len(self.courses) + len(self.visits) + assessments + len(self.relapses)
                + len(self.therapies) + len(self.adverse_events) + sum(len(v.adverse_events) for v in self.visits))


@dataclass
class ClinicSnapshot:
    patients: list[PatientRows]
    pseudonymised: bool
    shifted_dates: bool

    @property
    def subject_column(self) -> str:
        return "subject_code" if self.pseudonymised else "clinic_id"

    def record_count(self) -> int:
        return sum(patient.record_count() for patient in self.patients)


def _row(row: Any, fields: Iterable[Field], extra: Iterable[str] = ()) -> dict[str, Any]:
    values = {f.name: getattr(row, f.name) for f in fields}
    values.update({name: getattr(row, name) for name in extra})
    values["id"] = row.id
    return values


class _Pseudonymiser:
    def __init__(self, shift_days: int | None):
        self.shift = dt.timedelta(days=shift_days or 0)

    def __call__(self, values: dict[str, Any], fields: Iterable[Field]) -> dict[str, Any]:
        kept = {name: value for name, value in values.items() if name not in IDENTIFYING_COLUMNS}
        for f in fields:
            if f.kind is Kind.DATE and kept.get(f.name) is not None:
                kept[f.name] = kept[f.name] + self.shift
        return kept


def _identity(values: dict[str, Any], _fields: Iterable[Field]) -> dict[str, Any]:
    return values


def pseudonyms(clinic: Clinic, patient_ids: Iterable[int]) -> dict[int, ResearchPseudonym]:
    """Each patient's subject code and date shift, created (random, then kept) on first use."""
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
    return {patient_id: known[patient_id] for patient_id in wanted}


def _new_subject_code(taken: set[str]) -> str:
    while True:
        code = "S-" + "".join(secrets.choice(SUBJECT_CODE_ALPHABET) for _ in range(SUBJECT_CODE_LENGTH))
        if code not in taken:
            return code


def take_snapshot(clinic: Clinic, *, pseudonymise: bool = False, shift_dates: bool = False) -> ClinicSnapshot:
    """Every patient (archived ones too) with all their records, in clinic-identifier order.
    Deleted records (kept, hidden) are left out, as on every screen."""
    if shift_dates and not pseudonymise:
        raise ValueError("dates are shifted only in a pseudonymised export")
    summaries = sorted(clinic.find_patients(include_archived=True), key=lambda p: p.clinic_id)
    ids = [summary.id for summary in summaries]
    codes = pseudonyms(clinic, ids) if pseudonymise else {}
    records = clinic.visit_records_by_patient(ids)
    relapses = clinic.relapses_by_patient(ids)
    patients = []
    for summary in summaries:
        stored = clinic.patient(summary.id)
        if pseudonymise:
            pseudonym = codes[summary.id]
            subject, clean = pseudonym.subject_code, _Pseudonymiser(pseudonym.date_shift_days if shift_dates else 0)
        else:
            subject, clean = stored.clinic_id, _identity
        patient = clean(_row(stored, PATIENT_FIELDS, ("archived",)), PATIENT_FIELDS)
        if pseudonymise:
            patient["birth_year"] = stored.birth_date.year
        rows = PatientRows(subject, patient)
        rows.courses = [clean(_row(c, COURSE_FIELDS), COURSE_FIELDS) for c in clinic.courses(summary.id)]
        for record in records[summary.id]:
            assessments = {
                section: None if row is None else clean(
                    _row(row, ASSESSMENT_SECTIONS[section], DERIVED_COLUMNS.get(section, ())), ASSESSMENT_SECTIONS[section])
                for section, row in record.assessments.items()
            }
            visit = clean(_row(record.visit, VISIT_FIELDS, ("course_id",)), VISIT_FIELDS)
            events = [clean(_row(e, ADVERSE_EVENT_FIELDS), ADVERSE_EVENT_FIELDS) for e in record.adverse_events]
            rows.visits.append(VisitRows(visit, assessments, events))
        rows.relapses = [clean(_row(r, RELAPSE_FIELDS), RELAPSE_FIELDS) for r in relapses[summary.id]]
        rows.therapies = [clean(_row(d, DMT_FIELDS), DMT_FIELDS) for d in clinic.dmt_history(summary.id)]
        rows.adverse_events = [clean(_row(e, ADVERSE_EVENT_FIELDS), ADVERSE_EVENT_FIELDS)
                               for e in clinic.adverse_events(summary.id) if e.visit_id is None]
        patients.append(rows)
    return ClinicSnapshot(patients, pseudonymise, shift_dates)
