"""Clinic-scale benchmark (issue 20): pmsdesk's figures at 1,000 / 10,000 / 30,000 patients, each the
median of a few runs beside its floor measured in the same run, written to docs/performance.md.

    scripts/run-benchmarks [--sizes 1000 10000 30000] [--runs 3] [--timeout 300]

Each clinic is made once by ``pmsdesk demo --patients N`` (its bulk path) and cached by seed, size and
schema revision (``--cache``, default ~/.cache/pmsdesk-benchmarks, with the clinic's audit keys). Every
figure is a fresh process of the public app or command, with a timeout ("over N s" then); peak memory
is the child's own (``os.wait4``). The UI figures come from benchmarks/ui_probe.py, which drives the
real MainWindow offscreen.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PMSDESK = [sys.executable, "-m", "pmsdesk"]
SEED = 20261122
PASSWORD = "demo-clinic"
SECTION = "## Clinic scale (`scripts/run-benchmarks`)"
BARE_WINDOW = ("from PySide6.QtCore import QTimer\nfrom PySide6.QtWidgets import QApplication, QMainWindow\n"
               "app = QApplication([])\nwindow = QMainWindow()\nwindow.show()\n"
               "QTimer.singleShot(0, app.quit)\napp.exec()\n")


class TimedOut(Exception):
    pass


def schema_revision() -> str:
    return sorted(p.name.split("_")[0] for p in (ROOT / "pmsdesk/store/migrations/versions").glob("0*.py"))[-1]


def environment(home: Path) -> dict[str, str]:
    """The clinic's own data and config folders (its audit keys live beside the cached clinic)."""
    return {**os.environ, "XDG_DATA_HOME": str(home / "data"), "XDG_CONFIG_HOME": str(home / "config"),
            "PMSDESK_PASSWORD": PASSWORD, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}


def run(command: list[str], env: dict[str, str], timeout: float) -> tuple[float, float, str]:
    """Wall seconds, peak RSS (MB) and stdout of one child process; TimedOut past ``timeout``."""
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out:
        child = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.PIPE, text=True, cwd=ROOT)
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                child.kill()
                os.wait4(child.pid, 0)
                raise TimedOut
            time.sleep(0.01)
        wall = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        error = child.stderr.read()
        if child.returncode:
            raise RuntimeError(f"{' '.join(command[2:5])}... exited {child.returncode}: {error.strip()[-400:]}")
        out.seek(0)
        return wall, usage.ru_maxrss / 1024, out.read()


def clinic(size: int, cache: Path, timeout: float) -> tuple[Path, Path, float | None]:
    """The cached clinic of ``size`` patients (made now if missing), its home and how long making it took."""
    home = cache / f"clinic-{SEED}-{size}-{schema_revision()}"
    path = home / "clinic.sqlite3"
    if path.exists():
        return path, home, None
    home.mkdir(parents=True, exist_ok=True)
    wall, _, _ = run([*PMSDESK, "demo", "--patients", str(size), "--seed", str(SEED), "--database", str(path)],
                     environment(home), timeout)
    return path, home, wall


class Figures:
    """Medians of repeated measurements, 'over N s' for one that timed out."""

    def __init__(self, runs: int, timeout: float):
        self.runs, self.timeout, self.rows = runs, timeout, {}

    def measure(self, name: str, once) -> None:
        walls, peaks = [], []
        try:
            for _ in range(self.runs):
                wall, peak = once()
                walls.append(wall)
                peaks.append(peak)
            self.rows[name] = (statistics.median(walls), max(peaks) if peaks[0] is not None else None)
        except TimedOut:
            self.rows[name] = (f"over {self.timeout:.0f} s", None)
        except RuntimeError as error:
            self.rows[name] = (f"failed: {error}", None)


SQL_FLOOR = ("import json, sqlite3, sys, time\nconnection = sqlite3.connect(sys.argv[1])\nstart = time.perf_counter()\n"
             "connection.execute(sys.argv[2], json.loads(sys.argv[3])).fetchall()\nprint(time.perf_counter() - start)\n")


def sql_floor(path: Path, statement: str, args: tuple = ()) -> tuple[float, float]:
    """The query's time in a child process of its own (on Linux a child's peak memory starts from its
    parent's size at the fork: this process stays small, so the commands' peaks are their own)."""
    _, peak, out = run([sys.executable, "-c", SQL_FLOOR, str(path), statement, json.dumps(args)], os.environ, 300)
    return float(out), peak


def insert_floor(path: Path) -> tuple[float, None]:
    """A raw INSERT of a visit's rows (visit and four assessments), committed, then rolled away."""
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "floor.sqlite3"
        connection = sqlite3.connect(copy)
        connection.execute("CREATE TABLE visit (id INTEGER PRIMARY KEY, patient_id, visit_date, kind, notes)")
        connection.executescript(";".join(f"CREATE TABLE a{n} (id INTEGER PRIMARY KEY, visit_id, v1, v2, v3)"
                                          for n in range(4)))
        connection.execute("PRAGMA synchronous=FULL")
        start = time.perf_counter()
        with connection:
            visit = connection.execute("INSERT INTO visit (patient_id, visit_date, kind) VALUES (1, '2026-12-01', "
                                       "'follow_up')").lastrowid
            for n in range(4):
                connection.execute(f"INSERT INTO a{n} (visit_id, v1, v2, v3) VALUES (?, 1, 2, 3)", (visit,))
        wall = time.perf_counter() - start
        connection.close()
    return wall, None


def measure_clinic(size: int, args) -> tuple[dict, float | None]:
    path, home, made = clinic(size, args.cache, args.timeout * 10)
    env = environment(home)
    figures = Figures(args.runs, args.timeout)
    timed = lambda command: (lambda: run(command, env, args.timeout)[:2])  # noqa: E731
    database = ["--database", str(path)]
    figures.measure("start-up to a usable main window",
                    timed([*PMSDESK, *database, "--exit-after-first-window", "--user", "demo-nurse"]))
    figures.measure("floor: bare PySide6 window process", timed([sys.executable, "-c", BARE_WINDOW]))
    # The probe saves a visit: it works on a copy, so the cached clinic stays as made.
    scratch_copy = Path(tempfile.mkdtemp(prefix="pmsdesk-bench-")) / "probe.sqlite3"
    shutil.copyfile(path, scratch_copy)
    probe = [sys.executable, str(ROOT / "benchmarks/ui_probe.py"), str(scratch_copy)]
    ui: dict[str, list[float]] = {}

    def probe_once():
        wall, peak, out = run(probe, env, args.timeout)
        for name, seconds in json.loads(out.strip().splitlines()[-1]).items():
            ui.setdefault(name, []).append(seconds)
        return wall, peak
    figures.measure("UI probe (search, open, overview, save, trajectory): whole process", probe_once)
    for name, values in ui.items():
        figures.rows[name] = (statistics.median(values), None)
    shutil.rmtree(scratch_copy.parent)
    connection = sqlite3.connect(path)
    patient_id, = connection.execute("SELECT patient_id FROM visit GROUP BY patient_id ORDER BY count(*) DESC, "
                                     "patient_id LIMIT 1").fetchone()
    visit_id, = connection.execute("SELECT id FROM visit WHERE kind = 'treatment' ORDER BY id LIMIT 1").fetchone()
    dates = [day for day, in connection.execute("SELECT visit_date FROM visit WHERE deleted_at IS NULL "
                                                "ORDER BY visit_date DESC LIMIT 40")]
    connection.close()
    figures.measure("floor: raw SQL of the same search",
                    lambda: sql_floor(path, "SELECT * FROM patient WHERE clinic_id LIKE ? OR family_name LIKE ?",
                                      ("%DEMO-007%", "%DEMO-007%")))
    figures.measure("floor: raw SQL of the patient's rows", lambda: sql_floor(
        path, "SELECT * FROM visit v LEFT JOIN edss_assessment e ON e.visit_id = v.id LEFT JOIN t25fw_assessment t "
              "ON t.visit_id = v.id LEFT JOIN nhpt_assessment n ON n.visit_id = v.id LEFT JOIN sdmt_assessment s "
              "ON s.visit_id = v.id WHERE v.patient_id = ?", (patient_id,)))
    figures.measure("floor: raw SQL of every visit with its assessments", lambda: sql_floor(
        path, "SELECT * FROM visit v LEFT JOIN edss_assessment e ON e.visit_id = v.id LEFT JOIN t25fw_assessment t "
              "ON t.visit_id = v.id LEFT JOIN nhpt_assessment n ON n.visit_id = v.id LEFT JOIN sdmt_assessment s "
              "ON s.visit_id = v.id"))
    figures.measure("floor: raw INSERT of a visit's rows", lambda: insert_floor(path))
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch)
        signed_in = [*database, "--user", "demo-neurologist"]
        figures.measure("visit report (`pmsdesk report`)",
                        timed([*PMSDESK, "report", *signed_in, str(visit_id), "-o", str(out / "visit.pdf")]))
        figures.measure(f"40-visit batch report ({dates[-1]} to {dates[0]})",
                        timed([*PMSDESK, "report", *signed_in, "--from", dates[-1], "--to", dates[0],
                               "-o", str(out / "batch.pdf")]))
        figures.measure("FHIR export", timed([*PMSDESK, "export", *signed_in, "--format", "fhir",
                                              "-o", str(out / "clinic.json")]))
        figures.measure("archive export", timed([*PMSDESK, "export", *signed_in, "--format", "archive",
                                                 "-o", str(out / "clinic.zip")]))
        figures.measure("import check (`--dry-run`) of a 10,000-row file", lambda: import_once(path, env, out, args.timeout))
        figures.measure("whole-clinic progression (EDSS)", lambda: progression_once(database, env, out, args.timeout))
    return figures.rows, made


def import_once(path: Path, env: dict, scratch: Path, timeout: float) -> tuple[float, float]:
    """``pmsdesk import --dry-run`` of 10,000 rows of the clinic's own tidy CSV export (made once,
    untimed) into the clinic itself: every row read, validated and matched against what is stored
    (all found recorded already), nothing written, so the cached clinic stays as made."""
    rows = scratch / "rows.csv"
    if not rows.exists():
        run([*PMSDESK, "export", "--database", str(path), "--user", "demo-neurologist", "--format", "csv",
             "-o", str(scratch / "all.csv")], env, timeout)
        with open(scratch / "all.csv", newline="") as source, open(rows, "w", newline="") as target:
            lines = iter(source)
            target.write(next(lines))
            for _, line in zip(range(10_000), lines):
                target.write(line)
    wall, peak, _ = run([*PMSDESK, "import", "--dry-run", "--database", str(path), "--user", "demo-neurologist",
                         str(rows)], env, timeout)
    return wall, peak


def progression_once(database: list[str], env: dict, scratch: Path, timeout: float) -> tuple[float, float]:
    """The clinic's msprog export (made once, untimed), then ``pmsdesk progression`` on its EDSS visits."""
    folder = scratch / "msprog"
    if not folder.exists():
        run([*PMSDESK, "export", *database, "--user", "demo-neurologist", "--format", "msprog", "-o", str(folder)],
            env, timeout)
    visits = next(iter(sorted(folder.glob("*edss*.csv"))), None) or sorted(folder.glob("*.csv"))[0]
    return run([*PMSDESK, "progression", *database, "--user", "demo-neurologist", "--outcome", "edss", str(visits),
                "-o", str(scratch / "events.csv")], env, timeout)[:2]


def shown(value) -> str:
    if isinstance(value, str):
        return value
    return f"{value * 1000:,.1f} ms" if value < 1 else f"{value:,.2f} s"


def markdown(results: dict[int, tuple[dict, float | None]], args, elapsed: float) -> str:
    sizes = list(results)
    names = list(dict.fromkeys(name for rows, _ in results.values() for name in rows))
    lines = [SECTION, "",
             f"Measured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {platform.node()} ({os.cpu_count()} cores, "
             f"{platform.platform()}, Python {platform.python_version()}), load average "
             f"{os.getloadavg()[0]:.1f} at the end; `scripts/run-benchmarks --sizes {' '.join(map(str, sizes))} "
             f"--runs {args.runs} --timeout {args.timeout:.0f}`, {elapsed / 60:.1f} min in all. Medians of "
             f"{args.runs} runs; peak memory is the child process's maximum resident set.", "",
             "| what | " + " | ".join(f"{size:,} patients" for size in sizes) + " |",
             "|---|" + "---|" * len(sizes)]
    for name in names:
        cells = []
        for size in sizes:
            wall, peak = results[size][0].get(name, ("", None))
            cells.append(shown(wall) + (f", peak {peak:,.0f} MB" if peak else ""))
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    made = [f"{size:,}: {shown(took)}" for size, (_, took) in results.items() if took is not None]
    if made:
        lines += ["", "Clinics made by `pmsdesk demo` in this run: " + "; ".join(made) + "."]
    return "\n".join(lines) + "\n"


def write_section(text: str, document: Path) -> None:
    """Replace this benchmark's section of ``document`` (the rest is other benchmarks' notes)."""
    old = document.read_text() if document.exists() else "# Performance\n"
    start = old.find(SECTION)
    if start < 0:
        document.write_text(old.rstrip("\n") + "\n\n" + text)
        return
    end = old.find("\n## ", start + len(SECTION))
    document.write_text(old[:start] + text + (old[end + 1:] if end >= 0 else ""))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 30_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=300, help="seconds per measured process")
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "pmsdesk-benchmarks")
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "performance.md")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    results = {}
    for size in args.sizes:
        print(f"{size:,} patients ...", file=sys.stderr, flush=True)
        results[size] = measure_clinic(size, args)
    text = markdown(results, args, time.perf_counter() - started)
    write_section(text, args.output)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
