"""The archive carries each dose's second-person check, a neurologist's override of a failed safety
check and the clearance of a methotrexate neurotoxicity event; an import keeps them verbatim, as they
were recorded where they were made, with the file's name (pmsdesk.domain.recorded_elsewhere), and the
dry run refuses, by file, row and column, one that is incomplete or does not fit its visit."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import text
from bench import passed_check
from people import BENCH_CHECKER, BENCH_NURSE, checked_dose, ensure_registered, signed_in
from sample_data import PATIENT, TODAY

from exchange_records import every_record
from pmsdesk.domain.permissions import Role
from pmsdesk.exchange.export import export_clinic
from pmsdesk.exchange.importer import apply_import, plan_import, read_file
from pmsdesk.reports import content
from pmsdesk.reports.assemble import ReportAssembler
from pmsdesk.services.clinic import Clinic
from pmsdesk.store.database import Database

COURSE = {"agent": "it_methotrexate", "planned_dose": "12.5", "dose_unit": "mg", "interval_weeks_min": "8",
          "interval_weeks_max": "11", "start_date": "2025-01-06"}
OVERRIDE_REASON = "Platelets stable at 45-50 for two years (haematology review)."
CLEARANCE_REASON = "Encephalopathy resolved in days; MRI normal. Methotrexate may continue."


def treatment(day: str, number: int, **values) -> dict:
    return {**passed_check(day), "visit_date": day, "kind": "treatment", "treatment_number": str(number),
            "dose_given": "12.5", "dose_unit": "mg", **values}


@pytest.fixture
def source(database):
    """A clinic where a nurse gave two checked doses: the first reported neurotoxicity, which a
    neurologist cleared; the second was given on the neurologist's override of a low platelet count."""
    nurse = Clinic(database, actor=signed_in(database, BENCH_NURSE, Role.NURSE, "Bench Nurse"), today=lambda: TODAY)
    neurologist_actor = signed_in(database, "neuro-nora", Role.NEUROLOGIST, "Nora Neurologist")
    neurologist = Clinic(database, actor=neurologist_actor, today=lambda: TODAY)
    ensure_registered(database, BENCH_NURSE, Role.NURSE, "administer", "Bench Nurse")
    patient = nurse.create_patient(PATIENT)
    course = nurse.create_course(patient.id, COURSE)
    first = nurse.create_visit(patient.id, checked_dose(database, treatment("2025-01-06", 1, course_id=course.id,
        adverse_events=[{"term": "neurotoxicity", "onset_date": "2025-01-07", "ctcae_grade": "2",
                         "related_procedure": "possible", "related_drug": "probable"}])))
    event = first.adverse_events[0]
    neurologist.clear_neurotoxicity(event.id, event.version, CLEARANCE_REASON)
    with database.engine.begin() as connection:  # as an event recorded before 0009 keeps its one earlier answer
        connection.execute(text("UPDATE adverse_event SET relatedness = 'possible'"))
    neurologist.create_visit(patient.id, checked_dose(database, treatment(
        "2025-03-10", 2, course_id=course.id, **{"labs.platelets": "45"}, safety_override_reason=OVERRIDE_REASON)))
    return neurologist  # who may export


@pytest.fixture
def receiving(tmp_path):
    database = Database.open(str(tmp_path / "receiving.sqlite3"))
    importer = signed_in(database, "imp-ian", Role.NEUROLOGIST, "Ian Importer")
    yield Clinic(database, actor=importer, today=lambda: TODAY)
    database.close()


def exported(clinic: Clinic, tmp_path: Path, **options) -> Path:
    archive = tmp_path / ("research.zip" if options else "clinic.zip")
    export_clinic(clinic, "archive", archive, **options)
    return archive


def imported(receiving: Clinic, archive: Path):
    plan = plan_import(receiving, read_file(archive, receiving))
    assert not plan.problems, plan.summary()
    apply_import(receiving, plan)
    patient = receiving.find_patients(PATIENT["clinic_id"])[0]
    return patient, receiving.visit_records(patient.id)


def test_the_checks_travel_verbatim_and_name_the_file_they_came_from(source, receiving, tmp_path):
    sent = {record.visit.treatment_number: record
            for record in source.visit_records(source.find_patients(PATIENT["clinic_id"])[0].id)}
    patient, records = imported(receiving, exported(source, tmp_path))
    assert every_record(receiving) == every_record(source)
    got = {record.visit.treatment_number: record for record in records}

    for number in (1, 2):  # both doses keep their checker, the time and what was confirmed
        theirs, ours = sent[number].dose_check, got[number].dose_check
        assert (ours.administered_by, ours.checked_by, ours.checked_name, ours.dose, ours.lot) == (
            theirs.administered_by, BENCH_CHECKER, "Bench Checker", 12.5, None)
        assert ours.checked_at.replace(tzinfo=None) == theirs.checked_at.replace(tzinfo=None)
        assert ours.imported_from == "clinic.zip" and theirs.imported_from is None

    override = got[2].safety_check
    assert (override.result, override.override_by, override.override_name, override.override_reason,
            override.override_items) == ("failed", "neuro-nora", "Nora Neurologist", OVERRIDE_REASON,
                                     "platelets,methotrexate_neurotoxicity")
    assert override.override_at.replace(tzinfo=None) == sent[2].safety_check.override_at.replace(tzinfo=None)
    assert override.override_imported_from == "clinic.zip"

    event = got[1].adverse_events[0]
    assert (event.cleared_by, event.cleared_by_name, event.clearance_reason, event.clearance_imported_from) == (
        "neuro-nora", "Nora Neurologist", CLEARANCE_REASON, "clinic.zip")
    assert event.relatedness == "possible"  # the earlier single answer, kept as recorded
    # The clearance holds here too: methotrexate is not blocked for this patient's next dose.
    assert receiving.methotrexate_block(patient.id, "it_methotrexate", TODAY) is None

    # The summary prints each as recorded there, naming the file.
    data = ReportAssembler(receiving).visit(got[2].visit.id)
    second = dict(content.visit_fields(data))["Second-person check"]
    assert "Bench Checker" in second and "as recorded in clinic.zip, imported" in second
    assert any("OVERRIDDEN by Nora Neurologist" in line and "as recorded in clinic.zip" in line
               for line in content.safety_check_lines(data))
    first = ReportAssembler(receiving).visit(got[1].visit.id)
    assert "as recorded in clinic.zip, imported" in content.adverse_event_rows(first)[0][0]

    again = plan_import(receiving, read_file(tmp_path / "clinic.zip", receiving))
    assert not again.problems and again.writes() == 0  # importing it again adds nothing


def test_a_pseudonymised_archive_names_no_checker_and_no_clearer(source, tmp_path):
    archive = exported(source, tmp_path, pseudonymise=True)
    with zipfile.ZipFile(archive) as opened:
        assert "dose_check.csv" not in opened.namelist()
        header = opened.read("adverse_event.csv").decode("utf-8-sig").splitlines()[0].split(",")
        safety = opened.read("safety_check.csv").decode("utf-8-sig")
    assert "cleared_at" in header and not {"cleared_by", "cleared_by_name", "clearance_reason"} & set(header)
    assert "Nora" not in safety and "Bench Checker" not in safety


def rewritten(archive: Path, member: str, change) -> Path:
    """``archive`` with the rows of ``member`` changed by ``change(rows)`` (a list of dicts)."""
    with zipfile.ZipFile(archive) as opened:
        members = {name: opened.read(name) for name in opened.namelist()}
    rows = list(csv.DictReader(io.StringIO(members[member].decode("utf-8-sig"))))
    change(rows)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    members[member] = out.getvalue().encode("utf-8")
    with zipfile.ZipFile(archive, "w") as opened:
        for name, data in members.items():
            opened.writestr(name, data)
    return archive


def set_cell(row_index: int, column: str, value: str):
    def change(rows):
        rows[row_index][column] = value
    return change


@pytest.mark.parametrize(("member", "change", "column", "message"), [
    ("dose_check.csv", set_cell(0, "dose", "15"), "dose",
     "does not fit its dose: the check was for 15 mg it_methotrexate, the dose recorded is 12.5 mg"),
    ("dose_check.csv", set_cell(1, "checked_at", "last Tuesday"), "checked_at", "enter a date and time"),
    ("dose_check.csv", set_cell(0, "checked_by", ""), "checked_by", "Checked by (user name)"),
    ("safety_check.csv", set_cell(1, "override_reason", ""), "override_reason", "Reason for the override"),
    ("adverse_event.csv", set_cell(0, "term", "fatigue"), "cleared_by", "only a methotrexate neurotoxicity event"),
    ("adverse_event.csv", set_cell(0, "relatedness", "maybe"), "relatedness", "choose one of"),
])
def test_a_check_that_is_incomplete_or_does_not_fit_is_refused_by_the_dry_run(source, receiving, tmp_path,
                                                                             member, change, column, message):
    archive = rewritten(exported(source, tmp_path), member, change)
    plan = plan_import(receiving, read_file(archive, receiving))
    assert [(p.source, p.column) for p in plan.problems] == [(f"clinic.zip:{member}", column)], plan.summary()
    assert message in plan.problems[0].message
    assert plan.has_problems  # nothing is written unless the person leaves the visit out
