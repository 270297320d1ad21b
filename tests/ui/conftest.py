"""UI test fixtures: the interface in English as pmsdesk starts it; no real message box may block a
test run."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox


@pytest.fixture(scope="session", autouse=True)
def english(qapp):
    """English as ``run_app`` installs it: its plural forms ("1 visit", "2 visits" from one source string)."""
    from pmsdesk.ui.languages import install_language

    installed = install_language("en")
    yield installed
    installed.remove()


@pytest.fixture(autouse=True)
def message_boxes(monkeypatch):
    """Record every message box instead of showing it; questions are answered "Discard"
    (tests that need another answer patch ``QMessageBox.question`` themselves)."""
    shown: list[tuple[str, str]] = []

    def record(kind, answer):
        def show(parent, title, text, *args, **kwargs):
            shown.append((kind, f"{title}: {text}"))
            return answer
        return show

    monkeypatch.setattr(QMessageBox, "question", record("question", QMessageBox.StandardButton.Discard))
    for kind in ("warning", "information", "critical"):
        monkeypatch.setattr(QMessageBox, kind, record(kind, QMessageBox.StandardButton.Ok))
    monkeypatch.setattr(QMessageBox, "about", record("about", None))
    return shown
