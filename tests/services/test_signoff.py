"""Roles enforced by the services, sign-off, amendments with their reasons, and deletion with a reason."""

from __future__ import annotations

import datetime as dt

import pytest
from sample_data import TODAY

from pmsdesk.domain.audit import AuditKind
from pmsdesk.domain.permissions import Actor, PermissionDenied, Role
from pmsdesk.domain.signatures import SignatureMeaning
from pmsdesk.domain.validation import ValidationFailed
from pmsdesk.services.accounts import Accounts, SignInRefused
from pmsdesk.services.clinic import Clinic, NotFound

NURSE = Actor("n.nurse", Role.NURSE, None, "Nina Nurse")
ADMIN = Actor("a.admin", Role.ADMINISTRATOR, None, "Ada Admin")
WALK = {"visit_date": "2026-03-02", "kind": "assessment", "t25fw.trial1_s": "7.5", "t25fw.trial2_s": "7.7",
        "adverse_events": [{"term": "back_pain", "onset_date": "2026-03-02", "serious": False}]}
EDSS = {"edss.edss": "4.5", "edss.fs_pyramidal": "3"}
NEUROLOGIST_PASSWORD = "neurologist password"


@pytest.fixture
def people(database):
    """A real neurologist account (signatures name a person), and clinics for each role."""
    admin = Accounts(database).create_first_administrator("a.admin", "Ada Admin", "a long enough password")
    Accounts(database, admin).create_user("d.neuro", "Dr Dana Neuro", "neurologist", NEUROLOGIST_PASSWORD)
    neurologist = Accounts(database).sign_in("d.neuro", NEUROLOGIST_PASSWORD)

    def as_(actor):
        return Clinic(database, actor=actor, today=lambda: TODAY)

    return {"nurse": as_(NURSE), "neurologist": as_(neurologist), "admin": as_(admin)}


@pytest.fixture
def walk_visit(people, patient):
    return people["nurse"].create_visit(patient.id, WALK)


def test_a_nurse_records_timed_tests_but_not_the_edss(people, patient, database):
    nurse = people["nurse"]
    with pytest.raises(PermissionDenied, match="only a neurologist may enter or change them"):
        nurse.create_visit(patient.id, {**WALK, **EDSS})
    assert nurse.visits(patient.id) == []
    record = nurse.create_visit(patient.id, WALK)
    assert record.assessments["t25fw"].trial1_s == 7.5 and record.assessments["edss"] is None


def test_a_nurse_may_save_a_visit_whose_edss_a_neurologist_entered_unchanged(people, walk_visit):
    neurologist, nurse = people["neurologist"], people["nurse"]
    examined = neurologist.update_visit(walk_visit.visit.id, walk_visit.visit.version,
                                        {**walk_visit.form_values(), **EDSS})
    form = {**examined.form_values(), "t25fw.trial2_s": "7.9"}
    saved = nurse.update_visit(examined.visit.id, examined.visit.version, form)
    assert (saved.assessments["t25fw"].trial2_s, saved.assessments["edss"].edss) == (7.9, 4.5)
    with pytest.raises(PermissionDenied, match="EDSS"):
        nurse.update_visit(saved.visit.id, saved.visit.version, {**saved.form_values(), "edss.edss": "5.0"})
    with pytest.raises(PermissionDenied, match="EDSS"):  # removing the examination is changing it too
        nurse.update_visit(saved.visit.id, saved.visit.version,
                           {k: v for k, v in saved.form_values().items() if not k.startswith("edss.")})


def test_an_administrator_manages_but_does_not_record(people, patient):
    admin = people["admin"]
    with pytest.raises(PermissionDenied, match="Ada Admin \\(Administrator\\) may not do this. Recording"):
        admin.create_visit(patient.id, WALK)
    admin.set_setting("backup_keep_days", "30")
    with pytest.raises(PermissionDenied, match="Only an administrator may change the clinic's settings"):
        people["nurse"].set_setting("backup_keep_days", "1")
    assert admin.setting("backup_keep_days") == "30"


def test_only_a_neurologist_signs_and_the_signature_names_them(people, walk_visit):
    with pytest.raises(PermissionDenied, match="only a neurologist may sign"):
        people["nurse"].sign_visit(walk_visit.visit.id, walk_visit.visit.version, password=NEUROLOGIST_PASSWORD)
    with pytest.raises(PermissionDenied, match="A system process"):
        Clinic(people["nurse"].db).sign_visit(walk_visit.visit.id, walk_visit.visit.version,
                                              password=NEUROLOGIST_PASSWORD)
    neurologist = people["neurologist"]
    signed = neurologist.sign_visit(walk_visit.visit.id, walk_visit.visit.version, password=NEUROLOGIST_PASSWORD)
    assert (signed.status, signed.signed_by, signed.signed_name, signed.signature_meaning) == (
        "signed", neurologist.actor.user_id, "Dr Dana Neuro", "reviewed_and_approved")
    assert dt.datetime.now(dt.UTC) - signed.signed_at < dt.timedelta(minutes=1)
    assert neurologist.signature_holds(signed.id) and neurologist.signature_problems() == []
    with pytest.raises(ValidationFailed, match="already signed"):
        neurologist.sign_visit(signed.id, signed.version, password=NEUROLOGIST_PASSWORD)
    (history,) = neurologist.visit_history(signed.id)
    assert (history.kind, history.actor, history.actor_name, history.reason) == (
        AuditKind.SIGN, "d.neuro", "Dr Dana Neuro", None)
    assert history.details == {"meaning": "reviewed_and_approved", "signed_name": "Dr Dana Neuro",
                               "digest": signed.signature_digest}


def test_signing_needs_the_signers_password_and_a_stated_meaning(people, walk_visit, database):
    neurologist = people["neurologist"]
    visit = walk_visit.visit
    for missing in ({}, {"password": None}, {"password": ""}):
        with pytest.raises((TypeError, ValidationFailed)):
            neurologist.sign_visit(visit.id, visit.version, **missing)
    with pytest.raises(SignInRefused, match="That is not your password: nothing was signed"):
        neurologist.sign_visit(visit.id, visit.version, password="a long enough password")  # the admin's
    with pytest.raises(ValidationFailed, match="Meaning of the signature: choose one of: Reviewed and approved; "
                                               "Performed and recorded"):
        neurologist.sign_visit(visit.id, visit.version, password=NEUROLOGIST_PASSWORD, meaning="looked at it")
    assert neurologist.visit_record(visit.id).visit.status == "draft"  # none of these signed
    refused = [e for e in neurologist.audit_entries() if e.kind is AuditKind.SIGN_IN_FAILED]
    assert [(e.actor, e.reason) for e in refused] == [("d.neuro", "password re-entered to sign was refused")]

    signed = neurologist.sign_visit(visit.id, visit.version, password=NEUROLOGIST_PASSWORD,
                                    meaning=SignatureMeaning.PERFORMED)
    assert SignatureMeaning(signed.signature_meaning).short_label == "Performed and recorded"


def test_a_batch_is_signed_with_one_entry_of_the_password(people, patient, walk_visit, monkeypatch):
    neurologist = people["neurologist"]
    second = people["nurse"].create_visit(patient.id, {**WALK, "visit_date": "2026-03-09", "adverse_events": []})
    checks = []
    original = Accounts.confirm_password
    monkeypatch.setattr(Accounts, "confirm_password", lambda self, *a, **k: checks.append(1) or original(self, *a, **k))
    outcome = neurologist.sign_visits([(walk_visit.visit.id, walk_visit.visit.version),
                                       (second.visit.id, second.visit.version - 1)],  # stale
                                      password=NEUROLOGIST_PASSWORD)
    assert checks == [1]
    assert [v.id for v in outcome.signed] == [walk_visit.visit.id]
    assert list(outcome.refusals) == [second.visit.id] and "changed" in str(outcome.refusals[second.visit.id])
    with pytest.raises(SignInRefused):  # a wrong password signs none of the batch
        neurologist.sign_visits([(second.visit.id, second.visit.version)], password="not my password at all")
    assert neurologist.visit_record(second.visit.id).visit.status == "draft"


def test_a_signature_is_bound_to_its_visits_content(people, patient, walk_visit, database):
    """Changed behind pmsdesk's back (in the table) or copied onto another visit, a signature no longer holds."""
    from sqlalchemy import text

    neurologist = people["neurologist"]
    other = people["nurse"].create_visit(patient.id, {**WALK, "visit_date": "2026-03-09"})
    signed = neurologist.sign_visit(walk_visit.visit.id, walk_visit.visit.version, password=NEUROLOGIST_PASSWORD)
    columns = "status, signed_by, signed_at, signed_name, signature_meaning, signature_digest"
    with database.engine.begin() as connection:  # as an attacker with the file would
        connection.execute(text(f"UPDATE visit SET ({columns}) = (SELECT {columns} FROM visit WHERE id = :signed) "
                                "WHERE id = :other"), {"signed": signed.id, "other": other.visit.id})
    assert not neurologist.signature_holds(other.visit.id) and neurologist.signature_holds(signed.id)
    with database.engine.begin() as connection:
        connection.execute(text("UPDATE t25fw_assessment SET trial2_s = 6.1 WHERE visit_id = :id"), {"id": signed.id})
    problems = neurologist.signature_problems()
    assert [p.visit_id for p in problems] == [signed.id, other.visit.id]
    assert "not what was signed" in problems[0].describe() and f"visit {signed.id}" in problems[0].describe()


def test_a_change_after_signing_is_an_amendment_with_a_reason_and_voids_the_signature(people, walk_visit):
    neurologist, nurse = people["neurologist"], people["nurse"]
    signed = neurologist.sign_visit(walk_visit.visit.id, walk_visit.visit.version, password=NEUROLOGIST_PASSWORD)
    record = neurologist.visit_record(signed.id)
    form = {**record.form_values(), "t25fw.trial2_s": "8.1", "adverse_events": []}
    with pytest.raises(PermissionDenied, match="only a neurologist may amend it"):
        nurse.update_visit(signed.id, signed.version, form, amendment_reason="Typo")
    for blank in (None, "", "   "):
        with pytest.raises(ValidationFailed) as refused:
            neurologist.update_visit(signed.id, signed.version, form, amendment_reason=blank)
        assert refused.value.for_field("amendment_reason") == [
            "Reason for the amendment: required; say in a few words why."]
    assert neurologist.visit_record(signed.id).assessments["t25fw"].trial2_s == 7.7  # nothing changed

    amended = neurologist.update_visit(signed.id, signed.version, form,
                                       amendment_reason="Second trial misread from the stopwatch")
    assert amended.assessments["t25fw"].trial2_s == 8.1 and amended.adverse_events == ()
    # the amended content is not what was signed: the signature is void until signed again
    assert (amended.visit.status, amended.visit.signed_by, amended.visit.signature_digest) == ("draft", None, None)
    assert not neurologist.signature_holds(signed.id) and neurologist.signature_problems() == []
    sign, amendment = neurologist.visit_history(signed.id)
    assert (sign.kind, amendment.kind) == (AuditKind.SIGN, AuditKind.AMEND)
    assert amendment.details["voided_signature"]["digest"] == signed.signature_digest
    again = neurologist.sign_visit(signed.id, amended.visit.version, password=NEUROLOGIST_PASSWORD)
    assert again.signature_digest != signed.signature_digest and neurologist.signature_holds(signed.id)
    assert (amendment.actor_name, amendment.reason) == ("Dr Dana Neuro", "Second trial misread from the stopwatch")
    assert amendment.changes["t25fw.trial2_s"] == (7.7, 8.1)
    assert [e["term"] for e in amendment.changes["adverse_events"][0]] == ["back_pain"]
    assert amendment.changes["adverse_events"][1] == []
    # the row changes made by the amendment carry its reason too
    row_changes = [e for e in neurologist.audit_entries(visit_id=signed.id) if e.table_name == "t25fw_assessment"
                   and e.kind is AuditKind.UPDATE]
    assert [e.reason for e in row_changes] == ["Second trial misread from the stopwatch"]


def test_deleting_needs_a_reason_hides_the_row_and_keeps_it_in_the_trail(people, patient, walk_visit):
    nurse = people["nurse"]
    relapse = nurse.save_relapse(patient.id, {"onset_date": "2019-05-01", "notes": "Optic neuritis"})
    with pytest.raises(ValidationFailed, match="Reason for deleting this relapse: required"):
        nurse.delete_relapse(relapse.id, relapse.version, "  ")
    nurse.delete_relapse(relapse.id, relapse.version, "Entered for the wrong patient")
    assert nurse.relapses(patient.id) == []
    (deleted,) = [e for e in nurse.audit_entries(patient_id=patient.id) if e.kind is AuditKind.SOFT_DELETE]
    assert (deleted.table_name, deleted.reason, deleted.actor) == ("relapse", "Entered for the wrong patient",
                                                                   "n.nurse")
    assert deleted.before == {"deleted_at": None, "deleted_reason": None}
    assert deleted.after["deleted_reason"] == "Entered for the wrong patient"

    with pytest.raises(PermissionDenied):
        people["admin"].delete_visit(walk_visit.visit.id, walk_visit.visit.version, "Duplicate")
    nurse.delete_visit(walk_visit.visit.id, walk_visit.visit.version, "Duplicate of the visit of the same day")
    assert nurse.visits(patient.id) == [] and nurse.visit_records(patient.id) == []
    assert nurse.adverse_events(patient.id) == []  # the events reported at it go with it
    assert [s.visit_count for s in nurse.find_patients()] == [0]
    with pytest.raises(NotFound):
        nurse.visit_record(walk_visit.visit.id)
    kinds = {(e.table_name, e.kind) for e in nurse.audit_entries(visit_id=walk_visit.visit.id)}
    assert {("visit", AuditKind.SOFT_DELETE), ("adverse_event", AuditKind.SOFT_DELETE)} <= kinds


def test_an_adverse_event_removed_from_a_visit_is_kept_with_the_reason_given(people, walk_visit):
    nurse = people["nurse"]
    (event,) = walk_visit.adverse_events
    nurse.update_visit(walk_visit.visit.id, walk_visit.visit.version,
                       {**walk_visit.form_values(), "adverse_events": [],
                        "removed_adverse_events": {event.id: "Reported at the wrong visit"}})
    assert nurse.adverse_events(walk_visit.visit.patient_id) == []
    (deleted,) = [e for e in nurse.audit_entries(visit_id=walk_visit.visit.id) if e.kind is AuditKind.SOFT_DELETE]
    assert deleted.reason == "Reported at the wrong visit"


def test_a_signed_visit_is_deleted_only_by_a_neurologist(people, walk_visit):
    signed = people["neurologist"].sign_visit(walk_visit.visit.id, walk_visit.visit.version,
                                              password=NEUROLOGIST_PASSWORD)
    with pytest.raises(PermissionDenied, match="amend"):
        people["nurse"].delete_visit(signed.id, signed.version, "Duplicate")
    people["neurologist"].delete_visit(signed.id, signed.version, "Duplicate")


@pytest.mark.parametrize(("kind", "who", "allowed"), [
    (AuditKind.EXPORT, "nurse", False), (AuditKind.EXPORT, "neurologist", True), (AuditKind.EXPORT, "admin", True),
    (AuditKind.REPORT, "nurse", True), (AuditKind.REPORT, "admin", False),
])
def test_exports_and_reports_are_recorded_for_those_allowed(people, patient, kind, who, allowed):
    clinic = people[who]
    if not allowed:
        with pytest.raises(PermissionDenied):
            clinic.record_event(kind, {"file": "x.pdf"}, patient_id=patient.id)
        return
    clinic.record_event(kind, {"file": "x.pdf"}, patient_id=patient.id)
    (event,) = [e for e in clinic.audit_entries(patient_id=patient.id) if e.kind is kind]
    assert (event.actor, event.details) == (clinic.actor.name, {"file": "x.pdf"})



# The adverse-event values a signature bound before migration 0009 added the two relatedness answers.
FIELDS_OF_AN_EVENT_BEFORE_0009 = ["term", "term_other", "onset_date", "ctcae_grade", "serious", "relatedness",
                                  "outcome", "resolved_date", "notes"]


def test_a_visit_signed_before_the_two_relatedness_answers_keeps_its_signature(people, walk_visit, database):
    """An event with neither 0009 answer is bound as 0008 bound it (its single earlier answer), so the
    digest of a visit signed before the upgrade is the same after it; answering either binds both."""
    from sqlalchemy import text

    from pmsdesk.services.clinic import _amendable_values

    neurologist = people["neurologist"]
    with database.engine.begin() as connection:  # a row as 0008 left it: the one earlier answer
        connection.execute(text("UPDATE adverse_event SET relatedness = 'possible'"))
    record = neurologist.visit_record(walk_visit.visit.id)
    (event,) = _amendable_values(record)["adverse_events"]
    assert sorted(event) == sorted(FIELDS_OF_AN_EVENT_BEFORE_0009) and event["relatedness"] == "possible"
    signed = neurologist.sign_visit(walk_visit.visit.id, walk_visit.visit.version, password=NEUROLOGIST_PASSWORD)
    assert neurologist.signature_holds(signed.id)
    with database.engine.begin() as connection:  # answered behind pmsdesk's back: no longer what was signed
        connection.execute(text("UPDATE adverse_event SET related_drug = 'unrelated'"))
    assert not neurologist.signature_holds(signed.id)
