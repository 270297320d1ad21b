"""The whole-clinic archive: a .zip with one CSV per table and a data dictionary of every column.

Columns are the fields of :mod:`pmsdesk.domain.fields` (and of the checks an import keeps as recorded,
:mod:`pmsdesk.domain.recorded_elsewhere`) plus the links between tables (``id``,
``patient_id``, ``course_id``, ``visit_id``: numbers local to the archive) and a few values pmsdesk
derives itself (marked so in the dictionary and recomputed on import). The dictionary is generated
from the field catalogue and the table metadata, so it cannot drift from what is written.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import zipfile
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from pmsdesk import __version__
from pmsdesk.domain.assessments import REGISTRY
from pmsdesk.domain.fields import (
    ADVERSE_EVENT_FIELDS,
    COURSE_FIELDS,
    DMT_FIELDS,
    PATIENT_FIELDS,
    RELAPSE_FIELDS,
    VISIT_FIELDS,
    Field,
)
from pmsdesk.domain.procedure_safety import ANSWER_FIELDS
from pmsdesk.domain.recorded_elsewhere import CLEARANCE_FIELDS, DOSE_CHECK_FIELDS, EARLIER_RELATEDNESS
from pmsdesk.exchange.columns import ColumnDescription, CsvWriter, describe_field
from pmsdesk.exchange.snapshot import IDENTIFYING_COLUMNS, ClinicSnapshot, PatientRows
from pmsdesk.services.safety import SAFETY_CHECK_EXTRAS
from pmsdesk.services.exchange import assessment_table_name, column_types

FORMAT_NAME = "pmsdesk clinic archive"
FORMAT_VERSION = 1
DICTIONARY_MEMBER = "data_dictionary.csv"
MANIFEST_MEMBER = "manifest.json"

LINK_MEANINGS = {
    "id": "This row's number in the archive (not the database's).",
    "patient_id": "The patient this row belongs to: an id of patient.csv.",
    "course_id": "The treatment course of this visit: an id of treatment_course.csv; blank if none.",
    "visit_id": "The visit this row belongs to: an id of visit.csv (blank for an event not reported at a visit).",
}
EXTRA_MEANINGS = {
    "archived": "yes when the patient is archived (hidden from the patient list).",
    "computed_edss": "Derived: the EDSS step pmsdesk computed from the functional systems (recomputed on import).",
    "computed_rules": "Derived: the rule set that computed computed_edss.",
    "dominant_hand": "Derived: the patient's dominant hand when the test was done (taken from the patient on import).",
    "subject_code": "Pseudonymised export: the patient's stable research code (the key stays in the clinic).",
    "birth_year": "Pseudonymised export: the year of birth only.",
    "result": "The pre-puncture safety check's result when saved: passed, failed or unanswered.",
    "findings": "Each item of the safety check with its outcome, finding and source, one a line, as found at the save.",
    "override_by": "The user name of the neurologist who overrode the failed safety check.",
    "override_name": "That neurologist's name as printed.",
    "override_reason": "Why the dose was given despite the failed items.",
    "override_at": "When the override was given (UTC).",
    "override_items": "The codes of the items overridden, comma-separated.",
}


@dataclass(frozen=True)
class ArchiveTable:
    name: str  # the stored table's name, and its member's name without .csv
    fields: tuple[Field, ...]
    links: tuple[str, ...]
    extras: tuple[str, ...] = ()
    identified_only: bool = False  # left out of a pseudonymised archive (it names the staff involved)

    def columns(self, pseudonymised: bool) -> tuple[str, ...]:
        names = (*self.links, *(f.name for f in self.fields), *self.extras)
        if not pseudonymised:
            return names
        kept = tuple(name for name in names if name not in IDENTIFYING_COLUMNS)
        return ("subject_code", "birth_year", *kept) if self.name == "patient" else kept


def archive_tables(pseudonymised: bool = False) -> tuple[ArchiveTable, ...]:
    """Every table of the archive (of a pseudonymised one: without those naming the staff); one per
    registered assessment, between the visits and the events."""
    tables = (
        ArchiveTable("patient", PATIENT_FIELDS, ("id",), ("archived",)),
        ArchiveTable("treatment_course", COURSE_FIELDS, ("id", "patient_id")),
        ArchiveTable("visit", VISIT_FIELDS, ("id", "patient_id", "course_id")),
        *(ArchiveTable(assessment_table_name(a.key), a.fields, ("visit_id",), a.stored_extras) for a in REGISTRY),
        ArchiveTable("safety_check", ANSWER_FIELDS, ("visit_id",), SAFETY_CHECK_EXTRAS),
        ArchiveTable("dose_check", DOSE_CHECK_FIELDS, ("visit_id",), identified_only=True),
        ArchiveTable("adverse_event", (*ADVERSE_EVENT_FIELDS, EARLIER_RELATEDNESS, *CLEARANCE_FIELDS),
                     ("id", "patient_id", "visit_id")),
        ArchiveTable("relapse", RELAPSE_FIELDS, ("id", "patient_id")),
        ArchiveTable("dmt_history", DMT_FIELDS, ("id", "patient_id")),
    )
    return tuple(table for table in tables if not (pseudonymised and table.identified_only))


def archive_table_names() -> tuple[str, ...]:
    return tuple(table.name for table in archive_tables())


def section_by_table() -> dict[str, str]:
    """The assessment key of each assessment table's name."""
    return {assessment_table_name(a.key): a.key for a in REGISTRY}


def data_dictionary(pseudonymised: bool) -> list[tuple[str, ColumnDescription, str]]:
    """(table, column description, database type) for every column of every archive table."""
    lines = []
    for spec in archive_tables(pseudonymised):
        by_name = {f.name: f for f in spec.fields}
        types = column_types(spec.name)
        for name in spec.columns(pseudonymised):
            if name in by_name:
                description = describe_field(name, by_name[name])
            else:
                meaning = LINK_MEANINGS.get(name) or EXTRA_MEANINGS[name]
                kind = "integer" if name in LINK_MEANINGS or name == "birth_year" else "text"
                description = ColumnDescription(name, name.replace("_", " ").capitalize(), kind, "", "", meaning)
            lines.append((spec.name, description, types.get(name, "")))
    return lines


class _TableFiles:
    """Each table's CSV, written row by row into an unnamed temporary file (beside the archive, so
    the rows stay where the export goes) until the walk through the clinic ends and the members are
    copied into the zip; rows get archive-local ids and links (renumbered 1, 2, 3... per table)."""

    def __init__(self, stack: ExitStack, folder: Path | None, pseudonymised: bool):
        self.specs = archive_tables(pseudonymised)
        self.columns = {spec.name: spec.columns(pseudonymised) for spec in self.specs}
        self.writers = {name: CsvWriter(stack.enter_context(tempfile.TemporaryFile(dir=folder)), columns)
                        for name, columns in self.columns.items()}

    def add(self, table: str, values: dict, **links) -> int:
        writer = self.writers[table]
        number = writer.rows + 1
        row = {**values, "id": number, **links}
        writer.write(row.get(column) for column in self.columns[table])
        return number

    def add_patient(self, patient: PatientRows) -> None:
        add = self.add
        patient_id = add("patient", {**patient.patient, "subject_code": patient.subject})
        courses = {course["id"]: add("treatment_course", course, patient_id=patient_id) for course in patient.courses}
        for visit in patient.visits:
            visit_id = add("visit", visit.visit, patient_id=patient_id, course_id=courses.get(visit.visit["course_id"]))
            for section, row in visit.assessments.items():
                if row is not None:
                    add(assessment_table_name(section), row, visit_id=visit_id)
            if visit.safety_check is not None:
                add("safety_check", visit.safety_check, visit_id=visit_id)
            if visit.dose_check is not None:
                add("dose_check", visit.dose_check, visit_id=visit_id)
            for event in visit.adverse_events:
                add("adverse_event", event, patient_id=patient_id, visit_id=visit_id)
        for event in patient.adverse_events:
            add("adverse_event", event, patient_id=patient_id, visit_id=None)
        for relapse in patient.relapses:
            add("relapse", relapse, patient_id=patient_id)
        for therapy in patient.therapies:
            add("dmt_history", therapy, patient_id=patient_id)


def write_archive(snapshot: ClinicSnapshot, file: BinaryIO, exported_at: str, audit_checkpoint: str = "",
                  spool_folder: Path | None = None) -> None:
    """The archive of the clinic into ``file``: one walk through the clinic writes every table's rows
    (spooled in ``spool_folder``; the system's temporary folder if None), then each table becomes a
    member of the zip, with the data dictionary and the manifest."""
    with ExitStack() as stack:
        tables = _TableFiles(stack, spool_folder, snapshot.pseudonymised)
        for patient in snapshot.patients:
            tables.add_patient(patient)
        with zipfile.ZipFile(file, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, writer in tables.writers.items():
                writer.finish()
                writer.file.seek(0)
                with archive.open(f"{name}.csv", "w", force_zip64=True) as member:
                    shutil.copyfileobj(writer.file, member)
            with archive.open(DICTIONARY_MEMBER, "w") as member:
                dictionary = CsvWriter(member, ("table", "column", "label", "kind", "unit", "allowed", "meaning",
                                                "database_type"))
                for table, d, sql in data_dictionary(snapshot.pseudonymised):
                    dictionary.write((table, d.name, d.label, d.kind, d.unit, d.allowed, d.meaning, sql))
                dictionary.finish()
            archive.writestr(MANIFEST_MEMBER, json.dumps({
                "format": FORMAT_NAME, "format_version": FORMAT_VERSION, "pmsdesk_version": __version__,
                "exported_at": exported_at, "pseudonymised": snapshot.pseudonymised,
                "audit_checkpoint": audit_checkpoint,  # the audit trail's head when exported (N:HASH)
                "shifted_dates": snapshot.shifted_dates,
                "rows": {name: writer.rows for name, writer in tables.writers.items()},
            }, indent=2))
