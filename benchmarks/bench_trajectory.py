"""Benchmark (not a test): open a patient with 60 visits in the trajectory view.

Times, after the data is loaded from the database: building the series, computing the default
cohort overlays, drawing every plot with its overlays, and painting the figure. The aim is well
under 0.1 s in total. Run: `.venv/bin/python benchmarks/bench_trajectory.py`.
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
RUNS = 20


def fill_patient(clinic: Clinic) -> int:
    """An SPMS patient treated every 8 weeks for 9 years, every measure at every visit, slowly worsening."""
    patient = clinic.create_patient({"clinic_id": "BENCH-1", "family_name": "Bench", "given_names": "Mark",
                                     "birth_date": "1965-01-01", "sex": "male", "phenotype": "SPMS",
                                     "dominant_hand": "right"})
    course = clinic.create_course(patient.id, {"agent": "it_methotrexate", "planned_dose": "12.5", "dose_unit": "mg",
                                               "start_date": "2017-01-02"})
    start = dt.date(2017, 1, 2)
    for i in range(VISITS):
        walk = 6 + i * 0.08
        clinic.create_visit(patient.id, {
            "visit_date": (start + dt.timedelta(weeks=8 * i)).isoformat(), "course_id": course.id,
            "kind": "treatment", "treatment_number": str(i + 1), "dose_given": "12.5", "dose_unit": "mg",
            "edss.edss": str(4.0 + 0.5 * (i // 20)),
            "t25fw.trial1_s": f"{walk:.1f}", "t25fw.trial2_s": f"{walk + 0.2:.1f}", "t25fw.walking_aid": "none",
            "nhpt.dominant_trial1_s": "21", "nhpt.dominant_trial2_s": "22",
            "nhpt.nondominant_trial1_s": "24", "nhpt.nondominant_trial2_s": "25",
            "sdmt.score": str(50 - i // 10), "six_minute_walk.distance_m": str(400 - 2 * i),
        })
    for onset in ("2019-05-01", "2022-09-15"):
        clinic.save_relapse(patient.id, {"onset_date": onset})
    return patient.id


def timed(work, runs: int = RUNS) -> tuple[float, float]:
    """Median and worst of ``runs`` runs, in milliseconds."""
    times = []
    for _ in range(runs):
        begin = time.perf_counter()
        work()
        times.append((time.perf_counter() - begin) * 1000)
    return statistics.median(times), max(times)


def main() -> int:
    app = QApplication(sys.argv)
    with tempfile.TemporaryDirectory() as folder:
        database = Database.open(str(Path(folder) / "bench.sqlite3"))
        clinic = Clinic(database)
        patient_id = fill_patient(clinic)
        library = load_reference_library()
        view = TrajectoryView(clinic, library)
        view.resize(1366, 768)
        view.show()
        view.show_patient(patient_id)  # warm-up: first use of every code path
        app.processEvents()

        load = timed(lambda: (clinic.visit_records(patient_id), clinic.courses(patient_id), clinic.relapses(patient_id)))
        records, courses, relapses = clinic.visit_records(patient_id), clinic.courses(patient_id), clinic.relapses(patient_id)
        series = build_patient_series(records, courses, relapses, phenotype="SPMS")
        build = timed(lambda: build_patient_series(records, courses, relapses, phenotype="SPMS"))

        def choose_and_draw() -> None:
            view.series = series
            view.chooser.fill(series, library)
            view._overlays_changed()  # default overlays of every measure, statements, and the draw

        overlays_and_draw = timed(choose_and_draw)
        draw = timed(view.redraw)

        def draw_and_paint() -> None:
            view.redraw()
            view.plots.viewport().repaint()

        draw_paint = timed(draw_and_paint)
        curves = sum(len(o.curves) for overlays in view.overlays.values() for o in overlays)
        print(f"patient with {VISITS} visits, {len(series.doses)} doses, {len(series.measures)} measures, "
              f"{curves} overlay curves; median / worst of {RUNS} runs:")
        for name, (median, worst) in (
                ("load from the database (not part of the aim)", load),
                ("build the series", build),
                ("chooser + default overlays + draw all plots", overlays_and_draw),
                ("draw all plots with overlays", draw),
                ("draw and paint the figure", draw_paint)):
            print(f"  {name:46s} {median:7.1f} ms  / {worst:7.1f} ms")
        print(f"  {'total after loading (series + overlays + draw + paint)':46s} "
              f"{build[0] + overlays_and_draw[0] + draw_paint[0] - draw[0]:7.1f} ms (median)")
        view.close()
        database.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
