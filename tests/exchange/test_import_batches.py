"""A long import commits in batches of whole patients, so another workstation keeps saving while it
runs: a second connection saves visits throughout, and none of its saves waits long."""

from __future__ import annotations

import csv
import datetime as dt
import threading
import time

from sample_data import PATIENT, TODAY

from pmsdesk.domain.audit import AuditKind
from pmsdesk.domain.permissions import Actor
from pmsdesk.exchange.importer import apply_import, plan_import, read_file
from pmsdesk.services.clinic import Clinic
from pmsdesk.store.database import Database

PATIENTS, VISITS_EACH = 30, 3
LONGEST_WAIT = 2.0  # seconds; a save waits for one batch at most (SQLite itself would give up after 10 s)


def write_large_file(path):
    with path.open("w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["clinic_id", "family_name", "given_names", "birth_date", "sex", "phenotype", "visit_date",
                         "kind", "edss.edss", "sdmt.score"])
        for patient in range(PATIENTS):
            for visit in range(VISITS_EACH):
                day = dt.date(2024, 1, 1) + dt.timedelta(days=30 * visit)
                writer.writerow([f"BATCH-{patient:03d}", "Batch", "Bea", "1970-01-01", "female", "PPMS",
                                 day.isoformat(), "assessment", "4.5", "44"])
    return path


def test_another_workstation_keeps_saving_while_a_long_import_runs(database_url, tmp_path):
    importing = Database.open(database_url)
    other = Database.open(database_url)  # the second workstation: its own connections
    try:
        nurse_station = Clinic(other, today=lambda: TODAY)
        patient = nurse_station.create_patient(PATIENT)
        clinic = Clinic(importing, actor=Actor.system("import"), today=lambda: TODAY)
        plan = plan_import(clinic, read_file(write_large_file(tmp_path / "large.csv"), clinic))
        assert not plan.problems and plan.writes() == PATIENTS * (1 + VISITS_EACH)

        waits, failures, done = [], [], threading.Event()

        def save_visits():
            day = dt.date(2025, 1, 1)
            while not done.is_set():
                started = time.monotonic()
                try:
                    nurse_station.create_visit(patient.id, {"visit_date": day.isoformat(), "kind": "assessment",
                                                            "sdmt.score": "50"})
                except Exception as error:  # a save that failed is what this test is about
                    failures.append(error)
                waits.append(time.monotonic() - started)
                day += dt.timedelta(days=1)

        saver = threading.Thread(target=save_visits)
        saver.start()
        try:
            result = apply_import(clinic, plan)
        finally:
            done.set()
            saver.join()
        assert failures == []
        assert len(waits) > 5 and max(waits) < LONGEST_WAIT, f"longest save took {max(waits):.2f} s"
        assert result.created["patient"] == PATIENTS and result.created["visit"] == PATIENTS * VISITS_EACH
        parts = [entry.details for entry in clinic.audit_entries() if entry.kind is AuditKind.IMPORT]
        assert len(parts) > 1 and [part["part"] for part in parts] == list(range(1, len(parts) + 1))
        assert sum(part["created"]["patient"] for part in parts) == PATIENTS
        again = plan_import(clinic, read_file(tmp_path / "large.csv", clinic))
        assert again.writes() == 0  # what is in is skipped: an interrupted import is finished by importing again
    finally:
        other.close()
        importing.close()
