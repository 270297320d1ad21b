"""Helpers for the exchange tests: every record of a clinic in a comparable form, and small files."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

from pmsdesk.exchange.snapshot import take_snapshot
from pmsdesk.services.clinic import Clinic

LOCAL_KEYS = {"id", "course_id"}  # database row numbers: differ between installations by design


def _comparable(value):
    """A time as UTC without its zone: PostgreSQL gives times with theirs, SQLite without (both UTC)."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value


def _plain(row: dict | None) -> dict | None:
    return None if row is None else {key: _comparable(value) for key, value in row.items() if key not in LOCAL_KEYS}


def every_record(clinic: Clinic) -> dict[str, dict]:
    """Every record of every patient, keyed by clinic identifier, without database row numbers;
    a visit names its course by agent and start date."""
    records = {}
    for patient in take_snapshot(clinic).patients:
        courses = {course["id"]: (course["agent"], course["start_date"]) for course in patient.courses}
        records[patient.subject] = {
            "patient": _plain(patient.patient),
            "courses": sorted((_plain(c) for c in patient.courses), key=repr),
            "visits": [
                {"visit": _plain(v.visit), "course": courses.get(v.visit["course_id"]),
                 "assessments": {section: _plain(row) for section, row in v.assessments.items()},
                 "adverse_events": [_plain(e) for e in v.adverse_events],
                 "safety_check": _plain(v.safety_check), "dose_check": _plain(v.dose_check)}
                for v in patient.visits
            ],
            "relapses": [_plain(r) for r in patient.relapses],
            "therapies": [_plain(t) for t in patient.therapies],
            "adverse_events": [_plain(e) for e in patient.adverse_events],
        }
    return records


def record_total(records: dict[str, dict]) -> int:
    total = 0
    for patient in records.values():
        total += 1 + len(patient["courses"]) + len(patient["relapses"]) + len(patient["therapies"])
        total += len(patient["adverse_events"])
        for visit in patient["visits"]:
            total += 1 + len(visit["adverse_events"]) + sum(row is not None for row in visit["assessments"].values())
    return total


def write_csv(path: Path, header: list[str], rows: list[list], encoding: str = "utf-8") -> Path:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(out.getvalue().encode(encoding))
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
