"""User accounts: argon2id hashes only, the first administrator, sign-in, unlock, administration."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from pmsdesk.domain.audit import AuditKind
from pmsdesk.domain.permissions import Actor, PermissionDenied, Role
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


class Clock:
    """A UTC clock the test moves by hand, so a run through the lockout takes no real time."""

    def __init__(self):
        self.now = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


def refusal_reasons(database) -> Counter:
    """How the refused sign-ins of n.nurse were recorded: None for a password checked and wrong."""
    return Counter(e.reason for e in Clinic(database).audit_entries()
                   if e.kind is AuditKind.SIGN_IN_FAILED and e.actor == "n.nurse")


def test_a_thousand_wrong_passwords_in_a_row_are_slowed_then_locked(database, nurse):
    clock = Clock()
    accounts = Accounts(database, clock=clock)
    said = Counter()
    locked_at = None
    for attempt in range(1000):  # an attacker trying twice a second
        with pytest.raises(SignInRefused) as refused:
            accounts.sign_in("n.nurse", f"guess number {attempt}")
        said[str(refused.value).split(" ")[0]] += 1
        if refused.value.locked and locked_at is None:
            locked_at = clock.now
        clock.advance(0.5)
    # 10 passwords were checked; the waits after the 4th to the 9th turned the tries between them away
    assert refusal_reasons(database) == {None: 10, "sign-in too soon": 56, "sign-in locked": 934}
    assert said == {"The": 9, "Wait": 56, "This": 935}  # not right; wait N s; this account is locked
    assert locked_at == dt.datetime(2026, 3, 2, 9, 0, 32, 500000, tzinfo=dt.UTC)  # the 10th wrong one

    with pytest.raises(SignInRefused, match="locked after 10 wrong passwords in a row, until .* an administrator "
                                            "can unlock it sooner") as refused:
        accounts.sign_in("n.nurse", NURSE_PASSWORD)  # the right password does not open a locked account
    assert refused.value.locked_until == locked_at + dt.timedelta(minutes=15)
    with pytest.raises(SignInRefused, match="locked"):
        accounts.confirm_password(Actor("n.nurse", Role.NURSE, nurse.id), NURSE_PASSWORD)

    clock.now = locked_at + dt.timedelta(minutes=15)
    assert Accounts(database, clock=clock).sign_in("n.nurse", NURSE_PASSWORD).user_id == nurse.id
    assert [u.failed_sign_ins for u in Accounts(database, Accounts(database).sign_in("a.admin", ADMIN_PASSWORD))
            .users()] == [0, 0]


@pytest.fixture
def quick_hashes(monkeypatch):
    """Argon2id with its smallest costs, so that a test checking 100 passwords runs in seconds; the
    accounts made while it is on keep these costs in their hashes (verification reads them there)."""
    from argon2 import PasswordHasher

    quick = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr("pmsdesk.services.accounts._hasher", lambda: quick)


def test_the_100th_wrong_password_locks_until_an_administrator_unlocks(quick_hashes, database, admin, nurse):
    clock = Clock()
    accounts = Accounts(database, clock=clock)
    started = clock.now
    for attempt in range(100):  # an attacker who waits out every wait and every lock
        with pytest.raises(SignInRefused) as refused:
            accounts.sign_in("n.nurse", f"guess number {attempt}")
        clock.now = max(clock.now, refused.value.locked_until or clock.now) + dt.timedelta(seconds=8)
    assert refusal_reasons(database) == {None: 100}
    assert (clock.now - started).days > 80  # 15 min doubling to 24 h from the 10th: 100 guesses take months
    assert "until an administrator unlocks it" in str(refused.value) and refused.value.locked_until is None
    clock.advance(365 * 24 * 3600)
    with pytest.raises(SignInRefused, match="until an administrator unlocks it"):
        accounts.sign_in("n.nurse", NURSE_PASSWORD)

    manager = Accounts(database, admin, clock=clock)
    assert [(u.username, u.locked, u.failed_sign_ins) for u in manager.users()] == [
        ("a.admin", False, 0), ("n.nurse", True, 100)]
    with pytest.raises(PermissionDenied, match="Only an administrator"):
        Accounts(database, Actor("n.nurse", Role.NURSE, nurse.id)).unlock(nurse.id)
    manager.unlock(nurse.id)
    assert accounts.sign_in("n.nurse", NURSE_PASSWORD).user_id == nurse.id
    unlocked = [e for e in Clinic(database).audit_entries() if e.table_name == "user_account"
                and e.reason == "unlocked by an administrator"]
    assert [(e.actor, e.before["failed_sign_ins"], e.after["failed_sign_ins"]) for e in unlocked] == [
        ("a.admin", 100, 0)]
