"""Methotrexate neurotoxicity through the Clinic service: an uncleared neurotoxicity event blocks a later
intrathecal methotrexate dose (the refusal names the event and who may clear it), a nurse's clearance and
one without a reason are refused, a neurologist's clearance is stored, audited and lets the dose through;
a cell product is not blocked. The two relatedness answers are stored; no answer is "not assessed"."""

from __future__ import annotations

import datetime as dt

import pytest
from people import signed_in
from sample_data import TODAY

from pmsdesk.domain.adverse_events import ClearanceRefused, MethotrexateBlocked
from pmsdesk.domain.permissions import Role
from pmsdesk.domain.validation import ValidationFailed
from pmsdesk.domain.vocab import VisitKind
from pmsdesk.services import neurotoxicity
from pmsdesk.services.clinic import Clinic
from pmsdesk.store.tables import Visit

EARLIER = TODAY - dt.timedelta(weeks=9)
COURSE = {"agent": "it_methotrexate", "planned_dose": "12.5", "dose_unit": "mg",
          "interval_weeks_min": "8", "interval_weeks_max": "11", "start_date": "2025-01-06"}
NEUROTOXICITY = {"term": "neurotoxicity", "onset_date": EARLIER.isoformat(), "ctcae_grade": "2",
                 "related_procedure": "unlikely", "related_drug": "probable", "outcome": "recovering"}


@pytest.fixture
def nurse(database):
    return Clinic(database, actor=signed_in(database, "nurse-ada", Role.NURSE, "Ada Nurse"), today=lambda: TODAY)


@pytest.fixture
def neurologist(database):
    return Clinic(database, actor=signed_in(database, "dr-neuro", Role.NEUROLOGIST, "Dr Nora Neuro"),
                  today=lambda: TODAY)


@pytest.fixture
def event(nurse, patient):
    """A neurotoxicity event reported at an assessment visit nine weeks ago."""
    record = nurse.create_visit(patient.id, {"visit_date": EARLIER.isoformat(), "kind": "assessment",
                                             "adverse_events": [NEUROTOXICITY]})
    return record.adverse_events[0]


def treatment(course, **extra) -> dict:
    return {"visit_date": TODAY.isoformat(), "kind": "treatment", "dose_given": "12.5", "dose_unit": "mg",
            "course_id": course.id, "treatment_number": "1", **extra}


def test_both_relatedness_answers_are_stored_and_none_is_not_assessed(nurse, patient, event):
    assert (event.related_procedure, event.related_drug, event.relatedness) == ("unlikely", "probable", None)
    other = nurse.save_adverse_event(patient.id, {"term": "fever", "onset_date": TODAY.isoformat(), "ctcae_grade": "1"})
    assert (other.related_procedure, other.related_drug) == (None, None)
    with pytest.raises(ValidationFailed, match="Headache has no grade 4 in CTCAE v5.0; choose a grade from 1 to 3"):
        nurse.save_adverse_event(patient.id, {"term": "post_lp_headache", "onset_date": TODAY.isoformat(),
                                              "ctcae_grade": "4"})


def test_an_uncleared_event_blocks_methotrexate_and_names_the_event(nurse, patient, event):
    course = nurse.create_course(patient.id, COURSE)
    with pytest.raises(MethotrexateBlocked) as refused:
        nurse.create_visit(patient.id, treatment(course))
    assert f"since {EARLIER.isoformat()} (adverse event {event.id}) has not been cleared" in str(refused.value)
    assert "Only a neurologist may clear it" in str(refused.value)
    assert [v.kind for v in nurse.visits(patient.id)] == ["assessment"], "nothing of the refused visit is written"
    block = nurse.methotrexate_block(patient.id, "it_methotrexate", TODAY)
    assert block is not None and block.event_id == event.id
    assert nurse.methotrexate_block(patient.id, "msc_np", TODAY) is None
    # the day's assessments are not lost: the visit is saved without a dose, as the refusal says
    saved = nurse.create_visit(patient.id, {"visit_date": TODAY.isoformat(), "kind": "assessment"})
    assert saved.visit.dose_given is None


def test_an_event_recorded_with_the_dose_that_began_earlier_blocks_it(nurse, patient):
    course = nurse.create_course(patient.id, COURSE)
    with pytest.raises(MethotrexateBlocked, match="recorded at this visit"):
        nurse.create_visit(patient.id, treatment(course, adverse_events=[NEUROTOXICITY]))


def test_a_nurse_may_not_clear_and_a_neurologist_clears_with_a_reason(nurse, neurologist, patient, event, database):
    with pytest.raises(ClearanceRefused, match="Ada Nurse \\(MS nurse\\) may not clear"):
        nurse.clear_neurotoxicity(event.id, event.version, "symptoms gone")
    with pytest.raises(ClearanceRefused, match="needs a reason"):
        neurologist.clear_neurotoxicity(event.id, event.version, "  ")
    assert nurse.adverse_events(patient.id)[0].cleared_at is None, "a refused clearance writes nothing"

    cleared = neurologist.clear_neurotoxicity(event.id, event.version, "MRI unchanged, encephalopathy resolved")
    assert (cleared.cleared_by, cleared.cleared_by_name, cleared.clearance_reason) == \
        ("dr-neuro", "Dr Nora Neuro", "MRI unchanged, encephalopathy resolved")
    assert cleared.cleared_at is not None and cleared.version == event.version + 1
    [entry] = [e for e in neurologist.audit_entries(patient_id=patient.id)
               if e.table_name == "adverse_event" and e.kind.value == "update"]
    assert entry.after["clearance_reason"] == "MRI unchanged, encephalopathy resolved"
    assert entry.actor == "dr-neuro"
    assert nurse.methotrexate_block(patient.id, "it_methotrexate", TODAY) is None

    # the dose gate itself now lets the methotrexate dose through (the other gates are their own tests)
    course = nurse.create_course(patient.id, COURSE)
    entered = {"kind": VisitKind.TREATMENT, "dose_given": 12.5, "visit_date": TODAY}
    with database.transaction() as session:
        neurotoxicity.gate(session, Visit(patient_id=patient.id), entered, course.id, None)
