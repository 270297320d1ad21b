"""A draft belongs to whoever types it, on their workstation: another person (or the same person
elsewhere) sees who holds it since when, and may take it over explicitly; the holder is then refused."""

from __future__ import annotations

import pytest
from sample_data import TODAY

from pmsdesk.domain.permissions import Actor, Role
from pmsdesk.services.clinic import Clinic, DraftHeld


def nurse_at(database, username: str, full_name: str, workstation: str) -> Clinic:
    """A nurse's clinic on ``workstation`` (the actor as signing in makes it; drafts are not signed for)."""
    return Clinic(database, actor=Actor(username, Role.NURSE, None, full_name), today=lambda: TODAY,
                  workstation=workstation)


def test_two_users_on_one_draft_see_each_other_and_take_it_over_explicitly(database, patient):
    anna = nurse_at(database, "anna", "Anna Nurse", "BENCH-1")
    ben = nurse_at(database, "ben", "Ben Nurse", "BENCH-2")
    anna.save_draft(patient.id, None, {"visit_date": TODAY.isoformat(), "sdmt.score": "4"})
    assert anna.draft_held_elsewhere(patient.id, None) is None  # her own

    holder = ben.draft_held_elsewhere(patient.id, None)
    assert (holder.full_name, holder.workstation) == ("Anna Nurse", "BENCH-1")
    assert holder.describe().startswith("Anna Nurse is editing this visit on BENCH-1 since ")
    with pytest.raises(DraftHeld, match="Anna Nurse is editing this visit on BENCH-1 since .*take the draft over"):
        ben.save_draft(patient.id, None, {"sdmt.score": "99"})
    assert anna.draft(patient.id, None)[0]["sdmt.score"] == "4", "a refused draft write changes nothing"

    ben.take_over_draft(patient.id, None)
    assert ben.draft_held_elsewhere(patient.id, None) is None
    assert ben.draft(patient.id, None)[0]["sdmt.score"] == "4", "her typing comes with the draft"
    ben.save_draft(patient.id, None, {"sdmt.score": "45"})
    taken = anna.draft_held_elsewhere(patient.id, None)
    assert (taken.full_name, taken.workstation) == ("Ben Nurse", "BENCH-2")
    with pytest.raises(DraftHeld, match="Ben Nurse is editing this visit on BENCH-2"):
        anna.save_draft(patient.id, None, {"sdmt.score": "46"})


def test_the_same_person_on_another_workstation_is_someone_else_and_a_save_clears_the_holder(database, patient):
    here = nurse_at(database, "anna", "Anna Nurse", "BENCH-1")
    there = nurse_at(database, "anna", "Anna Nurse", "BENCH-2")
    here.save_draft(patient.id, None, {"visit_date": TODAY.isoformat(), "kind": "baseline", "sdmt.score": "40"})
    assert there.draft_held_elsewhere(patient.id, None).workstation == "BENCH-1"
    there.take_over_draft(patient.id, None)
    record = there.create_visit(patient.id, there.draft(patient.id, None)[0])
    assert there.draft(patient.id, None) is None and record.assessments["sdmt"].score == 40
    here.save_draft(patient.id, record.visit.id, {"sdmt.score": "41"})  # a new draft: whoever starts it holds it
    assert there.draft_held_elsewhere(patient.id, record.visit.id).workstation == "BENCH-1"
