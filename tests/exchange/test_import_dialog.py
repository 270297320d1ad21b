"""The import dialog: mapping an unfamiliar file, the dry run report, importing, remembering the mapping."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtWidgets import QMessageBox  # noqa: E402

from sample_data import PATIENT  # noqa: E402
from exchange_records import write_csv  # noqa: E402
from pmsdesk.exchange import importer  # noqa: E402
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


MANY_HEADER = ["clinic_id", "family_name", "given_names", "birth_date", "sex", "phenotype", "visit_date", "kind"]
MANY_ROWS = [[f"MS-{n:03d}", "Name", "Given", PATIENT["birth_date"], "male", "PPMS", "2024-01-01", "baseline"]
             for n in range(40)]


def test_cancel_during_the_import_writes_nothing(qtbot, clinic, tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "BATCH_SECONDS", 60)  # one batch however loaded the machine: all or nothing
    dialog = ImportDialog(clinic, write_csv(tmp_path / "many.csv", MANY_HEADER, MANY_ROWS))
    qtbot.addWidget(dialog)
    dialog.check_button.click()
    dialog.progress.valueChanged.connect(lambda value: value >= 5 and dialog.importing and dialog.cancel_button.click())
    dialog.import_button.click()
    qtbot.waitUntil(lambda: dialog.operation.outcome is not None, timeout=20000)
    assert dialog.operation.outcome.cancelled
    assert "Import cancelled; nothing was written." in dialog.report.toPlainText()
    assert clinic.patient_count() == 0


def test_a_refusal_after_committed_batches_says_what_was_kept_and_how_to_go_on(qtbot, clinic, tmp_path, monkeypatch):
    """A colleague adds MS-003 after the dry run; the import, one patient a batch, stops there."""
    monkeypatch.setattr(importer, "BATCH_SECONDS", 0)  # every batch one patient, committed at once
    monkeypatch.setattr(importer, "PAUSE_SECONDS", 0)
    path = write_csv(tmp_path / "many.csv", MANY_HEADER, MANY_ROWS)
    dialog = ImportDialog(clinic, path)
    qtbot.addWidget(dialog)
    dialog.check_button.click()
    clinic.create_patient({**PATIENT, "clinic_id": "MS-003"})
    dialog.import_button.click()
    qtbot.waitUntil(lambda: dialog.operation.outcome is not None, timeout=20000)
    report = dialog.report.toPlainText()
    assert "Nothing was imported" not in report
    assert ("Kept: 3 patients, 3 visits, the first 3 patients of the file, written before it stopped (3 batches, "
            "each in the audit trail); not imported: 37 patients, 37 visits. To go on, correct what was refused, "
            "then import the file again: what is already in pmsdesk is skipped, the rest is added.") in report
    assert "\u201cMS-003\u201d is already used by EXAMPLE, Alex; enter a different identifier.\nKept: " in report
    assert clinic.patient_count() == 4

    dialog.check_button.click()  # what the report promises: the three kept are skipped, the rest is added
    again = dialog.report.toPlainText()
    assert "would create 36 patients, 37 visits" in again and "6 records are already in pmsdesk" in again
    dialog.valid_only.setChecked(True)
    dialog.import_button.click()
    qtbot.waitUntil(lambda: dialog.operation.outcome is not None and dialog.operation.outcome.ok, timeout=30000)
    assert clinic.patient_count() == 40


def test_a_fault_after_committed_batches_says_they_are_kept_and_the_dry_run_shows_them(
        qtbot, clinic, tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "BATCH_SECONDS", 0)
    monkeypatch.setattr(importer, "PAUSE_SECONDS", 0)
    faults = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: faults.append(text))
    recorded = importer.exchange_service.record_import

    def disk_gone_at_the_third_batch(batch, details):
        if details.get("part") == 3:
            raise OSError(5, "Input/output error")
        recorded(batch, details)

    monkeypatch.setattr(importer.exchange_service, "record_import", disk_gone_at_the_third_batch)
    dialog = ImportDialog(clinic, write_csv(tmp_path / "many.csv", MANY_HEADER, MANY_ROWS))
    qtbot.addWidget(dialog)
    dialog.check_button.click()
    dialog.import_button.click()
    qtbot.waitUntil(lambda: dialog.operation.outcome is not None, timeout=20000)
    assert len(faults) == 1 and clinic.patient_count() == 2  # the third batch rolled back
    assert "Batches of whole patients written before it are kept" in dialog.report.toPlainText()
    dialog.check_button.click()
    assert "would create 38 patients, 38 visits" in dialog.report.toPlainText()


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
    assert dialog.exporting and not dialog.export_button.isEnabled()  # on the background worker
    assert dialog.operation.wait().ok
    assert (tmp_path / "bundle.json").exists() and "Bundle" in (tmp_path / "bundle.json").read_text()
    assert shown[-1].startswith("Exported 1 patient") and "recorded in the audit trail" in shown[-1]
    assert dialog.progress.maximum() == dialog.progress.value() == 1 and dialog.result() == dialog.DialogCode.Accepted


def test_cancel_during_an_export_writes_nothing(qtbot, clinic_over_variable_limit, tmp_path, monkeypatch):
    from pmsdesk.domain.audit import AuditKind

    shown = []
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text: shown.append(text))
    dialog = ExportDialog(clinic_over_variable_limit)
    qtbot.addWidget(dialog)
    dialog.format.setCurrentIndex(dialog.format.findData("archive"))
    (tmp_path / "out").mkdir()
    dialog.path.setText(str(tmp_path / "out" / "clinic.zip"))
    dialog.progress.valueChanged.connect(lambda value: value >= 200 and dialog.exporting and dialog.reject())
    dialog.export()
    assert dialog.operation.wait().cancelled
    assert dialog.progress.maximum() == 1_500 and not dialog.progress.isVisible()
    assert shown == ["Export cancelled: nothing was written."] and list((tmp_path / "out").iterdir()) == []
    assert [e for e in clinic_over_variable_limit.audit_entries() if e.kind is AuditKind.EXPORT] == []
    assert dialog.export_button.isEnabled() and dialog.cancel_button.text() == "Cancel"


# ----- choosing the file: the formats, the hint, the template ------------------------------------------
def test_the_import_template_is_the_templates_header_written_privately(clinic, tmp_path):
    import csv
    import stat

    from pmsdesk.exchange.columns import TEMPLATE_FIELDS
    from pmsdesk.exchange.importer import effective_mapping, plan_import
    from pmsdesk.exchange.incoming import read_template
    from pmsdesk.exchange.sources import read_table
    from pmsdesk.exchange.template import write_import_template

    old = tmp_path / "template.csv"
    old.write_text("stale")
    old.chmod(0o644)
    written = write_import_template(tmp_path / "template")  # no suffix: .csv added
    assert written == old and stat.S_IMODE(written.stat().st_mode) == 0o600
    with written.open(newline="", encoding="utf-8") as file:
        rows = list(csv.reader(file))
    assert rows == [list(TEMPLATE_FIELDS)] and "clinic_id" in rows[0] and "visit_date" in rows[0]
    table = read_table(written)
    assert list(table.header) == list(TEMPLATE_FIELDS)
    mapping = effective_mapping(clinic, table)
    assert mapping == {key: key for key in TEMPLATE_FIELDS}  # every column known: nothing to map
    plan = plan_import(clinic, read_template(table, mapping))  # and no row: nothing to import
    assert not plan.problems and sum(plan.new.values()) == 0


def test_the_file_chooser_names_the_formats_and_offers_the_template(qtbot, clinic, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QDialog, QFileDialog

    from pmsdesk.exchange.columns import TEMPLATE_FIELDS
    from pmsdesk.ui import exchange as ui_exchange

    asked = {}

    def open_file(parent, caption, folder, filters):
        asked["caption"], asked["filters"] = caption, filters
        return "", ""

    started = []
    original_init = ui_exchange.ImportStartDialog.__init__

    def remember(self, parent=None):
        original_init(self, parent)
        started.append(self)

    monkeypatch.setattr(ui_exchange.ImportStartDialog, "__init__", remember)
    monkeypatch.setattr(ui_exchange.ImportStartDialog, "exec", lambda self: QDialog.DialogCode.Accepted)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", open_file)
    assert ui_exchange.ask_and_import(None, clinic) is False  # the chooser was cancelled
    first_filter = asked["filters"].split(";;")[0]
    assert all(pattern in first_filter for pattern in ("*.csv", "*.xlsx", "*.zip"))
    assert "CSV" in asked["filters"] and "Excel" in asked["filters"] and "pmsdesk archive" in asked["filters"]

    start = started[0]
    qtbot.addWidget(start)
    hint = start.hint.text()
    assert start.hint.wordWrap() and all(text in hint for text in ("CSV", ".xlsx", "pmsdesk archive (.zip)"))
    target = tmp_path / "for the nurses.csv"
    told = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text, *a, **k: told.append(text))
    start.template_button.click()
    assert len(told) == 1 and str(target) in told[0]
    assert target.read_text(encoding="utf-8").strip() == ",".join(TEMPLATE_FIELDS)
    assert oct(target.stat().st_mode & 0o777) == "0o600"
