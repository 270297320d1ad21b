"""Start-up measurement: ``pmsdesk --exit-after-first-window`` starts the app as usual and ends the
process as soon as its first window (the sign-in dialog, or the main window) has been painted, after
printing which window that was. Timing that command from outside (packaging/measure_startup.py) gives
the time from launch to a window on screen, for a source install and for the bundle alike.

The process ends at once, without the app's usual shutdown (nothing has been typed, so nothing is
lost). The option is hidden from ``--help``: it is a tool for packaging, not for clinics.
"""

from __future__ import annotations

import os
import sys


def exit_after_first_window() -> None:
    """Arrange for the app about to start to print and exit once its first top-level window is painted."""
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv)

    class FirstPaintWatcher(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and watched.isWidgetType() and watched.isWindow():
                app.removeEventFilter(self)
                print(f"first window painted: {type(watched).__name__} {watched.windowTitle()!r}", flush=True)
                QTimer.singleShot(0, lambda: os._exit(0))  # once this paint event has been handled
            return False

    app.installEventFilter(FirstPaintWatcher(app))
