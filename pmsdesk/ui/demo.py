"""Filling the demo clinic with a progress dialog."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QProgressDialog, QWidget

from pmsdesk.services.clinic import Clinic


def fill_demo_with_progress(clinic: Clinic, parent: QWidget | None = None) -> None:
    from pmsdesk.services.demo import fill_demo_clinic

    progress = QProgressDialog("Creating the demo clinic (fictional patients)\u2026", None, 0, 30, parent)
    progress.setWindowModality(Qt.WindowModality.WindowModal)
    progress.setMinimumDuration(0)

    def step(done: int, total: int) -> None:
        progress.setMaximum(total)
        progress.setValue(done)
        QApplication.processEvents()

    fill_demo_clinic(clinic, progress=step)
    progress.close()
