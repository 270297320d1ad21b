"""The safety check's "earlier methotrexate neurotoxicity" read with the patient's recorded neurotoxicity
events: a new treatment visit starts with it answered yes when one is recorded; a "no" that a recorded
event contradicts fails; a "yes" passes once a neurologist cleared every recorded event (the clearance
is the decision to go on, with its reason); without a recorded event nothing is prefilled."""

from __future__ import annotations

import datetime as dt

import pytest
from bench import passed_check
from test_neurotoxicity import COURSE, EARLIER, event, neurologist, nurse  # noqa: F401 - fixtures

from sample_data import TODAY

from pmsdesk.domain.procedure_safety import Outcome
from pmsdesk.services.safety import prefilled_answers

KEY = "safety_check.methotrexate_neurotoxicity"


def item(clinic, patient, course, answer: str):
    raw = {"visit_date": TODAY.isoformat(), "kind": "treatment", "course_id": course.id,
           **passed_check(TODAY), KEY: answer}
    result = clinic.safety_check_preview(patient.id, None, raw)
    return next(found for found in result.items if found.code == "methotrexate_neurotoxicity")


@pytest.mark.usefixtures("event")
def test_a_recorded_event_prefills_yes_and_contradicts_a_no(nurse, patient):  # noqa: F811
    assert prefilled_answers(nurse, patient.id, TODAY) == {KEY: "yes"}
    assert prefilled_answers(nurse, patient.id, EARLIER - dt.timedelta(days=1)) == {}, "an event after the day"
    course = nurse.create_course(patient.id, COURSE)
    said_no = item(nurse, patient, course, "no")
    assert said_no.outcome is Outcome.FAILED
    assert said_no.finding == f"answered no, but a neurotoxicity event is recorded (onset {EARLIER.isoformat()})"
    said_yes = item(nurse, patient, course, "yes")
    assert said_yes.outcome is Outcome.FAILED and "(recorded, onset " in said_yes.finding


def test_a_yes_passes_once_a_neurologist_cleared_the_event(nurse, neurologist, patient, event):  # noqa: F811
    neurologist.clear_neurotoxicity(event.id, event.version, "MRI unchanged, encephalopathy resolved")
    course = nurse.create_course(patient.id, COURSE)
    cleared = item(nurse, patient, course, "yes")
    assert cleared.outcome is Outcome.PASSED
    assert cleared.finding.startswith(f"earlier neurotoxicity cleared by a neurologist (onset {EARLIER.isoformat()}, "
                                      "cleared by Dr Nora Neuro on ")
    assert cleared.finding.endswith(": MRI unchanged, encephalopathy resolved)")


def test_without_a_recorded_event_nothing_is_prefilled_and_no_passes(nurse, patient):  # noqa: F811
    assert prefilled_answers(nurse, patient.id, TODAY) == {}
    course = nurse.create_course(patient.id, COURSE)
    assert item(nurse, patient, course, "no").outcome is Outcome.PASSED
