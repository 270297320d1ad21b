"""Visit summaries from the app: print one, save one as PDF, save every visit of a day or a period.

Printing goes through the system print dialog (QPrintDialog). PySide6-Essentials has no QtPdf, so the
PDF's pages are rendered with PDFium (pypdfium2, a small wheel) at the printer's resolution and painted
onto the printer; the printout is the same document as the saved PDF. reportlab and PDFium are imported
only when a report is asked for, so the app starts as fast as before.

The data comes through the reporting service (:mod:`pmsdesk.services.reporting`), which refuses a role
that may not print reports (the refusal is shown, nothing is printed or written); each summary that
was printed or saved is written to the audit trail once, with the visits it showed.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QDate, QRectF
from PySide6.QtGui import QImage, QPageSize, QPainter
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QMessageBox,
    QWidget,
)

from pmsdesk.domain.permissions import Action, PermissionDenied
from pmsdesk.reports.data import DEFAULT_PAGE_SIZE, PAGE_SIZE_NAMES, SETTING_REPORT_PAGE_SIZE
from pmsdesk.services import reporting
from pmsdesk.services.clinic import Clinic
from pmsdesk.ui.background import Job, run_with_progress
from pmsdesk.ui.operations import guarded
from pmsdesk.services.reporting import ReportOutput

PRINT_DPI = 300  # enough for 7-point text; printers asking for more get this, scaled up by the driver
_QT_PAGE_SIZES = {"a4": QPageSize.PageSizeId.A4, "letter": QPageSize.PageSizeId.Letter}


def page_size(clinic: Clinic) -> str:
    """The clinic's paper size for reports (setting ``report_page_size``), A4 when unset or unknown."""
    chosen = (clinic.setting(SETTING_REPORT_PAGE_SIZE) or "").strip().lower()
    return chosen if chosen in PAGE_SIZE_NAMES else DEFAULT_PAGE_SIZE


def visit_summary_pdf(clinic: Clinic, visit_id: int) -> tuple[bytes, str]:
    """(PDF bytes, a file name to propose) of one visit's summary."""
    from pmsdesk.reports.assemble import ReportAssembler
    from pmsdesk.reports.visit_report import visit_report_pdf

    data = ReportAssembler(clinic).visit(visit_id)
    name = f"{data.patient.clinic_id}-{data.visit_date.isoformat()}-visit-summary.pdf"
    return visit_report_pdf(data, page_size(clinic)), name


def _ask_pdf_path(parent: QWidget, proposed: str) -> Path | None:
    path, _ = QFileDialog.getSaveFileName(parent, "Save as PDF", str(Path.home() / proposed), "PDF files (*.pdf)")
    if not path:
        return None
    path = Path(path)
    return path if path.suffix.lower() == ".pdf" else path.with_suffix(".pdf")


def _write(parent: QWidget, path: Path, pdf: bytes) -> bool:
    from pmsdesk.files import write_atomically

    def not_written(error: Exception) -> None:
        QMessageBox.warning(parent, "PDF not saved",
                            f"The PDF could not be written to {path}: {getattr(error, 'strerror', None) or error}.")

    with guarded(parent, "writing the PDF", expected=(OSError,), on_refusal=not_written) as written:
        write_atomically(path, pdf)
    return bool(written)


def _refused(parent: QWidget, title: str, refusal: Exception) -> None:
    QMessageBox.warning(parent, title, f"{refusal} Nothing was printed or saved.")


def save_visit_summary(parent: QWidget, clinic: Clinic, visit_id: int) -> Path | None:
    """Ask where, then write the visit's summary there (recorded in the audit trail); the path written, or None."""
    with guarded(parent, "preparing the visit summary",
                 on_refusal=lambda refusal: _refused(parent, "Visit summary", refusal)) as prepared:
        pdf, name = visit_summary_pdf(clinic, visit_id)
    if not prepared:
        return None
    path = _ask_pdf_path(parent, name)
    if path is None or not _write(parent, path, pdf):
        return None
    reporting.record_report(clinic, [visit_id], ReportOutput.PDF, path=path)
    return path


def print_visit_summary(parent: QWidget, clinic: Clinic, visit_id: int) -> bool:
    """Open the system print dialog for the visit's summary and print it (recorded in the audit trail);
    True when printed."""
    with guarded(parent, "preparing the visit summary",
                 on_refusal=lambda refusal: _refused(parent, "Print visit summary", refusal)) as prepared:
        pdf, name = visit_summary_pdf(clinic, visit_id)
    if not prepared:
        return False
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName(name)
    printer.setPageSize(QPageSize(_QT_PAGE_SIZES[page_size(clinic)]))
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle("Print visit summary")
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return False
    print_pdf(pdf, printer)
    reporting.record_report(clinic, [visit_id], ReportOutput.PRINTED)
    return True


def print_pdf(pdf: bytes, printer: QPrinter) -> int:
    """Paint the PDF's pages (the dialog's page range, else all) onto ``printer``; the number printed."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        count = len(document)
        first, last = printer.fromPage(), printer.toPage()
        pages = range(first - 1, min(last, count)) if first > 0 and last > 0 else range(count)
        dpi = min(printer.resolution(), PRINT_DPI)
        painter = QPainter()
        if not painter.begin(printer):
            raise OSError("the printer could not be opened")
        try:
            for position, index in enumerate(pages):
                if position:
                    printer.newPage()
                _paint_page(painter, document[index], dpi)
        finally:
            painter.end()
        return len(pages)
    finally:
        document.close()


def _paint_page(painter: QPainter, page, dpi: int) -> None:
    bitmap = page.render(scale=dpi / 72)
    pixels = bitmap.to_pil().convert("RGB")
    data = pixels.tobytes()
    image = QImage(data, pixels.width, pixels.height, pixels.width * 3, QImage.Format.Format_RGB888)
    target = QRectF(painter.viewport())
    # Keep the page's proportions inside the printable area.
    scale = min(target.width() / image.width(), target.height() / image.height())
    painter.drawImage(QRectF(target.x(), target.y(), image.width() * scale, image.height() * scale), image)


class PeriodDialog(QDialog):
    """Choose the first and last day of the visits to summarise (today and today by default)."""

    def __init__(self, today: dt.date, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Visit summaries of a day or a period")
        self.first = QDateEdit(QDate(today.year, today.month, today.day))
        self.last = QDateEdit(QDate(today.year, today.month, today.day))
        for edit in (self.first, self.last):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.first.dateChanged.connect(lambda day: self.last.setDate(max(self.last.date(), day)))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QFormLayout(self)
        layout.addRow("From", self.first)
        layout.addRow("To", self.last)
        layout.addRow(buttons)

    def period(self) -> tuple[dt.date, dt.date]:
        first, last = self.first.date().toPython(), self.last.date().toPython()
        return (first, last) if first <= last else (last, first)


def save_period_summaries(parent: QWidget, clinic: Clinic, first: dt.date, last: dt.date,
                          path: Path | None = None) -> Path | None:
    """Every visit from ``first`` to ``last`` in one PDF, with a progress dialog that can be cancelled.

    ``path`` None asks where to save. Returns the path written, or None (cancelled, nothing to do, or
    the file could not be written: the person is told which).
    """
    from pmsdesk.reports.assemble import ReportAssembler, visit_ids_between
    from pmsdesk.reports.visit_report import batch_report_pdf, date_range_text

    with guarded(parent, "finding the visits", on_refusal=lambda refusal: _refused(parent, "Visit summaries", refusal)
                 ) as found:
        ids = visit_ids_between(clinic, first, last)
    if not found:
        return None
    period = date_range_text(first, last)
    if not ids:
        QMessageBox.information(parent, "Visit summaries", f"No visits were recorded {period}.")
        return None
    if path is None:
        span = first.isoformat() if first == last else f"{first.isoformat()}_to_{last.isoformat()}"
        path = _ask_pdf_path(parent, f"visit-summaries-{span}.pdf")
        if path is None:
            return None
    count = len(ids)

    def work(job: Job) -> bytes:  # on the background worker, which opens its own database sessions
        from pmsdesk import __version__

        assembler = ReportAssembler(clinic)
        visits = []
        for done, data in enumerate(assembler.visits(ids)):  # a third of the bar: reading the visits
            job.progress(done, 3 * count)
            visits.append(data)
        job.say(f"Laying out the pages of {count} visit summaries\u2026")
        return batch_report_pdf(  # the rest: the sections and their layout, stopped by Cancel between two
            visits, first, last, page_size=page_size(clinic), printed_at=assembler.printed_at, version=__version__,
            progress=lambda done, total: job.progress(count + done * 2 * count // max(total, 1), 3 * count))

    operation = run_with_progress(parent, "preparing the visit summaries", work, dialog_title="Visit summaries",
                                  text=f"Preparing {count} visit summaries {period}\u2026",
                                  title="Visit summaries not saved")
    if not operation.wait():  # cancelled (nothing is written), refused or failed (the person was told)
        return None
    pdf = operation.result
    if not _write(parent, path, pdf):
        return None
    reporting.record_report(clinic, ids, ReportOutput.PDF, path=path, period=(first, last))
    return path


def ask_and_save_period_summaries(parent: QWidget, clinic: Clinic) -> Path | None:
    """The File menu's entry: choose the days, then save their visits' summaries."""
    if not reporting.may_report(clinic):  # say so before asking for the days
        _refused(parent, "Visit summaries", PermissionDenied(clinic.actor, Action.REPORT))
        return None
    dialog = PeriodDialog(clinic.today(), parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return save_period_summaries(parent, clinic, *dialog.period())
