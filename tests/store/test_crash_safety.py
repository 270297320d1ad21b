"""Killed in the middle of saving: a child process saves visits one after another, printing each id
once its save returned; the test kills it with SIGKILL, then checks that every acknowledged save is
there, that no visit is half-written, that SQLite finds the file intact and that the audit chain holds."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap

import pytest

from pmsdesk.store import audit
from pmsdesk.store.database import Database

pytestmark = pytest.mark.slow  # about 20 s: hundreds of real saves

SAVES_BEFORE_KILL = 250
SAVER = textwrap.dedent("""
    import datetime as dt, sys
    from pmsdesk.services.clinic import Clinic
    from pmsdesk.store.database import Database

    clinic = Clinic(Database.open(sys.argv[1]), today=lambda: dt.date(2026, 11, 20))
    patient = clinic.create_patient({"clinic_id": "CRASH-1", "family_name": "Crashtest", "given_names": "Kim",
                                     "birth_date": "1970-01-01", "sex": "female", "phenotype": "PPMS"})
    visit = {
        "visit_date": "2026-03-02", "kind": "treatment", "dose_given": "12.5", "dose_unit": "mg",
        "edss.edss": "4.0", "t25fw.trial1_s": "7.1", "t25fw.trial2_s": "7.3",
        "nhpt.dominant_trial1_s": "21", "nhpt.dominant_trial2_s": "22", "nhpt.nondominant_trial1_s": "23",
        "nhpt.nondominant_trial2_s": "24", "sdmt.score": "50", "six_minute_walk.distance_m": "400",
        "adverse_events": [{"term": "back_pain", "onset_date": "2026-03-02", "serious": False},
                           {"term": "fatigue", "onset_date": "2026-03-02", "serious": False}],
    }
    while True:
        record = clinic.create_visit(patient.id, visit)
        print(record.visit.id, flush=True)  # acknowledged: the save returned, so it is committed
""")
PARTS = {"edss_assessment": 1, "t25fw_assessment": 1, "nhpt_assessment": 1, "sdmt_assessment": 1,
         "six_minute_walk": 1, "adverse_event": 2}


def test_every_acknowledged_save_survives_a_kill_and_nothing_is_half_written(tmp_path):
    path = tmp_path / "crash.sqlite3"
    Database.open(str(path)).close()
    child = subprocess.Popen([sys.executable, "-c", SAVER, str(path)], stdout=subprocess.PIPE, text=True)
    acknowledged = []
    for line in child.stdout:
        acknowledged.append(int(line))
        if len(acknowledged) == SAVES_BEFORE_KILL:
            os.kill(child.pid, signal.SIGKILL)  # most likely in the middle of the next save
            break
    acknowledged += [int(line) for line in child.stdout]  # printed before the kill, not yet read
    assert child.wait(timeout=30) == -signal.SIGKILL
    assert len(acknowledged) >= SAVES_BEFORE_KILL

    connection = sqlite3.connect(path)  # a plain connection: whatever the WAL holds is recovered here
    try:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        stored = [row[0] for row in connection.execute("SELECT id FROM visit ORDER BY id")]
        parts = {table: dict(connection.execute(f"SELECT visit_id, count(*) FROM {table} GROUP BY visit_id"))
                 for table in PARTS}
    finally:
        connection.close()
    assert set(acknowledged) <= set(stored)
    assert len(stored) - len(acknowledged) <= 1  # at most the save that returned just as it was killed
    half_written = [visit for visit in stored
                    if any(parts[table].get(visit) != count for table, count in PARTS.items())]
    assert half_written == []
    assert all(set(rows) <= set(stored) for rows in parts.values())  # no part without its visit

    database = Database.open(str(path))
    try:
        with database.engine.connect() as connection:
            report = audit.verify(connection)
    finally:
        database.close()
    # the patient, then per visit: itself, its five assessments and two adverse events
    assert report.intact and report.entries == 1 + 8 * len(stored)
