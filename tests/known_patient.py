"""One SPMS patient on intrathecal methotrexate whose series is worked out by hand in the tests.

Baseline visit a week before the first dose; three doses 13 weeks apart; T25FW worsens by more
than 20 % at the second dose and stays worse at the third (a confirmed worsening); the last
visit, after a relapse, has EDSS +1.0 and SDMT -5 (unconfirmed) and a T25FW the patient could not
complete.
"""

from __future__ import annotations

import datetime as dt

from bench import with_check

PATIENT = {"clinic_id": "MS-0001", "family_name": "Example", "given_names": "Alex", "birth_date": "1970-03-14",
           "sex": "female", "phenotype": "SPMS", "dominant_hand": "right"}
ANCHOR = dt.date(2024, 1, 15)  # first dose
COURSE = {"agent": "it_methotrexate", "planned_dose": "12.5", "dose_unit": "mg", "interval_weeks_min": "12",
          "interval_weeks_max": "14", "start_date": "2024-01-15"}
DOSE = {"kind": "treatment", "dose_given": "12.5", "dose_unit": "mg"}
VISITS = [
    {"visit_date": "2024-01-08", "kind": "baseline", "edss.edss": "4.0",
     "t25fw.trial1_s": "6.0", "t25fw.trial2_s": "6.2", "t25fw.walking_aid": "none",
     "nhpt.dominant_trial1_s": "20", "nhpt.dominant_trial2_s": "22",
     "nhpt.nondominant_trial1_s": "24", "nhpt.nondominant_trial2_s": "26", "sdmt.score": "50"},
    {"visit_date": "2024-01-15", "treatment_number": "1", **DOSE},
    {"visit_date": "2024-04-15", "treatment_number": "2", **DOSE, "edss.edss": "4.0",
     "t25fw.trial1_s": "7.4", "t25fw.trial2_s": "7.6", "t25fw.walking_aid": "none",
     "nhpt.dominant_trial1_s": "21", "nhpt.dominant_trial2_s": "21",
     "nhpt.nondominant_trial1_s": "25", "nhpt.nondominant_trial2_s": "25", "sdmt.score": "49"},
    {"visit_date": "2024-07-15", "treatment_number": "3", **DOSE, "edss.edss": "4.0",
     "t25fw.trial1_s": "7.8", "t25fw.trial2_s": "7.8", "t25fw.walking_aid": "none", "sdmt.score": "50"},
    {"visit_date": "2024-10-14", "kind": "follow_up", "edss.edss": "5.0",
     "t25fw.not_completed": "physical_ms", "t25fw.not_completed_note": "Could not stand unaided", "sdmt.score": "45"},
]
RELAPSE = {"onset_date": "2024-09-01", "notes": "Sensory relapse"}


def create_known_patient(clinic) -> tuple[int, list[int]]:
    """The patient's id and its visit ids in date order."""
    patient = clinic.create_patient(PATIENT)
    course = clinic.create_course(patient.id, COURSE)
    visit_ids = [clinic.create_visit(patient.id, with_check({**visit, "course_id": course.id})).visit.id
                 for visit in VISITS]
    clinic.save_relapse(patient.id, RELAPSE)
    return patient.id, visit_ids


def months(day: str) -> float:
    return (dt.date.fromisoformat(day) - ANCHOR).days / 30.4375
