"""An import cannot add a second treatment to a course's slot: the file's rows are refused naming the
visit already recorded (or the earlier row), and nothing of the file is written."""

from __future__ import annotations

import pytest
from exchange_records import write_csv

from pmsdesk.domain.treatment_slots import TreatmentSlotTaken
from pmsdesk.exchange.importer import apply_import, plan_import, read_file

HEADER = ["clinic_id", "family_name", "given_names", "birth_date", "sex", "phenotype", "visit_date", "kind",
          "course.agent", "course.start_date", "course.interval_weeks_min", "treatment_number", "dose_given",
          "dose_unit"]
PATIENT = ["MS-0200", "Slot", "Sam", "1966-06-06", "Female", "SPMS"]


def row(day: str, number: str) -> list[str]:
    return [*PATIENT, day, "treatment", "it_methotrexate", "2024-01-10", "8", number, "12.5", "mg"]


@pytest.mark.parametrize(("second", "field", "words"), [
    (row("2024-03-05", "2"), "visit_date", "Too close to treatment 1 on 2024-01-10"),  # 8 weeks less a day
    (row("2024-05-10", "1"), "treatment_number", "Treatment 1 of this course is already recorded"),
])
def test_a_file_with_two_treatments_in_one_slot_writes_nothing(clinic, tmp_path, second, field, words):
    path = write_csv(tmp_path / "visits.csv", HEADER, [row("2024-01-10", "1"), second])
    plan = plan_import(clinic, read_file(path, clinic))
    with pytest.raises(TreatmentSlotTaken) as refused:
        apply_import(clinic, plan)
    [problem] = refused.value.problems
    assert problem.field == field and words in problem.message
    assert clinic.find_patients() == []  # one transaction: the patient and the first treatment are not kept


def test_a_file_treatment_in_a_stored_courses_slot_is_refused_and_the_stored_visit_kept(clinic, tmp_path):
    path = write_csv(tmp_path / "first.csv", HEADER, [row("2024-01-10", "1")])
    apply_import(clinic, plan_import(clinic, read_file(path, clinic)))
    [patient] = clinic.find_patients()
    [stored] = clinic.visits(patient.id)
    again = write_csv(tmp_path / "again.csv", HEADER, [row("2024-02-01", "2")])
    with pytest.raises(TreatmentSlotTaken, match=f"visit {stored.id}"):
        apply_import(clinic, plan_import(clinic, read_file(again, clinic)))
    assert [v.id for v in clinic.visits(patient.id)] == [stored.id]
