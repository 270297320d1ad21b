"""The CTCAE v5.0 wording of each grade (NCI, 27 November 2017), the two attribution answers and the
methotrexate neurotoxicity rule, without a display or a database."""

import datetime as dt

import pytest

from pmsdesk.domain.adverse_events import (
    CTCAE_WORDING,
    GENERAL_GRADES,
    ClearanceRefused,
    MethotrexateBlocked,
    NeurotoxicityEvent,
    blocking_event,
    check_dose,
    clearance_reason,
    grade_text,
    relatedness_label,
)
from pmsdesk.domain.permissions import Actor, Role
from pmsdesk.domain.vocab import AdverseEventTerm, Agent

NURSE = Actor("nurse", Role.NURSE, 1, "Nurse Example")
NEUROLOGIST = Actor("neuro", Role.NEUROLOGIST, 2, "Dr Example")
DAY = dt.date(2026, 6, 1)


def test_every_term_has_its_wording_and_says_whether_it_is_a_ctcae_term():
    assert set(CTCAE_WORDING) == set(AdverseEventTerm)
    for term, wording in CTCAE_WORDING.items():
        assert wording.offered() and wording.offered()[0] == 1, term
        for grade in wording.offered():
            assert wording.text(grade)
    # CTCAE v5.0: Headache and Back pain have grades 1-3 ("-" for 4 and 5), Fever 1-5
    assert grade_text("post_lp_headache", 2) == ("Grade 2 (CTCAE v5.0 Headache): Moderate pain; limiting "
                                                  "instrumental ADL")
    assert CTCAE_WORDING[AdverseEventTerm.POST_LP_HEADACHE].offered() == (1, 2, 3)
    assert grade_text("post_lp_headache", 4) == "Grade 4: not offered for Headache in CTCAE v5.0"
    assert grade_text("fever", 1) == "Grade 1 (CTCAE v5.0 Fever): 38.0 - 39.0 degrees C (100.4 - 102.2 degrees F)"
    assert grade_text("fever", 4).endswith(">40.0 degrees C (>104.0 degrees F) for >24 hrs")
    assert grade_text("fatigue", 1).endswith("Fatigue relieved by rest")
    # a wording not compared with a second transcription says so
    assert grade_text("arachnoiditis", 3) == ("Grade 3 (CTCAE v5.0 Arachnoiditis; wording to check against CTCAE v5.0): "
                                              "Severe symptoms; limiting self care ADL")
    assert "Meningismus" in grade_text("chemical_meningitis", 2)
    assert "Encephalopathy" in grade_text("neurotoxicity", 4)
    # not CTCAE terms: the general definitions, saying so
    assert grade_text("other", 3) == ("Grade 3 (Other (describe): not a CTCAE term, CTCAE v5.0 general definition): "
                                      + GENERAL_GRADES[2])
    assert "not a CTCAE term" in grade_text("infection", 1)


def test_no_relatedness_answer_reads_not_assessed():
    assert relatedness_label(None) == "Not assessed"
    assert relatedness_label("probable") == "Probable"


def _event(**changes) -> NeurotoxicityEvent:
    values = dict(event_id=7, visit_id=3, term="neurotoxicity", onset_date=DAY)
    return NeurotoxicityEvent(**{**values, **changes})


def test_an_uncleared_neurotoxicity_event_blocks_later_methotrexate_only():
    event = _event()
    later = DAY + dt.timedelta(days=60)
    with pytest.raises(MethotrexateBlocked) as refused:
        check_dose([event], agent=Agent.IT_METHOTREXATE, visit_date=later, visit_id=9)
    assert "since 2026-06-01 (adverse event 7)" in str(refused.value)
    assert "Only a neurologist may clear it" in str(refused.value)
    # the same day counts (reported at an earlier visit); an earlier visit's dose is not blocked
    assert blocking_event([event], agent="it_methotrexate", visit_date=DAY, visit_id=9) is event
    assert blocking_event([event], agent="it_methotrexate", visit_date=DAY - dt.timedelta(days=1), visit_id=9) is None
    # an event that began on this visit's day and is recorded at it followed the dose; one that began
    # earlier blocks wherever it is recorded
    assert blocking_event([event], agent="it_methotrexate", visit_date=DAY, visit_id=3) is None
    assert blocking_event([_event(event_id=None)], agent="it_methotrexate", visit_date=DAY, visit_id=None) is None
    assert blocking_event([event], agent="it_methotrexate", visit_date=later, visit_id=3) is event
    with pytest.raises(MethotrexateBlocked, match="recorded at this visit"):
        check_dose([_event(event_id=None)], agent=Agent.IT_METHOTREXATE, visit_date=later, visit_id=None)
    # other agents, other terms and a cleared event do not block
    assert blocking_event([event], agent=Agent.MSC_NP, visit_date=later, visit_id=9) is None
    assert blocking_event([event], agent=None, visit_date=later, visit_id=9) is None
    assert blocking_event([_event(term="fever")], agent="it_methotrexate", visit_date=later, visit_id=9) is None
    cleared = _event(cleared_at=dt.datetime(2026, 7, 1, 9, 0), cleared_by_name="Dr Example",
                     clearance_reason="MRI normal, symptoms resolved")
    check_dose([cleared], agent=Agent.IT_METHOTREXATE, visit_date=later, visit_id=9)


def test_only_a_neurologist_clears_with_a_reason():
    with pytest.raises(ClearanceRefused, match="Only a neurologist may"):
        clearance_reason(NURSE, "neurotoxicity", "resolved")
    with pytest.raises(ClearanceRefused, match="needs a reason"):
        clearance_reason(NEUROLOGIST, "neurotoxicity", "   ")
    with pytest.raises(ClearanceRefused, match="up to 500"):
        clearance_reason(NEUROLOGIST, "neurotoxicity", "x" * 501)
    with pytest.raises(ClearanceRefused, match="nothing to clear"):
        clearance_reason(NEUROLOGIST, "fever", "resolved")
    assert clearance_reason(NEUROLOGIST, "neurotoxicity", " MRI normal ") == "MRI normal"
