"""Printing or saving a visit summary goes through the reporting service: permission-checked, and
written to the audit trail once, with who and which visits (by id, no names), from the app and from
``pmsdesk report`` alike."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from people import signed
from pdf_reading import pdf_text
from PySide6.QtPrintSupport import QPrintDialog
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox
from sample_data import PATIENT, TODAY

from pmsdesk.cli import main
from pmsdesk.domain.audit import AuditKind
from pmsdesk.domain.permissions import Actor, PermissionDenied, Role
from pmsdesk.reports.assemble import ReportAssembler
from pmsdesk.services import reporting
from pmsdesk.services.clinic import Clinic
from pmsdesk.ui import printing

DAY = dt.date(2026, 3, 2)
NURSE = Actor("nina", Role.NURSE, 7, "Nina Nurse")
NEUROLOGIST = Actor("nora", Role.NEUROLOGIST, 8, "Nora Neuro")
ADMIN = Actor("adam", Role.ADMINISTRATOR, 9, "Adam Admin")


@pytest.fixture
def visits(clinic):
    """Two patients seen on DAY (and one of them earlier): the visit ids of DAY, first patient first."""
    first = clinic.create_patient(PATIENT)
    second = clinic.create_patient({**PATIENT, "clinic_id": "MS-0002", "family_name": "Sample", "given_names": "Kim"})
    clinic.create_visit(first.id, {"visit_date": "2025-09-01", "kind": "baseline", "edss.edss": "4.0"})
    return [clinic.create_visit(patient.id, {"visit_date": DAY.isoformat(), "kind": "follow_up"}).visit.id
            for patient in (first, second)]


def as_actor(clinic: Clinic, actor: Actor) -> Clinic:
    return Clinic(clinic.db, actor=actor, today=lambda: TODAY)


def report_entries(clinic: Clinic):
    return [entry for entry in clinic.audit_entries() if entry.kind is AuditKind.REPORT]


def assert_no_names(entry) -> None:
    text = json.dumps(entry.details)
    assert PATIENT["family_name"] not in text and PATIENT["given_names"] not in text and "Sample" not in text


@pytest.fixture
def message_boxes(monkeypatch):
    shown = []
    for kind in ("warning", "information"):
        monkeypatch.setattr(QMessageBox, kind, lambda parent, title, text, *a, **k: shown.append(text))
    return shown


# ----- the service -----------------------------------------------------------------------------------

def test_nurses_and_neurologists_may_make_reports_administrators_may_not(clinic, visits):
    for actor in (NURSE, NEUROLOGIST, Actor.system("test")):
        assert reporting.may_report(as_actor(clinic, actor))
        assert reporting.visit_ids_between(as_actor(clinic, actor), DAY, DAY) == visits
    admin = as_actor(clinic, ADMIN)
    assert not reporting.may_report(admin)
    for refused in (lambda: reporting.visit_ids_between(admin, DAY, DAY),
                    lambda: ReportAssembler(admin).visit(visits[0]),
                    lambda: reporting.patient_history(admin, 1),
                    lambda: reporting.record_report(admin, visits, reporting.ReportOutput.PDF)):
        with pytest.raises(PermissionDenied, match="Printing clinical reports is done by nurses and neurologists"):
            refused()
    assert report_entries(clinic) == []


def test_the_report_data_holds_frozen_copies_not_stored_rows(clinic, visits):
    data = ReportAssembler(as_actor(clinic, NURSE)).visit(visits[0])
    assert data.previous is not None and data.previous.assessments["edss"].edss == 4.0
    for value in (data.patient, data.visit.visit, data.previous.visit, data.previous.assessments["edss"]):
        assert not hasattr(value, "_sa_instance_state")
        with pytest.raises(AttributeError):
            value.id = 99  # frozen
    assert data.visit.form_values()["visit_date"] == DAY


def test_a_report_entry_names_the_actor_and_the_visits(clinic, visits, tmp_path):
    nurse = as_actor(clinic, NURSE)
    reporting.record_report(nurse, visits[:1], reporting.ReportOutput.PDF, path=tmp_path / "one.pdf")
    reporting.record_report(nurse, visits, "printed", period=(DAY, DAY))
    single, batch = report_entries(clinic)
    assert (single.actor, single.actor_name, single.table_name, single.row_key) == ("nina", "nina", "visit", str(visits[0]))
    assert single.details == {"output": "pdf", "visits": visits[:1], "file": str((tmp_path / "one.pdf").resolve())}
    assert batch.details == {"output": "printed", "visits": visits, "from": DAY.isoformat(), "to": DAY.isoformat()}
    assert [e.kind for e in clinic.audit_entries(visit_id=visits[0])][-1] is AuditKind.REPORT  # the visit's trail
    assert report_entries(clinic) == [single, batch]


# ----- the app ---------------------------------------------------------------------------------------

def test_printing_from_the_app_is_recorded_once(qapp, clinic, visits, monkeypatch):
    nurse = as_actor(clinic, NURSE)
    printed = []
    monkeypatch.setattr(QPrintDialog, "exec", lambda self: QDialog.DialogCode.Accepted)
    monkeypatch.setattr(printing, "print_pdf", lambda pdf, printer: printed.append(pdf) or 1)
    assert printing.print_visit_summary(None, nurse, visits[0])
    (entry,) = report_entries(clinic)
    assert (entry.actor, entry.details) == ("nina", {"output": "printed", "visits": [visits[0]]})
    assert_no_names(entry)
    assert "Example, Alex" in pdf_text(printed[0])

    monkeypatch.setattr(QPrintDialog, "exec", lambda self: QDialog.DialogCode.Rejected)
    assert not printing.print_visit_summary(None, nurse, visits[0])  # cancelled: nothing printed, nothing recorded
    assert len(report_entries(clinic)) == 1


def test_saving_a_pdf_from_the_app_is_recorded_once(qapp, clinic, visits, tmp_path, monkeypatch):
    target = tmp_path / "summary.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "PDF files (*.pdf)"))
    assert printing.save_visit_summary(None, as_actor(clinic, NEUROLOGIST), visits[1]) == target
    text = pdf_text(target.read_bytes())
    assert "Sample, Kim" in text and f"Visit date {DAY.isoformat()}" in text
    (entry,) = report_entries(clinic)
    assert (entry.actor, entry.details) == ("nora", {"output": "pdf", "visits": [visits[1]], "file": str(target.resolve())})


def test_a_days_summaries_from_the_app_are_one_entry_naming_every_visit(qapp, clinic, visits, tmp_path,
                                                                          message_boxes):
    output = tmp_path / "day.pdf"
    assert printing.save_period_summaries(None, as_actor(clinic, NURSE), DAY, DAY, output) == output
    assert "2 visits, one section each" in pdf_text(output.read_bytes())
    (entry,) = report_entries(clinic)
    assert entry.details == {"output": "pdf", "visits": visits, "file": str(output.resolve()),
                             "from": DAY.isoformat(), "to": DAY.isoformat()}
    assert_no_names(entry)


def test_the_app_refuses_an_administrator_with_the_reason_and_writes_nothing(qapp, clinic, visits, tmp_path,
                                                                              monkeypatch, message_boxes):
    admin = as_actor(clinic, ADMIN)
    target = tmp_path / "summary.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "PDF files (*.pdf)"))
    monkeypatch.setattr(QPrintDialog, "exec", lambda self: pytest.fail("no print dialog for a refused report"))
    assert printing.save_visit_summary(None, admin, visits[0]) is None
    assert printing.print_visit_summary(None, admin, visits[0]) is False
    assert printing.save_period_summaries(None, admin, DAY, DAY, target) is None
    assert printing.ask_and_save_period_summaries(None, admin) is None
    assert len(message_boxes) == 4
    assert all(text.startswith("Not allowed: Adam Admin (Administrator) may not do this. Printing clinical reports")
               and text.endswith("Nothing was printed or saved.") for text in message_boxes)
    assert not target.exists()
    assert report_entries(clinic) == []


# ----- the command line ------------------------------------------------------------------------------

def test_the_command_records_one_entry_per_file(clinic, visits, db_path, tmp_path, capsys):
    one, day = tmp_path / "one.pdf", tmp_path / "day.pdf"
    assert main(signed(["report", str(visits[0]), "-o", str(one), "--database", str(db_path)])) == 0
    assert main(signed(["report", "--date", DAY.isoformat(), "-o", str(day), "--database", str(db_path)])) == 0
    assert "Example, Alex" in pdf_text(one.read_bytes())
    assert "2 visits, one section each" in pdf_text(day.read_bytes())
    single, batch = report_entries(clinic)
    assert (single.actor, single.details) == ("test-neurologist", {"output": "pdf", "visits": [visits[0]],
                                                                "file": str(one.resolve())})
    assert (batch.actor, batch.details) == ("test-neurologist", {"output": "pdf", "visits": visits,
                                                              "file": str(day.resolve()),
                                                              "from": DAY.isoformat(), "to": DAY.isoformat()})
    assert_no_names(batch)


@pytest.mark.parametrize("arguments", [["1"], ["--date", DAY.isoformat()]])
def test_the_command_refuses_an_actor_who_may_not_print_in_one_line(clinic, visits, db_path, tmp_path, capsys,
                                                                    monkeypatch, arguments):
    output = tmp_path / "out.pdf"
    argv = ["report", *arguments, "-o", str(output), "--database", str(db_path)]
    assert main(signed(argv, ("adam", Role.ADMINISTRATOR))) == 2
    error = capsys.readouterr().err
    assert error.startswith("pmsdesk report: error: Not allowed: adam (Administrator) may not do this.")
    assert error.count("\n") == 1
    assert not output.exists()
    assert report_entries(clinic) == []
