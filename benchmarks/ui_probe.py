"""One run of the clinic-scale benchmark's UI figures (benchmarks/clinic_scale.py): the real MainWindow,
offscreen, signed in as demo-nurse, on the clinic at ``argv[1]``. Prints one JSON line of seconds.

Each figure runs from an action until the window is painted (``grab()`` after the events it posted
are processed), waiting, where a result is awaited, until it has changed (a debounce included).
"""

from __future__ import annotations

import json
import sys
import time

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from pmsdesk.services.accounts import Accounts
from pmsdesk.services.clinic import Clinic
from pmsdesk.store.database import Database
from pmsdesk.ui.main_window import MainWindow
from pmsdesk.ui.preload import import_once_usable

WAIT_S = 30


def settled(app: QApplication, window, changed=lambda: True) -> None:
    deadline = time.perf_counter() + WAIT_S
    app.processEvents()
    while not changed() and time.perf_counter() < deadline:
        app.processEvents()
        time.sleep(0.001)
    app.processEvents()
    window.grab()


def timed(app, window, action, changed=lambda: True) -> float:
    start = time.perf_counter()
    action()
    settled(app, window, changed)
    return time.perf_counter() - start


def main(path: str) -> None:
    app = QApplication([])
    database = Database.open(path, create=False)
    actor = Accounts(database).sign_in("demo-nurse", "demo-clinic")
    clinic = Clinic(database, actor=actor)
    window = MainWindow(clinic)
    window.resize(1366, 768)
    window.show()
    preloaded = import_once_usable(window)  # as pmsdesk.ui.app does
    settled(app, window)
    figures = {}
    patients = window.patient_list
    QTest.keyClicks(patients.search, "DEMO-00")
    before = lambda: (patients.model.rowCount(), patients.model.rows[:1])  # noqa: E731
    settled(app, window, lambda: patients.model.rowCount() > 0)
    shown_before = before()
    figures["search keystroke to results shown (debounce included)"] = timed(
        app, window, lambda: QTest.keyClick(patients.search, Qt.Key_7), lambda: before() != shown_before)
    patient_id = clinic.find_patients("DEMO-007")[0].id
    figures["open a patient: patient view painted"] = timed(app, window, lambda: window.open_patient(patient_id))
    figures["clinic overview shown"] = timed(app, window, window.show_overview,
                                             lambda: window.overview.model.rowCount() > 0)  # first rows on screen
    # A nurse opens a trajectory seconds after start-up, by when its modules have been imported in the
    # background; the figure is the first trajectory's own cost, not the import's.
    settled(app, window, preloaded.is_set)
    figures["first trajectory shown (its modules imported in the background)"] = timed(
        app, window, lambda: window.show_trajectory(patient_id))
    today = clinic.today()

    def save_visit() -> None:
        clinic.create_visit(patient_id, {"visit_date": today.isoformat(), "kind": "follow_up",
                                         "t25fw.trial1_s": "7.1", "t25fw.trial2_s": "7.3"})
        window.refresh()
    figures["save one visit (service + the refresh it triggers)"] = timed(app, window, save_visit)
    print(json.dumps(figures))


if __name__ == "__main__":
    main(sys.argv[1])
