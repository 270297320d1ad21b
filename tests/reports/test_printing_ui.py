"""Visit summaries from the app: print through the print dialog, save as PDF, a day's batch with Cancel."""

from __future__ import annotations

import datetime as dt
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from pdf_reading import pdf_pages, pdf_text, printed_name
from PySide6.QtGui import QAction, QPageSize
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox

from pmsdesk.services.clinic import Clinic
from pmsdesk.services.demo import fill_demo_clinic
from pmsdesk.store.database import Database
from pmsdesk.ui import printing
from pmsdesk.ui.main_window import MainWindow

pytestmark = pytest.mark.usefixtures("qapp")

TODAY = dt.date(2026, 11, 20)


@pytest.fixture
def demo(tmp_path):
    database = Database.open(str(tmp_path / "demo.sqlite3"))
    clinic = Clinic(database, today=lambda: TODAY)
    fill_demo_clinic(clinic, patients=3)
    yield clinic
    database.close()


@pytest.fixture
def no_message_boxes(monkeypatch):
    shown = []
    for kind in ("information", "warning"):
        monkeypatch.setattr(QMessageBox, kind, lambda parent, title, text, *a, **k: shown.append(text))
    return shown


def _last_visit(clinic):
    patient = clinic.find_patients()[0]
    return patient, clinic.visits(patient.id)[-1]


def test_print_pdf_paints_every_page(demo, tmp_path):
    _, visit = _last_visit(demo)
    pdf, _ = printing.visit_summary_pdf(demo, visit.id)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    printer.setResolution(100)
    assert printing.print_pdf(pdf, printer) == len(pdf_pages(pdf))
    assert len(pdf_pages((tmp_path / "printed.pdf").read_bytes())) == len(pdf_pages(pdf))


def test_print_summary_opens_the_print_dialog_on_the_clinics_paper(demo, monkeypatch):
    patient, visit = _last_visit(demo)
    demo.set_setting("report_page_size", "letter")
    printed = []
    monkeypatch.setattr(QPrintDialog, "exec", lambda self: QDialog.DialogCode.Accepted)
    monkeypatch.setattr(printing, "print_pdf", lambda pdf, printer: printed.append((pdf, printer.pageLayout().pageSize().id())))
    assert printing.print_visit_summary(None, demo, visit.id)
    (pdf, paper), = printed
    assert paper == QPageSize.PageSizeId.Letter
    assert printed_name(patient) in pdf_text(pdf)


def test_visit_editor_saves_the_summary_as_pdf(demo, qtbot, tmp_path, monkeypatch):
    patient, visit = _last_visit(demo)
    window = MainWindow(demo)
    qtbot.addWidget(window)
    window.open_patient(patient.id)
    window.open_visit(visit.id)
    editor = window.visit_editor
    assert editor.pdf_button.isEnabled() and editor.print_button.isEnabled()
    target = tmp_path / "summary"  # the extension is added
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "PDF files (*.pdf)"))
    editor.pdf_button.click()
    text = pdf_text(target.with_suffix(".pdf").read_bytes())
    assert printed_name(patient) in text and f"Visit date {visit.visit_date.isoformat()}" in text


def cancel_when_the_progress_shows() -> None:
    """Press Cancel on the background work's progress dialog as soon as it is on screen."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from pmsdesk.ui.background import ProgressDialog

    def look() -> None:
        shown = [w for w in QApplication.topLevelWidgets() if isinstance(w, ProgressDialog) and w.isVisible()]
        if shown:
            shown[0].cancel_button.click()
        else:
            QTimer.singleShot(5, look)

    QTimer.singleShot(0, look)


def test_day_batch_from_the_file_menu_and_cancel(demo, qtbot, tmp_path, monkeypatch, no_message_boxes):
    window = MainWindow(demo)
    qtbot.addWidget(window)
    assert window.findChild(QAction, "action_day_summaries") is not None
    patient, visit = _last_visit(demo)
    day = visit.visit_date
    output = tmp_path / "day.pdf"
    assert printing.save_period_summaries(window, demo, day, day, output) == output
    assert printed_name(patient) in pdf_text(output.read_bytes())

    cancelled = tmp_path / "cancelled.pdf"
    cancel_when_the_progress_shows()
    assert printing.save_period_summaries(window, demo, day, day, cancelled) is None
    assert not cancelled.exists() and not list(tmp_path.glob(".cancelled.pdf.*"))

    assert printing.save_period_summaries(window, demo, dt.date(1990, 1, 1), dt.date(1990, 1, 2), output) is None
    assert no_message_boxes == ["No visits were recorded from 1990-01-01 to 1990-01-02."]
