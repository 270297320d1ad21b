"""The trajectory's modules (pyqtgraph, numpy) are imported in the background after the main window is
usable (pmsdesk.ui.preload), not by start-up and not by the first trajectory."""

from __future__ import annotations

import os
import subprocess
import sys

from people import TEST_PASSWORD, ensure_account

from pmsdesk.domain.permissions import Role
from pmsdesk.store.database import Database

# The real app (pmsdesk.cli.main, signed in with --user), watched from its own process: whether pyqtgraph is
# imported when the main window is usable, then, with nobody opening a trajectory, once the preload thread
# has finished.
WATCHED_APP = """
import sys, threading
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pmsdesk.cli import main
from pmsdesk.startup_timing import when_usable

app = QApplication(sys.argv)

def preloading():
    return any(thread.name == "pmsdesk-preload" for thread in threading.enumerate())

def usable(window):
    print(type(window).__name__, "usable; pyqtgraph imported:", "pyqtgraph" in sys.modules, flush=True)
    def check():
        if "pmsdesk.ui.trajectory" in sys.modules and not preloading():
            print("preloaded; pyqtgraph imported:", "pyqtgraph" in sys.modules,
                  "; trajectory view:", hasattr(sys.modules["pmsdesk.ui.trajectory"], "TrajectoryView"), flush=True)
            app.exit(0)
    poll = QTimer(app)
    poll.timeout.connect(check)
    poll.start(20)
    QTimer.singleShot(60_000, lambda: (print("not preloaded within 60 s", flush=True), app.exit(0)))

when_usable(usable)
sys.exit(main(sys.argv[1:]))
"""


def test_the_trajectory_modules_are_imported_in_the_background_once_the_main_window_is_usable(
        closed_clinic_file, tmp_path):
    database = Database.open(str(closed_clinic_file))
    ensure_account(database, "test-nurse", Role.NURSE)
    database.close()

    done = subprocess.run([sys.executable, "-c", WATCHED_APP, "--user", "test-nurse", "--database",
                           str(closed_clinic_file)], capture_output=True, text=True, timeout=120, cwd=tmp_path,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "PMSDESK_PASSWORD": TEST_PASSWORD},
                          check=False)

    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines() == ["MainWindow usable; pyqtgraph imported: False",
                                        "preloaded; pyqtgraph imported: True ; trajectory view: True"]
    assert "thread" not in done.stderr.lower()  # no Qt warning of an object made on the wrong thread
