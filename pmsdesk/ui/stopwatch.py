"""A stopwatch for the timed tests at the bench: F5 starts and stops it, stopping gives the time
to 0.01 s, and a trial that reaches the test's time limit is stopped and reported, not timed.

One key does it all for a nurse with a tremor: a held key does not repeat (the visit editor's shortcut has
no auto-repeat) and a second press within BOUNCE_S of the last start or stop is taken as the same press.
No timed trial is that short (a T25FW takes seconds), so a real stop is never lost."""

from __future__ import annotations

import time
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

REFRESH_MS = 50  # fast enough that the running time reads smoothly
BOUNCE_S = 0.5  # a press this soon after a start or stop is a shaking hand's second touch of the key


def hundredths(seconds: float) -> Decimal:
    """Seconds rounded to 0.01 s, the precision trials are stored with (spec 2.1)."""
    return Decimal(repr(seconds)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


class Stopwatch(QWidget):
    """Emits ``start_requested()`` on F5 or click while idle, ``stopped(seconds)`` when stopped by hand
    and ``limit_reached(limit)`` when a trial runs out.

    ``clock`` returns seconds from any fixed origin (``time.monotonic``); tests pass their own.
    """

    start_requested = Signal()  # the owner decides which trial is timed, then calls start()
    stopped = Signal(object)  # Decimal seconds
    limit_reached = Signal(float)

    def __init__(self, clock: Callable[[], float] = time.monotonic, parent: QWidget | None = None):
        super().__init__(parent)
        self.clock = clock
        self._started: float | None = None
        self._last_press: float | None = None  # when the key last started or stopped the watch
        self.limit_s: float | None = None
        self.button = QPushButton("Start  (F5)")
        self.button.setObjectName("stopwatch_button")
        self.button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # F5 works from any field
        self.time = QLabel("0.00 s")
        self.time.setObjectName("stopwatch_time")
        self.time.setStyleSheet("font-size: 15pt; font-weight: bold; font-family: monospace;")
        self.target = QLabel()
        self.target.setObjectName("stopwatch_target")
        self.target.setWordWrap(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.button)
        layout.addWidget(self.time)
        layout.addWidget(self.target, 1)
        self._refresh = QTimer(self, interval=REFRESH_MS)
        self._refresh.timeout.connect(self.tick)
        self.button.clicked.connect(self.toggle)

    @property
    def running(self) -> bool:
        return self._started is not None

    def elapsed(self) -> float:
        return 0.0 if self._started is None else self.clock() - self._started

    def start(self, limit_s: float, what: str) -> None:
        self.limit_s = limit_s
        self._started = self.clock()
        self.button.setText("Stop  (F5)")
        self.target.setText(f"Timing {what} (limit {limit_s:g} s)")
        self.target.setStyleSheet("")
        self._refresh.start()
        self.tick()

    def stop(self) -> Decimal | None:
        """Stop by hand: the elapsed time to 0.01 s (also emitted), or None when not running."""
        if not self.running:
            return None
        seconds = hundredths(self.elapsed())
        self._halt()
        self.time.setText(f"{seconds} s")
        self.stopped.emit(seconds)
        return seconds

    def cancel(self) -> None:
        """Stop without recording a time (the visit became read-only)."""
        if self.running:
            self._halt()
            self.time.setText("0.00 s")
            self.show_message("Stopped: this visit is read-only, no time recorded.")

    def toggle(self) -> None:
        """Start or stop (F5 or the button); does nothing while disabled (a read-only visit)."""
        if not self.isEnabled():
            return
        now = self.clock()
        if self._last_press is not None and now - self._last_press < BOUNCE_S:
            return
        self._last_press = now
        if self.running:
            self.stop()
        else:
            self.start_requested.emit()

    def tick(self) -> None:
        """Show the running time; stop the trial when it reaches the test's limit."""
        if not self.running:
            return
        elapsed = self.elapsed()
        if elapsed >= self.limit_s:
            self._halt()
            self.time.setText(f"{self.limit_s:.2f} s")
            self.show_message(f"Stopped at the {self.limit_s:g} s limit: no time recorded. "
                              "Choose why the test was not completed.", warning=True)
            self.limit_reached.emit(self.limit_s)
            return
        self.time.setText(f"{elapsed:.2f} s")

    def show_message(self, text: str, *, warning: bool = False) -> None:
        self.target.setText(text)
        self.target.setStyleSheet("color: #8a5a00; font-weight: bold;" if warning else "")

    def _halt(self) -> None:
        self._started = None
        self._refresh.stop()
        self.button.setText("Start  (F5)")
