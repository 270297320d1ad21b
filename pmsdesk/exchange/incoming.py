"""What an import file holds, as records grouped by patient, each cell remembering where it came from.

Three shapes are read: the wide template (one row per visit, template keys as columns), the long
format (one row per value: ``clinic_id, visit_date, [kind], measure, value``; any other template
column applies to the whole visit) and the whole-clinic archive. Problems of shape (a missing or
unknown column, one visit given two different values) are collected here; the rules of each value
are applied later, by the importer, with the domain's own validation.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pmsdesk.domain.fields import shown_escaped
from pmsdesk.domain.procedure_safety import SECTION as SAFETY_SECTION
from pmsdesk.exchange.archive import archive_tables, section_by_table
from pmsdesk.exchange.columns import (
    COURSE_KEYS,
    PATIENT_KEYS,
    RECORD_FIELDS,
    TEMPLATE_FIELDS,
    VISIT_FORM_FIELDS,
    cell_to_raw,
)
from pmsdesk.exchange.sources import Table, rows_as_dicts

LONG_MEASURE, LONG_VALUE, LONG_UNIT = "measure", "value", "unit"
LONG_COLUMNS = (LONG_MEASURE, LONG_VALUE, LONG_UNIT)
IGNORED = ""  # a mapping's target for a column left out of the import


@dataclass(frozen=True, slots=True)  # a million of them in a large file
class Cell:
    row: int
    column: str  # the file's own column name
    value: Any


@dataclass(frozen=True)
class ImportProblem:
    source: str
    row: int  # as the file counts (the header is row 1); 0 for the file as a whole
    column: str
    value: Any
    message: str

    def __str__(self) -> str:
        where = f"row {self.row}" if self.row else "file"
        column = f", column {self.column}" if self.column else ""
        shown = "" if self.value in (None, "") else f" (value \u201c{shown_escaped(str(self.value))[:60]}\u201d)"
        return f"{self.source} {where}{column}{shown}: {self.message}"


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


@dataclass
class Record:
    """One patient, course, visit, event, relapse or therapy as the file gives it."""

    kind: str  # a key of RECORD_FIELDS
    source: str
    row: int
    cells: dict[str, Cell] = field(default_factory=dict)  # validation key -> cell

    def raw(self) -> dict[str, Any]:
        fields = RECORD_FIELDS[self.kind]
        return {key: cell_to_raw(fields[key], cell.value) for key, cell in self.cells.items() if key in fields}

    def given(self) -> set[str]:
        """Keys the file has a column for (blank or not): the ones an existing record is compared on."""
        return set(self.cells)

    def problem(self, key: str, message: str) -> ImportProblem:
        cell = self.cells.get(key)
        if cell is None:
            return ImportProblem(self.source, self.row, key, None, message)
        return ImportProblem(self.source, cell.row, cell.column, cell.value, message)

    def merge(self, cells: Mapping[str, Cell], what: str, problems: list[ImportProblem]) -> None:
        """Take ``cells`` into this record; a value already given differently is a problem."""
        for key, cell in cells.items():
            known = self.cells.get(key)
            if known is None or (_blank(known.value) and not _blank(cell.value)):
                self.cells[key] = cell
            elif not _blank(cell.value) and str(cell.value).strip() != str(known.value).strip():
                problems.append(ImportProblem(
                    self.source, cell.row, cell.column, cell.value,
                    f"row {known.row} gives \u201c{known.value}\u201d for the same {what}; "
                    "every row of it must give the same value"))


@dataclass
class IncomingVisit:
    record: Record
    course_ref: Any = None  # which of the patient's incoming courses, if any
    adverse_events: list[Record] | None = None  # None: the file says nothing about them
    # an archive's checks of the visit, kept as recorded there: a "recorded_checks" record per table
    recorded: list[Record] = field(default_factory=list)

    def recorded_raw(self) -> dict[str, Any]:
        return {key: value for record in self.recorded for key, value in record.raw().items()}

    def recorded_problem(self, key: str, message: str) -> ImportProblem:
        holder = next((record for record in self.recorded if key in record.cells), None)
        return (holder or self.record).problem(key, message)


@dataclass
class IncomingPatient:
    clinic_id: str
    details: Record | None = None
    archived: Cell | None = None
    courses: dict[Any, Record] = field(default_factory=dict)
    visits: list[IncomingVisit] = field(default_factory=list)
    relapses: list[Record] = field(default_factory=list)
    therapies: list[Record] = field(default_factory=list)
    adverse_events: list[Record] = field(default_factory=list)  # not reported at a visit


@dataclass
class Incoming:
    source: str
    patients: dict[str, IncomingPatient] = field(default_factory=dict)
    problems: list[ImportProblem] = field(default_factory=list)

    def record_count(self) -> int:
        count = 0
        for patient in self.patients.values():
            count += (patient.details is not None) + len(patient.courses) + len(patient.visits) \
                + len(patient.relapses) + len(patient.therapies) + len(patient.adverse_events)
        return count


# ----- the template, wide or long ------------------------------------------------------------------

def header_key(header: tuple[str, ...]) -> str:
    """Which header a remembered mapping belongs to: the set of column names, order aside."""
    return hashlib.sha256("\n".join(sorted(set(header))).encode()).hexdigest()


def default_mapping(header: tuple[str, ...]) -> dict[str, str]:
    """Columns named as in the template map to themselves (case and spaces aside). Other columns stay
    unmapped, and an import refuses them until a mapping names them or ignores them."""
    known = {key.lower(): key for key in (*TEMPLATE_FIELDS, *LONG_COLUMNS)}
    return {column: known[column.strip().lower()] for column in header if column.strip().lower() in known}


def mapping_problems(table: Table, mapping: Mapping[str, str]) -> list[ImportProblem]:
    problems = []
    targets = [target for target in mapping.values() if target]
    for column in table.header:
        if column and column not in mapping:
            problems.append(ImportProblem(table.name, 1, column, None,
                                          "not a column of the import template; map it to one, or ignore it "
                                          "(docs/exchange.md lists the columns)"))
    for column, target in mapping.items():
        if target and target not in TEMPLATE_FIELDS and target not in LONG_COLUMNS:
            problems.append(ImportProblem(table.name, 1, column, target, "the mapping names an unknown template column"))
    for target in sorted({t for t in targets if targets.count(t) > 1}):
        problems.append(ImportProblem(table.name, 1, "", target, f"several columns are mapped to {target}; map one"))
    long = LONG_MEASURE in targets
    required = ("clinic_id", "visit_date", LONG_VALUE) if long else ("clinic_id", "visit_date")
    for target in required:
        if target not in targets:
            problems.append(ImportProblem(table.name, 1, target, None,
                                          f"the file needs a {target} column (or a column mapped to it)"))
    return problems


def read_template(table: Table, mapping: Mapping[str, str]) -> Incoming:
    """Records from a template file, its columns renamed by ``mapping`` (file column -> template key)."""
    incoming = Incoming(table.name, problems=mapping_problems(table, mapping))
    if incoming.problems:
        return incoming
    rows = []
    for number, values in rows_as_dicts(table):
        cells = {mapping[column]: Cell(number, column, value) for column, value in values.items() if mapping.get(column)}
        rows.append((number, cells))
    if any(LONG_MEASURE in cells for _, cells in rows):
        rows = _pivot_long(table.name, rows, incoming.problems)
    for number, cells in rows:
        _add_visit_row(incoming, number, cells)
    return incoming


def _pivot_long(source: str, rows, problems: list[ImportProblem]):
    """Long rows grouped into one wide row per visit (clinic_id, visit_date and kind if given)."""
    visits: dict[tuple, Record] = {}
    for number, cells in rows:
        identity = tuple(str(cells[key].value).strip() if key in cells else "" for key in ("clinic_id", "visit_date", "kind"))
        visit = visits.setdefault(identity, Record("visit", source, number))
        measure = cells.pop(LONG_MEASURE, None)
        value = cells.pop(LONG_VALUE, None)
        cells.pop(LONG_UNIT, None)
        if measure is not None and not _blank(measure.value):
            name = str(measure.value).strip()
            if name not in TEMPLATE_FIELDS:
                problems.append(ImportProblem(source, number, measure.column, name,
                                              "not a measure of the template (for example edss.edss, "
                                              "t25fw.trial1_s, sdmt.score; docs/exchange.md lists them)"))
            else:
                cells[name] = Cell(number, value.column if value else LONG_VALUE, value.value if value else None)
        visit.merge(cells, "visit", problems)
    return [(visit.row, visit.cells) for visit in visits.values()]


def _split(cells: Mapping[str, Cell], keys: Mapping[str, str]) -> dict[str, Cell]:
    return {keys[key]: cell for key, cell in cells.items() if key in keys}


def _add_visit_row(incoming: Incoming, number: int, cells: dict[str, Cell]) -> None:
    clinic_cell = cells["clinic_id"]
    clinic_id = "" if _blank(clinic_cell.value) else str(clinic_cell.value).strip()
    if not clinic_id:
        incoming.problems.append(ImportProblem(incoming.source, number, clinic_cell.column, None,
                                               "Clinic identifier: this is required; every row names its patient."))
        return
    patient = incoming.patients.setdefault(clinic_id, IncomingPatient(clinic_id))
    details = _split(cells, PATIENT_KEYS)
    if len(details) > 1:  # more than the identifier: the file describes the patient
        if patient.details is None:
            patient.details = Record("patient", incoming.source, number)
        patient.details.merge(details, "patient", incoming.problems)
    course_cells = _split(cells, COURSE_KEYS)
    course_ref = None
    if any(not _blank(cell.value) for cell in course_cells.values()):
        course_ref = tuple(str(course_cells[key].value).strip().lower() if key in course_cells else ""
                           for key in ("agent", "start_date"))
        course = patient.courses.setdefault(course_ref, Record("course", incoming.source, number))
        course.merge(course_cells, "treatment course", incoming.problems)
    visit = Record("visit", incoming.source, number, {k: c for k, c in cells.items() if k in VISIT_FORM_FIELDS})
    patient.visits.append(IncomingVisit(visit, course_ref))


# ----- the whole-clinic archive ----------------------------------------------------------------------

def read_archive_tables(source: str, tables: Mapping[str, Table]) -> Incoming:
    """Records from the archive's tables, linked by their archive ids."""
    incoming = Incoming(source)
    if "patient" not in tables:
        incoming.problems.append(ImportProblem(source, 0, "", None, "the archive has no patient.csv"))
        return incoming
    if "clinic_id" not in tables["patient"].header:
        incoming.problems.append(ImportProblem(
            tables["patient"].name, 1, "clinic_id", None,
            "no clinic_id column: a pseudonymised archive is for research and cannot be imported"))
        return incoming
    specs = {spec.name: spec for spec in archive_tables()}
    for name, table in tables.items():
        known = set(specs[name].columns(pseudonymised=False))
        for column in table.header:
            if column and column not in known:
                incoming.problems.append(ImportProblem(table.name, 1, column, None,
                                                       f"not a column of {name}.csv (see data_dictionary.csv)"))
    if incoming.problems:
        return incoming

    patients: dict[str, IncomingPatient] = {}
    courses: dict[str, tuple[IncomingPatient, str]] = {}
    visits: dict[str, IncomingVisit] = {}

    def rows(name: str):
        table = tables.get(name)
        if table is None:
            return
        for number, values in rows_as_dicts(table):
            yield table.name, number, {column: Cell(number, column, value) for column, value in values.items()}

    def reference(cells, column, targets, source, required=True):
        cell = cells.get(column)
        key = "" if cell is None or _blank(cell.value) else str(cell.value).strip()
        if not key and not required:
            return None
        if key not in targets:
            incoming.problems.append(ImportProblem(source, cell.row if cell else 0, column, key,
                                                   f"refers to no row of the archive's {column[:-3]} table"))
            return None
        return targets[key]

    def record(kind, source, number, cells, fields=None):
        fields = fields or RECORD_FIELDS[kind]
        return Record(kind, source, number, {key: cell for key, cell in cells.items() if key in fields})

    for source, number, cells in rows("patient"):
        clinic_id = "" if _blank(cells["clinic_id"].value) else str(cells["clinic_id"].value).strip()
        if not clinic_id:
            incoming.problems.append(ImportProblem(source, number, "clinic_id", None,
                                                   "Clinic identifier: this is required."))
            continue
        if clinic_id in incoming.patients:
            incoming.problems.append(ImportProblem(source, number, "clinic_id", clinic_id,
                                                   "this patient is in patient.csv twice"))
            continue
        patient = IncomingPatient(clinic_id, record("patient", source, number, cells), cells.get("archived"))
        incoming.patients[clinic_id] = patient
        patients[str(cells["id"].value).strip()] = patient
    for source, number, cells in rows("treatment_course"):
        patient = reference(cells, "patient_id", patients, source)
        if patient is not None:
            course_id = str(cells["id"].value).strip()
            patient.courses[course_id] = record("course", source, number, cells)
            courses[course_id] = (patient, course_id)
    for source, number, cells in rows("visit"):
        patient = reference(cells, "patient_id", patients, source)
        if patient is None:
            continue
        course = reference(cells, "course_id", courses, source, required=False)
        if course is not None and course[0] is not patient:
            incoming.problems.append(ImportProblem(source, number, "course_id", cells["course_id"].value,
                                                   "the course belongs to another patient"))
            continue
        # Every field of the visit counts: a section missing from the archive was not recorded.
        visit_cells = {key: Cell(number, key, None) for key in VISIT_FORM_FIELDS}
        visit_cells.update({key: cell for key, cell in cells.items() if key in VISIT_FORM_FIELDS})
        visit = IncomingVisit(Record("visit", source, number, visit_cells), course and course[1], [])
        patient.visits.append(visit)
        visits[str(cells["id"].value).strip()] = visit
    # The safety check's answers go back with their visit (its result is worked out again at the save);
    # its override and the dose's second-person check are kept as recorded (domain.recorded_elsewhere).
    recorded_keys = RECORD_FIELDS["recorded_checks"]
    for table_name, section in (*section_by_table().items(), ("safety_check", SAFETY_SECTION),
                                ("dose_check", "dose_check")):
        for source, number, cells in rows(table_name):
            visit = reference(cells, "visit_id", visits, source)
            if visit is None:
                continue
            for column, cell in cells.items():
                key = f"{section}.{column}"
                if key in VISIT_FORM_FIELDS:
                    visit.record.cells[key] = cell
                elif key in recorded_keys:
                    if not visit.recorded or visit.recorded[-1].source != source:
                        visit.recorded.append(Record("recorded_checks", source, number))
                    visit.recorded[-1].cells[key] = cell
    for source, number, cells in rows("adverse_event"):
        patient = reference(cells, "patient_id", patients, source)
        visit = reference(cells, "visit_id", visits, source, required=False)
        if patient is None:
            continue
        event = record("adverse_event", source, number, cells)
        (visit.adverse_events if visit is not None else patient.adverse_events).append(event)
    for table_name, kind, attribute in (("relapse", "relapse", "relapses"), ("dmt_history", "therapy", "therapies")):
        for source, number, cells in rows(table_name):
            patient = reference(cells, "patient_id", patients, source)
            if patient is not None:
                getattr(patient, attribute).append(record(kind, source, number, cells))
    return incoming
