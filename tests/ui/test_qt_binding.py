"""Guards against a broken Qt binding release (PySide6 6.12.0 on Python 3.11)."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QLineEdit


class _PassThrough(QObject):
    def eventFilter(self, watched, event):  # noqa: N802 - Qt API
        return False


def test_qt_callbacks_do_not_leak_references_to_none(qapp):
    """Each call from Qt into Python must leave None's reference count alone: PySide6 6.12.0 lost
    one per call, and Python 3.11 aborts ("deallocating None") once they run out."""
    field = QLineEdit()
    event_filter = _PassThrough()
    field.installEventFilter(event_filter)
    field.textChanged.connect(lambda text: None)
    field.show()
    before = sys.getrefcount(None)
    for number in range(500):
        field.setText(str(number))
        qapp.processEvents()
    assert before - sys.getrefcount(None) < 50
