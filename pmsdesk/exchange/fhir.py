"""HL7 FHIR R4 export: one collection Bundle of the clinic (conventions: clinical-rules spec 6.4).

Per patient: Patient; Condition (MS phenotype, SNOMED CT, spec 6.3); one Observation per measure of
the assessment registry and visit (EDSS with the functional systems and ambulation as components,
the T25FW and each 9HPT hand with a component per trial in seconds, SDMT with modality and form, the
six-minute walk with its LOINC code 64098-7), with UCUM units and each measure's code: LOINC where
one exists, otherwise the local CodeSystem the spec suggests (6.1: no LOINC code for EDSS, T25FW,
9HPT or SDMT); per treatment
visit a Procedure (the lumbar puncture) and a MedicationAdministration (route SNOMED CT 72607000,
intrathecal) part of it; and AdverseEvent. Resource ids are UUIDs derived from the records, so the
same clinic exported twice gives the same ids.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any, BinaryIO

from pmsdesk.domain.adverse_events import NOT_ASSESSED, grade_text
from pmsdesk.domain.assessments import LOCAL_CODE_SYSTEM, REGISTRY, Assessment, Code, Measure
from pmsdesk.domain.fields import Field, Kind
from pmsdesk.domain.vocab import (
    INTRATHECAL_ROUTE_SNOMED,
    PHENOTYPE_SNOMED,
    AdverseEventTerm,
    AeOutcome,
    Agent,
    Phenotype,
    Relatedness,
)
from pmsdesk.exchange.snapshot import ClinicSnapshot, PatientRows, VisitRows

LOCAL_CODES = LOCAL_CODE_SYSTEM  # spec 6.1: a local CodeSystem for the MS tests
SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
# HL7 v3 ParticipationType: who did what at the puncture and the dose (primary and secondary performer,
# and the verifier: the second person who checked the dose, pmsdesk.domain.register).
PARTICIPATION = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
LUMBAR_PUNCTURE_SNOMED = "277762005"  # Lumbar puncture (procedure)
CLINIC_ID_SYSTEM = "urn:pmsdesk:clinic-id"
SUBJECT_CODE_SYSTEM = "urn:pmsdesk:subject-code"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
DATA_ABSENT = "http://terminology.hl7.org/CodeSystem/data-absent-reason"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
AE_SERIOUSNESS = "http://terminology.hl7.org/CodeSystem/adverse-event-seriousness"
AE_SEVERITY = "http://terminology.hl7.org/CodeSystem/adverse-event-severity"
AE_OUTCOME = "http://terminology.hl7.org/CodeSystem/adverse-event-outcome"
ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:pmsdesk:fhir")

CTCAE_SEVERITY = {1: "mild", 2: "moderate"}  # grade 3 and above: "severe"
# The WHO-UMC causality categories in HL7's code system; the CTEP attribution's "unrelated" has no
# WHO-UMC category and goes as text alone.
AE_CAUSALITY = "http://terminology.hl7.org/CodeSystem/adverse-event-causality-assess"
CAUSALITY_CODES = {Relatedness.DEFINITE: ("certain", "Certain"),
                   Relatedness.PROBABLE: ("probably-likely", "Probably/Likely"),
                   Relatedness.POSSIBLE: ("possible", "Possible"), Relatedness.UNLIKELY: ("unlikely", "Unlikely")}
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


# UCUM units of the registry's measure units ("" is a scale score).
UCUM_UNITS = {"": "{score}", "s": "s", "m": "m", "correct": "{score}"}


def _ucum(unit: str) -> str:
    return UCUM_UNITS.get(unit, unit or "{score}")


def _code(code: Code) -> dict[str, Any]:
    return _concept(code.system, code.code, code.display)


def _component(field: Field, code: Code, value: Any) -> dict[str, Any]:
    """One field of an assessment beside a measure's value, typed as the field is."""
    component: dict[str, Any] = {"code": _code(code)}
    if field.kind is Kind.CHOICE:
        member = field.choices(value)
        component["valueCodeableConcept"] = _concept(code.system, f"{code.code}-{member.value.upper()}", member.label)
    elif field.kind is Kind.INTEGER:
        component["valueInteger"] = int(value)
    elif field.kind is Kind.DECIMAL:
        component["valueQuantity"] = _quantity(value, _ucum(field.unit))
    elif field.kind is Kind.FLAG:
        component["valueBoolean"] = bool(value)
    else:
        component["valueString"] = str(value)
    return component


class _BundleBuilder:
    """Builds each patient's entries and hands each one to ``emit`` as it is made."""

    def __init__(self, snapshot: ClinicSnapshot, emit: Callable[[dict[str, Any]], None]):
        self.snapshot = snapshot
        self.emit = emit

    def add(self, resource_type: str, key: str, resource: dict[str, Any]) -> str:
        reference = _reference(resource_type, key)
        resource_id = reference.removeprefix("urn:uuid:")
        self.emit({"fullUrl": reference, "resource": {"resourceType": resource_type, "id": resource_id, **resource}})
        return reference

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

    def _observation(self, subject_key: str, subject: dict, visit: VisitRows, assessment: Assessment,
                     measure: Measure, values: dict[str, Any]) -> None:
        """One Observation per measure recorded at the visit: its value in UCUM units (or why there is
        none), the fields the measure exchanges as components, and how it was derived."""
        reading = measure.read(values)
        if reading is None:
            return
        fields = {f.name: f for f in assessment.fields}
        resource: dict[str, Any] = {
            "status": "final",
            "category": [_concept(OBSERVATION_CATEGORY, assessment.category)],
            "code": _code(measure.code or Code(LOCAL_CODES, measure.key.upper(), measure.label)),
            "subject": subject,
            "effectiveDateTime": visit.visit["visit_date"].isoformat(),
        }
        if reading.value is not None:
            resource["valueQuantity"] = _quantity(reading.value, _ucum(measure.unit))
        else:
            reason = reading.not_completed or "not recorded"
            resource["dataAbsentReason"] = _concept(DATA_ABSENT, "not-performed",
                                                    text=reason + (f"; {reading.note}" if reading.note else ""))
        if reading.details:
            resource["method"] = {"text": "; ".join(reading.details)}
        components = [_component(fields[name], code, values[name]) for name, code in measure.components.items()
                      if values.get(name) not in (None, "")]
        if components:
            resource["component"] = components
        self.add("Observation", f"{subject_key}/{visit.visit['id']}/{measure.key}", resource)

    def visit(self, subject_key: str, subject: dict, visit: VisitRows, course: dict | None) -> None:
        for assessment in REGISTRY:
            values = visit.assessments.get(assessment.key)
            if values:
                for measure in assessment.measures:
                    self._observation(subject_key, subject, visit, assessment, measure, values)
        suspects = None
        if visit.visit.get("dose_given") is not None:  # the puncture and the drug, each assessed as a cause
            suspects = {"procedure": _reference("Procedure", f"{subject_key}/{visit.visit['id']}/lp"),
                        "drug": self._treatment(subject_key, subject, visit, course)}
        for event in visit.adverse_events:
            self.adverse_event(subject_key, subject, event, suspects)

    def _treatment(self, subject_key, subject, visit: VisitRows, course: dict | None) -> str:
        values = visit.visit
        day = values["visit_date"].isoformat()
        notes = [text for text in (
            f"position {values['lp_position']}" if values.get("lp_position") else "",
            f"needle {values.get('lp_needle_gauge') or ''} {values.get('lp_needle_type') or ''}".strip()
            if values.get("lp_needle_type") or values.get("lp_needle_gauge") else "",
            f"needle notes {values['lp_needle']}" if values.get("lp_needle") else "",
            f"{values['lp_attempts']} attempt(s)" if values.get("lp_attempts") else "",
            f"{values['lp_levels_tried']} level(s) tried" if values.get("lp_levels_tried") else "",
            f"opening pressure {values['opening_pressure_cmh2o']:g} cm H2O"
            if values.get("opening_pressure_cmh2o") is not None else "",
            f"CSF {values['csf_appearance']}" if values.get("csf_appearance") else "",
            f"{values['csf_removed_ml']:g} mL CSF removed" if values.get("csf_removed_ml") is not None else "",
            f"{values['csf_sampled_ml']:g} mL sampled" if values.get("csf_sampled_ml") is not None else "",
            f"observation: {values['observation_notes']}" if values.get("observation_notes") else "",
            f"discharged at {values['discharge_time']}" if values.get("discharge_time") else "",
        ) if text]
        procedure: dict[str, Any] = {
            "status": "completed",
            "code": {"coding": [_coding(SNOMED, LUMBAR_PUNCTURE_SNOMED, "Lumbar puncture"),
                                _coding(LOCAL_CODES, "LP-IT", "Lumbar puncture for intrathecal administration")],
                     "text": "Lumbar puncture for intrathecal administration"},
            "subject": subject,
            # the time of puncture is local clock time: given with this computer's offset, as FHIR requires
            "performedDateTime": dt.datetime.combine(values["visit_date"], dt.time.fromisoformat(
                values["puncture_time"])).astimezone().isoformat() if values.get("puncture_time") else day,
        }
        performers = [{"function": _concept(PARTICIPATION, code, display), "actor": {"display": values[name]}}
                      for name, code, display in (("performed_by", "PPRF", "primary performer"),
                                                  ("assisted_by", "SPRF", "secondary performer"))
                      if values.get(name)]
        if performers:
            procedure["performer"] = performers
        if values.get("lp_result"):
            procedure["outcome"] = {"text": values["lp_result"]}
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
        if values.get("dose_volume_ml") is not None:
            administration["dosage"]["text"] = f"{values['dose_volume_ml']:g} mL injected"
        if values.get("dose_batch"):  # the product or lot number, on the medication given (FHIR R4 Medication.batch)
            administration["contained"] = [{"resourceType": "Medication", "id": "given",
                                            "code": administration.pop("medicationCodeableConcept"),
                                            "batch": {"lotNumber": values["dose_batch"]}}]
            administration["medicationReference"] = {"reference": "#given"}
        check = visit.dose_check
        performers = [{"function": _concept(PARTICIPATION, code, display), "actor": {"display": who}}
                      for who, code, display in (
                          (check["administered_name"] if check else values.get("performed_by"), "PPRF", "primary performer"),
                          (check["checked_name"] if check else None, "VRF", "verifier"))
                      if who]
        if performers:
            administration["performer"] = performers
        if values.get("treatment_number"):
            administration["note"] = [{"text": f"Treatment {values['treatment_number']} of the course"}]
        return self.add("MedicationAdministration", f"{subject_key}/{values['id']}/dose", administration)

    def adverse_event(self, subject_key, subject, event: dict, suspects: dict[str, str] | None) -> None:
        """An adverse event; one reported at a treatment visit names its lumbar puncture (Procedure) and its
        drug (MedicationAdministration) as suspects, each with the nurse's causality answer."""
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
            resource["severity"] = _concept(AE_SEVERITY, CTCAE_SEVERITY.get(grade, "severe"), text=grade_text(term, grade))
        if event.get("outcome"):
            resource["outcome"] = _concept(AE_OUTCOME, AE_OUTCOMES[AeOutcome(event["outcome"])])
        if suspects is not None:
            resource["suspectEntity"] = [
                {"instance": {"reference": suspects[what]},
                 "causality": [{"assessment": _causality(event.get(f"related_{what}")),
                                "method": {"text": f"NCI CTEP attribution, related to the {what}"}}]}
                for what in ("procedure", "drug")]
        self.add("AdverseEvent", f"{subject_key}/{event['id']}", resource)


def _reference(resource_type: str, key: str) -> str:
    return f"urn:uuid:{uuid.uuid5(ID_NAMESPACE, f'{resource_type}/{key}')}"


def _causality(answer: str | None) -> dict[str, Any]:
    """A relatedness answer as a causality assessment: the WHO-UMC category of HL7's code system where
    one matches, the answer's words always ("Not assessed" without one)."""
    if not answer:
        return {"text": NOT_ASSESSED}
    related = Relatedness(answer)
    if related in CAUSALITY_CODES:
        return _concept(AE_CAUSALITY, *CAUSALITY_CODES[related], text=related.label)
    return {"text": related.label}


AUDIT_CHECKPOINT_SYSTEM = "urn:pmsdesk:audit-checkpoint"  # meta.tag: the audit trail's head when exported


def _json(value: Any, depth: int) -> str:
    """``value`` as ``json.dumps(..., indent=1)`` writes it ``depth`` levels down in the bundle."""
    return json.dumps(value, indent=1, ensure_ascii=False).replace("\n", "\n" + " " * depth)


def write_fhir_bundle(snapshot: ClinicSnapshot, file: BinaryIO, timestamp: str, audit_checkpoint: str = "") -> None:
    """The Bundle as JSON text into ``file``, entry by entry as each patient is walked: the same text as
    ``json.dumps(bundle, indent=1, ensure_ascii=False)`` of the whole bundle, never held whole in memory."""
    file.write(("{\n" + "".join(f' "{key}": {_json(value, 1)},\n' for key, value in (
        ("resourceType", "Bundle"), ("type", "collection"), ("timestamp", timestamp))) + ' "entry": [').encode("utf-8"))
    separator = "\n  "

    def emit(entry: dict[str, Any]) -> None:
        nonlocal separator
        file.write((separator + _json(entry, 2)).encode("utf-8"))
        separator = ",\n  "

    builder = _BundleBuilder(snapshot, emit)
    for patient in snapshot.patients:
        builder.patient(patient)
    tail = "]" if separator == "\n  " else "\n ]"  # json.dumps writes an empty list as []
    if audit_checkpoint:
        tail += ',\n "meta": ' + _json({"tag": [{"system": AUDIT_CHECKPOINT_SYSTEM, "code": audit_checkpoint}]}, 1)
    file.write((tail + "\n}").encode("utf-8"))
