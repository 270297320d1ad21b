"""FHIR AdverseEvent from a demo clinic: an event reported at a treatment visit names its lumbar puncture
(Procedure) and its drug (MedicationAdministration) as suspects, each with the nurse's own causality
answer, coded by HL7's WHO-UMC causality categories where one matches; severity carries the CTCAE v5.0
wording; the bundle validates against FHIR R4B."""

from __future__ import annotations

import json

import pytest
from sample_data import TODAY

from pmsdesk.domain.adverse_events import grade_text
from pmsdesk.exchange.export import export_clinic
from pmsdesk.exchange.fhir import AE_CAUSALITY
from pmsdesk.services.demo import fill_demo_clinic

WHO_UMC = {"definite": "certain", "probable": "probably-likely", "possible": "possible", "unlikely": "unlikely"}


def test_each_adverse_event_at_a_treatment_names_the_procedure_and_the_drug_with_their_own_answers(clinic, tmp_path):
    bundle_model = pytest.importorskip("fhir.resources.R4B.bundle")
    fill_demo_clinic(clinic, patients=6, today=TODAY)
    stored: dict[tuple, set] = {}  # (term, onset) -> the (procedure, drug, grade) answers of such events
    for patient in clinic.find_patients(include_archived=True):
        for e in clinic.adverse_events(patient.id):
            stored.setdefault((e.term, e.onset_date.isoformat()), set()).add(
                (e.related_procedure, e.related_drug, e.ctcae_grade))
    export_clinic(clinic, "fhir", tmp_path / "bundle.json")
    data = json.loads((tmp_path / "bundle.json").read_text())
    bundle_model.Bundle.model_validate(data)
    resources = {entry["fullUrl"]: entry["resource"] for entry in data["entry"]}
    events = [r for r in resources.values() if r["resourceType"] == "AdverseEvent" and "suspectEntity" in r]
    assert events, "the demo clinic has events after its treatments"
    for event in events:
        procedure, drug = event["suspectEntity"]
        assert resources[procedure["instance"]["reference"]]["resourceType"] == "Procedure"
        assert resources[drug["instance"]["reference"]]["resourceType"] == "MedicationAdministration"
        term = event["event"]["coding"][0]["code"].removeprefix("AE-").lower()
        shown = []
        for suspect, what in ((procedure, "procedure"), (drug, "drug")):
            [causality] = suspect["causality"]
            assert causality["method"]["text"] == f"NCI CTEP attribution, related to the {what}"
            shown.append(causality["assessment"])
        # the demo's events all have a grade: its CTCAE v5.0 wording is the severity's text
        grade = next(g for g in range(1, 6) if event["severity"]["text"] == grade_text(term, g))
        matches = [(p, d) for p, d, g in stored[(term, event["date"])] if g == grade]
        assert any(all(_reads(answer, concept) for answer, concept in zip(pair, shown)) for pair in matches), shown
    answers = {(e["suspectEntity"][0]["causality"][0]["assessment"]["text"],
                e["suspectEntity"][1]["causality"][0]["assessment"]["text"]) for e in events}
    assert any(procedure != drug for procedure, drug in answers), "the two answers are the nurse's own, not one copied"


def _reads(answer: str | None, concept: dict) -> bool:
    """``concept`` is the causality assessment of the stored ``answer``."""
    text = {"unrelated": "Not related", None: "Not assessed"}.get(answer) or answer.capitalize()
    coding = [{"system": AE_CAUSALITY, "code": WHO_UMC[answer], "display": concept["coding"][0]["display"]}] \
        if answer in WHO_UMC else None
    return concept.get("text") == text and concept.get("coding") == coding
