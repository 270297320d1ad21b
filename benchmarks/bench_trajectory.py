"""Benchmark (not a test): open a patient with 60 visits in the trajectory view.

Times, after the data is loaded from the database: building the series, computing the default
cohort overlays, drawing every plot with its overlays, and painting the figure. The aim is well
under 0.1 s in total. Run: `.venv/bin/python benchmarks/bench_trajectory.py [runs]`.

Each run switches between two different 60-visit patients (one worsening, one stable), so that
nothing the view keeps from the previous draw (its plot items, unchanged titles and legends) can
make a draw look cheaper than opening another patient is. Median, quartiles and worst are given:
the figures vary with the machine's load, so compare before and after in the same conditions.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication

from pmsdesk.domain.references import load_reference_library
from pmsdesk.services.clinic import Clinic
from pmsdesk.services.series import build_patient_series
from pmsdesk.store.database import Database
from pmsdesk.ui.trajectory import TrajectoryView

VISITS = 60
RUNS = int(sys.argv[1]) if __name__ == "__main__" and len(sys.argv) > 1 else 40


def fill_patient(clinic: Clinic, number: int = 1, worsening: bool = True) -> int:
    """An SPMS patient treated every 8 weeks for 9 years, every measure at every visit, slowly worsening
    (or stable)."""
    patient = clinic.create_patient({"clinic_id": f"BENCH-{number}", "family_name": f"Bench{number}",
                                     "given_names": "Mark",
                                     "birth_date": "1965-01-01", "sex": "male", "phenotype": "SPMS",
                                     "dominant_hand": "right"})
    course = clinic.create_course(patient.id, {"agent": "it_methotrexate", "planned_dose": "12.5", "dose_unit": "mg",
                                               "start_date": "2017-01-02"})
    start = dt.date(2017, 1, 2)
    for i in range(VISITS):
        step = 1 if worsening else 0
        walk = 6 + i * 0.08 * step + 0.1 * (i % 3)
        clinic.create_visit(patient.id, {
            "visit_date": (start + dt.timedelta(weeks=8 * i)).isoformat(), "course_id": course.id,
            "kind": "treatment", "treatment_number": str(i + 1), "dose_given": "12.5", "dose_unit": "mg",
            "edss.edss": str(4.0 + 0.5 * (i // 20) * step),
            "t25fw.trial1_s": f"{walk:.1f}", "t25fw.trial2_s": f"{walk + 0.2:.1f}", "t25fw.walking_aid": "none",
            "nhpt.dominant_trial1_s": "21", "nhpt.dominant_trial2_s": f"{22 + i % 2}",
            "nhpt.nondominant_trial1_s": "24", "nhpt.nondominant_trial2_s": "25",
            "sdmt.score": str(50 - (i // 10) * step - i % 2),
            "six_minute_walk.distance_m": str(400 - 2 * i * step - 3 * (i % 2)),
        })
    for onset in ("2019-05-01", "2022-09-15"):
        clinic.save_relapse(patient.id, {"onset_date": onset})
    return patient.id


def timed(work, runs: int = RUNS) -> tuple[float, float, float, float]:
    """Median, lower and upper quartile and worst of ``runs`` runs, in milliseconds; ``work`` is
    given the run's number (even and odd runs draw different patients)."""
    times = []
    for run in range(runs):
        begin = time.perf_counter()
        work(run)
        times.append((time.perf_counter() - begin) * 1000)
    low, _median, high = statistics.quantiles(times, n=4)
    return statistics.median(times), low, high, max(times)


def main() -> int:
    app = QApplication(sys.argv)
    with tempfile.TemporaryDirectory() as folder:
        database = Database.open(str(Path(folder) / "bench.sqlite3"))
        clinic = Clinic(database)
        ids = (fill_patient(clinic, 1, worsening=True), fill_patient(clinic, 2, worsening=False))
        library = load_reference_library()
        view = TrajectoryView(clinic, library)
        view.resize(1366, 768)
        view.show()
        begin = time.perf_counter()
        view.show_patient(ids[0])  # first open: makes the plot items; also warms up every code path
        app.processEvents()
        first_open = (time.perf_counter() - begin) * 1000
        view.show_patient(ids[1])
        app.processEvents()

        def data(patient_id):
            return clinic.visit_records(patient_id), clinic.courses(patient_id), clinic.relapses(patient_id)

        load = timed(lambda run: data(ids[run % 2]))
        loaded = [data(patient_id) for patient_id in ids]
        headings = [f"BENCH{n}, Mark · BENCH-{n} · SPMS" for n in (1, 2)]
        series = [build_patient_series(*loaded[i], phenotype="SPMS") for i in (0, 1)]
        build = timed(lambda run: build_patient_series(*loaded[run % 2], phenotype="SPMS"))

        def choose_and_draw(run: int) -> None:
            view.series, view.heading = series[run % 2], headings[run % 2]
            view.chooser.fill(view.series, library)
            view._overlays_changed()  # default overlays of every measure, statements, and the draw

        overlays_and_draw = timed(choose_and_draw)
        overlays = []
        for i in (0, 1):
            choose_and_draw(i)
            overlays.append(view.overlays)

        def draw(run: int) -> None:
            view.series, view.heading, view.overlays = series[run % 2], headings[run % 2], overlays[run % 2]
            view.redraw()

        def draw_and_paint(run: int) -> None:
            draw(run)
            view.plots.viewport().repaint()

        drawn = timed(draw)
        draw_paint = timed(draw_and_paint)
        curves = sum(len(o.curves) for overlays in view.overlays.values() for o in overlays)
        print(f"patients with {VISITS} visits, {len(series[0].doses)} doses, {len(series[0].measures)} measures, "
              f"{curves} overlay curves, alternating; {RUNS} runs, {os.cpu_count()} CPUs, "
              f"load average {os.getloadavg()[0]:.2f}")
        print(f"  {'':46s}  median  (quartiles)        worst   [ms]")
        for name, (median, low, high, worst) in (
                ("load from the database (not part of the aim)", load),
                ("build the series", build),
                ("chooser + default overlays + draw all plots", overlays_and_draw),
                ("draw all plots with overlays", drawn),
                ("draw and paint the figure", draw_paint)):
            print(f"  {name:46s} {median:7.1f}  ({low:6.1f} – {high:6.1f}) {worst:7.1f}")
        print(f"  {'total after loading (series + overlays + draw + paint)':46s} "
              f"{build[0] + overlays_and_draw[0] + draw_paint[0] - drawn[0]:7.1f} (median)")
        print(f"  {'first open of a patient (makes the plot items)':46s} {first_open:7.1f} (one run)")
        view.close()
        database.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
