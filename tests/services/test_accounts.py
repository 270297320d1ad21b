"""User accounts: argon2id hashes only, the first administrator, sign-in, unlock, administration."""

from __future__ import annotations

import pytest

from pmsdesk.domain.audit import AuditKind
from pmsdesk.domain.permissions import PermissionDenied, Role
from pmsdesk.domain.validation import ValidationFailed
from pmsdesk.services.accounts import Accounts, SignInRefused
from pmsdesk.services.clinic import Clinic
from pmsdesk.store.tables import UserAccount

ADMIN_PASSWORD = "correct horse battery staple"
NURSE_PASSWORD = "nurse's own long password"


@pytest.fixture
def admin(database):
    return Accounts(database).create_first_administrator("A.Admin ", "Ada Admin", ADMIN_PASSWORD)


@pytest.fixture
def nurse(database, admin):
    return Accounts(database, admin).create_user("n.nurse", "Nina Nurse", "nurse", NURSE_PASSWORD)


def kinds(database) -> list[tuple[AuditKind, str]]:
    return [(e.kind, e.actor) for e in Clinic(database).audit_entries() if e.table_name is None]


def test_the_first_run_creates_one_administrator_signed_in_at_once(database):
    accounts = Accounts(database)
    assert accounts.needs_first_administrator()
    admin = accounts.create_first_administrator("A.Admin ", "Ada Admin", ADMIN_PASSWORD)
    assert (admin.name, admin.role, admin.full_name) == ("a.admin", Role.ADMINISTRATOR, "Ada Admin")
    assert not accounts.needs_first_administrator()
    with pytest.raises(ValidationFailed, match="already has user accounts"):
        accounts.create_first_administrator("other", "Other Admin", ADMIN_PASSWORD)


def test_passwords_are_stored_only_as_argon2id_hashes(database, db_path, admin, nurse):
    with database.reading() as session:
        hashes = [a.password_hash for a in session.query(UserAccount)]
    assert len(hashes) == 2 and all(h.startswith("$argon2id$") for h in hashes)
    database.close()
    raw = b"".join(p.read_bytes() for p in db_path.parent.glob(db_path.name + "*"))
    assert ADMIN_PASSWORD.encode() not in raw and NURSE_PASSWORD.encode() not in raw


def test_sign_in_and_refusals_are_recorded_without_saying_which_part_was_wrong(database, nurse):
    accounts = Accounts(database)
    messages = set()
    for name, password in (("n.nurse", "wrong password!"), ("nobody", NURSE_PASSWORD), ("", ""), (None, 3)):
        with pytest.raises(SignInRefused) as refused:
            accounts.sign_in(name, password)
        messages.add(str(refused.value))
    assert messages == {"The user name or the password is not right. Check Caps Lock and try again."}
    signed_in = accounts.sign_in(" N.Nurse", NURSE_PASSWORD)
    assert (signed_in.name, signed_in.role, signed_in.user_id) == ("n.nurse", Role.NURSE, nurse.id)
    assert kinds(database)[-5:] == [
        (AuditKind.SIGN_IN_FAILED, "n.nurse"), (AuditKind.SIGN_IN_FAILED, "(unknown user name)"),
        (AuditKind.SIGN_IN_FAILED, "(unknown user name)"), (AuditKind.SIGN_IN_FAILED, "(unknown user name)"),
        (AuditKind.SIGN_IN, "n.nurse")]


def test_unlock_needs_the_same_persons_password(database, admin, nurse):
    accounts = Accounts(database)
    signed_in = accounts.sign_in("n.nurse", NURSE_PASSWORD)
    accounts.confirm_password(signed_in, NURSE_PASSWORD)
    with pytest.raises(SignInRefused, match="only they can unlock"):
        accounts.confirm_password(signed_in, ADMIN_PASSWORD)
    assert kinds(database)[-1] == (AuditKind.UNLOCK_FAILED, "n.nurse")


def test_an_administrator_resets_passwords_and_deactivates_accounts(database, admin, nurse):
    manager = Accounts(database, admin)
    manager.reset_password(nurse.id, "a brand new password")
    with pytest.raises(SignInRefused):
        Accounts(database).sign_in("n.nurse", NURSE_PASSWORD)
    Accounts(database).sign_in("n.nurse", "a brand new password")
    manager.set_active(nurse.id, False)
    with pytest.raises(SignInRefused, match="deactivated"):
        Accounts(database).sign_in("n.nurse", "a brand new password")
    with pytest.raises(ValidationFailed, match="your own account"):
        manager.set_active(admin.user_id, False)
    assert [(u.username, u.role, u.active) for u in manager.users()] == [
        ("a.admin", Role.ADMINISTRATOR, True), ("n.nurse", Role.NURSE, False)]


def test_only_an_administrator_manages_accounts(database, nurse):
    as_nurse = Accounts(database, Accounts(database).sign_in("n.nurse", NURSE_PASSWORD))
    for attempt in (as_nurse.users, lambda: as_nurse.create_user("x", "X", "nurse", NURSE_PASSWORD),
                    lambda: as_nurse.reset_password(nurse.id, "another long password")):
        with pytest.raises(PermissionDenied, match="Only an administrator may create user accounts"):
            attempt()


def test_bad_account_entries_are_refused_field_by_field(database, admin, nurse):
    with pytest.raises(ValidationFailed) as refused:
        Accounts(database, admin).create_user("Bad Name!", "", "surgeon", "short")
    assert [p.field for p in refused.value.problems] == ["username", "full_name", "role", "password"]
    with pytest.raises(ValidationFailed, match="is taken"):
        Accounts(database, admin).create_user("N.NURSE", "Another Nurse", "nurse", NURSE_PASSWORD)
