"""Importing records: a dry run that finds every problem, then the write, in batches of whole patients.

Every value is judged by the domain's own validation (the rules of the entry screens) and written
through :class:`~pmsdesk.services.clinic.Clinic`, each batch inside one transaction
(:func:`pmsdesk.services.exchange.import_batch`) that ends with its ``import`` entry in the audit
trail. A batch holds the database for half a second at most, so other workstations keep saving
during a long import; an import that fits in one batch leaves the database as it was on a failure,
a refusal or a cancel (see :func:`apply_import` for a longer one). What is
already stored is read through :mod:`pmsdesk.services.exchange` too (as frozen read models), which
refuses an actor who may not record visits before anything is read.

Identity, so that importing the same file twice creates nothing new: a patient is its clinic
identifier; a visit is patient + date + kind; a course is patient + agent + start date; a relapse
its onset; a therapy its name + start; an adverse event not reported at a visit its term + onset.
A record already in pmsdesk with the same values is skipped; one with different values is a
*conflict*, reported like any other problem and never overwritten.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pmsdesk.domain.assessments import ASSESSMENT_SECTIONS
from pmsdesk.domain.fields import (
    ADVERSE_EVENT_FIELDS,
    COURSE_FIELDS,
    DMT_FIELDS,
    RELAPSE_FIELDS,
    Kind,
)
from pmsdesk.domain.permissions import Action
from pmsdesk.domain.recorded_elsewhere import (
    recorded_clearance,
    recorded_dose_check,
    recorded_override,
    recorded_relatedness,
)
from pmsdesk.domain.register import checked_agent, dose_to_check
from pmsdesk.domain.refusals import Cancelled, Refusal
from pmsdesk.domain.treatment_slots import RecordedTreatment, slot_problems
from pmsdesk.domain.vocab import VisitKind
from pmsdesk.domain.validation import (
    ValidationFailed,
    validate_adverse_event,
    validate_course,
    validate_dmt,
    validate_patient,
    validate_relapse,
    validate_visit,
)
from pmsdesk.exchange.archive import archive_table_names
from pmsdesk.exchange.columns import RECORD_FIELDS, cell_text, stored_value
from pmsdesk.exchange.incoming import (
    ImportProblem,
    Incoming,
    IncomingPatient,
    IncomingVisit,
    Record,
    default_mapping,
    header_key,
    read_archive_tables,
    read_template,
)
from pmsdesk.exchange.sources import SourceError, Table, is_archive, read_archive, read_table
from pmsdesk.services import exchange as exchange_service
from pmsdesk.services import safety
from pmsdesk.services.clinic import Clinic, recorded_treatment, row_values
from pmsdesk.services.exchange import PatientRecords


PLURALS = {"patient": "patients", "course": "courses", "visit": "visits", "adverse event": "adverse events",
           "relapse": "relapses", "therapy": "therapies"}


def counted(counts: Mapping[str, int]) -> str:
    """``{"visit": 3, "therapy": 1}`` as "3 visits, 1 therapy"."""
    return ", ".join(f"{count} {kind if count == 1 else PLURALS[kind]}" for kind, count in counts.items() if count)


class _Stopped:
    """An import that stopped: ``kept`` counts, by kind, what its batches committed before it
    (empty: nothing was written)."""

    def __init__(self, message: str, kept: Mapping[str, int] | None = None):
        super().__init__(message)
        self.kept = Counter({kind: count for kind, count in (kept or {}).items() if count})


class ImportRefused(_Stopped, Refusal, ValueError):
    """The import was refused: the file has problems (without "valid rows only"), or a record was
    refused while writing, after the batches counted in ``kept``."""


class ImportCancelled(_Stopped, Cancelled):
    """The person cancelled the import; the batches counted in ``kept`` are kept."""


@dataclass
class PatientStep:
    """What importing writes for one patient: only records that are valid and not yet in pmsdesk."""

    clinic_id: str
    patient_id: int | None  # an existing patient; None: created from ``details``
    details: dict[str, Any] | None = None
    archived: bool = False
    new_courses: dict[Any, dict[str, Any]] = field(default_factory=dict)  # course ref -> raw values
    # Every valid course ref of the file -> ("stored", course id) or ("new", the ref it creates).
    course_links: dict[Any, tuple[str, Any]] = field(default_factory=dict)
    visits: list[tuple[dict[str, Any], Any]] = field(default_factory=list)  # (raw values, course ref)
    relapses: list[dict[str, Any]] = field(default_factory=list)
    therapies: list[dict[str, Any]] = field(default_factory=list)
    adverse_events: list[dict[str, Any]] = field(default_factory=list)

    def writes(self) -> int:
        return ((self.patient_id is None) + len(self.new_courses) + len(self.visits) + len(self.relapses)
                + len(self.therapies) + len(self.adverse_events))


@dataclass
class ImportPlan:
    source: str
    problems: list[ImportProblem]
    steps: list[PatientStep]
    new: Counter[str]  # what would be created, by kind of record
    identical: int  # records already in pmsdesk with the same values: skipped
    duplicates: int  # rows repeating another row of the file: skipped

    @property
    def has_problems(self) -> bool:
        return bool(self.problems)

    def writes(self) -> int:
        return sum(step.writes() for step in self.steps)

    def summary(self) -> str:
        created = counted(self.new)
        lines = [f"{self.source}: {'would create ' + created if created else 'nothing new to create'}."]
        if self.identical:
            lines.append(f"{self.identical} record{'s are' if self.identical != 1 else ' is'} already in pmsdesk "
                         "with the same values (skipped).")
        if self.duplicates:
            lines.append(f"{self.duplicates} row{'s repeat' if self.duplicates != 1 else ' repeats'} "
                         "another row of the file (skipped).")
        if self.problems:
            lines.append(f"{len(self.problems)} problem{'s' if len(self.problems) != 1 else ''}; nothing is imported "
                         "until they are corrected, unless you choose to import only the valid rows:")
            lines.extend(f"  {problem}" for problem in self.problems)
        return "\n".join(lines)


@dataclass(frozen=True)
class ImportResult:
    created: Counter[str]
    skipped_problems: int


# ----- reading a file --------------------------------------------------------------------------------

def read_file(path: Path, clinic: Clinic, mapping: Mapping[str, str] | None = None) -> Incoming:
    """A template file or a whole-clinic archive, as incoming records. A template file's columns are
    renamed by ``mapping`` (else by the mapping remembered for its header), and columns named as in
    the template stand for themselves. An unreadable file gives one problem."""
    try:
        if is_archive(path):
            return read_archive_tables(path.name, read_archive(path, archive_table_names()))
        table = read_table(path)
    except SourceError as error:
        return Incoming(path.name, problems=[ImportProblem(path.name, 0, "", None, str(error))])
    return read_template(table, effective_mapping(clinic, table, mapping))


def effective_mapping(clinic: Clinic, table: Table, mapping: Mapping[str, str] | None = None) -> dict[str, str]:
    chosen = mapping if mapping is not None else remembered_mapping(clinic, table)
    return {**default_mapping(table.header), **chosen}


def remembered_mapping(clinic: Clinic, table: Table) -> dict[str, str]:
    return exchange_service.column_mapping(clinic, header_key(table.header))


def remember_mapping(clinic: Clinic, table: Table, mapping: Mapping[str, str]) -> None:
    """Keep ``mapping`` for the next file with the same columns (on any workstation)."""
    exchange_service.remember_column_mapping(clinic, header_key(table.header), mapping)


# ----- the dry run -----------------------------------------------------------------------------------

def _comparable(kind: str, key: str, value: Any) -> Any:
    value = stored_value(value)
    if value is None and RECORD_FIELDS[kind][key].kind is Kind.FLAG:
        return False  # an unticked box is stored as "no"
    return value


def _conflicts(record: Record, clean: Mapping[str, Any], stored: Mapping[str, Any]) -> list[ImportProblem]:
    problems = []
    for key in sorted(record.given() & set(clean)):
        ours, theirs = _comparable(record.kind, key, clean[key]), _comparable(record.kind, key, stored.get(key))
        if ours != theirs:
            problems.append(record.problem(key, (
                f"conflicts with the record already in pmsdesk, which has \u201c{cell_text(theirs)}\u201d; "
                "an import never overwrites: correct the file, or change the record in pmsdesk")))
    return problems


def _failed(record: Record, failure: ValidationFailed) -> list[ImportProblem]:
    return [record.problem(problem.field, problem.message) for problem in failure.problems]


def _flat_visit(values) -> dict[str, Any]:
    flat = dict(values.visit)
    for section, fields in ASSESSMENT_SECTIONS.items():
        section_values = values.assessments[section] or {}
        flat.update({f"{section}.{f.name}": section_values.get(f.name) for f in fields})
    return flat


def _event_key(values: Mapping[str, Any]) -> tuple:
    return tuple(cell_text(_comparable("adverse_event", f.name, values.get(f.name))) for f in ADVERSE_EVENT_FIELDS)


def _event_values(raw: Mapping[str, Any], *, birth_date: dt.date, today: dt.date) -> dict[str, Any]:
    """An event's clean values; its clearance, if an archive carries one, must be whole and clear a
    methotrexate neurotoxicity event (pmsdesk.domain.recorded_elsewhere)."""
    values = validate_adverse_event(raw, birth_date=birth_date, today=today)
    recorded_clearance(raw, stored_value(values["term"]))
    recorded_relatedness(raw)
    return values


class _Planner:
    def __init__(self, clinic: Clinic):
        self.clinic = clinic
        self.today = clinic.today()
        self.problems: list[ImportProblem] = []
        self.new: Counter[str] = Counter(dict.fromkeys(PLURALS, 0))
        self.identical = 0
        self.duplicates = 0
        self.existing = exchange_service.patient_ids_by_clinic_id(clinic)
        self._stored: tuple[int, PatientRecords] | None = None

    def stored(self, patient_id: int) -> PatientRecords:
        """What pmsdesk holds about a patient of the file, read once while that patient is planned: only
        the patient being planned is kept, so a file naming every patient never holds the whole clinic."""
        if self._stored is None or self._stored[0] != patient_id:
            self._stored = (patient_id, exchange_service.stored_records(self.clinic, patient_id))
        return self._stored[1]

    def _validated(self, record: Record, validate: Callable[[dict], dict]) -> dict | None:
        try:
            return validate(record.raw())
        except ValidationFailed as failure:
            self.problems.extend(_failed(record, failure))
            return None

    def _matched(self, record: Record, clean: Mapping, key: tuple, in_file: dict, stored: Mapping | None,
                 what: str, repeats_are_rows: bool = True) -> bool:
        """Whether ``record`` is new: a repeat of a row of the file, or a record already stored
        (identical: skipped; different: a conflict), is not. A template repeats a course on each of its
        visits' rows, so a course's repeats are not counted as duplicated rows."""
        earlier = in_file.get(key)
        if earlier is not None:
            first, first_clean = earlier
            if _conflicts(record, clean, first_clean):
                self.problems.append(record.problem("", f"the same {what} as row {first.row}, with different values"))
            else:
                self.duplicates += repeats_are_rows
            return False
        in_file[key] = (record, clean)
        if stored is None:
            return True
        conflicts = _conflicts(record, clean, stored)
        self.problems.extend(conflicts)
        self.identical += not conflicts
        return False

    def patient(self, incoming: IncomingPatient) -> tuple[PatientStep | None, dt.date | None]:
        patient_id = self.existing.get(incoming.clinic_id)
        details = incoming.details
        if patient_id is not None:
            stored = self.stored(patient_id).patient
            if details is not None:
                clean = {}
                for key, raw in details.raw().items():
                    if raw is None:
                        continue  # a blank cell says nothing about a patient already in pmsdesk
                    try:
                        clean[key] = RECORD_FIELDS["patient"][key].parse(raw)
                    except ValueError as error:
                        self.problems.append(details.problem(key, str(error)))
                conflicts = _conflicts(details, clean, row_values(stored, RECORD_FIELDS["patient"].values()))
                self.problems.extend(conflicts)
                self.identical += not conflicts
            return PatientStep(incoming.clinic_id, patient_id), stored.birth_date
        if details is None:
            record = incoming.visits[0].record if incoming.visits else Record("patient", "", 0)
            self.problems.append(record.problem("clinic_id", (
                f"patient {incoming.clinic_id} is not in pmsdesk; add the patient's columns (family_name, "
                "given_names, birth_date, sex, phenotype) so the import can create the patient")))
            return None, None
        clean = self._validated(details, lambda raw: validate_patient(raw, today=self.today))
        if clean is None:
            return None, None
        self.new["patient"] += 1
        archived = incoming.archived is not None and str(incoming.archived.value).strip().lower() in ("yes", "true", "1")
        return PatientStep(incoming.clinic_id, None, details.raw(), archived), clean["birth_date"]

    def plan(self, incoming: IncomingPatient) -> PatientStep | None:
        step, birth_date = self.patient(incoming)
        if step is None:
            return None
        stored = self.stored(step.patient_id) if step.patient_id else PatientRecords(None)
        stored_courses, records = stored.courses, stored.visits
        self._courses(step, incoming, birth_date, stored_courses)
        self._visits(step, incoming, birth_date, records, stored_courses)
        self._others(step, incoming, birth_date)
        return step

    def _courses(self, step, incoming, birth_date, stored_courses) -> None:
        stored = {(c.agent, c.start_date): c for c in stored_courses}
        in_file: dict = {}
        first_ref: dict[tuple, Any] = {}
        for ref, record in incoming.courses.items():
            clean = self._validated(record, lambda raw: validate_course(raw, birth_date=birth_date))
            if clean is None:
                continue
            key = (stored_value(clean["agent"]), clean["start_date"])
            existing = stored.get(key)
            first_ref.setdefault(key, ref)
            if self._matched(record, clean, key, in_file, None if existing is None else
                             row_values(existing, COURSE_FIELDS), "treatment course", repeats_are_rows=False):
                step.new_courses[ref] = record.raw()
                step.course_links[ref] = ("new", ref)
                self.new["course"] += 1
            elif existing is not None:
                step.course_links[ref] = ("stored", existing.id)
            elif first_ref[key] in step.course_links:  # the file repeats a course: its visits join the first
                step.course_links[ref] = step.course_links[first_ref[key]]

    def _visits(self, step: PatientStep, incoming: IncomingPatient, birth_date, records, stored_courses) -> None:
        slots = _TreatmentSlots(step, records, stored_courses, birth_date)
        stored = {}
        for record in records:
            stored.setdefault((record.visit.visit_date, record.visit.kind), record)
        in_file: dict = {}
        may_examine = self.clinic.actor.may(Action.EDIT_EDSS)
        for visit in incoming.visits:
            clean = self._visit(visit, birth_date)
            if clean is None:
                continue
            flat, events = clean
            if not may_examine and any(flat.get(f"edss.{f.name}") is not None for f in ASSESSMENT_SECTIONS["edss"]):
                self.problems.append(visit.record.problem("edss.edss", "only a neurologist may import EDSS "
                                                                       "examinations; ask one to import this file"))
                continue
            key = (flat["visit_date"], stored_value(flat["kind"]))
            existing = stored.get(key)
            stored_flat = None
            if existing is not None:
                stored_flat = existing.form_values()
                if visit.adverse_events is not None:
                    stored_events = sorted(_event_key(row_values(e, ADVERSE_EVENT_FIELDS)) for e in existing.adverse_events)
                    if stored_events != sorted(_event_key(e) for e in events):
                        self.problems.append(visit.record.problem("", (
                            "conflicts with the visit already in pmsdesk: its adverse events differ; an import "
                            "never overwrites: correct the file, or change the visit in pmsdesk")))
                        continue
            if not self._matched(visit.record, flat, key, in_file, stored_flat, "visit"):
                continue
            if visit.course_ref is not None and visit.course_ref not in step.course_links:
                self.problems.append(visit.record.problem("", "its treatment course has problems (see them); "
                                                               "the visit is imported once they are corrected"))
                continue
            taken = slots.problems(visit, flat)
            if taken:
                self.problems.extend(visit.record.problem(p.field, p.message) for p in taken)
                continue
            recorded = self._recorded_checks(step, visit, flat, stored_courses, birth_date)
            if recorded is None:
                continue
            raw = {**visit.record.raw(), **recorded}
            if visit.adverse_events is not None:
                raw["adverse_events"] = [event.raw() for event in visit.adverse_events]
                self.new["adverse event"] += len(visit.adverse_events)
            step.visits.append((raw, visit.course_ref))
            self.new["visit"] += 1

    def _recorded_checks(self, step: PatientStep, visit: IncomingVisit, flat: Mapping[str, Any], stored_courses,
                         birth_date) -> dict[str, Any] | None:
        """The checks an archive's visit carries as recorded there (pmsdesk.domain.recorded_elsewhere), held
        to the visit as the save will hold them; None (with the problems noted) when they do not fit."""
        raw = visit.recorded_raw()
        if not raw:
            return raw
        try:
            recorded_override(raw, answered=safety.answers_in(visit.record.raw()) is not None)
            if stored_value(flat["kind"]) == VisitKind.TREATMENT.value and flat.get("dose_given") is not None:
                agent = self._course_agent(step, visit.course_ref, stored_courses, birth_date)
                recorded_dose_check(raw, dose_to_check(agent, flat["dose_given"], stored_value(flat.get("dose_unit")),
                                                       flat.get("dose_batch")))
        except ValidationFailed as failure:
            self.problems.extend(visit.recorded_problem(p.field, p.message) for p in failure.problems)
            return None
        return raw

    @staticmethod
    def _course_agent(step: PatientStep, course_ref, stored_courses, birth_date) -> str:
        if course_ref is None:
            return checked_agent(None, None)
        origin, target = step.course_links[course_ref]
        if origin == "stored":
            course = next(c for c in stored_courses if c.id == target)
            return checked_agent(course.agent, course.agent_name)
        values = validate_course(step.new_courses[target], birth_date=birth_date)
        return checked_agent(stored_value(values["agent"]), values.get("agent_name"))

    def _visit(self, visit: IncomingVisit, birth_date) -> tuple[dict, list[dict]] | None:
        problems = len(self.problems)
        try:
            flat = _flat_visit(validate_visit(visit.record.raw(), birth_date=birth_date, today=self.today))
        except ValidationFailed as failure:
            self.problems.extend(_failed(visit.record, failure))
            flat = None
        events = [self._validated(event, lambda raw: _event_values(raw, birth_date=birth_date, today=self.today))
                  for event in visit.adverse_events or ()]
        if len(self.problems) > problems:
            return None
        return flat, events

    def _others(self, step: PatientStep, incoming: IncomingPatient, birth_date) -> None:
        stored_records = self.stored(step.patient_id) if step.patient_id else PatientRecords(None)
        kinds = (
            ("relapse", incoming.relapses, validate_relapse, ("onset_date",), step.relapses,
             stored_records.relapses, RELAPSE_FIELDS),
            ("therapy", incoming.therapies, validate_dmt, ("agent", "start_date"), step.therapies,
             stored_records.therapies, DMT_FIELDS),
            ("adverse event", incoming.adverse_events, _event_values, ("term", "onset_date"),
             step.adverse_events, [e for e in stored_records.adverse_events if e.visit_id is None],
             ADVERSE_EVENT_FIELDS),
        )
        for what, records, validate, identity, planned, existing_rows, fields in kinds:
            stored = {}
            for row in existing_rows:
                stored.setdefault(tuple(getattr(row, name) for name in identity), row_values(row, fields))
            in_file: dict = {}
            for record in records:
                clean = self._validated(record, lambda raw: validate(raw, birth_date=birth_date, today=self.today))
                if clean is None:
                    continue
                key = tuple(stored_value(clean[name]) for name in identity)
                if self._matched(record, clean, key, in_file, stored.get(key), what):
                    planned.append(record.raw())
                    self.new[what] += 1


class _TreatmentSlots:
    """One treatment per slot across the file and what is stored (pmsdesk.domain.treatment_slots), so
    the dry run names the row and the visit in the way; the save checks again as it writes."""

    def __init__(self, step: PatientStep, records, stored_courses, birth_date):
        self.step, self.birth_date = step, birth_date
        self.intervals = {("stored", c.id): c.interval_weeks_min for c in stored_courses}
        self.taken: dict[tuple, list[RecordedTreatment]] = {}
        for record in records:
            visit = record.visit
            if visit.kind == VisitKind.TREATMENT.value and visit.course_id is not None:
                self.taken.setdefault(("stored", visit.course_id), []).append(recorded_treatment(visit))

    def _interval(self, slot: tuple) -> int | None:
        if slot not in self.intervals:  # a course new in the file (valid, or its visits were left out)
            raw = self.step.new_courses[slot[1]]
            self.intervals[slot] = validate_course(raw, birth_date=self.birth_date)["interval_weeks_min"]
        return self.intervals[slot]

    def problems(self, visit: IncomingVisit, flat: Mapping[str, Any]) -> list:
        if stored_value(flat["kind"]) != VisitKind.TREATMENT.value or visit.course_ref is None:
            return []
        slot = self.step.course_links[visit.course_ref]
        recorded = self.taken.setdefault(slot, [])
        found = slot_problems(flat["visit_date"], flat.get("treatment_number"), recorded, self._interval(slot))
        if not found:
            recorded.append(RecordedTreatment(flat["visit_date"], flat.get("treatment_number"),
                                              f"row {visit.record.row} of {visit.record.source}"))
        return found


def plan_import(clinic: Clinic, incoming: Incoming) -> ImportPlan:
    """The dry run: every problem of the file and what importing it would write. Writes nothing."""
    planner = _Planner(clinic)
    planner.problems.extend(incoming.problems)
    steps = []
    for patient in incoming.patients.values():
        step = planner.plan(patient)
        if step is not None and step.writes():
            steps.append(step)
    planner.problems.sort(key=lambda problem: (problem.source, problem.row))
    return ImportPlan(incoming.source, planner.problems, steps, planner.new, planner.identical, planner.duplicates)


# ----- the write -------------------------------------------------------------------------------------

def apply_import(clinic: Clinic, plan: ImportPlan, *, valid_rows_only: bool = False,
                 progress: Callable[[int, int], None] | None = None,
                 cancelled: Callable[[], bool] = lambda: False) -> ImportResult:
    """Write what ``plan`` found, in batches of whole patients, each one transaction.

    A batch commits once it has held the database for :data:`BATCH_SECONDS`, and the next starts
    :data:`PAUSE_SECONDS` later, so another workstation's save waits a moment, never the whole import.
    An import that fits in one batch (most do) is all or nothing; a longer one cancelled, refused or
    failing keeps the batches already committed (whole patients, each batch with its own ``import``
    audit entry) and says so: importing the file again adds the rest, as what is in is skipped.

    A plan with problems is refused unless ``valid_rows_only``, which writes the valid records and
    leaves out the rows with problems. ``progress(done, total)`` follows each record written;
    ``cancelled()`` is asked after each, and True rolls the current batch back (:class:`ImportCancelled`).
    """
    if plan.has_problems and not valid_rows_only:
        raise ImportRefused(f"{plan.source} has {len(plan.problems)} problem{'s' if len(plan.problems) != 1 else ''}; "
                            "nothing was imported (correct them, or import only the valid rows)")
    writer = _BatchWriter(clinic, plan, valid_rows_only, progress, cancelled)
    steps = list(plan.steps)
    while steps:
        writer.write_batch(steps)
        if steps:
            time.sleep(PAUSE_SECONDS)
    return ImportResult(writer.created, len(plan.problems))


BATCH_SECONDS = 0.5  # the longest one batch of an import holds the database's write lock (then it commits)
PAUSE_SECONDS = 0.15  # between batches: longer than SQLite's longest wait between retries (100 ms)


class _BatchWriter:
    def __init__(self, clinic: Clinic, plan: ImportPlan, valid_rows_only: bool,
                 progress: Callable[[int, int], None] | None, cancelled: Callable[[], bool]):
        self.clinic, self.plan, self.valid_rows_only = clinic, plan, valid_rows_only
        self.progress, self.cancelled = progress, cancelled
        self.total, self.done, self.parts, self.patients = plan.writes(), 0, 0, 0  # parts, patients: committed
        self.created: Counter[str] = Counter(dict.fromkeys(PLURALS, 0))  # committed

    def write_batch(self, steps: list[PatientStep]) -> None:
        """Write whole patients from the front of ``steps`` in one transaction, until the batch's time
        is up; the steps written are taken off ``steps`` once committed."""
        started = time.monotonic()
        batch_created: Counter[str] = Counter(dict.fromkeys(PLURALS, 0))
        written = 0
        try:
            with exchange_service.import_batch(self.clinic) as batch:
                while written < len(steps) and (written == 0 or time.monotonic() - started < BATCH_SECONDS):
                    self._write_step(batch, steps[written], batch_created)
                    written += 1
                if any(batch_created.values()):  # an import that found nothing new changed nothing
                    details = {"source": self.plan.source,
                               "created": {kind: count for kind, count in batch_created.items() if count},
                               "valid_rows_only": self.valid_rows_only, "problems_left_out": len(self.plan.problems)}
                    if self.parts or written < len(steps):
                        details["part"] = self.parts + 1
                    exchange_service.record_import(batch, details)
        except Cancelled:  # ours, or the progress callback's own
            raise ImportCancelled(self._stopped("import cancelled"), self.created) from None
        except Refusal as refusal:
            if self.parts:
                raise ImportRefused(self._stopped(str(refusal), refused=True), self.created) from refusal
            raise
        del steps[:written]
        self.parts += 1
        self.patients += written
        self.created.update(batch_created)

    def _stopped(self, why: str, *, refused: bool = False) -> str:
        if not self.parts:
            return f"{why}; nothing was written"
        left = counted(self.plan.new - self.created)
        again = ("correct what was refused, then import the file again" if refused
                 else "importing the file again")
        return (f"{why.rstrip('.')}.\nKept: {counted(self.created)}, the first {self.patients} patients of the file, written "
                f"before it stopped ({self.parts} batch{'es' if self.parts != 1 else ''}, each in the audit trail); "
                f"not imported: {left or 'the rest'}. To go on, {again}: what is already in pmsdesk is skipped, "
                "the rest is added")

    def _step_done(self, created: Counter[str], kind: str) -> None:
        created[kind] += 1
        self.done += 1
        if self.progress is not None:
            self.progress(self.done, self.total)
        if self.cancelled():
            raise ImportCancelled("import cancelled")

    def _write_step(self, batch: Clinic, step: PatientStep, created: Counter[str]) -> None:
        patient_id = step.patient_id
        if patient_id is None:
            patient = batch.create_patient(step.details)
            if step.archived:
                batch.set_archived(patient.id, patient.version, True)
            patient_id = patient.id
            self._step_done(created, "patient")
        created_courses = {}
        for ref, raw in step.new_courses.items():
            created_courses[ref] = batch.create_course(patient_id, raw).id
            self._step_done(created, "course")
        for raw, course_ref in step.visits:
            course_id = None
            if course_ref is not None:
                origin, target = step.course_links[course_ref]
                course_id = target if origin == "stored" else created_courses[target]
            record = batch.create_visit(patient_id, {**raw, "course_id": course_id}, imported_from=self.plan.source)
            created["adverse event"] += len(record.adverse_events)
            self._step_done(created, "visit")
        for raw in step.relapses:
            batch.save_relapse(patient_id, raw)
            self._step_done(created, "relapse")
        for raw in step.therapies:
            batch.save_dmt(patient_id, raw)
            self._step_done(created, "therapy")
        for raw in step.adverse_events:
            batch.save_adverse_event(patient_id, raw, imported_from=self.plan.source)
            self._step_done(created, "adverse event")
