"""What a long command shows and hears on its terminal: the count of what it has done on one line of
stderr, and Ctrl+C as the Cancel of the same operation's dialog."""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Callable, Iterator


def terminal_progress(doing: str, things: str) -> Callable[[int, int], None] | None:
    """``progress(done, total)`` writing "<doing>: <done> of <total> <things>" on one line of stderr when
    it is a terminal (None otherwise: a script's or a pipe's stderr stays clean)."""
    if not sys.stderr.isatty():
        return None

    def progress(done: int, total: int) -> None:
        if done == total or done % 25 == 0:
            sys.stderr.write(f"\r{doing}: {done} of {total} {things}" + ("\n" if done == total else ""))
            sys.stderr.flush()

    return progress


@contextlib.contextmanager
def ctrl_c_cancels() -> Iterator[threading.Event]:
    """Within it the first Ctrl+C (SIGINT) sets the event yielded instead of interrupting, so an operation
    that asks it after each step stops there as its dialog's Cancel stops it; a second Ctrl+C interrupts
    at once (KeyboardInterrupt), for an operation that has stopped asking."""
    pressed = threading.Event()
    previous = signal.getsignal(signal.SIGINT) or signal.default_int_handler  # None: not set from Python

    def first_press(_signal_number, _frame) -> None:
        pressed.set()
        signal.signal(signal.SIGINT, previous)

    signal.signal(signal.SIGINT, first_press)
    try:
        yield pressed
    finally:
        signal.signal(signal.SIGINT, previous)
