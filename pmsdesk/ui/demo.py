"""Filling the demo clinic on the background worker, with progress and Cancel."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QWidget

from pmsdesk.services.clinic import Clinic
from pmsdesk.ui.background import BackgroundOperation, Job, run_with_progress


def fill_demo_in_background(clinic: Clinic, parent: QWidget | None = None, *,
                            on_done: Callable[[object], None] | None = None) -> BackgroundOperation:
    """Start filling the demo clinic; Cancel rolls it all back (the fill is one transaction)."""
    from pmsdesk.services.demo import fill_demo_clinic

    def work(job: Job):
        return fill_demo_clinic(clinic, progress=job.progress, cancelled=job.cancelled)

    return run_with_progress(parent, "creating the demo clinic", work, dialog_title="Demo clinic",
                             text="Creating the demo clinic (fictional patients)\u2026", on_done=on_done,
                             title="Demo clinic not loaded")


def fill_demo_with_progress(clinic: Clinic, parent: QWidget | None = None):
    """Fill the demo clinic and wait for it with the window repainting; its summary, or None when
    cancelled or refused (the person was told)."""
    operation = fill_demo_in_background(clinic, parent)
    operation.wait()
    return operation.result
