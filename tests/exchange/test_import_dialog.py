"""The import dialog: mapping an unfamiliar file, the dry run report, importing, remembering the mapping."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtWidgets import QMessageBox  # noqa: E402

from sample_data import PATIENT  # noqa: E402
from exchange_records import write_csv  # noqa: E402
from pmsdesk.ui.exchange import IGNORE_LABEL, ExportDialog, ImportDialog  # noqa: E402

HEADER = ["Patient no", "Date", "Type", "EDSS", "Comment"]
ROWS = [["MS-0001", "2024-02-02", "assessment", "3.5", "fine"],
        ["MS-0001", "2024-05-02", "assessment", "0.5", "typo"]]


def test_map_the_columns_check_then_import_only_the_valid_rows(qtbot, clinic, patient, tmp_path):
    path = write_csv(tmp_path / "old-clinic.csv", HEADER, ROWS)
    dialog = ImportDialog(clinic, path)
    qtbot.addWidget(dialog)
    assert dialog.mapping() == {}  # nothing named as in the template
    dialog.check_button.click()
    assert "column Patient no: not a column of the import template" in dialog.report.toPlainText()
    assert not dialog.import_button.isEnabled()

    for column, target in zip(HEADER, ["clinic_id", "visit_date", "kind", "edss.edss", ""]):
        dialog.set_mapping(column, target)
    dialog.check_button.click()
    report = dialog.report.toPlainText()
    assert "would create 1 visit" in report
    assert "old-clinic.csv row 3, column EDSS (value \u201c0.5\u201d): EDSS (clinician)" in report
    assert not dialog.import_button.isEnabled()  # problems: all or nothing, unless asked
    dialog.valid_only.setChecked(True)
    assert dialog.import_button.isEnabled()
    dialog.import_button.click()
    qtbot.waitUntil(lambda: dialog.operation.outcome is not None, timeout=20000)  # on the background worker
    assert "Imported 1 visit." in dialog.report.toPlainText()
    assert dialog.progress.value() == dialog.progress.maximum() == 1
    [visit] = clinic.visit_records(patient.id)
    assert visit.assessments["edss"].edss == 3.5

    again = ImportDialog(clinic, path)  # the same header: the mapping was remembered
    qtbot.addWidget(again)
    assert again.mapping() == {"Patient no": "clinic_id", "Date": "visit_date", "Type": "kind", "EDSS": "edss.edss",
                               "Comment": ""}
    assert again.mapping_table.cellWidget(4, 1).currentText() == IGNORE_LABEL
    again.check_button.click()
    assert "1 record is already in pmsdesk with the same values" in again.report.toPlainText()


def test_cancel_during_the_import_writes_nothing(qtbot, clinic, tmp_path):
    header = ["clinic_id", "family_name", "given_names", "birth_date", "sex", "phenotype", "visit_date", "kind"]
    rows = [[f"MS-{n:03d}", "Name", "Given", PATIENT["birth_date"], "male", "PPMS", "2024-01-01", "baseline"]
            for n in range(40)]
    dialog = ImportDialog(clinic, write_csv(tmp_path / "many.csv", header, rows))
    qtbot.addWidget(dialog)
    dialog.check_button.click()
    dialog.progress.valueChanged.connect(lambda value: value >= 5 and dialog.importing and dialog.cancel_button.click())
    dialog.import_button.click()
    qtbot.waitUntil(lambda: dialog.operation.outcome is not None, timeout=20000)
    assert dialog.operation.outcome.cancelled
    assert "Import cancelled: nothing was written." in dialog.report.toPlainText()
    assert clinic.patient_count() == 0


def test_the_export_dialog_writes_the_chosen_format(qtbot, clinic, patient, tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text: shown.append(text))
    dialog = ExportDialog(clinic)
    qtbot.addWidget(dialog)
    dialog.format.setCurrentIndex(dialog.format.findData("fhir"))
    dialog.pseudonymise.setChecked(True)
    assert dialog.shift_dates.isEnabled()
    dialog.path.setText(str(tmp_path / "bundle.json"))
    dialog.export()
    assert (tmp_path / "bundle.json").exists() and "Bundle" in (tmp_path / "bundle.json").read_text()
    assert shown[-1].startswith("Exported 1 patient") and "recorded in the audit trail" in shown[-1]
