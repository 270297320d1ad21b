"""Render the main screens of pmsdesk on a fresh demo clinic into docs/screenshots/ (offscreen, 1366x768).

Run with the project's environment: `.venv/bin/python scripts/take-screenshots.py`.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication  # noqa: E402

from pmsdesk.services.clinic import Clinic  # noqa: E402
from pmsdesk.services.demo import fill_demo_clinic  # noqa: E402
from pmsdesk.services.series import Status, clinic_series  # noqa: E402
from pmsdesk.store.database import Database  # noqa: E402
from pmsdesk.ui.languages import SOURCE_LANGUAGE, install_language  # noqa: E402
from pmsdesk.ui.main_window import MainWindow  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"

# A treatment visit half-way through at the bench (the SDMT is mistyped on purpose: 84 for 48).
BENCH_ENTRY = {
    "lp_level": "L3-L4", "lp_needle": "22G atraumatic", "lp_attempts": "1", "csf_removed_ml": "5",
    "performed_by": "Dr Fictional", "edss.edss": "4.5", "edss.fs_visual": 1, "edss.fs_brainstem": 1,
    "edss.fs_pyramidal": 3, "edss.fs_cerebellar": 2, "edss.fs_sensory": 2, "edss.fs_bowel_bladder": 2,
    "edss.fs_cerebral": 1, "edss.ambulation": 1, "t25fw.trial1_s": "6.41", "t25fw.walking_aid": "none",
    "sdmt.score": "84", "sdmt.modality": "oral",
}


class FakeClock:
    """The stopwatch's clock, set by hand so the screenshot shows a running trial."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def fill(window: MainWindow, values: dict) -> None:
    for key, value in values.items():
        editor = window.visit_editor.field_editor(key)
        if isinstance(value, int) or key.endswith(("walking_aid", "modality")):
            editor.input.setCurrentIndex(editor.input.findData(value))
        else:
            editor.input.setText(value)
    window.visit_editor.update_live_values()


def pick_patients(clinic: Clinic) -> tuple[int, int]:
    """By their EDSS course: the longest-followed patient stable on every measure, and the
    longest-followed one whose EDSS worsening is confirmed."""
    rows = clinic_series(clinic)
    stable = max((r for r in rows if r[1].status == Status.STABLE), key=lambda r: r[0].visit_count)
    worsening = max((r for r in rows if "edss" in r[1].measures and r[1].measures["edss"].status == Status.WORSENING),
                    key=lambda r: r[0].visit_count)
    return stable[0].id, worsening[0].id


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv)
    install_language(SOURCE_LANGUAGE)  # as pmsdesk starts: English with its plural forms
    shoot = lambda window, name: (app.processEvents(), window.grab().save(str(OUT / name)))  # noqa: E731
    with tempfile.TemporaryDirectory() as folder:
        database = Database.open(str(Path(folder) / "demo.sqlite3"))
        clinic = Clinic(database)
        fill_demo_clinic(clinic)
        window = MainWindow(clinic)
        clock = FakeClock()
        window.visit_editor.stopwatch.clock = clock
        window.resize(1366, 768)
        window.show()
        shoot(window, "today.png")

        patient = clinic.find_patients()[3]
        window.open_patient(patient.id)
        shoot(window, "patient-view.png")
        last_visit = clinic.visits(patient.id)[-1]
        window.open_visit(last_visit.id)
        shoot(window, "visit-editor.png")
        window.visit_editor.dirty = False

        stable, worsening = pick_patients(clinic)
        for name, patient_id in (("trajectory-stable.png", stable), ("trajectory-worsening.png", worsening)):
            window.show_trajectory(patient_id)
            shoot(window, name)
        window.show_overview()
        shoot(window, "overview.png")

        window.show_today()
        due = next(row for row, entry in enumerate(window.today.rows) if entry is not None and hasattr(entry, "window"))
        window.today.activate(due)
        fill(window, BENCH_ENTRY)
        window.visit_editor.adverse_events.quick_pick(next(iter(window.visit_editor.adverse_events.quick_buttons)))
        window.visit_editor.field_editor("t25fw.trial2_s").input.setFocus()
        window.visit_editor.start_stopwatch()
        clock.now += 6.87
        window.visit_editor.stopwatch.tick()
        shoot(window, "visit-bench.png")
        window.visit_editor.stopwatch.stop()

        window.visit_editor.field_editor("nhpt.dominant_trial1_s").input.setText("0")
        window.visit_editor.save()
        window.visit_editor.write_draft()
        shoot(window, "visit-problems.png")

        bench_patient = window.visit_editor.patient.id
        window.visit_editor.dirty = False
        window.close()
        reopened = MainWindow(clinic)
        reopened.resize(1366, 768)
        reopened.show()
        shoot(reopened, "today-with-draft.png")
        reopened.start_visit(bench_patient)
        shoot(reopened, "visit-draft-restored.png")
        reopened.visit_editor.dirty = False
        reopened.close()
        database.close()
    print(f"screenshots written to {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
