"""Render the main screens of pmsdesk on a fresh demo clinic into docs/screenshots/ (offscreen).

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
from pmsdesk.store.database import Database  # noqa: E402
from pmsdesk.ui.main_window import MainWindow  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv)
    with tempfile.TemporaryDirectory() as folder:
        database = Database.open(str(Path(folder) / "demo.sqlite3"))
        clinic = Clinic(database)
        fill_demo_clinic(clinic)
        window = MainWindow(clinic)
        window.resize(1366, 768)
        window.show()
        app.processEvents()
        patient = clinic.find_patients()[3]
        window.open_patient(patient.id)
        app.processEvents()
        window.grab().save(str(OUT / "patient-view.png"))
        last_visit = clinic.visits(patient.id)[-1]
        window.open_visit(last_visit.id)
        app.processEvents()
        window.grab().save(str(OUT / "visit-editor.png"))
        window.visit_editor.dirty = False
        window.close()
        database.close()
    print(f"screenshots written to {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
