"""The import dialog (column mapping, dry run, progress with Cancel) and the export dialog.

Both call pmsdesk.exchange only; the rules, the identity of records and the write in batches of whole patients
live there, so the dialog and ``pmsdesk import`` behave the same.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from pmsdesk.domain.permissions import Action, PermissionDenied
from pmsdesk.exchange.archive import archive_table_names
from pmsdesk.exchange.columns import TEMPLATE_FIELDS
from pmsdesk.exchange.export import FORMAT_LABELS, ExportFormat, export_clinic
from pmsdesk.exchange.importer import (
    ImportPlan,
    apply_import,
    counted,
    effective_mapping,
    plan_import,
    remember_mapping,
)
from pmsdesk.exchange.incoming import IGNORED, LONG_COLUMNS, Incoming, ImportProblem, read_archive_tables, read_template
from pmsdesk.exchange.sources import SourceError, Table, is_archive, read_archive, read_table
from pmsdesk.exchange.template import write_import_template
from pmsdesk.services.clinic import Clinic
from pmsdesk.ui.background import BackgroundOperation, Job
from pmsdesk.ui.operations import guarded
from pmsdesk.ui.dialogs import resize_on_screen

IGNORE_LABEL = "(ignore this column)"
FILE_FILTER = (
    "Import files: CSV, Excel or a pmsdesk archive (*.csv *.xlsx *.zip);;CSV files (*.csv);;"
    "Excel workbooks (*.xlsx);;pmsdesk archives (*.zip);;All files (*)"
)
IMPORT_HINT = (
    "pmsdesk imports three kinds of file:\n"
    "\u2022 a CSV file (.csv) or an Excel workbook (.xlsx) with one visit per row, its columns named as in "
    "the import template (other names are matched to template columns in the next step);\n"
    "\u2022 a pmsdesk archive (.zip) exported from another pmsdesk clinic.\n"
    "\u201cSave import template\u2026\u201d writes an empty CSV with every template column to fill in."
)
TEMPLATE_FILTER = "CSV files (*.csv)"


class ImportDialog(QDialog):
    """Map the file's columns (template files), check the file, then import it or only its valid rows."""

    def __init__(self, clinic: Clinic, path: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.clinic = clinic
        self.path = path
        self.table: Table | None = None
        self.plan: ImportPlan | None = None
        self.operation: BackgroundOperation | None = None  # the import while it runs on the worker
        self.setWindowTitle(f"Import {path.name}")
        resize_on_screen(self, 820, 640)

        self.mapping_table = QTableWidget(0, 2)
        self.mapping_table.setObjectName("mapping_table")
        self.mapping_table.setHorizontalHeaderLabels(["Column in the file", "Template column"])
        self.mapping_table.horizontalHeader().setStretchLastSection(True)
        self.check_button = QPushButton("&Check the file (dry run)")
        self.report = QPlainTextEdit(readOnly=True, objectName="import_report")
        self.valid_only = QCheckBox("Import only the &valid rows (leave out the rows with problems)")
        self.progress = QProgressBar(visible=False)
        self.import_button = QPushButton("&Import", enabled=False)
        self.cancel_button = QPushButton("Cancel")

        layout = QVBoxLayout(self)
        self.mapping_label = QLabel("Columns named as in the template are matched already; choose the template column "
                                    "for the others, or ignore them. The choice is remembered for files with these columns.")
        self.mapping_label.setWordWrap(True)
        layout.addWidget(self.mapping_label)
        layout.addWidget(self.mapping_table, 2)
        layout.addWidget(self.check_button)
        layout.addWidget(self.report, 3)
        layout.addWidget(self.valid_only)
        layout.addWidget(self.progress)
        buttons = QHBoxLayout()
        buttons.addStretch()
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.cancel_button)
        layout.addLayout(buttons)

        self.check_button.clicked.connect(self.check)
        self.valid_only.toggled.connect(self._update_import_button)
        self.import_button.clicked.connect(self.run_import)
        self.cancel_button.clicked.connect(self.cancel)
        self._load()

    # ----- the file and its mapping -------------------------------------------------------------
    def _unreadable(self, refusal: Exception) -> None:
        self.report.setPlainText(str(refusal))
        self.check_button.setEnabled(False)

    def _load(self) -> None:
        with guarded(self, "reading the file", on_refusal=self._unreadable) as read:
            archive = is_archive(self.path)
            if not archive:
                self.table = read_table(self.path)
        if not read:
            self.check_button.setEnabled(False)
            return
        if archive:
            self.mapping_label.setText("A whole-clinic archive: its columns are pmsdesk's own, nothing to map.")
            self.mapping_table.setVisible(False)
            return
        mapping = effective_mapping(self.clinic, self.table)
        targets = [IGNORE_LABEL, *TEMPLATE_FIELDS, *LONG_COLUMNS]
        self.mapping_table.setRowCount(len(self.table.header))
        for row, column in enumerate(self.table.header):
            item = QTableWidgetItem(column)
            item.setToolTip(column)  # a long column name is elided in the cell
            self.mapping_table.setItem(row, 0, item)
            choice = QComboBox()
            choice.addItems(targets)
            if column in mapping:
                choice.setCurrentText(mapping[column] or IGNORE_LABEL)
            else:
                choice.setCurrentIndex(-1)  # not chosen yet: the dry run asks for a choice
            self.mapping_table.setCellWidget(row, 1, choice)
        # The file's names whole (the heading too), but never more than half the table: the choice
        # of template column beside each needs its room.
        self.mapping_table.resizeColumnToContents(0)
        self.mapping_table.setColumnWidth(0, min(self.mapping_table.columnWidth(0), self.width() // 2))

    def mapping(self) -> dict[str, str]:
        chosen = {}
        for row, column in enumerate(self.table.header if self.table else ()):
            target = self.mapping_table.cellWidget(row, 1).currentText()
            if target:
                chosen[column] = IGNORED if target == IGNORE_LABEL else target
        return chosen

    def set_mapping(self, column: str, target: str) -> None:
        row = self.table.header.index(column)
        self.mapping_table.cellWidget(row, 1).setCurrentText(target or IGNORE_LABEL)

    def _incoming(self) -> Incoming:
        if self.table is None:
            try:
                return read_archive_tables(self.path.name, read_archive(self.path, archive_table_names()))
            except SourceError as error:
                return Incoming(self.path.name, problems=[ImportProblem(self.path.name, 0, "", None, str(error))])
        mapping = self.mapping()
        if all(column in mapping for column in self.table.header if column):
            remember_mapping(self.clinic, self.table, mapping)
        return read_template(self.table, mapping)

    # ----- dry run and import --------------------------------------------------------------------
    def check(self) -> None:
        with guarded(self, "checking the file", on_refusal=lambda refusal: self.report.setPlainText(str(refusal))):
            self.plan = plan_import(self.clinic, self._incoming())
            self.report.setPlainText(self.plan.summary())
        self._update_import_button()

    def _update_import_button(self) -> None:
        plan = self.plan
        self.import_button.setEnabled(plan is not None and plan.writes() > 0
                                      and (not plan.has_problems or self.valid_only.isChecked()))

    @property
    def importing(self) -> bool:
        return self.operation is not None and self.operation.running

    def run_import(self) -> None:
        """Import on the background worker: the dialog keeps repainting, Cancel stops it within a record
        and rolls back the batch being written (batches committed before it are kept, and said so)."""
        clinic, plan, valid_only = self.clinic, self.plan, self.valid_only.isChecked()
        self.progress.setVisible(True)
        self.progress.setRange(0, plan.writes())
        self.progress.setValue(0)
        self.import_button.setEnabled(False)
        self.check_button.setEnabled(False)

        def work(job: Job):  # on the worker thread: its sessions are opened there
            return apply_import(clinic, plan, valid_rows_only=valid_only, progress=job.progress,
                                cancelled=job.cancelled)

        self.operation = BackgroundOperation(self, "importing the file", work, title="Import stopped",
                                             on_refusal=self._refused)
        self.operation.progressed.connect(lambda done, _total: self.progress.setValue(done))
        self.operation.finished.connect(self._import_ended)
        self.operation.start()

    def _refused(self, refusal: Exception) -> None:
        """A refusal after committed batches says itself what was kept and how to go on."""
        self.report.appendPlainText(f"\n{refusal}." if getattr(refusal, "kept", None)
                                    else f"\nNothing was imported: {refusal}")

    def _import_ended(self) -> None:
        outcome = self.operation.outcome
        self.cancel_button.setEnabled(True)
        if outcome.ok:
            self.report.appendPlainText(f"\nImported {counted(self.operation.result.created) or 'nothing new'}.")
            self.cancel_button.setText("Close")
            self.plan = None
            return
        if outcome.cancelled:
            why = str(outcome.refusal or "import cancelled; nothing was written")
            self.report.appendPlainText(f"\n{why[:1].upper()}{why[1:]}.")
        elif outcome.error is not None:  # a fault (reported apart): what it left is only known from the database
            self.report.appendPlainText(
                "\nThe import stopped on a fault (reported and logged). Batches of whole patients written before "
                "it are kept, the rest was not imported: check the file again to see what is in pmsdesk now; "
                "importing it again skips that and adds the rest.")
        self.cancel_button.setText("Cancel")
        self.progress.setVisible(False)
        self.check_button.setEnabled(True)
        self._update_import_button()

    def cancel(self) -> None:
        if self.importing:
            self.operation.cancel()  # the import rolls back after its current record
            self.cancel_button.setText("Cancelling\u2026")
            self.cancel_button.setEnabled(False)
        else:
            self.reject()

    def reject(self) -> None:  # Esc or the window's close button: never leave an import running unseen
        if self.importing:
            self.cancel()
            return
        super().reject()


class ExportDialog(QDialog):
    """Choose a format, pseudonymisation and where to write; the export runs on the background worker
    with a progress bar (patients written) and Cancel, and is recorded in the audit trail."""

    def __init__(self, clinic: Clinic, parent: QWidget | None = None):
        super().__init__(parent)
        self.clinic = clinic
        self.operation: BackgroundOperation | None = None
        self.setWindowTitle("Export the clinic")
        self.format = QComboBox(objectName="export_format")
        for export_format, label in FORMAT_LABELS.items():
            self.format.addItem(label, export_format)
        self.pseudonymise = QCheckBox("&Pseudonymise for research (no names, identifiers, notes or birth dates)")
        self.shift_dates = QCheckBox("&Shift each patient's dates by the patient's own random offset", enabled=False)
        self.pseudonymise.toggled.connect(self.shift_dates.setEnabled)
        self.path = QLineEdit(objectName="export_path")
        browse = QPushButton("Choose\u2026")
        browse.clicked.connect(self.choose_path)
        where = QHBoxLayout()
        where.addWidget(self.path)
        where.addWidget(browse)
        self.progress = QProgressBar(visible=False, objectName="export_progress")
        self.progress.setFormat("%v of %m patients")
        form = QFormLayout(self)
        form.addRow("Format", self.format)
        form.addRow(self.pseudonymise)
        form.addRow(self.shift_dates)
        form.addRow("Write to", where)
        form.addRow(self.progress)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.export_button = buttons.addButton("&Export", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.export)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    @property
    def exporting(self) -> bool:
        return self.operation is not None and self.operation.running

    def choose_path(self) -> None:
        if self.format.currentData() is ExportFormat.MSPROG:
            chosen = QFileDialog.getExistingDirectory(self, "Folder for the msprog files")
        else:
            chosen, _ = QFileDialog.getSaveFileName(self, "Export to")
        if chosen:
            self.path.setText(chosen)

    def export(self) -> None:
        """Export on the background worker: the dialog keeps repainting and counts the patients written;
        Cancel stops it after the current patient, leaving no file and nothing in the audit trail."""
        if self.exporting:
            return
        if not self.path.text().strip():
            QMessageBox.warning(self, "Export", "Choose where to write the export.")
            return
        clinic, export_format, path = self.clinic, self.format.currentData(), Path(self.path.text().strip())
        pseudonymise = self.pseudonymise.isChecked()
        shift_dates = pseudonymise and self.shift_dates.isChecked()

        def work(job: Job):  # on the worker thread: its sessions are opened there
            return export_clinic(clinic, export_format, path, pseudonymise=pseudonymise, shift_dates=shift_dates,
                                 progress=job.progress, cancelled=job.cancelled)

        self.progress.setRange(0, 0)  # busy until the first patient is written
        self.progress.setVisible(True)
        self.export_button.setEnabled(False)
        self.operation = BackgroundOperation(
            self, "exporting the clinic", work, expected=(OSError,),
            on_refusal=lambda refusal: QMessageBox.warning(self, "Export", f"Nothing was exported: {refusal}"))
        self.operation.progressed.connect(self._progressed)
        self.operation.finished.connect(self._export_ended)
        self.operation.start()

    def _progressed(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def _export_ended(self) -> None:
        self.progress.setVisible(False)
        self.export_button.setEnabled(True)
        self.cancel_button.setEnabled(True)
        self.cancel_button.setText("Cancel")
        outcome = self.operation.outcome
        if outcome.ok:
            QMessageBox.information(self, "Export", self.operation.result.describe()
                                    + ". The export is recorded in the audit trail.")
            self.accept()
        elif outcome.cancelled:
            QMessageBox.information(self, "Export", "Export cancelled: nothing was written.")

    def reject(self) -> None:  # Cancel, Esc or the window's close button: an export running is asked to stop
        if self.exporting:
            self.operation.cancel()  # it stops after the current patient and removes its temporary file
            self.cancel_button.setText("Cancelling\u2026")
            self.cancel_button.setEnabled(False)
            return
        super().reject()


def save_import_template(parent: QWidget | None) -> Path | None:
    """Ask where to save the empty import template and write it there (privately); the path written,
    or None when the person cancelled or it could not be written (they were told why)."""
    chosen, _ = QFileDialog.getSaveFileName(parent, "Save the import template", "pmsdesk-import-template.csv",
                                            TEMPLATE_FILTER)
    if not chosen:
        return None
    with guarded(parent, "saving the import template", expected=(OSError,),
                 on_refusal=lambda refusal: QMessageBox.warning(
                     parent, "Import template", f"The template was not saved: {refusal}")) as saved:
        written = write_import_template(Path(chosen))
    if not saved:
        return None
    QMessageBox.information(parent, "Import template",
                            f"The import template was saved to {written}. Fill in one visit per row, then import it.")
    return written


class ImportStartDialog(QDialog):
    """Before choosing the file: which files pmsdesk imports, and the template to fill in."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Import visits or an archive")
        self.setMinimumWidth(520)
        self.hint = QLabel(IMPORT_HINT)
        self.hint.setObjectName("import_hint")
        self.hint.setWordWrap(True)
        self.template_button = QPushButton("Save import &template\u2026")
        self.template_button.setObjectName("save_import_template")
        self.template_button.clicked.connect(lambda: save_import_template(self))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.choose_button = buttons.addButton("&Choose the file\u2026", QDialogButtonBox.ButtonRole.AcceptRole)
        self.choose_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.template_button)
        row.addStretch()
        row.addWidget(buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(self.hint)
        layout.addLayout(row)


def ask_and_import(parent: QWidget, clinic: Clinic) -> bool:
    """Say which files are imported (and offer the template), ask for the file and run the import
    dialog; True when something may have been imported. An actor who may not record visits is told
    so before choosing a file (the import service refuses them)."""
    if not clinic.actor.may(Action.RECORD):
        QMessageBox.warning(parent, "Import", f"{PermissionDenied(clinic.actor, Action.RECORD)} Nothing was imported.")
        return False
    if not ImportStartDialog(parent).exec():
        return False
    chosen, _ = QFileDialog.getOpenFileName(parent, "Import visits or an archive (.csv, .xlsx, .zip)", "",
                                            FILE_FILTER)
    if not chosen:
        return False
    ImportDialog(clinic, Path(chosen), parent).exec()
    return True
