"""Start-up measurement: ``pmsdesk --exit-after-first-window`` starts the app as usual and ends it
once its first window (the sign-in dialog, or with ``--user`` the main window) has been painted and
the event loop has nothing left to do (the window is usable), after printing one line saying which
window that was, and nothing else. Timing that command from outside (packaging/measure_startup.py,
benchmarks/) gives the time from launch to a usable window, for a source install and for the bundle
alike.

The app leaves its event loops as if its window were closed, so the database is closed as usual
(and recorded as pmsdesk left it: the next start is an ordinary one, see pmsdesk.store.database);
then the process ends without the interpreter's own shutdown, which is no part of starting (a
background backup under way leaves no file that counts). The option is hidden from ``--help``: a tool for measuring, not for
clinics.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget


def exit_after_first_window() -> None:
    """Arrange for the app about to start to print and quit once its first top-level window is painted
    and the event loop is idle (the caller then ends the process)."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv)
    when_usable(lambda window: _quit_saying(app, f"first window painted: {type(window).__name__} "
                                                 f"{window.windowTitle()!r}"))


def when_usable(callback: Callable[[QWidget], None], window: QWidget | None = None) -> None:
    """Call ``callback(window)`` once ``window`` (None: the first top-level window) has been painted and
    the event loop is next idle, about to wait for input with everything queued so far handled: the
    moment a start-up is measured to (and after which pmsdesk.ui.preload starts its imports)."""
    from PySide6.QtCore import QAbstractEventDispatcher, QEvent, QObject
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    watched_object = window if window is not None else app

    class FirstPaintWatcher(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and watched.isWidgetType() and watched.isWindow():
                watched_object.removeEventFilter(self)
                dispatcher = QAbstractEventDispatcher.instance()

                def idle() -> None:
                    dispatcher.aboutToBlock.disconnect(idle)
                    self.deleteLater()
                    callback(watched)
                dispatcher.aboutToBlock.connect(idle)
            return False

    watched_object.installEventFilter(FirstPaintWatcher(watched_object))


def _quit_saying(app, line: str) -> None:
    print(line, flush=True)
    app.exit(0)  # every event loop returns, a modal dialog's too (quit() ends only app.exec())
