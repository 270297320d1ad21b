"""Importing the trajectory's modules in the background once the main window is usable.

pyqtgraph and numpy take 0.4-0.8 s to import on the 2-core machine, which the first trajectory opened
used to wait for. They are imported on a thread of their own, after the main window has been painted
and the event loop is idle (pmsdesk.startup_timing.when_usable), so start-up does not wait for them
either. Python's import lock makes this safe: a trajectory opened while the import is under way waits
for it on the module's lock rather than importing it twice. Only the imports run off the GUI thread:
these modules make no widgets when imported (their module-level Qt objects are colours and pens, which
any thread may make); the trajectory's widgets are made on the GUI thread when it is first shown.
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Sequence

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QWidget

from pmsdesk.startup_timing import when_usable

log = logging.getLogger("pmsdesk.ui.preload")

TRAJECTORY_MODULES = ("pmsdesk.ui.trajectory",)  # pyqtgraph and numpy with it
# How long after the window is usable the imports start. A measured start (--exit-after-first-window) ends
# the app at that idle moment, but what a zero delay posted still ran before its event loop returned (glib
# dispatches it in the same turn), and the measured start imported pyqtgraph.
DELAY_MS = 300


def import_once_usable(window: QWidget, modules: Sequence[str] = TRAJECTORY_MODULES) -> threading.Event:
    """Import ``modules`` on a background thread once ``window`` is usable; the event returned is set
    when the thread has finished."""
    finished = threading.Event()

    def import_modules() -> None:
        try:
            for name in modules:
                importlib.import_module(name)
        except Exception:  # noqa: BLE001 - the GUI thread's own import of it fails again, and says so
            log.exception("importing %s in the background failed", name)
        finally:
            finished.set()

    def start(_window: QWidget) -> None:
        # A lambda: PySide holds a bound method by a weak reference to its object, and nothing else holds
        # the thread before it runs
        QTimer.singleShot(DELAY_MS, lambda: threading.Thread(target=import_modules, name="pmsdesk-preload",
                                                             daemon=True).start())

    when_usable(start, window)
    return finished
