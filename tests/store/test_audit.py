"""The audit trail written by the store: every row change of every audited table, with who, values
before and after and the reason; explicit events; append-only; a chain that shows tampering; no
fork when two workstations write at once."""

from __future__ import annotations

import sqlite3
import threading

import pytest
from people import signed
from sample_data import TODAY
from sqlalchemy import select

from pmsdesk.cli import main
from pmsdesk.domain.audit import AuditKind
from pmsdesk.domain.permissions import Actor, Role
from pmsdesk.domain.validation import ValidationFailed
from pmsdesk.services.clinic import Clinic
from pmsdesk.services.demo import fill_demo_clinic
from pmsdesk.store import audit
from pmsdesk.store.audit import AuditTrailIsAppendOnly
from pmsdesk.store.database import Database
from pmsdesk.store.tables import AuditEvent, AuditHead, UserAccount

NEUROLOGIST = Actor("d.neuro", Role.NEUROLOGIST, None, "Dr Dana Neuro")
VISIT = {
    "visit_date": "2026-03-02", "kind": "assessment", "edss.edss": "4.5", "sdmt.score": "48",
    "sdmt.modality": "oral",
    "adverse_events": [{"term": "back_pain", "onset_date": "2026-03-02", "ctcae_grade": "1"}],
}


def trail(clinic: Clinic):
    return [(e.kind, e.table_name, e.actor) for e in clinic.audit_entries()]


def chain_report(db: Database):
    with db.engine.connect() as connection:
        return audit.verify(connection)


def test_each_created_row_is_recorded_with_its_values_and_owner(database, patient):
    clinic = Clinic(database, actor=NEUROLOGIST, today=lambda: TODAY)
    record = clinic.create_visit(patient.id, VISIT)
    entries = clinic.audit_entries(visit_id=record.visit.id)
    assert [(e.kind, e.table_name) for e in entries] == [
        (AuditKind.INSERT, "visit"), (AuditKind.INSERT, "edss_assessment"), (AuditKind.INSERT, "sdmt_assessment"),
        (AuditKind.INSERT, "adverse_event")]
    assert {(e.actor, e.actor_name) for e in entries} == {("d.neuro", "d.neuro")}
    edss = entries[1]
    assert edss.before == {} and edss.after["edss"] == 4.5 and edss.after["visit_id"] == record.visit.id
    assert entries[0].after["visit_date"] == "2026-03-02" and entries[0].row_key == str(record.visit.id)
    assert all(e.details == {} and e.reason is None for e in entries)
    # an assessment row knows its patient through its visit, for the per-patient view
    assert {e.id for e in entries} <= {e.id for e in clinic.audit_entries(patient_id=patient.id)}


def test_an_update_records_only_what_changed_before_and_after(clinic, patient):
    record = clinic.create_visit(patient.id, VISIT)
    clinic.update_visit(record.visit.id, record.visit.version,
                        {**record.form_values(), "edss.edss": "5.0", "notes": "Walks less",
                         "adverse_events": [{"id": e.id, "version": e.version, "term": "back_pain",
                                             "onset_date": "2026-03-02", "ctcae_grade": "1", "serious": False}
                                            for e in record.adverse_events]})
    changes = [e for e in clinic.audit_entries(visit_id=record.visit.id) if e.kind is AuditKind.UPDATE]
    assert [(e.table_name, e.before, e.after) for e in changes] == [
        ("visit", {"notes": None}, {"notes": "Walks less"}),
        ("edss_assessment", {"edss": 4.5}, {"edss": 5.0}),
    ]
    assert changes[1].changes == {"edss": (4.5, 5.0)}


def test_a_dropped_section_is_recorded_as_erased_with_its_last_values(clinic, patient):
    record = clinic.create_visit(patient.id, VISIT)
    form = {k: v for k, v in record.form_values().items() if not k.startswith("sdmt.")}
    clinic.update_visit(record.visit.id, record.visit.version, form)
    (erased,) = [e for e in clinic.audit_entries(visit_id=record.visit.id) if e.kind is AuditKind.DELETE]
    assert erased.table_name == "sdmt_assessment" and erased.after == {}
    assert (erased.before["score"], erased.before["modality"]) == (48, "oral")


def test_a_refused_save_leaves_no_entry(clinic, patient):
    before = len(clinic.audit_entries())
    with pytest.raises(ValidationFailed):
        clinic.create_visit(patient.id, {**VISIT, "edss.edss": "0.5"})
    assert len(clinic.audit_entries()) == before
    assert chain_report(clinic.db).intact


def test_settings_and_accounts_are_audited_without_showing_password_hashes(database):
    import hashlib

    from pmsdesk.services.accounts import Accounts

    admin = Accounts(database).create_first_administrator("a.admin", "Ada Admin", "a long enough password")
    Clinic(database, actor=admin).set_setting("lock_after_minutes", "5")
    entries = Clinic(database, actor=admin).audit_entries()
    created, signed_in, setting = entries
    assert (created.kind, created.table_name, created.actor) == (AuditKind.INSERT, "user_account", "system:first run")
    # A digest of the stored hash, so a swapped hash shows (audit verify compares it), never the hash itself.
    with database.reading() as session:
        stored = session.scalar(select(UserAccount.password_hash))
    assert created.after["password_hash"] == f"(hidden) sha256:{hashlib.sha256(stored.encode()).hexdigest()}"
    assert stored not in str(created.after) and created.after["username"] == "a.admin"
    assert (signed_in.kind, signed_in.actor, signed_in.actor_name) == (AuditKind.SIGN_IN, "a.admin", "Ada Admin")
    assert (setting.table_name, setting.after, setting.actor) == (
        "setting", {"key": "lock_after_minutes", "value": "5"}, "a.admin")


def test_a_batch_is_audited_too_and_as_one_chain(database):
    summary = fill_demo_clinic(Clinic(database, today=lambda: TODAY), patients=2)
    clinic = Clinic(database)
    entries = clinic.audit_entries()
    created = [e for e in entries if e.table_name == "visit" and e.kind is AuditKind.INSERT]
    # Every visit created is audited, the one the demo enters twice and voids included.
    assert len(created) == summary.visits + summary.voided and {e.actor for e in entries} == {"system:demo clinic"}
    assert chain_report(database).entries == len(entries) and chain_report(database).intact


def test_explicit_events_are_recorded_after_the_changes_of_their_transaction(clinic, patient):
    clinic.record_event(AuditKind.EXPORT, {"file": "visits.csv", "rows": 3}, patient_id=patient.id)
    (event,) = [e for e in clinic.audit_entries(patient_id=patient.id) if e.kind is AuditKind.EXPORT]
    assert event.details == {"file": "visits.csv", "rows": 3} and event.actor == "system:pmsdesk"
    with pytest.raises(ValueError, match="recorded by pmsdesk itself"):
        clinic.record_event(AuditKind.INSERT, {})


# ----- append-only -----------------------------------------------------------------------------
def test_the_orm_refuses_to_write_audit_rows(clinic, patient):
    with pytest.raises(AuditTrailIsAppendOnly), clinic.db.transaction() as session:
        session.scalar(select(AuditEvent)).reason = "rewritten"
    with pytest.raises(AuditTrailIsAppendOnly), clinic.db.transaction() as session:
        session.delete(session.get(AuditHead, 1))
    assert chain_report(clinic.db).intact


@pytest.mark.parametrize("sql", [
    "UPDATE audit_event SET actor = 'someone' WHERE id = 1",
    "DELETE FROM audit_event WHERE id = 1",
    "DELETE FROM audit_head",
])
def test_the_database_refuses_to_change_or_remove_audit_rows(patient, db_path, sql):
    connection = sqlite3.connect(db_path)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            connection.execute(sql)
    finally:
        connection.close()


def tamper(db_path, sql: str) -> None:
    """What someone with the file and the sqlite3 tool could do: drop the triggers, then edit."""
    connection = sqlite3.connect(db_path)
    for trigger in ("audit_event_no_update", "audit_event_no_delete"):
        connection.execute(f"DROP TRIGGER {trigger}")
    connection.execute(sql)
    connection.commit()
    connection.close()


@pytest.mark.parametrize(("sql", "entry", "problem"), [
    ("UPDATE audit_event SET after = replace(after, '1970-03-14', '1971-03-14') WHERE id = 1", 1,
     "changed after it was written"),
    ("DELETE FROM audit_event WHERE id = 2", 2, "entry 2 is missing"),
    # entry 4: the test administrator's account (audit verify's own sign-in writes nothing)
    ("DELETE FROM audit_event WHERE id = (SELECT max(id) FROM audit_event)", 4, "cut off the end"),
])
def test_tampering_is_reported_by_audit_verify_at_the_first_broken_entry(
        clinic, patient, db_path, capsys, sql, entry, problem):
    clinic.save_relapse(patient.id, {"onset_date": "2019-05-01"})
    clinic.save_dmt(patient.id, {"agent": "Ocrelizumab", "start_date": "2018-01-01"})
    verify = signed(["audit", "verify", "--database", str(db_path)])
    assert main(verify) == 0
    assert capsys.readouterr().out.startswith("Audit trail intact: 4 entries")

    tamper(db_path, sql)
    assert main(verify) == 1
    output = capsys.readouterr().out
    assert output.startswith(f"Audit trail BROKEN at entry {entry}:") and problem in output


def test_two_workstations_writing_at_once_keep_one_unbroken_chain(patient, database_url):
    saves_each = 15
    errors = []

    def workstation(name: str) -> None:
        db = Database.open(database_url)
        try:
            clinic = Clinic(db, actor=Actor(name, Role.NURSE), today=lambda: TODAY)
            for number in range(saves_each):
                clinic.save_relapse(patient.id, {"onset_date": "2019-05-01", "notes": f"{name} {number}"})
        except Exception as error:  # noqa: BLE001 - reported below; a thread's exception would otherwise vanish
            errors.append(error)
        finally:
            db.close()

    threads = [threading.Thread(target=workstation, args=(name,)) for name in ("one", "two")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    db = Database.open(database_url)
    try:
        report = chain_report(db)
        actors = [e.actor for e in Clinic(db).audit_entries() if e.table_name == "relapse"]
    finally:
        db.close()
    assert report.intact and report.entries == 1 + 2 * saves_each  # the patient, then every relapse
    assert sorted(actors) == ["one"] * saves_each + ["two"] * saves_each
