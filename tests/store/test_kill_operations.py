"""SIGKILL at random points during backup, restore and import, 100 runs each: the database is always
there, whole (SQLite's integrity check), with an intact audit trail, never replaced by an empty or
partial file; a backup file under a backup's name is always a whole, checked copy.

Each run forks this process (everything is imported already, so the child starts at once), the child
does the operation and the parent kills it after a random delay drawn over the operation's own
duration (measured first, unkilled), then checks the files."""

from __future__ import annotations

import csv
import datetime as dt
import os
import random
import shutil
import signal
import sqlite3
import time
from collections import Counter
from pathlib import Path

import pytest
from sample_data import PATIENT, TODAY
from sqlalchemy import create_engine

from pmsdesk.domain.permissions import Actor
from pmsdesk.exchange import importer
from pmsdesk.services.clinic import Clinic
from pmsdesk.store import audit
from pmsdesk.store.backup import automatic_backups, check_backup_file, make_backup, restore_backup
from pmsdesk.store.database import Database

pytestmark = pytest.mark.slow
RUNS = 100
NOON = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)
VISIT = {"visit_date": "2026-03-02", "kind": "assessment", "edss.edss": "4.0", "sdmt.score": "50",
         "t25fw.trial1_s": "7.1", "t25fw.trial2_s": "7.3", "notes": "kill test"}


def clinic_file(path: Path, patients: int) -> Path:
    database = Database.open(str(path))
    try:
        clinic = Clinic(database, today=lambda: TODAY)
        for number in range(patients):
            patient = clinic.create_patient({**PATIENT, "clinic_id": f"KILL-{number:03d}"})
            clinic.create_visit(patient.id, VISIT)
    finally:
        database.close()
    return path


def stored(path: Path) -> list[str]:
    """The clinic identifiers in the file, after SQLite's integrity check (a plain connection, which
    recovers whatever the write-ahead log holds) and the audit chain's check."""
    assert path.is_file() and path.stat().st_size > 0, f"{path} is missing or empty: {os.listdir(path.parent)}"
    connection = sqlite3.connect(path)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        ids = [row[0] for row in connection.execute("SELECT clinic_id FROM patient ORDER BY clinic_id")]
    finally:
        connection.close()
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as connection:
            report = audit.verify(connection)
    finally:
        engine.dispose()
    assert report.intact, report.describe()
    return ids


def run_killed(operation, delay: float | None) -> float:
    """Fork; the child runs ``operation`` and exits; the parent kills it after ``delay`` seconds (None:
    lets it finish). Returns how long the child ran."""
    started = time.monotonic()
    child = os.fork()
    if child == 0:
        status = 1
        try:
            operation()
            status = 0
        finally:
            os._exit(status)
    if delay is not None:
        time.sleep(delay)
        os.kill(child, signal.SIGKILL)
    _, status = os.waitpid(child, 0)
    if delay is None:
        assert os.waitstatus_to_exitcode(status) == 0, "the operation failed without being killed"
    return time.monotonic() - started


def kill_runs(prepare, operation, check) -> Counter:
    """``RUNS`` runs, each: ``prepare()``, the operation killed at a random moment, ``check()``, which
    says what the run left (counted, so a test can show the kills landed before, during and after)."""
    prepare()
    duration = run_killed(operation, None)
    check()
    chance = random.Random(13)
    outcomes = Counter()
    for _ in range(RUNS):
        prepare()
        run_killed(operation, chance.uniform(0, duration * 1.5))  # a third of the runs end before the kill
        outcomes[check()] += 1
    return outcomes


def test_a_killed_backup_never_leaves_a_bad_backup_nor_touches_the_database(tmp_path):
    path = clinic_file(tmp_path / "clinic.sqlite3", patients=20)
    before = stored(path)
    run = [0]  # advanced here, in the parent: each run's backup has its own name

    def prepare():
        run[0] += 1

    def backup():
        make_backup(path, now=NOON + dt.timedelta(minutes=run[0]))

    def check():
        assert stored(path) == before
        made = [backup_file for stamp, backup_file in automatic_backups(path)
                if stamp == NOON + dt.timedelta(minutes=run[0])]
        for backup_file in made:  # whole and checked, or absent
            check_backup_file(backup_file)
            assert stored(backup_file) == before
        return "made" if made else "none"

    outcomes = kill_runs(prepare, backup, check)
    assert outcomes["made"] > 5 and outcomes["none"] > 5


def test_a_killed_restore_leaves_the_old_or_the_new_database_whole(tmp_path):
    pristine = clinic_file(tmp_path / "pristine.sqlite3", patients=12)
    backup = tmp_path / "backup.sqlite3"
    make_backup(pristine, backup)
    database = Database.open(str(pristine))
    Clinic(database, today=lambda: TODAY).create_patient({**PATIENT, "clinic_id": "KILL-NEW"})
    database.close()
    path = tmp_path / "live" / "clinic.sqlite3"
    path.parent.mkdir()
    old, new = stored(pristine), stored(backup)
    assert old != new

    def prepare():
        for leftover in path.parent.iterdir():
            leftover.unlink()
        shutil.copyfile(pristine, path)

    def check():
        now = stored(path)
        assert now in (old, new)
        for kept in path.parent.glob("clinic.before-restore-*"):  # a temporary copy is dot-named
            assert stored(kept) == old
        return "restored" if now == new else "as before"

    outcomes = kill_runs(prepare, lambda: restore_backup(path, backup), check)
    assert outcomes["restored"] > 5 and outcomes["as before"] > 5


def test_a_killed_import_leaves_the_database_whole_with_whole_patients(tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "BATCH_SECONDS", 0.0)  # each patient its own batch: kills between them too
    monkeypatch.setattr(importer, "PAUSE_SECONDS", 0.0)
    pristine = clinic_file(tmp_path / "pristine.sqlite3", patients=1)
    source = tmp_path / "visits.csv"
    with source.open("w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["clinic_id", "family_name", "given_names", "birth_date", "sex", "phenotype",
                         "visit_date", "kind", "sdmt.score"])
        for number in range(3):
            for month in (1, 4):
                writer.writerow([f"IMPORT-{number}", "Import", "Ida", "1970-01-01", "female", "PPMS",
                                 f"2024-{month:02d}-01", "assessment", "44"])
    path = tmp_path / "clinic.sqlite3"

    def prepare():
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(pristine, path)

    def run_import():
        database = Database.open(str(path))
        clinic = Clinic(database, actor=Actor.system("import"), today=lambda: TODAY)
        importer.apply_import(clinic, importer.plan_import(clinic, importer.read_file(source, clinic)))
        database.close()

    def check():
        imported = [clinic_id for clinic_id in stored(path) if clinic_id.startswith("IMPORT-")]
        connection = sqlite3.connect(path)
        try:
            visits = dict(connection.execute(
                "SELECT p.clinic_id, count(v.id) FROM patient p JOIN visit v ON v.patient_id = p.id "
                "WHERE p.clinic_id LIKE 'IMPORT-%' GROUP BY p.clinic_id"))
        finally:
            connection.close()
        assert visits == dict.fromkeys(imported, 2)  # whole patients only
        assert "KILL-000" in stored(path)
        return len(imported)

    outcomes = kill_runs(prepare, run_import, check)
    assert outcomes[0] > 5 and outcomes[1] + outcomes[2] > 5 and outcomes[3] > 5
