"""Exports: tidy CSV, archive and its dictionary, msprog files against pymsprog, FHIR R4, safety, audit."""

from __future__ import annotations

import csv
import io
import json
import warnings
import zipfile

import pytest
from people import signed

from sample_data import PATIENT, TODAY
from exchange_records import read_csv
from pmsdesk.cli import main
from pmsdesk.domain.audit import AuditKind
from pmsdesk.domain.assessments import ASSESSMENT_SECTIONS
from pmsdesk.domain.fields import PATIENT_FIELDS
from pmsdesk.domain.permissions import Actor, PermissionDenied, Role
from pmsdesk.exchange.columns import export_cell
from pmsdesk.exchange.export import export_clinic
from pmsdesk.services.clinic import Clinic
from pmsdesk.services.demo import fill_demo_clinic


@pytest.fixture
def demo(clinic):
    fill_demo_clinic(clinic, patients=6, today=TODAY)
    return clinic


def archive_table(path, member) -> list[dict[str, str]]:
    with zipfile.ZipFile(path) as archive:
        return list(csv.DictReader(io.StringIO(archive.read(member).decode("utf-8"))))


# ----- safety ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("value, cell", [
    ("=SUM(A1:A9)", "'=SUM(A1:A9)"), ("+41 79", "'+41 79"), ("-RN", "'-RN"), ("@cmd", "'@cmd"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("L3-L4", "L3-L4"), (-3, "-3"), (-2.5, "-2.5"), ("", ""), (None, ""),
])
def test_text_a_spreadsheet_would_run_is_neutralised_and_numbers_are_not(value, cell):
    assert export_cell(value) == cell


def test_every_csv_export_neutralises_formulas(clinic, patient, tmp_path):
    clinic.create_visit(patient.id, {"visit_date": "2024-01-01", "kind": "assessment", "performed_by": "=1+1",
                                     "notes": "@SUM(1)", "sdmt.score": "40", "sdmt.form": "+A"})
    export_clinic(clinic, "csv", tmp_path / "tidy.csv")
    export_clinic(clinic, "archive", tmp_path / "clinic.zip")
    assert {row["value"] for row in read_csv(tmp_path / "tidy.csv") if row["measure"] == "sdmt.form"} == {"'+A"}
    [visit] = archive_table(tmp_path / "clinic.zip", "visit.csv")
    assert (visit["performed_by"], visit["notes"]) == ("'=1+1", "'@SUM(1)")


# ----- tidy CSV and archive ---------------------------------------------------------------------------

def test_the_tidy_csv_has_one_row_per_patient_date_and_measure(demo, tmp_path):
    export_clinic(demo, "csv", tmp_path / "tidy.csv")
    rows = read_csv(tmp_path / "tidy.csv")
    assert list(rows[0])[:3] == ["clinic_id", "visit_date", "kind"] and list(rows[0])[-3:] == ["measure", "value", "unit"]
    patient = demo.find_patients()[0]
    first = demo.visit_records(patient.id)[0]
    mine = {row["measure"]: row for row in rows
            if row["clinic_id"] == patient.clinic_id and row["visit_date"] == first.visit.visit_date.isoformat()}
    assert float(mine["edss.edss"]["value"]) == first.assessments["edss"].edss
    assert float(mine["t25fw.trial1_s"]["value"]) == first.assessments["t25fw"].trial1_s
    assert mine["t25fw.trial1_s"]["unit"] == "s"
    treated = [row for row in rows if row["kind"] == "treatment"]
    assert treated and all(row["dose_given"] and row["course.agent"] for row in treated)


def test_the_archive_has_a_table_per_record_kind_and_a_generated_dictionary(demo, tmp_path):
    export_clinic(demo, "archive", tmp_path / "clinic.zip")
    with zipfile.ZipFile(tmp_path / "clinic.zip") as archive:
        names = set(archive.namelist())
        manifest = json.loads(archive.read("manifest.json"))
    assert {"patient.csv", "visit.csv", "edss_assessment.csv", "adverse_event.csv", "data_dictionary.csv"} <= names
    dictionary = archive_table(tmp_path / "clinic.zip", "data_dictionary.csv")
    described = {(line["table"], line["column"]) for line in dictionary}
    for member in names - {"data_dictionary.csv", "manifest.json"}:
        with zipfile.ZipFile(tmp_path / "clinic.zip") as archive:  # a table without rows has its header too
            header = next(csv.reader(io.StringIO(archive.read(member).decode("utf-8"))))
        assert {(member[:-4], column) for column in header} <= described
    trial = next(line for line in dictionary if (line["table"], line["column"]) == ("t25fw_assessment", "trial1_s"))
    assert (trial["unit"], trial["allowed"]) == ("s", ASSESSMENT_SECTIONS["t25fw"][0].allowed_text())
    assert manifest["rows"]["patient"] == 6 and manifest["pseudonymised"] is False


# ----- pseudonymisation ------------------------------------------------------------------------------

def test_a_pseudonymised_export_has_no_names_identifiers_or_birth_dates(demo, tmp_path):
    export_clinic(demo, "archive", tmp_path / "research.zip", pseudonymise=True)
    patients = archive_table(tmp_path / "research.zip", "patient.csv")
    assert "family_name" not in patients[0] and "clinic_id" not in patients[0] and "birth_date" not in patients[0]
    content = b"".join(zipfile.ZipFile(tmp_path / "research.zip").read(n) for n in zipfile.ZipFile(tmp_path / "research.zip").namelist())
    for summary in demo.find_patients(include_archived=True):
        for secret in (summary.clinic_id, summary.family_name, summary.birth_date.isoformat()):
            assert secret.encode() not in content
    assert all(row["subject_code"].startswith("S-") and len(row["birth_year"]) == 4 for row in patients)
    export_clinic(demo, "fhir", tmp_path / "research.json", pseudonymise=True)
    bundle = (tmp_path / "research.json").read_text()
    assert not any(p.family_name in bundle or p.clinic_id in bundle for p in demo.find_patients())


def test_subject_codes_are_stable_and_shifted_dates_keep_intervals_within_a_patient(demo, tmp_path):
    export_clinic(demo, "msprog", tmp_path / "plain")
    export_clinic(demo, "msprog", tmp_path / "one", pseudonymise=True, shift_dates=True)
    export_clinic(demo, "msprog", tmp_path / "two", pseudonymise=True, shift_dates=True)
    assert (tmp_path / "one" / "edss.csv").read_bytes() == (tmp_path / "two" / "edss.csv").read_bytes()

    def by_patient(folder):
        series = {}
        for row in read_csv(folder / "edss.csv"):
            series.setdefault(row["patient_id"], []).append(row)
        return list(series.values())

    import datetime as dt

    for plain, shifted in zip(by_patient(tmp_path / "plain"), by_patient(tmp_path / "one"), strict=True):
        offsets = {(dt.date.fromisoformat(b["date"]) - dt.date.fromisoformat(a["date"])).days for a, b in zip(plain, shifted)}
        assert len(offsets) == 1 and offsets != {0}  # one offset per patient, never none
        assert [a["value"] for a in plain] == [b["value"] for b in shifted]
    assert len({rows[0]["patient_id"] for rows in by_patient(tmp_path / "one")}) == 6


# ----- msprog against pymsprog and pmsdesk progression ----------------------------------------------

@pytest.fixture(scope="module")
def demo_msprog_folder(tmp_path_factory):
    """The whole demo clinic's msprog files (filled and exported once for the module)."""
    from pmsdesk.store.database import Database

    folder = tmp_path_factory.mktemp("msprog")
    database = Database.open(str(folder / "demo.sqlite3"))
    try:
        clinic = Clinic(database, today=lambda: TODAY)
        fill_demo_clinic(clinic, today=TODAY)
        export_clinic(clinic, "msprog", folder / "files")
    finally:
        database.close()
    return folder / "files"


@pytest.mark.parametrize("outcome, file", [("edss", "edss.csv"), ("sdmt", "sdmt.csv"), ("t25fw", "t25fw.csv"),
                                           ("nhpt", "nhpt_dominant.csv"), ("nhpt", "nhpt_nondominant.csv")])
def test_msprog_files_give_pymsprog_the_events_pmsdesk_progression_finds(demo_msprog_folder, tmp_path, outcome, file):
    pd = pytest.importorskip("pandas")
    pymsprog = pytest.importorskip("pymsprog")
    folder = demo_msprog_folder
    events = tmp_path / "events.csv"
    assert main(signed(["progression", str(folder / file), "--outcome", outcome, "--relapses", str(folder / "relapses.csv"),
                 "--event", "multiple", "-o", str(events), "--database", str(folder.parent / "demo.sqlite3")])) == 0
    ours = sorted((r["patient_id"], r["event"], r["onset_date"], float(r["onset_value"]), r["baseline_date"])
                  for r in read_csv(events))
    visits = pd.read_csv(folder / file, parse_dates=["date"])
    relapses = pd.read_csv(folder / "relapses.csv", parse_dates=["date"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, results = pymsprog.MSprog(visits, subj_col="patient_id", value_col="value", date_col="date",
                                     outcome=outcome, relapse=relapses if len(relapses) else None, event="multiple",
                                     RAW_PIRA=True, include_dates=True, include_value=True, verbose=0)
    theirs = sorted((r.patient_id, r.event_type, r.date.date().isoformat(), float(r.value), r.bl_date.date().isoformat())
                    for r in results.itertuples() if r.event_type)
    assert ours == theirs
    assert len(read_csv(folder / file)) > 100



def test_the_six_minute_walk_file_gives_the_events_the_trajectory_shows(demo_msprog_folder, tmp_path):
    """``pmsdesk progression --outcome 6mwt`` on the exported walks finds the confirmed events the
    trajectory rings (the six-minute walk's own minimal important change, confirmed over 12 weeks)."""
    from pmsdesk.services.series import patient_series
    from pmsdesk.store.database import Database

    folder = demo_msprog_folder
    database_path = folder.parent / "demo.sqlite3"
    events = tmp_path / "events.csv"
    assert main(signed(["progression", str(folder / "six_minute_walk.csv"), "--outcome", "6mwt", "--relapses",
                        str(folder / "relapses.csv"), "--event", "multiple", "-o", str(events),
                        "--database", str(database_path)])) == 0
    found = sorted((r["patient_id"], r["event"], r["onset_date"], r["confirmation_date"]) for r in read_csv(events))
    database = Database.open(str(database_path))
    try:
        clinic = Clinic(database, today=lambda: TODAY)
        walks = [(patient.clinic_id, patient_series(clinic, patient.id).measures.get("six_minute_walk"))
                 for patient in clinic.find_patients()]
    finally:
        database.close()
    shown = sorted((clinic_id, mark.event.kind.value, mark.event.onset.date.isoformat(),
                    mark.event.confirmation.date.isoformat())
                   for clinic_id, walk in walks if walk is not None for mark in walk.events)
    assert found == shown
    assert found  # the demo's walkers have confirmed events


# ----- FHIR ------------------------------------------------------------------------------------------

def test_the_fhir_bundle_validates_against_fhir_r4(demo, tmp_path):
    bundle_model = pytest.importorskip("fhir.resources.R4B.bundle")
    awkward = demo.create_patient({**PATIENT, "clinic_id": "MS-X", "phenotype": "other"})
    demo.create_visit(awkward.id, {"visit_date": "2024-01-01", "kind": "assessment", "t25fw.not_completed": "physical_ms",
                                   "nhpt.dominant_not_completed": "other", "nhpt.nondominant_not_completed": "other",
                                   "nhpt.not_completed_note": "cast", "edss.fs_visual": "1"})
    demo.save_adverse_event(awkward.id, {"term": "other", "term_other": "rash", "onset_date": "2024-01-02",
                                         "ctcae_grade": "3", "serious": True, "outcome": "ongoing"})
    for pseudonymise in (False, True):
        path = tmp_path / f"bundle-{pseudonymise}.json"
        export_clinic(demo, "fhir", path, pseudonymise=pseudonymise, shift_dates=pseudonymise)
        data = json.loads(path.read_text())
        bundle = bundle_model.Bundle.model_validate(data)  # raises on any structural error
        kinds = {entry.resource.get_resource_type() for entry in bundle.entry}
        assert kinds == {"Patient", "Condition", "Observation", "Procedure", "MedicationAdministration", "AdverseEvent"}
    resources = [entry["resource"] for entry in json.loads((tmp_path / "bundle-False.json").read_text())["entry"]]
    routes = {r["dosage"]["route"]["coding"][0]["code"] for r in resources if r["resourceType"] == "MedicationAdministration"}
    assert routes == {"72607000"}
    conditions = {r["code"]["coding"][0]["code"] for r in resources if r["resourceType"] == "Condition"}
    assert "24700007" in conditions and conditions <= {"428700003", "425500002", "426373005", "24700007"}
    edss = next(r for r in resources if r["resourceType"] == "Observation" and r["code"]["coding"][0]["code"] == "EDSS"
                and "valueQuantity" in r)
    assert edss["valueQuantity"]["system"] == "http://unitsofmeasure.org" and edss["valueQuantity"]["code"] == "{score}"
    assert {c["code"]["coding"][0]["code"] for c in edss["component"]} >= {"KFSS-PYR", "KFSS-VIS", "EDSS-AMB"}
    walk = next(r for r in resources if r["resourceType"] == "Observation" and r["code"]["coding"][0]["code"] == "T25FW-MEAN"
                and "component" in r)
    assert [c["valueQuantity"]["code"] for c in walk["component"]] == ["s", "s"]
    unable = next(r for r in resources if r["resourceType"] == "Observation" and "dataAbsentReason" in r
                  and r["code"]["coding"][0]["code"] == "T25FW-MEAN")
    assert unable["dataAbsentReason"]["text"] == "Unable: physical limitation due to MS"
    patients = [r for r in resources if r["resourceType"] == "Patient"]
    assert len({p["id"] for p in patients}) == 7


# ----- audit and permission --------------------------------------------------------------------------

def test_every_export_is_recorded_in_the_audit_trail(clinic, patient, tmp_path):
    export_clinic(clinic, "fhir", tmp_path / "out.json")
    export_clinic(clinic, "csv", tmp_path / "out.csv", pseudonymise=True)
    entries = [e for e in clinic.audit_entries() if e.kind is AuditKind.EXPORT]
    assert [(e.actor, e.details["format"], e.details["path"], e.details["pseudonymised"], e.details["patients"])
            for e in entries] == [
        ("system:pmsdesk", "fhir", str(tmp_path / "out.json"), False, 1),
        ("system:pmsdesk", "csv", str(tmp_path / "out.csv"), True, 1),
    ]


def test_a_nurse_may_not_export_and_no_file_is_written(database, patient, tmp_path):
    nurse = Clinic(database, actor=Actor("nina", Role.NURSE, 1, "Nina Nurse"), today=lambda: TODAY)
    with pytest.raises(PermissionDenied):
        export_clinic(nurse, "csv", tmp_path / "out.csv")
    assert not (tmp_path / "out.csv").exists()


def test_the_export_command_writes_each_format_and_refuses_bad_paths(db_path, tmp_path, capsys):
    assert main(["demo", "--patients", "2", "--database", str(db_path)]) == 0
    for export_format, target in (("csv", "t.csv"), ("archive", "a.zip"), ("msprog", "ms"), ("fhir", "f.json")):
        assert main(signed(["export", "--format", export_format, "-o", str(tmp_path / target), "--database", str(db_path)])) == 0
        assert f"as {export_format} to {tmp_path / target}" in capsys.readouterr().out
    assert (tmp_path / "ms" / "relapses.csv").exists()
    for arguments, message in ((["--format", "csv", "-o", str(tmp_path / "no" / "x.csv")], "does not exist"),
                               (["--format", "csv", "--shift-dates", "-o", str(tmp_path / "x.csv")], "goes with --pseudonymise"),
                               (["--format", "fhir", "-o", str(tmp_path / "ms")], "is a folder")):
        assert main(signed(["export", *arguments, "--database", str(db_path)])) == 2
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1


def test_patient_fields_stay_out_of_the_pseudonymised_dictionary(demo, tmp_path):
    export_clinic(demo, "archive", tmp_path / "research.zip", pseudonymise=True)
    columns = {line["column"] for line in archive_table(tmp_path / "research.zip", "data_dictionary.csv")
               if line["table"] == "patient"}
    assert columns.isdisjoint({"clinic_id", "family_name", "given_names", "birth_date", "notes"})
    assert {f.name for f in PATIENT_FIELDS} - columns == {"clinic_id", "family_name", "given_names", "birth_date", "notes"}


def test_the_export_command_counts_the_patients_on_a_terminal_only(db_path, tmp_path):
    """Progress on stderr when it is a terminal (a real pty), nothing when it is a pipe."""
    import os
    import pty
    import subprocess
    import sys

    from big_clinic import fill_clinic
    from pmsdesk.store.database import Database

    database = Database.open(str(db_path))
    fill_clinic(database, 60, 3)
    database.close()
    command = [sys.executable, "-m", "pmsdesk", *signed(["export", "--format", "csv", "-o", str(tmp_path / "t.csv"),
                                                         "--database", str(db_path)])]
    leader, follower = pty.openpty()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=follower)
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal's other end closed: the command ended
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    assert process.wait(timeout=120) == 0 and b"as csv to" in process.stdout.read()
    assert b"\rExporting: 25 of 60 patients" in shown and shown.endswith(b"Exporting: 60 of 60 patients\r\n")
    piped = subprocess.run(command, capture_output=True, timeout=120)
    assert piped.returncode == 0 and piped.stderr == b""
