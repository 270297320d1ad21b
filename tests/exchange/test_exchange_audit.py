"""Imports and exports go through the exchange service: permission-checked, audited, read as frozen copies."""

from __future__ import annotations

import json

import pytest
from people import signed
from exchange_records import write_csv
from PySide6.QtWidgets import QFileDialog, QMessageBox
from sample_data import TODAY
from test_import import HEADER, ROWS

from pmsdesk.cli import main
from pmsdesk.domain.audit import AuditKind
from pmsdesk.domain.permissions import Actor, PermissionDenied, Role
from pmsdesk.exchange.export import export_clinic
from pmsdesk.exchange.importer import (
    ImportCancelled,
    apply_import,
    plan_import,
    read_file,
    remember_mapping,
)
from pmsdesk.exchange.snapshot import take_snapshot
from pmsdesk.exchange.sources import read_table
from pmsdesk.services import exchange as exchange_service
from pmsdesk.services.clinic import Clinic

NURSE = Actor("nina", Role.NURSE, 7, "Nina Nurse")
ADMIN = Actor("adam", Role.ADMINISTRATOR, 9, "Adam Admin")


def as_actor(clinic: Clinic, actor: Actor) -> Clinic:
    return Clinic(clinic.db, actor=actor, today=lambda: TODAY)


def entries(clinic: Clinic, kind: AuditKind):
    return [entry for entry in clinic.audit_entries() if entry.kind is kind]


def test_an_import_is_one_audit_entry_after_the_rows_it_created(clinic, tmp_path):
    nurse = as_actor(clinic, NURSE)
    plan = plan_import(nurse, read_file(write_csv(tmp_path / "visits.csv", HEADER,
                                                  [row for row in ROWS if not row[HEADER.index("edss.edss")]]), nurse))
    assert not plan.problems
    apply_import(nurse, plan)
    trail = clinic.audit_entries()
    (entry,) = entries(clinic, AuditKind.IMPORT)
    assert entry == trail[-1] and entry.actor == "nina"
    assert entry.details == {"source": "visits.csv", "created": {"patient": 1, "course": 1, "visit": 1},
                             "valid_rows_only": False, "problems_left_out": 0}
    assert "Newman" not in json.dumps(entry.details)
    created = [e for e in trail if e.kind is AuditKind.INSERT and e.table_name in ("patient", "visit")]
    assert {e.actor for e in created} == {"nina"} and len(created) == 2  # every row is audited by the store


def test_a_cancelled_import_leaves_no_import_entry(clinic, tmp_path):
    plan = plan_import(clinic, read_file(write_csv(tmp_path / "visits.csv", HEADER, ROWS), clinic))
    before = len(clinic.audit_entries())
    with pytest.raises(ImportCancelled):
        apply_import(clinic, plan, cancelled=lambda: True)
    assert len(clinic.audit_entries()) == before and clinic.find_patients() == []


def test_the_command_line_import_is_audited(clinic, db_path, tmp_path, capsys):
    path = write_csv(tmp_path / "visits.csv", HEADER, ROWS)
    assert main(signed(["import", str(path), "--database", str(db_path)])) == 0
    assert main(signed(["import", str(path), "--dry-run", "--database", str(db_path)])) == 0  # a dry run writes nothing
    assert main(signed(["import", str(path), "--database", str(db_path)])) == 0  # nothing new: nothing written, no entry
    (entry,) = entries(clinic, AuditKind.IMPORT)
    assert entry.actor == "test-neurologist" and entry.details["created"] == {"patient": 1, "course": 1, "visit": 3}


def test_an_administrator_may_not_import_not_even_a_dry_run(clinic, tmp_path):
    admin = as_actor(clinic, ADMIN)
    path = write_csv(tmp_path / "visits.csv", HEADER, ROWS)
    for refused in (lambda: plan_import(admin, read_file(path, admin)),
                    lambda: remember_mapping(admin, read_table(path), {"clinic_id": "clinic_id"}),
                    lambda: exchange_service.stored_records(admin, 1)):
        with pytest.raises(PermissionDenied, match="Recording and changing patients"):
            refused()
    plan = plan_import(clinic, read_file(path, clinic))
    with pytest.raises(PermissionDenied):
        apply_import(admin, plan)
    assert clinic.find_patients() == [] and entries(clinic, AuditKind.IMPORT) == []


def test_the_import_menu_tells_an_administrator_before_asking_for_a_file(qapp, clinic, monkeypatch):
    from pmsdesk.ui.exchange import ask_and_import

    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a, **k: shown.append(text))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: pytest.fail("no file dialog when refused"))
    assert ask_and_import(None, as_actor(clinic, ADMIN)) is False
    assert shown == ["Not allowed: Adam Admin (Administrator) may not do this. Recording and changing patients, "
                     "visits and timed tests is done by nurses and neurologists. Nothing was imported."]


def test_an_export_reads_frozen_copies_and_is_refused_before_reading_for_a_nurse(clinic, patient, tmp_path):
    records = exchange_service.export_records(clinic)
    (stored,) = records.patients
    assert stored.patient.clinic_id == patient.clinic_id and not hasattr(stored.patient, "_sa_instance_state")
    with pytest.raises(AttributeError):
        stored.patient.family_name = "Changed"
    nurse = as_actor(clinic, NURSE)
    for refused in (lambda: take_snapshot(nurse), lambda: exchange_service.export_records(nurse),
                    lambda: exchange_service.pseudonyms(nurse, [patient.id]),
                    lambda: export_clinic(nurse, "archive", tmp_path / "a.zip")):
        with pytest.raises(PermissionDenied, match="Data leaving pmsdesk"):
            refused()
    assert not (tmp_path / "a.zip").exists() and entries(clinic, AuditKind.EXPORT) == []
    export_clinic(as_actor(clinic, Actor("nora", Role.NEUROLOGIST, 8, "Nora Neuro")), "archive", tmp_path / "a.zip")
    (entry,) = entries(clinic, AuditKind.EXPORT)
    assert entry.actor == "nora" and entry.details["format"] == "archive" and entry.details["patients"] == 1
