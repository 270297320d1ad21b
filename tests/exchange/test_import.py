"""Importing the template (wide and long, CSV and .xlsx): dry run, problems, identity, mapping, cancel."""

from __future__ import annotations

import json

import pytest
from people import signed

from sample_data import PATIENT
from exchange_records import write_csv
from pmsdesk.cli import main
from pmsdesk.exchange.importer import (
    ImportCancelled,
    ImportRefused,
    apply_import,
    plan_import,
    read_file,
    remember_mapping,
)
from pmsdesk.exchange.sources import read_table

HEADER = ["clinic_id", "family_name", "given_names", "birth_date", "sex", "phenotype", "visit_date", "kind",
          "course.agent", "course.start_date", "dose_given", "dose_unit", "edss.edss", "edss.fs_visual",
          "t25fw.trial1_s", "t25fw.trial2_s", "t25fw.more_than_two_attempts", "sdmt.score"]
NEW_PATIENT = ["MS-0100", "Newman", "Nora", "1965-05-05", "Female", "PPMS"]
ROWS = [
    [*NEW_PATIENT, "2024-01-10", "baseline", "", "", "", "", "4.5", "1", "6.10", "6.3", "no", "44"],
    [*NEW_PATIENT, "2024-01-10", "treatment", "it_methotrexate", "2024-01-10", "12.5", "mg", "", "", "", "", "", ""],
    ["MS-0100", "", "", "", "", "", "2024-04-10", "treatment", "Intrathecal methotrexate", "2024-01-10", "12,5", "mg",
     "5.0", "", "6.5", "6.9", "yes", "40"],
]


def import_file(clinic, path, **options):
    plan = plan_import(clinic, read_file(path, clinic, options.pop("mapping", None)))
    if not plan.has_problems or options.get("valid_rows_only"):
        apply_import(clinic, plan, **options)
    return plan


def test_a_template_file_creates_the_patient_course_and_visits(clinic, tmp_path):
    plan = import_file(clinic, write_csv(tmp_path / "visits.csv", HEADER, ROWS))
    assert not plan.problems and dict(+plan.new) == {"patient": 1, "course": 1, "visit": 3}
    [patient] = clinic.find_patients()
    assert (patient.clinic_id, patient.phenotype, patient.birth_date.isoformat()) == ("MS-0100", "PPMS", "1965-05-05")
    [course] = clinic.courses(patient.id)
    baseline, first, second = clinic.visit_records(patient.id)
    assert baseline.visit.course_id is None and first.visit.course_id == second.visit.course_id == course.id
    assert second.visit.dose_given == 12.5  # a decimal comma is read as the screens read it
    assert (second.assessments["edss"].edss, second.assessments["t25fw"].more_than_two_attempts) == (5.0, True)
    assert baseline.assessments["edss"].fs_visual == 1 and baseline.assessments["sdmt"].score == 44


def test_the_same_rows_again_are_skipped_and_changed_ones_are_conflicts(clinic, tmp_path):
    import_file(clinic, write_csv(tmp_path / "visits.csv", HEADER, ROWS))
    again = plan_import(clinic, read_file(tmp_path / "visits.csv", clinic))
    assert not again.problems and again.writes() == 0 and again.identical == 5  # patient, course, 3 visits
    changed = [row[:] for row in ROWS]
    changed[0][HEADER.index("sdmt.score")] = "45"
    changed[0][HEADER.index("family_name")] = changed[1][HEADER.index("family_name")] = "Newmann"
    plan = plan_import(clinic, read_file(write_csv(tmp_path / "changed.csv", HEADER, changed), clinic))
    assert [(p.row, p.column, p.value) for p in plan.problems] == [(2, "family_name", "Newmann"), (2, "sdmt.score", "45")]
    assert "already in pmsdesk, which has \u201cNewman\u201d" in plan.problems[0].message
    with pytest.raises(ImportRefused):
        apply_import(clinic, plan)
    assert clinic.visit_records(clinic.find_patients()[0].id)[0].assessments["sdmt"].score == 44


def test_the_dry_run_reports_every_problem_with_row_column_value_and_what_is_allowed(clinic, tmp_path):
    rows = [row[:] for row in ROWS]
    rows[0][HEADER.index("edss.edss")] = "0.5"
    rows[1][HEADER.index("dose_given")] = ""
    rows[2][HEADER.index("t25fw.trial1_s")] = "fast"
    rows[2][HEADER.index("visit_date")] = "10/04/2024"
    plan = plan_import(clinic, read_file(write_csv(tmp_path / "bad.csv", HEADER, rows), clinic))
    found = {(p.row, p.column, p.value): p.message for p in plan.problems}
    assert set(found) == {(2, "edss.edss", "0.5"), (3, "dose_given", ""), (4, "t25fw.trial1_s", "fast"),
                          (4, "visit_date", "10/04/2024")}
    assert "0.5 does not exist" in found[(2, "edss.edss", "0.5")]
    assert "required for a treatment visit" in found[(3, "dose_given", "")]
    assert "from 0 to 180 s" in found[(4, "t25fw.trial1_s", "fast")] or "above 0" in found[(4, "t25fw.trial1_s", "fast")]
    assert "YYYY-MM-DD" in found[(4, "visit_date", "10/04/2024")]
    assert "bad.csv row 4, column visit_date (value \u201c10/04/2024\u201d)" in plan.summary()
    with pytest.raises(ImportRefused):
        apply_import(clinic, plan)
    assert clinic.patient_count() == 0


def test_valid_rows_only_leaves_out_the_rows_with_problems(clinic, tmp_path):
    rows = [row[:] for row in ROWS]
    rows[2][HEADER.index("edss.edss")] = "11"
    plan = import_file(clinic, write_csv(tmp_path / "some-bad.csv", HEADER, rows), valid_rows_only=True)
    assert len(plan.problems) == 1
    assert [v.visit_date.isoformat() for v in clinic.visits(clinic.find_patients()[0].id)] == ["2024-01-10"] * 2


def test_duplicated_rows_are_imported_once_and_differing_twins_are_a_problem(clinic, tmp_path):
    plan = import_file(clinic, write_csv(tmp_path / "twice.csv", HEADER, [*ROWS, ROWS[2]]))
    assert plan.duplicates == 1 and len(clinic.visits(clinic.find_patients()[0].id)) == 3
    twin = ROWS[2][:]
    twin[HEADER.index("sdmt.score")] = "41"
    plan = plan_import(clinic, read_file(write_csv(tmp_path / "twins.csv", HEADER, [ROWS[2], twin]), clinic))
    assert any("the same visit as row 2" in p.message and p.row == 3 for p in plan.problems)


def test_an_unknown_patient_without_patient_columns_is_reported(clinic, tmp_path):
    plan = plan_import(clinic, read_file(write_csv(tmp_path / "v.csv", ["clinic_id", "visit_date", "kind"],
                                                   [["MS-9", "2024-01-01", "baseline"]]), clinic))
    [problem] = plan.problems
    assert (problem.row, problem.column) == (2, "clinic_id") and "not in pmsdesk" in problem.message


def test_the_long_format_and_an_existing_patient(clinic, patient, tmp_path):
    header = ["clinic_id", "visit_date", "kind", "measure", "value"]
    rows = [["MS-0001", "2024-02-02", "assessment", "edss.edss", "3.5"],
            ["MS-0001", "2024-02-02", "assessment", "sdmt.score", "51"],
            ["MS-0001", "2024-02-02", "assessment", "sdmt.modality", "Written"],
            ["MS-0001", "2024-05-02", "assessment", "edss.edss", "4"]]
    plan = import_file(clinic, write_csv(tmp_path / "long.csv", header, rows))
    assert not plan.problems and plan.new["visit"] == 2
    first, second = clinic.visit_records(patient.id)
    assert (first.assessments["edss"].edss, first.assessments["sdmt"].score, first.assessments["sdmt"].modality) == \
        (3.5, 51, "written")
    assert second.assessments["sdmt"] is None
    bad = write_csv(tmp_path / "bad-long.csv", header, [["MS-0001", "2024-06-02", "assessment", "edss.walk", "4"]])
    [problem] = plan_import(clinic, read_file(bad, clinic)).problems
    assert (problem.row, problem.column, problem.value) == (2, "measure", "edss.walk")


def test_an_xlsx_workbook_with_typed_cells_imports_like_csv(clinic, tmp_path):
    import datetime as dt

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append([*NEW_PATIENT[:3], dt.datetime(1965, 5, 5), "female", "PPMS", dt.datetime(2024, 1, 10), "baseline",
                  None, None, None, None, 4.5, 1, 6.1, 6.3, False, 44])
    workbook.save(tmp_path / "visits.xlsx")
    plan = import_file(clinic, tmp_path / "visits.xlsx")
    assert not plan.problems
    [record] = clinic.visit_records(clinic.find_patients()[0].id)
    assert (record.visit.visit_date, record.assessments["t25fw"].trial1_s, record.assessments["sdmt"].score) == \
        (dt.date(2024, 1, 10), 6.1, 44)


def test_a_mapping_renames_columns_and_is_remembered_for_the_same_header(clinic, tmp_path):
    path = write_csv(tmp_path / "clinic-export.csv", ["Patient no", "Date", "Type", "EDSS", "Comment"],
                     [["MS-0001", "2024-02-02", "assessment", "3", "ignore me"]])
    clinic.create_patient(PATIENT)
    unmapped = plan_import(clinic, read_file(path, clinic))
    assert {p.column for p in unmapped.problems} >= {"Patient no", "Date", "Comment"}
    mapping = {"Patient no": "clinic_id", "Date": "visit_date", "Type": "kind", "EDSS": "edss.edss", "Comment": ""}
    remember_mapping(clinic, read_table(path), mapping)
    plan = import_file(clinic, path)
    assert not plan.problems and plan.new["visit"] == 1


def test_cancelling_writes_nothing(clinic, tmp_path):
    plan = plan_import(clinic, read_file(write_csv(tmp_path / "visits.csv", HEADER, ROWS), clinic))
    seen = []
    with pytest.raises(ImportCancelled):
        apply_import(clinic, plan, progress=lambda done, total: seen.append((done, total)), cancelled=lambda: len(seen) == 3)
    assert seen == [(1, 5), (2, 5), (3, 5)]
    assert clinic.patient_count() == 0


def test_the_command_line_imports_with_a_mapping_and_dry_run(database, db_path, tmp_path, capsys):
    path = write_csv(tmp_path / "own.csv", ["Patient", *HEADER[1:]], ROWS)
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"Patient": "clinic_id"}))
    assert main(signed(["import", str(path), "--database", str(db_path), "--mapping", str(mapping), "--dry-run"])) == 0
    assert "would create 1 patient, 1 course, 3 visits" in capsys.readouterr().out
    assert main(signed(["import", str(path), "--database", str(db_path), "--mapping", str(mapping)])) == 0
    assert "Imported 1 patient, 1 course, 3 visits" in capsys.readouterr().out
    assert main(signed(["import", str(path), "--database", str(db_path)])) == 2
    out, err = capsys.readouterr()
    assert "column Patient: not a column of the import template" in out
    assert err.count("\n") == 1 and err.startswith("pmsdesk import: error: own.csv has problems")


@pytest.mark.parametrize("arguments, message", [
    (["missing.csv"], "no such file"),
    (["{file}", "--mapping", "{file}"], "is not JSON"),
])
def test_command_line_errors_are_one_line(db_path, tmp_path, capsys, arguments, message):
    path = write_csv(tmp_path / "v.csv", HEADER, ROWS)
    arguments = [argument.format(file=path) for argument in arguments]
    assert main(signed(["import", *arguments, "--database", str(db_path)])) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_the_documented_template_lists_every_column():
    from pathlib import Path

    from pmsdesk.exchange.columns import TEMPLATE_FIELDS

    documented = (Path(__file__).parents[2] / "docs" / "exchange.md").read_text()
    assert [key for key in TEMPLATE_FIELDS if f"| `{key}` |" not in documented] == []
