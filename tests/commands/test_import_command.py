"""``pmsdesk import`` of a few hundred rows, run as a process: the records written are counted on a
terminal's stderr (not on a pipe's), and Ctrl+C stops the import as the import dialog's Cancel does,
keeping the batches already committed; importing the file again adds the rest."""

from __future__ import annotations

import csv
import os
import pty
import re
import select
import signal
import sqlite3
import subprocess
import sys
import time

from people import signed

PATIENTS, VISITS_EACH = 40, 10
HEADER = ["clinic_id", "family_name", "given_names", "birth_date", "sex", "phenotype", "visit_date", "kind",
          "edss.edss"]


def write_rows(path) -> None:
    with open(path, "w", newline="") as out:
        rows = csv.writer(out)
        rows.writerow(HEADER)
        for patient in range(PATIENTS):
            details = [f"GEN-{patient:03}", f"Generated{patient}", "Test", "1970-01-01", "Female", "PPMS"]
            for visit in range(VISITS_EACH):
                rows.writerow([*(details if visit == 0 else [details[0], "", "", "", "", ""]),
                               f"2024-{visit + 1:02}-15", "baseline" if visit == 0 else "follow_up", "4.5"])


def import_command(csv_path, db_path) -> list[str]:
    return [sys.executable, "-m", "pmsdesk", *signed(["import", str(csv_path), "--database", str(db_path)])]


def visits_in(db_path) -> int:
    with sqlite3.connect(db_path) as connection:
        return connection.execute("SELECT count(*) FROM visit").fetchone()[0]


def test_ctrl_c_stops_the_import_keeping_what_was_committed_and_a_second_import_adds_the_rest(
        closed_clinic_file, tmp_path):
    rows = tmp_path / "rows.csv"
    write_rows(rows)
    command = import_command(rows, closed_clinic_file)
    terminal, child_side = pty.openpty()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=child_side, text=True, cwd=tmp_path)
    os.close(child_side)
    seen, first_line_at, interrupted = "", None, False
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if not select.select([terminal], [], [], 1)[0]:
            continue
        try:
            seen += os.read(terminal, 4096).decode()
        except OSError:  # the child has gone, and its end of the terminal with it
            break
        if first_line_at is None and "Importing: " in seen:
            first_line_at = time.monotonic()
        # A batch commits after half a second of writing: a second in, the first batches are in.
        if not interrupted and first_line_at is not None and time.monotonic() - first_line_at > 1:
            child.send_signal(signal.SIGINT)
            interrupted = True
    os.close(terminal)
    out = child.communicate(timeout=60)[0]

    assert child.returncode == 130, seen
    assert seen.startswith("\rImporting: 25 of 440 records\rImporting: 50 of 440 records")
    assert "Imported" not in out
    stopped = seen[seen.index("\r\npmsdesk import: ") + 2:].replace("\r\n", "\n")  # a terminal ends lines so
    assert stopped.startswith("pmsdesk import: import cancelled.\nKept: ")
    patients, visits = map(int, re.search(r"Kept: (\d+) patients?, (\d+) visits", stopped).groups())
    assert 0 < visits < PATIENTS * VISITS_EACH and visits == patients * VISITS_EACH  # whole patients
    assert visits_in(closed_clinic_file) == visits
    assert "importing the file again: what is already in pmsdesk is skipped, the rest is added" in stopped

    again = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=tmp_path, check=False)
    assert again.returncode == 0, again.stderr
    assert again.stderr == ""  # no progress line on a pipe
    assert again.stdout.endswith(f"Imported {PATIENTS - patients} patients, {PATIENTS * VISITS_EACH - visits} visits.\n")
    assert visits_in(closed_clinic_file) == PATIENTS * VISITS_EACH
