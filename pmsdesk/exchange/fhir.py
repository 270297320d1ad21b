"""HL7 FHIR R4 export: one collection Bundle of the clinic (conventions: clinical-rules spec 6.4).

Per patient: Patient; Condition (MS phenotype, SNOMED CT, spec 6.3); one Observation per test and
visit (EDSS with the functional systems and ambulation as components, T25FW and 9HPT with a
component per trial in seconds, SDMT with modality and form), all with UCUM units and the codes of
the local CodeSystem the spec suggests (6.1: no LOINC code exists for these tests); per treatment
visit a Procedure (the lumbar puncture) and a MedicationAdministration (route SNOMED CT 72607000,
intrathecal) part of it; and AdverseEvent. Resource ids are UUIDs derived from the records, so the
same clinic exported twice gives the same ids.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from pmsdesk.domain.functional_systems import FUNCTIONAL_SYSTEMS
from pmsdesk.domain.vocab import (
    INTRATHECAL_ROUTE_SNOMED,
    PHENOTYPE_SNOMED,
    AdverseEventTerm,
    AeOutcome,
    Agent,
    NotCompletedReason,
    Phenotype,
    Relatedness,
    SdmtModality,
    WalkingAid,
)
from pmsdesk.exchange.snapshot import ClinicSnapshot, PatientRows, VisitRows

LOCAL_CODES = "urn:pmsdesk:ms-clinic-codes"  # spec 6.1: a local CodeSystem for the MS tests
SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
CLINIC_ID_SYSTEM = "urn:pmsdesk:clinic-id"
SUBJECT_CODE_SYSTEM = "urn:pmsdesk:subject-code"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
DATA_ABSENT = "http://terminology.hl7.org/CodeSystem/data-absent-reason"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
AE_SERIOUSNESS = "http://terminology.hl7.org/CodeSystem/adverse-event-seriousness"
AE_SEVERITY = "http://terminology.hl7.org/CodeSystem/adverse-event-severity"
AE_OUTCOME = "http://terminology.hl7.org/CodeSystem/adverse-event-outcome"
ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:pmsdesk:fhir")

# Kurtzke functional systems: local codes of spec 6.1, by the field that stores each grade.
FS_CODES = {"fs_pyramidal": "KFSS-PYR", "fs_cerebellar": "KFSS-CBL", "fs_brainstem": "KFSS-BS",
            "fs_sensory": "KFSS-SENS", "fs_bowel_bladder": "KFSS-BB", "fs_visual": "KFSS-VIS",
            "fs_cerebral": "KFSS-CEREB"}
CTCAE_SEVERITY = {1: "mild", 2: "moderate"}  # grade 3 and above: "severe"
AE_OUTCOMES = {AeOutcome.ONGOING: "ongoing", AeOutcome.RECOVERING: "recovering", AeOutcome.RECOVERED: "resolved",
               AeOutcome.RECOVERED_WITH_SEQUELAE: "resolvedWithSequelae", AeOutcome.FATAL: "fatal",
               AeOutcome.UNKNOWN: "unknown"}


def _coding(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    coding = {"system": system, "code": code}
    if display:
        coding["display"] = display
    return coding


def _concept(system: str, code: str, display: str | None = None, text: str | None = None) -> dict[str, Any]:
    concept = {"coding": [_coding(system, code, display)]}
    if text:
        concept["text"] = text
    return concept


def _local(code: str, display: str) -> dict[str, Any]:
    return _concept(LOCAL_CODES, code, display)


def _number(value: float | int | Decimal) -> int | float:
    return int(value) if float(value).is_integer() else float(value)


def _quantity(value, unit: str) -> dict[str, Any]:
    """A UCUM quantity; ``{score}`` for scale scores, ``s`` for seconds."""
    return {"value": _number(value), "unit": unit, "system": UCUM, "code": unit}


def _seconds_component(code: str, display: str, seconds: float | None) -> dict[str, Any] | None:
    if seconds is None:
        return None
    return {"code": _local(code, display), "valueQuantity": _quantity(seconds, "s")}


def _mean(*values: float | None) -> Decimal | None:
    done = [Decimal(str(v)) for v in values if v is not None]
    return sum(done) / len(done) if done else None


class _BundleBuilder:
    def __init__(self, snapshot: ClinicSnapshot):
        self.snapshot = snapshot
        self.entries: list[dict[str, Any]] = []

    def add(self, resource_type: str, key: str, resource: dict[str, Any]) -> str:
        resource_id = str(uuid.uuid5(ID_NAMESPACE, f"{resource_type}/{key}"))
        self.entries.append({"fullUrl": f"urn:uuid:{resource_id}",
                             "resource": {"resourceType": resource_type, "id": resource_id, **resource}})
        return f"urn:uuid:{resource_id}"

    # ----- per patient ---------------------------------------------------------------------------
    def patient(self, rows: PatientRows) -> None:
        values = rows.patient
        system = SUBJECT_CODE_SYSTEM if self.snapshot.pseudonymised else CLINIC_ID_SYSTEM
        resource: dict[str, Any] = {"identifier": [{"system": system, "value": rows.subject}], "gender": values["sex"]}
        if self.snapshot.pseudonymised:
            resource["birthDate"] = str(values["birth_year"])  # FHIR dates may be a year alone
        else:
            resource["name"] = [{"family": values["family_name"], "given": values["given_names"].split()}]
            resource["birthDate"] = values["birth_date"].isoformat()
        subject = {"reference": self.add("Patient", rows.subject, resource)}
        phenotype = Phenotype(values["phenotype"])
        condition: dict[str, Any] = {
            "clinicalStatus": _concept(CONDITION_CLINICAL, "active"),
            "code": _concept(SNOMED, PHENOTYPE_SNOMED[phenotype], text=phenotype.label),
            "subject": subject,
        }
        if values.get("onset_year"):
            condition["onsetDateTime"] = str(values["onset_year"])
        if values.get("diagnosis_date"):
            condition["recordedDate"] = values["diagnosis_date"].isoformat()
        self.add("Condition", f"{rows.subject}/phenotype", condition)
        courses = {course["id"]: course for course in rows.courses}
        for visit in rows.visits:
            self.visit(rows.subject, subject, visit, courses.get(visit.visit.get("course_id")))
        for event in rows.adverse_events:
            self.adverse_event(rows.subject, subject, event, None)

    def _observation(self, subject_key: str, subject: dict, visit: VisitRows, section: str, code: str,
                     display: str, body: dict[str, Any]) -> None:
        category = "survey" if section == "sdmt" else "exam"
        resource = {
            "status": "final",
            "category": [_concept(OBSERVATION_CATEGORY, category)],
            "code": _local(code, display),
            "subject": subject,
            "effectiveDateTime": visit.visit["visit_date"].isoformat(),
            **{key: value for key, value in body.items() if value not in (None, [])},
        }
        self.add("Observation", f"{subject_key}/{visit.visit['id']}/{section}", resource)

    def visit(self, subject_key: str, subject: dict, visit: VisitRows, course: dict | None) -> None:
        rows = visit.assessments
        if rows.get("edss"):
            self._edss(subject_key, subject, visit, rows["edss"])
        if rows.get("t25fw"):
            self._t25fw(subject_key, subject, visit, rows["t25fw"])
        if rows.get("nhpt"):
            self._nhpt(subject_key, subject, visit, rows["nhpt"])
        if rows.get("sdmt"):
            row = rows["sdmt"]
            components = []
            if row.get("modality"):
                components.append({"code": _local("SDMT-MODALITY", "SDMT modality"),
                                   "valueCodeableConcept": _local(f"SDMT-{row['modality'].upper()}",
                                                                  SdmtModality(row["modality"]).label)})
            if row.get("form"):
                components.append({"code": _local("SDMT-FORM", "SDMT form"), "valueString": row["form"]})
            self._observation(subject_key, subject, visit, "sdmt", "SDMT", "Symbol Digit Modalities Test",
                              {"valueQuantity": _quantity(row["score"], "{score}"), "component": components})
        treatment = None
        if visit.visit.get("dose_given") is not None:
            treatment = self._treatment(subject_key, subject, visit, course)
        for event in visit.adverse_events:
            self.adverse_event(subject_key, subject, event, treatment)

    def _edss(self, subject_key, subject, visit, row) -> None:
        components = [{"code": _local(FS_CODES[fs.field], fs.label), "valueInteger": row[fs.field]}
                      for fs in FUNCTIONAL_SYSTEMS if row.get(fs.field) is not None]
        if row.get("ambulation") is not None:
            components.append({"code": _local("EDSS-AMB", "Ambulation score"), "valueInteger": row["ambulation"]})
        method = "Clinician-entered EDSS"
        if row.get("computed_edss") is not None:
            method += f"; step computed from the functional systems: {row['computed_edss']:g} ({row['computed_rules']})"
        body: dict[str, Any] = {"method": {"text": method}, "component": components}
        if row.get("edss") is not None:
            body["valueQuantity"] = _quantity(row["edss"], "{score}")
        else:
            body["dataAbsentReason"] = _concept(DATA_ABSENT, "not-asked", text="No clinician EDSS step recorded")
        self._observation(subject_key, subject, visit, "edss", "EDSS", "Expanded Disability Status Scale", body)

    def _t25fw(self, subject_key, subject, visit, row) -> None:
        body: dict[str, Any] = {"component": [c for c in (
            _seconds_component("T25FW-T1", "T25FW trial 1", row.get("trial1_s")),
            _seconds_component("T25FW-T2", "T25FW trial 2", row.get("trial2_s"))) if c]}
        if row.get("walking_aid"):
            body["method"] = {"text": f"Walking aid: {WalkingAid(row['walking_aid']).label}"}
        mean = _mean(row.get("trial1_s"), row.get("trial2_s"))
        if row.get("not_completed") or mean is None:
            reason = NotCompletedReason(row["not_completed"]).label if row.get("not_completed") else "not recorded"
            note = f"; {row['not_completed_note']}" if row.get("not_completed_note") else ""
            body["dataAbsentReason"] = _concept(DATA_ABSENT, "not-performed", text=reason + note)
        else:
            body["valueQuantity"] = _quantity(mean, "s")
        self._observation(subject_key, subject, visit, "t25fw", "T25FW-MEAN", "Timed 25-Foot Walk, mean of trials", body)

    def _nhpt(self, subject_key, subject, visit, row) -> None:
        components = [c for c in (
            _seconds_component("NHPT-DOM-T1", "9HPT dominant hand, trial 1", row.get("dominant_trial1_s")),
            _seconds_component("NHPT-DOM-T2", "9HPT dominant hand, trial 2", row.get("dominant_trial2_s")),
            _seconds_component("NHPT-NDOM-T1", "9HPT non-dominant hand, trial 1", row.get("nondominant_trial1_s")),
            _seconds_component("NHPT-NDOM-T2", "9HPT non-dominant hand, trial 2", row.get("nondominant_trial2_s")),
        ) if c]
        body: dict[str, Any] = {"component": components}
        dominant = _mean(row.get("dominant_trial1_s"), row.get("dominant_trial2_s"))
        nondominant = _mean(row.get("nondominant_trial1_s"), row.get("nondominant_trial2_s"))
        if dominant is not None and nondominant is not None:
            # The MSFC 9HPT score: mean of the reciprocals of the two hands' means, per second (spec 2.2).
            body["valueQuantity"] = _quantity(round((1 / dominant + 1 / nondominant) / 2, 6), "/s")
        else:
            reasons = [NotCompletedReason(row[key]).label for key in ("dominant_not_completed",
                                                                      "nondominant_not_completed") if row.get(key)]
            body["dataAbsentReason"] = _concept(DATA_ABSENT, "not-performed",
                                                text="; ".join(reasons) or "a hand was not completed")
        self._observation(subject_key, subject, visit, "nhpt", "NHPT", "9-Hole Peg Test (MSFC score)", body)

    def _treatment(self, subject_key, subject, visit: VisitRows, course: dict | None) -> str:
        values = visit.visit
        day = values["visit_date"].isoformat()
        notes = [text for text in (
            f"needle {values['lp_needle']}" if values.get("lp_needle") else "",
            f"{values['lp_attempts']} attempt(s)" if values.get("lp_attempts") else "",
            f"{values['csf_removed_ml']:g} mL CSF removed" if values.get("csf_removed_ml") is not None else "",
        ) if text]
        procedure: dict[str, Any] = {
            "status": "completed",
            "code": _local("LP-IT", "Lumbar puncture for intrathecal administration"),
            "subject": subject,
            "performedDateTime": day,
        }
        if values.get("lp_level"):
            procedure["bodySite"] = [{"text": f"Lumbar interspace {values['lp_level']}"}]
        if notes:
            procedure["note"] = [{"text": "; ".join(notes)}]
        reference = self.add("Procedure", f"{subject_key}/{values['id']}/lp", procedure)
        agent = Agent(course["agent"]) if course else None
        medication = (course.get("agent_name") if agent is Agent.OTHER else None) or (agent.label if agent else "Intrathecal agent")
        dose = {"value": _number(values["dose_given"]), "unit": values["dose_unit"]}
        if values["dose_unit"] in ("mg", "mL", "g", "ug"):
            dose.update(system=UCUM, code=values["dose_unit"])
        administration = {
            "status": "completed",
            "partOf": [{"reference": reference}],
            "medicationCodeableConcept": {"coding": [_coding(LOCAL_CODES, f"AGENT-{agent.value.upper()}" if agent else
                                                             "AGENT-UNKNOWN", medication)], "text": medication},
            "subject": subject,
            "effectiveDateTime": day,
            "dosage": {"route": _concept(SNOMED, INTRATHECAL_ROUTE_SNOMED, "Intrathecal route"), "dose": dose},
        }
        if values.get("treatment_number"):
            administration["note"] = [{"text": f"Treatment {values['treatment_number']} of the course"}]
        return self.add("MedicationAdministration", f"{subject_key}/{values['id']}/dose", administration)

    def adverse_event(self, subject_key, subject, event: dict, treatment: str | None) -> None:
        """An adverse event; one reported at a treatment visit names that administration as suspect."""
        term = AdverseEventTerm(event["term"])
        text = event.get("term_other") if term is AdverseEventTerm.OTHER and event.get("term_other") else term.label
        resource: dict[str, Any] = {
            "actuality": "actual",
            "event": {"coding": [_coding(LOCAL_CODES, f"AE-{term.value.upper()}", term.label)], "text": text},
            "subject": subject,
            "date": event["onset_date"].isoformat(),
            "seriousness": _concept(AE_SERIOUSNESS, "serious" if event.get("serious") else "non-serious"),
        }
        grade = event.get("ctcae_grade")
        if grade:
            resource["severity"] = _concept(AE_SEVERITY, CTCAE_SEVERITY.get(grade, "severe"), text=f"CTCAE grade {grade}")
        if event.get("outcome"):
            resource["outcome"] = _concept(AE_OUTCOME, AE_OUTCOMES[AeOutcome(event["outcome"])])
        if treatment is not None:
            suspect: dict[str, Any] = {"instance": {"reference": treatment}}
            if event.get("relatedness"):
                suspect["causality"] = [{"assessment": {"text": Relatedness(event["relatedness"]).label}}]
            resource["suspectEntity"] = [suspect]
        self.add("AdverseEvent", f"{subject_key}/{event['id']}", resource)


def fhir_bundle(snapshot: ClinicSnapshot, timestamp: str) -> dict[str, Any]:
    builder = _BundleBuilder(snapshot)
    for patient in snapshot.patients:
        builder.patient(patient)
    return {"resourceType": "Bundle", "type": "collection", "timestamp": timestamp, "entry": builder.entries}

