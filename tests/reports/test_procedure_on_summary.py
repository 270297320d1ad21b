"""The structured procedure record and the second-person check, printed on the visit summary."""

from __future__ import annotations

import re

from bench import with_check
from pdf_reading import pdf_text
from people import BENCH_CHECKER, checked_dose
from sample_data import PATIENT, TODAY

from pmsdesk.services.clinic import Clinic
from pmsdesk.ui.printing import visit_summary_pdf

COURSE = {"agent": "msc_np", "planned_dose": "10", "dose_unit": "million cells", "interval_weeks_min": "8",
          "interval_weeks_max": "9", "start_date": "2025-01-06"}


def test_the_summary_prints_the_record_the_lot_and_both_names(database):
    clinic = Clinic(database, today=lambda: TODAY)
    patient = clinic.create_patient(PATIENT)
    course = clinic.create_course(patient.id, COURSE)
    visit = with_check({"visit_date": TODAY.isoformat(), "kind": "treatment", "treatment_number": "1",
                        "dose_given": "10", "dose_unit": "million cells", "course_id": course.id,
                        "dose_batch": "MSCNP-7-01", "dose_volume_ml": "3", "opening_pressure_cmh2o": "17.5",
                        "csf_appearance": "clear", "observation_notes": "No headache", "discharge_time": "11:10"})
    record = clinic.create_visit(patient.id, checked_dose(database, visit, agent="msc_np"))
    text = " ".join(pdf_text(visit_summary_pdf(clinic, record.visit.id)[0]).split())
    for printed in ("at 10:05", "lateral decubitus", "level L3-L4", "needle 22G atraumatic (pencil-point)",
                    "opening pressure 17.5 cm H2O", "CSF clear, colourless", "3 mL given", "batch MSCNP-7-01",
                    "lot MSCNP-7-01", "given by Bench Nurse", "checked by Bench Checker at",
                    "No headache; discharged at 11:10"):
        assert printed in text, printed
    assert re.search(r"checked by Bench Checker at \d{4}-\d\d-\d\d \d\d:\d\d", text)
    assert record.dose_check.checked_by == BENCH_CHECKER
