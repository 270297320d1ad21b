"""FHIR Procedure and MedicationAdministration of a treatment: the lumbar puncture (SNOMED CT 277762005)
with its performer and assistant, the dose by the intrathecal route (SNOMED CT 72607000) with the person
who gave it and the second person who checked it (HL7 v3 ParticipationType PPRF, SPRF, VRF), and a cell
product's lot number; the bundle validates against FHIR R4B."""

from __future__ import annotations

import json

import pytest
from bench import with_check
from people import checked_dose
from sample_data import PATIENT, TODAY

from pmsdesk.exchange.export import export_clinic

COURSE = {"agent": "msc_np", "planned_dose": "10", "dose_unit": "million cells", "interval_weeks_min": "8",
          "interval_weeks_max": "9", "start_date": "2025-01-06"}


def test_the_puncture_and_the_dose_carry_their_performers_and_the_lot(clinic, database, tmp_path):
    bundle_model = pytest.importorskip("fhir.resources.R4B.bundle")
    patient = clinic.create_patient(PATIENT)
    course = clinic.create_course(patient.id, COURSE)
    visit = with_check({"visit_date": TODAY.isoformat(), "kind": "treatment", "treatment_number": "1",
                        "dose_given": "10", "dose_unit": "million cells", "course_id": course.id,
                        "dose_batch": "MSCNP-7-01", "assisted_by": "bench-checker"})
    clinic.create_visit(patient.id, checked_dose(database, visit, agent="msc_np"))
    export_clinic(clinic, "fhir", tmp_path / "bundle.json")
    data = json.loads((tmp_path / "bundle.json").read_text())
    bundle_model.Bundle.model_validate(data)
    resources = [entry["resource"] for entry in data["entry"]]
    [procedure] = [r for r in resources if r["resourceType"] == "Procedure"]
    assert procedure["code"]["coding"][0] == {"system": "http://snomed.info/sct", "code": "277762005",
                                              "display": "Lumbar puncture"}
    assert procedure["performedDateTime"].startswith(f"{TODAY.isoformat()}T10:05:00")
    assert [(p["function"]["coding"][0]["code"], p["actor"]["display"]) for p in procedure["performer"]] == [
        ("PPRF", "bench-nurse"), ("SPRF", "bench-checker")]
    [given] = [r for r in resources if r["resourceType"] == "MedicationAdministration"]
    assert given["dosage"]["route"]["coding"][0]["code"] == "72607000"
    assert [(p["function"]["coding"][0]["code"], p["actor"]["display"]) for p in given["performer"]] == [
        ("PPRF", "Bench Nurse"), ("VRF", "Bench Checker")]
    # each function's display is the HL7 v3 ParticipationType code system's own
    assert [p["function"]["coding"][0]["display"] for p in procedure["performer"] + given["performer"]] == [
        "primary performer", "secondary performer", "primary performer", "verifier"]
    assert given["contained"][0]["batch"] == {"lotNumber": "MSCNP-7-01"}
    assert given["medicationReference"] == {"reference": "#given"}
