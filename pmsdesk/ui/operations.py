"""One way to run an operation from the UI: every action that calls a service runs inside :func:`guarded`.

- A :class:`~pmsdesk.domain.refusals.Refusal` (not allowed, not valid, changed by someone else, not
  found, refused) is shown beside the action: the screen passes ``on_refusal`` (a dialog puts the
  message in its own label and stays open), otherwise a message box says it. Never a silent no-op.
- Anything else is a fault of pmsdesk: the person is told plainly that something went wrong and that
  the details are in the log, and the log gets the exception's type and where it happened, never its
  message (which may hold a name or a value typed by the person) and never a local variable.
- :func:`install_excepthook` (called where the QApplication is made) does the same for anything that
  escapes a slot uncaught.

Long operations run on the background worker (:mod:`pmsdesk.ui.background`), which reports its
outcome through the same functions.
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import TracebackType

from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from pmsdesk.domain.refusals import Cancelled, Refusal

log = logging.getLogger("pmsdesk.ui.operations")

REFUSED_TITLE = "Not done"
FAILED_TITLE = "Something went wrong"


@dataclass
class Outcome:
    """What became of a guarded block: true when it ran to its end."""

    ok: bool = False
    refusal: Exception | None = None  # a Refusal, or one of the ``expected`` exceptions
    cancelled: bool = False
    error: BaseException | None = None

    def __bool__(self) -> bool:
        return self.ok


def where_it_happened(error: BaseException) -> str:
    """The exception's type and the frames it passed through (file, line, function), for the log.

    Deliberately without the exception's message, the source lines and the local variables: any of
    them may hold a patient's name or a clinical value. Chained exceptions are described too."""
    parts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        kind = type(current)
        frames = traceback.extract_tb(current.__traceback__)
        lines = [f"{kind.__module__}.{kind.__qualname__}"]
        lines += [f"  at {_short(frame.filename)}:{frame.lineno} in {frame.name}" for frame in frames]
        parts.append("\n".join(lines))
        current = current.__cause__ or (None if current.__suppress_context__ else current.__context__)
    return "\ncaused while handling\n".join(parts)


def _short(filename: str) -> str:
    marker = "pmsdesk/"
    position = filename.replace("\\", "/").rfind(marker)
    return filename[position:] if position >= 0 else filename.replace("\\", "/").rsplit("/", 1)[-1]


def log_fault(doing: str, error: BaseException) -> None:
    log.error("unexpected error while %s: %s", doing, where_it_happened(error))


def log_file_hint() -> str:
    from pmsdesk.logs import log_folder

    return str(log_folder() / "pmsdesk.log")


def fault_message(doing: str) -> str:
    return (f"Something went wrong while {doing}, and it was not finished. This is a fault in pmsdesk, not "
            f"something you did wrong. The details are in the log ({log_file_hint()}); please tell whoever "
            "looks after pmsdesk.")


def show_refusal(parent: QWidget | None, refusal: Refusal, title: str = REFUSED_TITLE) -> None:
    """The default place for a refusal: a message box over ``parent``."""
    QMessageBox.warning(parent, title, str(refusal))


def report_fault(parent: QWidget | None, doing: str, error: BaseException) -> None:
    """Log ``error`` without patient data and tell the person, plainly."""
    log_fault(doing, error)
    QMessageBox.critical(parent, FAILED_TITLE, fault_message(doing))


def handle(parent: QWidget | None, doing: str, error: BaseException, *,
           on_refusal: Callable[[Exception], None] | None = None, title: str = REFUSED_TITLE,
           expected: tuple[type[Exception], ...] = ()) -> Outcome:
    """Show ``error`` as :func:`guarded` would; returns the outcome it stands for."""
    if isinstance(error, Cancelled):
        return Outcome(cancelled=True)
    if isinstance(error, Refusal) or (expected and isinstance(error, expected)):
        log.info("refused while %s: %s", doing, type(error).__name__)
        (on_refusal or (lambda refusal: show_refusal(parent, refusal, title)))(error)
        return Outcome(refusal=error)
    report_fault(parent, doing, error)
    return Outcome(error=error)


@contextmanager
def guarded(parent: QWidget | None, doing: str, *, on_refusal: Callable[[Exception], None] | None = None,
            title: str = REFUSED_TITLE, expected: tuple[type[Exception], ...] = ()) -> Iterator[Outcome]:
    """Run the block; a refusal is shown (``on_refusal``, else a message box titled ``title``), a
    fault is reported and logged. Nothing escapes. ``doing`` says what the block does, as in
    "something went wrong while *saving the visit*". ``expected`` names other exceptions that are
    not pmsdesk's fault (``OSError`` when writing a file the person chose) and are shown like a
    refusal::

        with guarded(self, "saving the patient", on_refusal=self.show_refusal) as done:
            patient = clinic.create_patient(raw)
        if done:
            ...
    """
    outcome = Outcome()
    try:
        yield outcome
    except Exception as error:  # noqa: BLE001 - the point of the runner: nothing escapes unshown
        found = handle(parent, doing, error, on_refusal=on_refusal, title=title, expected=expected)
        outcome.refusal, outcome.cancelled, outcome.error = found.refusal, found.cancelled, found.error
    else:
        outcome.ok = True


def run_guarded(parent: QWidget | None, doing: str, work: Callable[[], object], **options) -> tuple[Outcome, object]:
    """``work()`` inside :func:`guarded`; (outcome, its result or None)."""
    result = None
    with guarded(parent, doing, **options) as outcome:
        result = work()
    return outcome, result


# ----- anything uncaught --------------------------------------------------------------------------
UNCAUGHT = "doing what you asked"


def _excepthook(kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
    if issubclass(kind, (KeyboardInterrupt, SystemExit)):
        sys.__excepthook__(kind, error, trace)
        return
    if error.__traceback__ is None and trace is not None:
        error = error.with_traceback(trace)
    try:
        parent = QApplication.activeModalWidget() or QApplication.activeWindow()
        handle(parent, UNCAUGHT, error)
    except Exception:  # noqa: BLE001 - showing it failed (no QApplication?): at least the log has it
        log_fault(UNCAUGHT, error)


def install_excepthook() -> Callable:
    """Show and log (without patient data) whatever escapes a slot, instead of a traceback on stderr."""
    sys.excepthook = _excepthook
    return _excepthook
