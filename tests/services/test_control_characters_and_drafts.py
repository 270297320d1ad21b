"""Control characters are refused by the field rules (free-text notes keep tabs and line breaks),
through the services too; and a draft needs the permission its save would."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import text as sql_text
from sample_data import PATIENT, TODAY

from pmsdesk.domain.fields import PATIENT_FIELDS, VISIT_FIELDS, FieldError
from pmsdesk.domain.permissions import Actor, PermissionDenied, Role
from pmsdesk.domain.validation import ValidationFailed
from pmsdesk.services.clinic import Clinic

FIELDS = {f.name: f for f in (*PATIENT_FIELDS, *VISIT_FIELDS)}


@pytest.mark.parametrize("character", ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\u2028", "\ud800"],
                         ids=["NUL", "bell", "escape", "delete", "next-line", "line-separator", "lone-surrogate"])
@pytest.mark.parametrize("name", ["clinic_id", "family_name", "notes", "lp_needle"])
def test_control_characters_are_refused_saying_what_is_allowed(name, character):
    with pytest.raises(FieldError) as refused:
        FIELDS[name].parse(f"Ann{character}e")
    message = str(refused.value)
    assert f"control character U+{ord(character):04X}" in message
    assert "letters, digits, spaces" in message and "punctuation only" in message
    assert character not in message  # shown escaped, so it can be printed and logged
    assert ("tabs, line breaks" in message) == (name == "notes")


def test_notes_keep_tabs_and_line_breaks_and_one_line_fields_refuse_them():
    assert FIELDS["notes"].parse("first line\n\tsecond\r\nthird") == "first line\n\tsecond\r\nthird"
    with pytest.raises(FieldError, match="U\\+0009"):
        FIELDS["family_name"].parse("Ann\te")
    assert FIELDS["family_name"].parse("Öztürk-Łukasiewicz 李") == "Öztürk-Łukasiewicz 李"


def test_a_nul_in_a_name_is_refused_by_the_service_and_nothing_is_written(clinic, db_path):
    with pytest.raises(ValidationFailed) as refused:
        clinic.create_patient({**PATIENT, "family_name": "Ex\x00ample"})
    assert refused.value.for_field("family_name")
    connection = sqlite3.connect(db_path)
    try:
        assert connection.execute("SELECT count(*) FROM patient").fetchone() == (0,)
    finally:
        connection.close()


def test_drafts_follow_the_permissions_of_saves(database, clinic, patient):
    typed = {"visit_date": "2026-11-20", "kind": "assessment", "notes": "typed, not saved"}
    administrator = Clinic(database, actor=Actor("a.admin", Role.ADMINISTRATOR), today=lambda: TODAY)
    with pytest.raises(PermissionDenied, match="nurses and neurologists"):
        administrator.save_draft(patient.id, None, typed)
    nurse = Clinic(database, actor=Actor("n.nurse", Role.NURSE), today=lambda: TODAY)
    nurse.save_draft(patient.id, None, typed)
    assert nurse.draft(patient.id, None)[0] == typed

    visit = nurse.create_visit(patient.id, typed).visit
    with database.transaction() as session:  # signed, as a neurologist's signature leaves it
        session.execute(sql_text("UPDATE visit SET status = 'signed' WHERE id = :id"), {"id": visit.id})
    with pytest.raises(PermissionDenied, match="only a neurologist may amend"):
        nurse.save_draft(patient.id, visit.id, {**typed, "notes": "changed"})
    assert nurse.draft(patient.id, visit.id) is None
    neurologist = Clinic(database, actor=Actor("d.neuro", Role.NEUROLOGIST), today=lambda: TODAY)
    neurologist.save_draft(patient.id, visit.id, {**typed, "notes": "amending"})
    assert neurologist.draft(patient.id, visit.id)[0]["notes"] == "amending"
