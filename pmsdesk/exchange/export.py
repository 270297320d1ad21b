"""Exports: tidy CSV, the whole-clinic archive, msprog's long format and FHIR R4 JSON.

:func:`export_clinic` checks the actor may export, writes the file (never half a file: a temporary
file renamed into place) and records the export in the audit trail: who (the actor), when (the
entry's time), what (format, pseudonymised or not, how many patients and records) and where (the
path). Every CSV cell goes through :func:`~pmsdesk.exchange.columns.export_cell`, which keeps text
from running as a spreadsheet formula.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import BinaryIO

from pmsdesk.domain.assessments import REGISTRY, Measure
from pmsdesk.domain.audit import AuditKind
from pmsdesk.domain.permissions import Action
from pmsdesk.exchange.archive import write_archive
from pmsdesk.exchange.columns import COURSE_PREFIX, TEMPLATE_FIELDS, CsvWriter, cell_text
from pmsdesk.exchange.fhir import write_fhir_bundle
from pmsdesk.exchange.snapshot import ClinicSnapshot, take_snapshot
from pmsdesk.files import write_atomically, writing_atomically
from pmsdesk.services.clinic import Clinic


class ExportFormat(StrEnum):
    CSV = "csv"
    ARCHIVE = "archive"
    MSPROG = "msprog"
    FHIR = "fhir"


# What each format writes, for the dialog and the command line.
FORMAT_LABELS = {
    ExportFormat.CSV: "Tidy CSV: one row per patient, date and measure",
    ExportFormat.ARCHIVE: "Whole-clinic archive (.zip: a CSV per table and a data dictionary)",
    ExportFormat.MSPROG: "msprog / pmsdesk progression: a folder of patient_id,date,value files",
    ExportFormat.FHIR: "HL7 FHIR R4 Bundle (JSON)",
}

TIDY_VISIT_COLUMNS = ("visit_date", "kind", "treatment_number", "dose_given", "dose_unit")
TIDY_COURSE_COLUMNS = ("agent", "start_date")

# msprog files: outcome file -> the value of a visit (None: not measured or not completed).
MSPROG_RELAPSES = "relapses.csv"

# Where a CSV or msprog export keeps the audit checkpoint it was made at: a line in the CSV itself would
# break R, pandas and msprog reading it, so it goes beside the file (inside the msprog folder).
CHECKPOINT_SUFFIX = ".checkpoint"
MSPROG_CHECKPOINT = "pmsdesk.checkpoint"


def checkpoint_file(path: Path) -> Path:
    """The file holding the checkpoint of the export at ``path``: ``<name>.checkpoint`` beside a file,
    ``pmsdesk.checkpoint`` inside a folder (msprog's)."""
    return path / MSPROG_CHECKPOINT if path.is_dir() else path.with_name(path.name + CHECKPOINT_SUFFIX)


def checkpoint_bytes(export_format: ExportFormat, checkpoint: str, timestamp: str, files: Iterable[str]) -> bytes:
    """The checkpoint file: JSON with the same ``audit_checkpoint`` key as the archive's manifest, read
    back by ``pmsdesk audit verify --checkpoint FILE``."""
    return json.dumps({"audit_checkpoint": checkpoint, "exported_at": timestamp, "format": export_format.value,
                       "files": sorted(files)}, indent=1).encode("utf-8")


@dataclass(frozen=True)
class ExportSummary:
    format: ExportFormat
    path: Path
    patients: int
    records: int

    def describe(self) -> str:
        return (f"Exported {self.patients} patient{'s' if self.patients != 1 else ''} "
                f"({self.records} records) as {self.format.value} to {self.path}")


# ----- tidy CSV ------------------------------------------------------------------------------------

def write_tidy_csv(snapshot: ClinicSnapshot, file: BinaryIO) -> None:
    """One row per patient, visit and recorded value; a visit without any value has one row with an
    empty measure, so no treatment is left out. The long import format reads this file back."""
    header = (snapshot.subject_column, *TIDY_VISIT_COLUMNS, *(COURSE_PREFIX + c for c in TIDY_COURSE_COLUMNS),
              "measure", "value", "unit")
    writer = CsvWriter(file, header)
    for patient in snapshot.patients:
        courses = {course["id"]: course for course in patient.courses}
        for visit in patient.visits:
            course = courses.get(visit.visit.get("course_id")) or {}
            left = (patient.subject, *(visit.visit.get(c) for c in TIDY_VISIT_COLUMNS),
                    *(course.get(c) for c in TIDY_COURSE_COLUMNS))
            measures = [(key, value) for key, value in visit.form_values().items()
                        if "." in key and key.split(".")[0] in REGISTRY and value not in (None, False)]
            if not measures:
                writer.write((*left, None, None, None))
            for key, value in measures:
                writer.write((*left, key, value, TEMPLATE_FIELDS[key].unit or None))
    writer.finish()


# ----- msprog --------------------------------------------------------------------------------------

def msprog_outcomes() -> dict[str, Measure]:
    """One msprog file per registered measure that has a meaningful-change rule (msprog scores those)."""
    return {f"{measure.key}.csv": measure for measure in REGISTRY.measures() if measure.change_rule is not None}


def write_msprog_files(snapshot: ClinicSnapshot, folder: Path) -> list[str]:
    """``patient_id,date,value`` per outcome, read as the registry reads it (the T25FW and each 9HPT hand
    as the mean of their trials; a test not completed has no row) and ``patient_id,date`` of relapse onsets,
    all written in one walk through the clinic; each file appears under its name only once all are complete.
    The names of the files written."""
    outcomes = msprog_outcomes()
    with ExitStack() as files:
        writers = {name: CsvWriter(files.enter_context(writing_atomically(folder / name)),
                                   ("patient_id", "date", "value")) for name in outcomes}
        relapses = CsvWriter(files.enter_context(writing_atomically(folder / MSPROG_RELAPSES)), ("patient_id", "date"))
        for patient in snapshot.patients:
            for name, measure in outcomes.items():
                for visit in patient.visits:
                    values = visit.assessments.get(measure.assessment)
                    reading = measure.read(values) if values else None
                    if reading is not None and reading.value is not None:
                        writers[name].write((patient.subject, visit.visit["visit_date"], cell_text(reading.value)))
            for relapse in patient.relapses:
                relapses.write((patient.subject, relapse["onset_date"]))
        for writer in (*writers.values(), relapses):
            writer.finish()
    return [*outcomes, MSPROG_RELAPSES]


# ----- the export itself ---------------------------------------------------------------------------

def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def export_clinic(clinic: Clinic, export_format: ExportFormat | str, path: Path, *, pseudonymise: bool = False,
                  shift_dates: bool = False, progress: Callable[[int, int], None] | None = None,
                  cancelled: Callable[[], bool] = lambda: False) -> ExportSummary:
    """Write the whole clinic in ``export_format`` to ``path`` (a folder for msprog) and record it.

    The clinic is read and written patient by patient (:class:`ClinicSnapshot`), so memory holds a
    batch of patients whatever the clinic's size. ``progress(patients done, patients)`` follows each
    patient; ``cancelled()`` is asked after each, and True stops with
    :class:`~pmsdesk.exchange.snapshot.ExportCancelled`, leaving
    no file under the name asked for and nothing in the audit trail."""
    export_format = ExportFormat(export_format)
    clinic.actor.require(Action.EXPORT)
    snapshot = take_snapshot(clinic, pseudonymise=pseudonymise, shift_dates=shift_dates, progress=progress,
                             cancelled=cancelled)
    timestamp = _now()
    # carried by the archive's manifest, the FHIR bundle's tag, and a CSV's or msprog folder's checkpoint file
    checkpoint = clinic.audit_checkpoint()
    if export_format is ExportFormat.MSPROG:
        if not path.exists():
            path.mkdir(mode=0o700)
            os.chmod(path, 0o700)  # whatever the umask: the files inside are health records
        files = write_msprog_files(snapshot, path)
        write_atomically(checkpoint_file(path), checkpoint_bytes(export_format, checkpoint, timestamp, files))
    else:
        with writing_atomically(path) as file:
            if export_format is ExportFormat.CSV:
                write_tidy_csv(snapshot, file)
            elif export_format is ExportFormat.ARCHIVE:
                write_archive(snapshot, file, timestamp, checkpoint, spool_folder=path.parent)
            else:
                write_fhir_bundle(snapshot, file, timestamp, checkpoint)
        if export_format is ExportFormat.CSV:
            write_atomically(checkpoint_file(path), checkpoint_bytes(export_format, checkpoint, timestamp, [path.name]))
    summary = ExportSummary(export_format, path, snapshot.patient_count, snapshot.record_count)
    clinic.record_event(AuditKind.EXPORT, {
        "format": export_format.value, "path": str(path.resolve()), "pseudonymised": pseudonymise,
        "shifted_dates": shift_dates, "patients": summary.patients, "records": summary.records,
    })
    return summary
