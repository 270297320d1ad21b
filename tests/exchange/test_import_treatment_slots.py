"""An import cannot add a second treatment to a course's slot: the dry run names the row and the visit
already recorded (or the earlier row of the file); the write checks again."""

from __future__ import annotations

import pytest
from exchange_records import write_csv

from pmsdesk.domain.treatment_slots import TreatmentSlotTaken
from pmsdesk.exchange.importer import ImportRefused, apply_import, plan_import, read_file

HEADER = ["clinic_id", "family_name", "given_names", "birth_date", "sex", "phenotype", "visit_date", "kind",
          "course.agent", "course.start_date", "course.interval_weeks_min", "treatment_number", "dose_given",
          "dose_unit"]
PATIENT = ["MS-0200", "Slot", "Sam", "1966-06-06", "Female", "SPMS"]


def row(day: str, number: str) -> list[str]:
    return [*PATIENT, day, "treatment", "it_methotrexate", "2024-01-10", "8", number, "12.5", "mg"]


@pytest.mark.parametrize(("second", "field", "words"), [
    (row("2024-03-05", "2"), "visit_date", "Too close to treatment 1 on 2024-01-10 (row 2 of visits.csv)"),  # 8 weeks less a day
    (row("2024-05-10", "1"), "treatment_number", "Treatment 1 of this course is already recorded"),
])
def test_a_file_with_two_treatments_in_one_slot_names_the_row_and_writes_nothing(clinic, tmp_path, second, field,
                                                                                 words):
    path = write_csv(tmp_path / "visits.csv", HEADER, [row("2024-01-10", "1"), second])
    plan = plan_import(clinic, read_file(path, clinic))
    [problem] = plan.problems
    assert (problem.row, problem.column) == (3, field) and words in problem.message
    with pytest.raises(ImportRefused):
        apply_import(clinic, plan)
    assert clinic.find_patients() == []
    apply_import(clinic, plan, valid_rows_only=True)  # the first treatment alone
    [patient] = clinic.find_patients()
    assert [v.visit_date.isoformat() for v in clinic.visits(patient.id)] == ["2024-01-10"]


def test_a_file_treatment_in_a_stored_courses_slot_is_refused_naming_the_stored_visit(clinic, tmp_path):
    path = write_csv(tmp_path / "first.csv", HEADER, [row("2024-01-10", "1")])
    apply_import(clinic, plan_import(clinic, read_file(path, clinic)))
    [patient] = clinic.find_patients()
    [stored] = clinic.visits(patient.id)
    again = plan_import(clinic, read_file(write_csv(tmp_path / "again.csv", HEADER, [row("2024-02-01", "2")]), clinic))
    [problem] = again.problems
    assert problem.column == "visit_date" and f"(visit {stored.id}, saved, awaiting signature)" in problem.message
    assert plan_import(clinic, read_file(path, clinic)).problems == [], "the same file again is skipped, not refused"


def test_the_write_refuses_a_slot_taken_after_the_dry_run(clinic, tmp_path):
    apply_import(clinic, plan_import(clinic, read_file(write_csv(tmp_path / "first.csv", HEADER,
                                                                 [row("2024-01-10", "1")]), clinic)))
    plan = plan_import(clinic, read_file(write_csv(tmp_path / "next.csv", HEADER, [row("2024-03-10", "2")]), clinic))
    assert plan.problems == []
    [patient] = clinic.find_patients()
    [course] = clinic.courses(patient.id)
    clinic.create_visit(patient.id, {"visit_date": "2024-03-10", "kind": "treatment", "treatment_number": "2",
                                     "dose_given": "12.5", "dose_unit": "mg", "course_id": course.id})
    with pytest.raises(TreatmentSlotTaken, match="One treatment per course and day"):  # typed meanwhile
        apply_import(clinic, plan)
