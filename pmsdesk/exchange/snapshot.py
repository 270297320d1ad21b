"""The clinic's records as plain rows for an export, identified or pseudonymised.

Rows are dicts keyed by field name (the archive's column names). Every export format is written
from a :class:`ClinicSnapshot`, so pseudonymisation is applied in one place: without it a patient is
named by the clinic identifier; with it by a stable random subject code (kept only in the
database, table ``research_pseudonym``), names, identifiers, free-text notes and the day and month
of birth are left out, and with ``shift_dates`` every date of a patient moves by the patient's own
stable offset, so intervals within a patient stay true.

The records and pseudonyms come from :func:`pmsdesk.services.exchange.export_records` (which checks
the actor may export) as frozen read models; nothing here touches the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from pmsdesk.domain.assessments import ASSESSMENT_SECTIONS, REGISTRY
from pmsdesk.domain.fields import (
    ADVERSE_EVENT_FIELDS,
    COURSE_FIELDS,
    DMT_FIELDS,
    PATIENT_FIELDS,
    RELAPSE_FIELDS,
    VISIT_FIELDS,
    Field,
    Kind,
)
from pmsdesk.domain.recorded_elsewhere import CLEARANCE_FIELDS, DOSE_CHECK_FIELDS, EARLIER_RELATEDNESS
from pmsdesk.domain.refusals import Cancelled
from pmsdesk.services.clinic import Clinic
from pmsdesk.services.safety import SAFETY_CHECK_EXTRAS, stored_answers
from pmsdesk.services.exchange import (  # noqa: F401 - the pseudonym's rules, named here as before
    MAX_DATE_SHIFT_DAYS,
    SUBJECT_CODE_ALPHABET,
    SUBJECT_CODE_LENGTH,
    ExportRecords,
    PatientRecords,
    Pseudonym,
    export_records,
    pseudonyms,
)

# Left out of every pseudonymised export: who the patient is, and free text that may say so.
IDENTIFYING_COLUMNS = frozenset({"clinic_id", "family_name", "given_names", "birth_date", "notes", "performed_by",
                                 "assisted_by", "observation_notes", "cleared_by", "cleared_by_name",
                                 "clearance_reason"})
# The second-person check of a dose as exported (identified exports only: it names the two people).
DOSE_CHECK_COLUMNS = tuple(f.name for f in DOSE_CHECK_FIELDS)
# An event's earlier single relatedness answer and a neurotoxicity event's clearance, as recorded.
EVENT_EXTRAS = (EARLIER_RELATEDNESS.name, *(f.name for f in CLEARANCE_FIELDS))

@dataclass
class VisitRows:
    visit: dict[str, Any]
    assessments: dict[str, dict[str, Any] | None]  # section -> row (None: not recorded)
    adverse_events: list[dict[str, Any]]
    # The second-person check of the dose (names, time, what was confirmed); never in a pseudonymised export.
    dose_check: dict[str, Any] | None = None
    # The pre-puncture safety check: answers (yes/no as the form has them), result, findings, override.
    safety_check: dict[str, Any] | None = None

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


class ExportCancelled(Cancelled):
    """The person cancelled an export; nothing was written under the name asked for."""


@dataclass
class ClinicSnapshot:
    """The clinic as rows, produced patient by patient as :attr:`patients` is walked (once): the
    records are read a batch of patients at a time, so an export holds one batch whatever the
    clinic's size. Walking counts the records and reports ``progress(patients done, patients)``;
    ``cancelled()`` is asked after each patient, and True stops the walk with :class:`ExportCancelled`."""

    records: ExportRecords
    pseudonymised: bool
    shifted_dates: bool
    progress: Callable[[int, int], None] | None = None
    cancelled: Callable[[], bool] = lambda: False
    record_count: int = 0  # of the patients walked so far: all of them once the walk has ended

    @property
    def subject_column(self) -> str:
        return "subject_code" if self.pseudonymised else "clinic_id"

    @property
    def patient_count(self) -> int:
        return len(self.records.patient_ids)

    @property
    def patients(self) -> Iterator[PatientRows]:
        total = self.patient_count
        for done, stored in enumerate(self.records.patients, start=1):
            rows = _patient_rows(stored, self.records.pseudonyms if self.pseudonymised else None, self.shifted_dates)
            self.record_count += rows.record_count()
            yield rows
            if self.progress is not None:
                self.progress(done, total)
            if self.cancelled():
                raise ExportCancelled("export cancelled; nothing was written")


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


def take_snapshot(clinic: Clinic, *, pseudonymise: bool = False, shift_dates: bool = False,
                  progress: Callable[[int, int], None] | None = None,
                  cancelled: Callable[[], bool] = lambda: False) -> ClinicSnapshot:
    """Every patient (archived ones too) with all their records, in clinic-identifier order.
    Deleted records (kept, hidden) are left out, as on every screen."""
    if shift_dates and not pseudonymise:
        raise ValueError("dates are shifted only in a pseudonymised export")
    return ClinicSnapshot(export_records(clinic, pseudonymise=pseudonymise), pseudonymise, shift_dates,
                          progress, cancelled)


def _patient_rows(stored: PatientRecords, codes: Mapping[int, Pseudonym] | None, shift_dates: bool) -> PatientRows:
    """One patient's rows, pseudonymised when their ``codes`` (patient id -> pseudonym) are given."""
    pseudonymise = codes is not None
    if pseudonymise:
        pseudonym = codes[stored.patient.id]
        subject, clean = pseudonym.subject_code, _Pseudonymiser(pseudonym.date_shift_days if shift_dates else 0)
    else:
        subject, clean = stored.patient.clinic_id, _identity
    patient = clean(_row(stored.patient, PATIENT_FIELDS, ("archived",)), PATIENT_FIELDS)
    if pseudonymise:
        patient["birth_year"] = stored.patient.birth_date.year
    rows = PatientRows(subject, patient)
    rows.courses = [clean(_row(c, COURSE_FIELDS), COURSE_FIELDS) for c in stored.courses]
    for record in stored.visits:
        assessments = {
            a.key: None if (row := record.assessments.get(a.key)) is None else clean(
                _row(row, a.fields, a.stored_extras), a.fields)
            for a in REGISTRY
        }
        visit = clean(_row(record.visit, VISIT_FIELDS, ("course_id",)), VISIT_FIELDS)
        events = [clean(_row(e, ADVERSE_EVENT_FIELDS, EVENT_EXTRAS), ADVERSE_EVENT_FIELDS)
                  for e in record.adverse_events]
        safety_row = getattr(record, "safety_check", None)
        safety_check = None if safety_row is None else {
            **{key.split(".", 1)[1]: value for key, value in stored_answers(safety_row).items()},
            **{name: getattr(safety_row, name) for name in SAFETY_CHECK_EXTRAS
               if not (pseudonymise and name in ("override_by", "override_name", "override_reason"))}}
        check = getattr(record, "dose_check", None)
        rows.visits.append(VisitRows(visit, assessments, events, None if pseudonymise or check is None else {
            name: getattr(check, name) for name in DOSE_CHECK_COLUMNS}, safety_check))
    rows.relapses = [clean(_row(r, RELAPSE_FIELDS), RELAPSE_FIELDS) for r in stored.relapses]
    rows.therapies = [clean(_row(d, DMT_FIELDS), DMT_FIELDS) for d in stored.therapies]
    rows.adverse_events = [clean(_row(e, ADVERSE_EVENT_FIELDS, EVENT_EXTRAS), ADVERSE_EVENT_FIELDS)
                           for e in stored.adverse_events if e.visit_id is None]
    return rows
