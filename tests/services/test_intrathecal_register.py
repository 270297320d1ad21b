"""The intrathecal register kept by the administrator, and the checker's own password (services.register)."""

from __future__ import annotations

import pytest
from people import TEST_PASSWORD, ensure_account, signed_in
from sample_data import TODAY

from pmsdesk.domain.permissions import PermissionDenied, Role
from pmsdesk.domain.register import RegisterTask
from pmsdesk.domain.validation import ValidationFailed
from pmsdesk.services.accounts import Accounts, SignInRefused
from pmsdesk.services.clinic import Clinic
from pmsdesk.store.tables import RegisterEntry, UserAccount


def _register(database, actor):
    return Clinic(database, actor=actor, today=lambda: TODAY).intrathecal_register()


@pytest.fixture
def admin(database):
    return signed_in(database, "a.admin", Role.ADMINISTRATOR, "Ada Admin")


def _user_id(register, username):
    return next(uid for uid, name, _full in register.people() if name == username)


def test_the_administrator_adds_renews_and_ends_entries(database, admin):
    ensure_account(database, "n.nurse", Role.NURSE, "Nina Nurse")
    register = _register(database, admin)
    register.add(_user_id(register, "n.nurse"), "check", "2025-01-10", "2026-01-10")
    (line,) = register.lines()
    assert (line.entry.username, line.entry.task, line.entry.valid_on(TODAY)) == ("n.nurse", RegisterTask.CHECK, False)
    register.renew(line.id, line.version, TODAY.isoformat(), "2027-11-30")
    (line,) = register.lines()
    assert line.entry.valid_on(TODAY) and line.entry.expires_on.isoformat() == "2027-11-30"
    register.end(line.id, line.version, "Left the clinic")
    (line,) = register.lines()
    assert line.entry.ended_on == TODAY and line.ended_reason == "Left the clinic"
    trail = Clinic(database, actor=admin).audit_entries()
    assert any(entry.table_name == RegisterEntry.__tablename__ for entry in trail)  # audited like clinical rows


def test_register_entries_are_refused_with_what_is_allowed(database, admin):
    ensure_account(database, "n.nurse", Role.NURSE, "Nina Nurse")
    register = _register(database, admin)
    nurse = _user_id(register, "n.nurse")
    with pytest.raises(ValidationFailed) as refused:
        register.add(nurse, "check", "2026-12-05", "2026-11-01")
    assert [p.message for p in refused.value.problems] == [
        "Trained on: the training must have happened (today or earlier); add the entry once it has.",
        "Expires on: enter a date after the training date."]
    with pytest.raises(ValidationFailed, match="Task: choose one of: Prescribe, Check"):
        register.add(nurse, "dispense", "2026-01-01", "2027-01-01")
    admin_id = next(a.id for a in Accounts(database, admin).users() if a.username == "a.admin")
    with pytest.raises(ValidationFailed, match="choose an active nurse or neurologist"):
        register.add(admin_id, "check", "2026-01-01", "2027-01-01")
    register.add(nurse, "check", "2026-01-01", "2027-01-01")
    with pytest.raises(ValidationFailed, match="renew that entry instead of adding a second one"):
        register.add(nurse, "check", "2026-02-01", "2027-02-01")


def test_nurses_read_the_register_and_may_not_change_it(database, admin):
    nurse = signed_in(database, "n.nurse", Role.NURSE, "Nina Nurse")
    register = _register(database, nurse)
    assert register.lines() == []
    with pytest.raises(PermissionDenied, match="kept by an administrator"):
        register.add(_user_id(register, "n.nurse"), "administer", "2026-01-01", "2027-01-01")


def test_a_wrong_checker_password_is_refused_and_counts_towards_the_lockout(database):
    ensure_account(database, "c.checker", Role.NEUROLOGIST, "Carl Checker")
    accounts = Accounts(database)
    with pytest.raises(SignInRefused, match="checker's user name or password is not right"):
        accounts.confirm_other_person("c.checker", "not the password at all")
    with database.reading() as session:
        assert session.query(UserAccount).filter_by(username="c.checker").one().failed_sign_ins == 1
    assert accounts.confirm_other_person("c.checker", TEST_PASSWORD).name == "c.checker"
    with database.reading() as session:
        assert session.query(UserAccount).filter_by(username="c.checker").one().failed_sign_ins == 0
