"""Long operations off the GUI thread: one background worker, progress, and a Cancel that really stops.

There is a single worker (a QThreadPool of one thread), so operations run one after the other in the
order they were started, never two at once against the database. The work function runs on that
thread and gets a :class:`Job`: it reports ``job.progress(done, total)`` and ``job.say(text)``, and
asks ``job.cancelled()`` (or calls ``job.check()``) between records. ``progress`` checks too: after
Cancel it raises :class:`~pmsdesk.domain.refusals.Cancelled`, so a service that only reports
progress stops within one record, and its transaction is rolled back (the services write a long job
in one :meth:`~pmsdesk.store.database.Database.batch`), leaving nothing half-written.

Database sessions are opened by the service calls inside the work function, so on the worker thread
itself (a SQLAlchemy session is not thread-safe; the engine and its pool are). Results, refusals and
faults come back to the GUI thread as queued signals and are shown the one way every operation is
(:mod:`pmsdesk.ui.operations`). The window keeps repainting meanwhile: the GUI thread only waits in
its event loop.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QEventLoop, QObject, QRunnable, Qt, QThreadPool, Signal, Slot
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from pmsdesk.domain.refusals import Cancelled
from pmsdesk.ui.operations import REFUSED_TITLE, Outcome, handle

log = logging.getLogger("pmsdesk.ui.background")

PROGRESS_INTERVAL_S = 0.04  # progress reaches the screen at most this often (a queued signal each)

_worker: QThreadPool | None = None


def worker() -> QThreadPool:
    """The one background thread every long operation runs on."""
    global _worker
    if _worker is None:
        _worker = QThreadPool()
        _worker.setMaxThreadCount(1)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(lambda: _worker.waitForDone())
    return _worker


class Job:
    """The work function's side of an operation (used on the worker thread)."""

    def __init__(self, signals: _Signals, cancel: threading.Event):
        self._signals = signals
        self._cancel = cancel
        self._last_progress = 0.0

    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self) -> None:
        """Raise :class:`Cancelled` once the person pressed Cancel."""
        if self._cancel.is_set():
            raise Cancelled("cancelled; nothing was written")

    def progress(self, done: int, total: int) -> None:
        """Report progress (throttled), then stop here if cancelled."""
        now = time.monotonic()
        if done >= total or now - self._last_progress >= PROGRESS_INTERVAL_S:
            self._last_progress = now
            self._signals.progressed.emit(int(done), int(total))
        self.check()

    def say(self, text: str) -> None:
        self._signals.said.emit(text)
        self.check()

    def deliver(self, part: Any) -> None:
        """Hand a part of the result to the GUI thread now (``delivered``), e.g. a page of rows to show
        while the rest is read; then stop here if cancelled."""
        self._signals.delivered.emit(part)
        self.check()


class _Signals(QObject):
    progressed = Signal(int, int)
    said = Signal(str)
    delivered = Signal(object)
    ended = Signal(object)


class _Runnable(QRunnable):
    def __init__(self, work: Callable[[Job], Any], job: Job, signals: _Signals, finished: threading.Event):
        super().__init__()
        self.setAutoDelete(False)  # the operation keeps it until the result arrived
        self.work, self.job, self.signals, self.finished = work, job, signals, finished

    def run(self) -> None:
        try:
            result = ("done", self.work(self.job))
        except Cancelled as cancelled:
            result = ("cancelled", cancelled)
        except BaseException as error:  # noqa: BLE001 - reported on the GUI thread
            result = ("raised", error)
        self.finished.set()
        self.signals.ended.emit(result)


class BackgroundOperation(QObject):
    """One long piece of work on the worker. ``finished`` is emitted on the GUI thread once it ended,
    whatever the outcome (``outcome``: done, refused, cancelled or failed; ``result``: what the work
    returned). ``on_done(result)`` runs on success, ``on_cancelled()`` after a cancel; a refusal goes
    to ``on_refusal`` (else a message box) and a fault is reported as :func:`~pmsdesk.ui.operations.guarded`
    reports it."""

    progressed = Signal(int, int)
    said = Signal(str)
    delivered = Signal(object)  # a part of the result (Job.deliver), on the GUI thread
    finished = Signal()

    def __init__(self, parent: QObject | None, doing: str, work: Callable[[Job], Any], *,
                 on_done: Callable[[Any], None] | None = None,
                 on_refusal: Callable[[Exception], None] | None = None,
                 on_cancelled: Callable[[], None] | None = None,
                 title: str = REFUSED_TITLE, expected: tuple[type[Exception], ...] = ()):
        super().__init__(parent)
        self.doing, self.work = doing, work
        self.on_done, self.on_refusal, self.on_cancelled, self.title = on_done, on_refusal, on_cancelled, title
        self.expected = expected
        self.outcome: Outcome | None = None
        self.result: Any = None
        self.started_at: float | None = None
        self.cancel_requested_at: float | None = None
        self.ended_at: float | None = None
        self._cancel = threading.Event()
        self._work_finished = threading.Event()
        self._signals: _Signals | None = None
        self._runnable: _Runnable | None = None

    @property
    def running(self) -> bool:
        return self.started_at is not None and self.outcome is None

    @property
    def cancel_latency(self) -> float | None:
        """Seconds from Cancel to the operation's end (None unless it was cancelled)."""
        if self.cancel_requested_at is None or self.ended_at is None:
            return None
        return self.ended_at - self.cancel_requested_at

    def start(self) -> BackgroundOperation:
        signals = _Signals()  # lives on the GUI thread: its signals reach this object queued
        signals.progressed.connect(self.progressed, Qt.ConnectionType.QueuedConnection)
        signals.said.connect(self.said, Qt.ConnectionType.QueuedConnection)
        signals.delivered.connect(self.delivered, Qt.ConnectionType.QueuedConnection)
        signals.ended.connect(self._ended, Qt.ConnectionType.QueuedConnection)
        self._signals = signals
        self._runnable = _Runnable(self.work, Job(signals, self._cancel), signals, self._work_finished)
        self.started_at = time.monotonic()
        worker().start(self._runnable)
        return self

    def cancel(self) -> None:
        """Ask the work to stop; it rolls back and ends at its next check."""
        if self.running and not self._cancel.is_set():
            self.cancel_requested_at = time.monotonic()
            self._cancel.set()

    def wait(self) -> Outcome:
        """Wait for the end with the event loop running (the window repaints); the outcome."""
        if self.outcome is None:
            loop = QEventLoop()
            self.finished.connect(loop.quit)
            if self.outcome is None:
                loop.exec()
        return self.outcome

    def wait_for_work(self) -> None:
        """Block until the work function returned (no event loop: for a few milliseconds' writes that
        must be on disk before the next step, such as a draft before the save that removes it)."""
        if self.started_at is not None:
            self._work_finished.wait()

    @Slot(object)
    def _ended(self, result: tuple[str, Any]) -> None:
        kind, value = result
        self.ended_at = time.monotonic()
        self._runnable = None
        if kind == "done":
            self.result = value
            self.outcome = Outcome(ok=True)
        elif kind == "cancelled":
            self.outcome = Outcome(cancelled=True, refusal=value)  # its message says what was kept
            log.info("%s cancelled; it stopped %.2f s after Cancel", self.doing,
                     self.cancel_latency if self.cancel_latency is not None else 0.0)
        else:
            self.outcome = handle(self.parent() if isinstance(self.parent(), QWidget) else None, self.doing, value,
                                  on_refusal=self.on_refusal, title=self.title, expected=self.expected)
        try:
            if self.outcome.ok and self.on_done is not None:
                self.on_done(value)
            elif self.outcome.cancelled and self.on_cancelled is not None:
                self.on_cancelled()
        finally:
            self.finished.emit()


def run_in_background(parent: QObject | None, doing: str, work: Callable[[Job], Any], **options) -> BackgroundOperation:
    """Start ``work`` on the worker (see :class:`BackgroundOperation` for the options)."""
    return BackgroundOperation(parent, doing, work, **options).start()


class ProgressDialog(QDialog):
    """A window-modal progress bar with Cancel for one operation; it closes itself when the operation
    ended. Cancel (or Esc, or closing the window) asks the work to stop and says so until it has."""

    def __init__(self, operation: BackgroundOperation, title: str, text: str, parent: QWidget | None = None, *,
                 cancellable: bool = True):
        super().__init__(parent)
        self.operation = operation
        self._cancellable = cancellable
        self.setWindowTitle(title)
        self.setWindowModality(Qt.WindowModality.WindowModal if parent is not None
                               else Qt.WindowModality.ApplicationModal)
        self.setMinimumWidth(420)
        self.label = QLabel(text)
        self.label.setObjectName("progress_text")
        self.label.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)  # busy until the first progress arrives
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("progress_cancel")
        self.cancel_button.setVisible(cancellable)
        self.cancel_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addLayout(buttons)
        operation.progressed.connect(self._progressed)
        operation.said.connect(self.label.setText)
        operation.finished.connect(self.accept)

    def _progressed(self, done: int, total: int) -> None:
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(min(done, max(total, 1)))

    def reject(self) -> None:
        if self.operation.running:
            if self._cancellable:
                self.operation.cancel()
                self.label.setText("Cancelling\u2026 nothing of this will be kept.")
                self.cancel_button.setEnabled(False)
            return  # closes once the work has stopped
        super().reject()


def run_with_progress(parent: QWidget | None, doing: str, work: Callable[[Job], Any], *, dialog_title: str,
                      text: str, cancellable: bool = True, **options) -> BackgroundOperation:
    """Start ``work`` on the worker with a progress dialog (``operation.dialog``) over ``parent``."""
    operation = BackgroundOperation(parent, doing, work, **options)
    operation.dialog = ProgressDialog(operation, dialog_title, text, parent, cancellable=cancellable)
    operation.dialog.show()
    return operation.start()
