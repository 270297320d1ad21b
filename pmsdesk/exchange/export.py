"""Exports: tidy CSV, the whole-clinic archive, msprog's long format and FHIR R4 JSON.

:func:`export_clinic` checks the actor may export, writes the file (never half a file: a temporary
file renamed into place) and records the export in the audit trail: who (the actor), when (the
entry's time), what (format, pseudonymised or not, how many patients and records) and where (the
path). Every CSV cell goes through :func:`~pmsdesk.exchange.columns.export_cell`, which keeps text
from running as a spreadsheet formula.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from pmsdesk.domain.assessments import REGISTRY, Measure
from pmsdesk.domain.audit import AuditKind
from pmsdesk.domain.permissions import Action
from pmsdesk.exchange.archive import archive_bytes
from pmsdesk.exchange.columns import COURSE_PREFIX, TEMPLATE_FIELDS, cell_text, export_cell
from pmsdesk.exchange.fhir import fhir_bundle
from pmsdesk.exchange.snapshot import ClinicSnapshot, take_snapshot
from pmsdesk.files import write_atomically
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


def _csv_bytes(header: Iterable[str], rows: Iterable[Iterable]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([export_cell(value) for value in row] for row in rows)
    return out.getvalue().encode("utf-8")


# ----- tidy CSV ------------------------------------------------------------------------------------

def tidy_csv(snapshot: ClinicSnapshot) -> bytes:
    """One row per patient, visit and recorded value; a visit without any value has one row with an
    empty measure, so no treatment is left out. The long import format reads this file back."""
    header = (snapshot.subject_column, *TIDY_VISIT_COLUMNS, *(COURSE_PREFIX + c for c in TIDY_COURSE_COLUMNS),
              "measure", "value", "unit")

    def rows():
        for patient in snapshot.patients:
            courses = {course["id"]: course for course in patient.courses}
            for visit in patient.visits:
                course = courses.get(visit.visit.get("course_id")) or {}
                left = (patient.subject, *(visit.visit.get(c) for c in TIDY_VISIT_COLUMNS),
                        *(course.get(c) for c in TIDY_COURSE_COLUMNS))
                measures = [(key, value) for key, value in visit.form_values().items()
                            if "." in key and key.split(".")[0] in REGISTRY and value not in (None, False)]
                if not measures:
                    yield (*left, None, None, None)
                for key, value in measures:
                    yield (*left, key, value, TEMPLATE_FIELDS[key].unit or None)

    return _csv_bytes(header, rows())


# ----- msprog --------------------------------------------------------------------------------------

def msprog_outcomes() -> dict[str, Measure]:
    """One msprog file per registered measure that has a meaningful-change rule (msprog scores those)."""
    return {f"{measure.key}.csv": measure for measure in REGISTRY.measures() if measure.change_rule is not None}


def msprog_files(snapshot: ClinicSnapshot) -> dict[str, bytes]:
    """``patient_id,date,value`` per outcome, read as the registry reads it (the T25FW and each 9HPT hand
    as the mean of their trials; a test not completed has no row) and ``patient_id,date`` of relapse onsets."""
    files = {}
    for name, measure in msprog_outcomes().items():
        rows = []
        for patient in snapshot.patients:
            for visit in patient.visits:
                values = visit.assessments.get(measure.assessment)
                reading = measure.read(values) if values else None
                if reading is not None and reading.value is not None:
                    rows.append((patient.subject, visit.visit["visit_date"], cell_text(reading.value)))
        files[name] = _csv_bytes(("patient_id", "date", "value"), rows)
    files[MSPROG_RELAPSES] = _csv_bytes(("patient_id", "date"), (
        (patient.subject, relapse["onset_date"]) for patient in snapshot.patients for relapse in patient.relapses))
    return files


# ----- the export itself ---------------------------------------------------------------------------

def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def export_clinic(clinic: Clinic, export_format: ExportFormat | str, path: Path, *, pseudonymise: bool = False,
                  shift_dates: bool = False) -> ExportSummary:
    """Write the whole clinic in ``export_format`` to ``path`` (a folder for msprog) and record it."""
    export_format = ExportFormat(export_format)
    clinic.actor.require(Action.EXPORT)
    snapshot = take_snapshot(clinic, pseudonymise=pseudonymise, shift_dates=shift_dates)
    timestamp = _now()
    # carried by the archive's manifest, the FHIR bundle's tag, and a CSV's or msprog folder's checkpoint file
    checkpoint = clinic.audit_checkpoint()
    if export_format is ExportFormat.MSPROG:
        if not path.exists():
            path.mkdir(mode=0o700)
            os.chmod(path, 0o700)  # whatever the umask: the files inside are health records
        files = msprog_files(snapshot)
        for name, content in files.items():
            write_atomically(path / name, content)
        write_atomically(checkpoint_file(path), checkpoint_bytes(export_format, checkpoint, timestamp, files))
    else:
        content = {
            ExportFormat.CSV: lambda: tidy_csv(snapshot),
            ExportFormat.ARCHIVE: lambda: archive_bytes(snapshot, timestamp, checkpoint),
            ExportFormat.FHIR: lambda: json.dumps(fhir_bundle(snapshot, timestamp, checkpoint), indent=1,
                                                  ensure_ascii=False).encode("utf-8"),
        }[export_format]()
        write_atomically(path, content)
        if export_format is ExportFormat.CSV:
            write_atomically(checkpoint_file(path), checkpoint_bytes(export_format, checkpoint, timestamp, [path.name]))
    summary = ExportSummary(export_format, path, len(snapshot.patients), snapshot.record_count())
    clinic.record_event(AuditKind.EXPORT, {
        "format": export_format.value, "path": str(path.resolve()), "pseudonymised": pseudonymise,
        "shifted_dates": shift_dates, "patients": summary.patients, "records": summary.records,
    })
    return summary
