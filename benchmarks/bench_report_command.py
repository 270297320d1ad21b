"""``pmsdesk report`` for one visit against the floor: a minimal reportlab script process making a page
of similar content (the same embedded fonts, a letterhead, a 7-column table, paragraphs, a chart).

Both run as fresh processes, alternately, in one run; the figure is the median wall time and the
peak memory of each. ``.venv/bin/python benchmarks/bench_report_command.py [--runs 7]``. See
docs/performance.md for the figures measured.

Beside them, what bounds the command, each a process of its own: ``imports``, the modules the command
cannot do without (the store's table classes, the services, the report stack: importing them is all
that process does), and ``password``, one check of a password at pmsdesk's argon2 parameters (the
command signs its user in). Every process runs with its bytecode compiled, as an installed pmsdesk
has it (a cache folder of this run's own; the warm-up run fills it), whatever PYTHONDONTWRITEBYTECODE
says.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

FLOOR = r'''
import sys
from reportlab.graphics.shapes import Drawing, PolyLine, String
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table

fonts = sys.argv[2]
pdfmetrics.registerFont(TTFont("DejaVuSans", fonts + "/DejaVuSans.ttf"))
pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", fonts + "/DejaVuSans-Bold.ttf"))
body = ParagraphStyle("body", fontName="DejaVuSans", fontSize=8)
bold = ParagraphStyle("bold", fontName="DejaVuSans-Bold", fontSize=11)
story = [Paragraph("Riverside MS Clinic", bold), Paragraph("Intrathecal treatment visit summary", bold)]
story += [Paragraph(f"Field {n}: value {n} recorded at the visit", body) for n in range(12)]
story.append(Table([[Paragraph(f"row {r} column {c}", body) for c in range(7)] for r in range(7)]))
chart = Drawing(170, 120)
chart.add(PolyLine([10, 10, 60, 40, 110, 50, 160, 90], strokeWidth=1))
chart.add(String(10, 110, "EDSS", fontName="DejaVuSans-Bold", fontSize=8))
story += [chart, Paragraph("Signed by Dr Example on 2026-03-02 17:05.", body)]
SimpleDocTemplate(sys.argv[1], pagesize=A4).build(story)
'''


IMPORTS = "import pmsdesk.cli, pmsdesk.store.tables, pmsdesk.services.reporting, pmsdesk.reports.visit_report"
MAKE_HASH = "from argon2 import PasswordHasher; print(PasswordHasher().hash('a password'))"
PASSWORD_CHECK = "import sys; from argon2 import PasswordHasher; PasswordHasher().verify(sys.argv[1], 'a password')"

NURSE, PASSWORD = "bench-nurse", "a benchmark nurse's password"


def _clinic(folder: Path) -> tuple[Path, int]:
    """A clinic database with a nurse's account, one patient and five visits; the id of the last visit."""
    from pmsdesk.domain.permissions import Actor, Role
    from pmsdesk.services.accounts import Accounts
    from pmsdesk.services.clinic import Clinic
    from pmsdesk.store.database import Database

    path = folder / "clinic.sqlite3"
    database = Database.open(str(path))
    Accounts(database, Actor.system("benchmark")).create_user(NURSE, "Bench Nurse", Role.NURSE, PASSWORD)
    clinic = Clinic(database, today=lambda: dt.date(2026, 11, 20))
    clinic.set_setting("clinic_name", "Riverside MS Clinic")  # a real clinic's letterhead
    patient = clinic.create_patient({"clinic_id": "MS-0001", "family_name": "Example", "given_names": "Alex",
                                     "birth_date": "1970-03-14", "sex": "female", "phenotype": "SPMS"})
    visit_id = 0
    for number, (day, edss, walk) in enumerate([("2025-09-01", "4.0", "8.0"), ("2025-12-01", "4.5", "8.6"),
                                                 ("2026-03-02", "5.0", "9.7"), ("2026-06-01", "5.0", "10.1"),
                                                 ("2026-09-01", "5.5", "10.4")]):
        visit_id = clinic.create_visit(patient.id, {
            "visit_date": day, "kind": "baseline" if number == 0 else "follow_up", "edss.edss": edss,
            "t25fw.trial1_s": walk, "t25fw.trial2_s": walk, "t25fw.walking_aid": "none",
            "sdmt.score": str(50 - number), "sdmt.modality": "oral"}).visit.id
    database.close()
    return path, visit_id


def _run(command: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """Wall seconds, processor seconds (user and system) and peak resident megabytes of one process.
    On a shared machine the processor time is the steadier figure."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, env=env, cwd=ROOT)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"{' '.join(command)} failed ({status})")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--make-clinic", metavar="FOLDER", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.make_clinic:
        print(_clinic(Path(arguments.make_clinic))[1])
        return
    runs = arguments.runs
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        # Made by another process: a child's peak memory counts the parent's at the fork, so the
        # parent stays small (it never imports pmsdesk).
        visit_id = int(subprocess.run([sys.executable, __file__, "--make-clinic", str(folder)], check=True,
                                      capture_output=True, text=True, cwd=ROOT).stdout)
        database = folder / "clinic.sqlite3"
        script = folder / "floor.py"
        script.write_text(FLOOR)
        report = [sys.executable, "-m", "pmsdesk", "report", str(visit_id), "-o", str(folder / "visit.pdf"),
                  "--database", str(database)]
        usage = subprocess.run(report[:4] + ["--help"], capture_output=True, text=True).stdout
        if "--user" in usage:  # where the command signs its user in, as a nurse printing a summary would
            report += ["--user", NURSE]
        processes = {
            "report": report,
            "floor": [sys.executable, str(script), str(folder / "floor.pdf"), str(ROOT / "resources" / "fonts")],
            "imports": [sys.executable, "-c", IMPORTS],
            "password": [sys.executable, "-c", PASSWORD_CHECK,
                         subprocess.run([sys.executable, "-c", MAKE_HASH], check=True, capture_output=True,
                                        text=True).stdout.strip()],
        }
        env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
        env.update(PMSDESK_PASSWORD=PASSWORD, PYTHONPYCACHEPREFIX=str(folder / "bytecode"))
        for command in processes.values():  # warm the file cache and compile the bytecode
            _run(command, env)
        timings: dict[str, list[tuple[float, float, float]]] = {name: [] for name in processes}
        for _ in range(runs):
            for name, command in processes.items():
                timings[name].append(_run(command, env))
    figures = {name: (statistics.median(wall for wall, _, _ in measured),
                      statistics.median(cpu for _, cpu, _ in measured), max(mb for _, _, mb in measured))
               for name, measured in timings.items()}
    for name, (wall, cpu, megabytes) in figures.items():
        print(f"{name:>8}: {wall:.3f} s wall, {cpu:.3f} s processor (medians of {runs}), {megabytes:.0f} MB peak")
    report, floor = figures["report"], figures["floor"]
    print(f"ratio: {report[0] / floor[0]:.2f}x the floor's wall time, {report[1] / floor[1]:.2f}x its processor "
          f"time, {report[2] / floor[2]:.2f}x its memory")
    bound = figures["imports"][1] + figures["password"][1]
    print(f"bound: the imports and one password check alone take {bound:.3f} s processor, "
          f"{bound / floor[1]:.2f}x the floor's")


if __name__ == "__main__":
    main()
