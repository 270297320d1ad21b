"""Every export and the import on a clinic of more visits than SQLite's default variable limit lets one
IN list name (issue 20): each reads its records a batch of patients at a time, with bounded IN lists."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from big_clinic import BIG_PATIENTS, VISITS_PER_PATIENT
from pmsdesk.exchange.export import export_clinic
from pmsdesk.exchange.importer import apply_import, plan_import, read_file
from pmsdesk.store.tables import Visit

VISITS = BIG_PATIENTS * VISITS_PER_PATIENT
# per patient: the patient, a course, 22 visits with an EDSS each, a relapse, a therapy, an adverse event
RECORDS = BIG_PATIENTS * (1 + 1 + 2 * VISITS_PER_PATIENT + 1 + 1 + 1)


def test_the_big_clinic_holds_more_visits_than_one_in_list_may_name(clinic_over_variable_limit):
    with clinic_over_variable_limit.db.reading() as session:
        ids = list(session.scalars(select(Visit.id)))
        assert len(ids) == VISITS > 32_766
        with pytest.raises(OperationalError, match="too many SQL variables"):
            session.execute(select(Visit.id).where(Visit.id.in_(ids))).all()


@pytest.mark.parametrize("export_format, name, pseudonymise", [
    ("csv", "clinic.csv", False), ("msprog", "msprog", False), ("archive", "clinic.zip", False),
    ("fhir", "clinic.json", False), ("archive", "pseudonymised.zip", True), ("fhir", "pseudonymised.json", True),
])
def test_every_export_of_the_big_clinic(clinic_over_variable_limit, tmp_path, export_format, name, pseudonymise):
    path = tmp_path / name
    seen = []
    summary = export_clinic(clinic_over_variable_limit, export_format, path, pseudonymise=pseudonymise,
                            shift_dates=pseudonymise, progress=lambda done, total: seen.append((done, total)))
    assert (summary.patients, summary.records) == (BIG_PATIENTS, RECORDS)
    assert seen[0] == (1, BIG_PATIENTS) and seen[-1] == (BIG_PATIENTS, BIG_PATIENTS) and len(seen) == BIG_PATIENTS
    if export_format == "csv":  # one row per visit and EDSS
        assert path.read_bytes().count(b"\r\n") == 1 + VISITS
    elif export_format == "msprog":
        with (path / "edss.csv").open(encoding="utf-8") as file:
            assert sum(1 for _ in file) == 1 + VISITS
    elif export_format == "archive":
        with zipfile.ZipFile(path) as archive:
            rows = json.loads(archive.read("manifest.json"))["rows"]
            visits = list(csv.DictReader(io.TextIOWrapper(archive.open("visit.csv"), encoding="utf-8")))
        assert rows["visit"] == rows["edss_assessment"] == len(visits) == VISITS
        assert rows["patient"] == BIG_PATIENTS and int(visits[-1]["patient_id"]) == BIG_PATIENTS
    else:
        entries = json.loads(path.read_text(encoding="utf-8"))["entry"]
        procedures = [e for e in entries if e["resource"]["resourceType"] == "Procedure"]
        assert len(procedures) == BIG_PATIENTS * (VISITS_PER_PATIENT - 1)


def test_a_cancelled_export_leaves_no_file_and_no_audit_entry(clinic_over_variable_limit, tmp_path):
    from pmsdesk.domain.audit import AuditKind
    from pmsdesk.exchange.snapshot import ExportCancelled

    done = []
    (tmp_path / "out").mkdir()
    with pytest.raises(ExportCancelled):
        export_clinic(clinic_over_variable_limit, "archive", tmp_path / "out" / "clinic.zip",
                      progress=lambda patients, _total: done.append(patients), cancelled=lambda: len(done) >= 300)
    assert done[-1] == 300 and list((tmp_path / "out").iterdir()) == []  # nor the temporary files
    assert [e for e in clinic_over_variable_limit.audit_entries() if e.kind is AuditKind.EXPORT] == []


def test_the_big_clinic_s_archive_imported_back_is_all_identical_and_a_new_visit_goes_in(
        clinic_over_variable_limit, tmp_path):
    clinic = clinic_over_variable_limit
    export_clinic(clinic, "archive", tmp_path / "clinic.zip")
    plan = plan_import(clinic, read_file(tmp_path / "clinic.zip", clinic))
    assert plan.problems == [] and plan.writes() == 0 and plan.identical >= VISITS

    (tmp_path / "new.csv").write_text("clinic_id,visit_date,kind,edss.edss\r\nBIG-01500,2024-01-10,assessment,4.5\r\n",
                                      encoding="utf-8")
    result = apply_import(clinic, plan_import(clinic, read_file(tmp_path / "new.csv", clinic)))
    assert result.created["visit"] == 1
    with clinic.db.reading() as session:
        assert len(list(session.scalars(select(Visit.id)))) == VISITS + 1
