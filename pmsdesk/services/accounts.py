"""User accounts: the first administrator, signing in, confirming a password to unlock, and the
administrator's work (create users, reset passwords, deactivate).

Passwords are kept only as argon2id hashes (argon2-cffi's PasswordHasher: salted, slow and
memory-hard); a hash made with weaker parameters than today's is replaced at the next sign-in.
Every sign-in, refused sign-in and refused unlock is written to the audit trail.

Wrong passwords slow down, then lock the account (the rule is :func:`retry_wait` and
:func:`lock_length`). NIST SP 800-63B (Grassi et al., Digital Identity Guidelines: Authentication and
Lifecycle Management, NIST, 2017, section 5.2.2, https://doi.org/10.6028/NIST.SP.800-63b) requires
limiting consecutive failed attempts on one account to no more than 100; the OWASP Authentication
Cheat Sheet (https://cheatsheetseries.owasp.org/cheatsheets/Authentication_Cheat_Sheet.html,
"Account Lockout") recommends a lockout threshold, an observation window and a lockout duration, with
an administrator able to unlock. pmsdesk counts wrong passwords in a row per account (sign-in, screen
unlock and the password re-entered to sign all count; a right one resets the count):

- the first 3 wrong passwords in a row cost nothing (a typo, Caps Lock); after the 4th the account
  may not try again for 1 s, doubling per wrong password up to 8 s (an attempt sooner is refused
  without checking the password);
- the 10th wrong password in a row locks the account for 15 minutes, each further one (after the
  lock ends) for twice as long as the one before, up to 24 hours;
- the 100th locks it until an administrator unlocks it (NIST's limit).

While locked, the right password does not sign in either. A name nobody has is refused the same way
but not counted (there is no account to lock).
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from sqlalchemy import func, select

from pmsdesk.domain.audit import AuditKind
from pmsdesk.domain.moments import as_utc, local_clock
from pmsdesk.domain.permissions import Action, Actor, Role
from pmsdesk.domain.refusals import Refusal
from pmsdesk.domain.validation import Problem, ValidationFailed
from pmsdesk.services.clinic import NotFound
from pmsdesk.store import audit
from pmsdesk.store.database import Database
from pmsdesk.store.tables import UserAccount, utcnow

log = logging.getLogger(__name__)

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200
USERNAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{0,59}")
UNKNOWN_USER = "(unknown user name)"
ACCOUNTS_ACTOR = Actor.system("accounts")  # signing in happens before anyone is signed in  # what a refused sign-in with a name nobody has is recorded as

@functools.cache
def _hasher():
    """argon2id with the library's current recommended parameters; argon2 is loaded when a password
    is first hashed or checked, not when this module is imported."""
    from argon2 import PasswordHasher

    return PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Verified when the user name does not exist, so a refusal takes as long either way. Made on
    first use, not at import: a start-up or command that signs in a known user never makes it."""
    return _hasher().hash("not a password of anyone")


LOCK_AFTER = 10  # wrong passwords in a row that lock the account
FIRST_LOCK = dt.timedelta(minutes=15)
LONGEST_LOCK = dt.timedelta(hours=24)
LOCKED_UNTIL_UNLOCKED_AFTER = 100  # NIST SP 800-63B 5.2.2: no more than 100 consecutive failed attempts
FREE_FAILURES = 3  # wrong passwords in a row with no wait after them
FIRST_WAIT = dt.timedelta(seconds=1)
LONGEST_WAIT = dt.timedelta(seconds=8)


def retry_wait(failures: int) -> dt.timedelta:
    """How long after its ``failures``-th wrong password in a row an account may try again."""
    if failures <= FREE_FAILURES:
        return dt.timedelta(0)
    return min(FIRST_WAIT * 2 ** min(failures - FREE_FAILURES - 1, 16), LONGEST_WAIT)


def lock_length(failures: int) -> dt.timedelta | None:
    """How long the ``failures``-th wrong password in a row locks the account (None: not locked)."""
    if failures < LOCK_AFTER:
        return None
    return min(FIRST_LOCK * 2 ** min(failures - LOCK_AFTER, 16), LONGEST_LOCK)


class SignInRefused(Refusal):
    """Sign-in, unlock or a signature's password refused; ``str()`` is the message for the person.
    ``locked_until`` is set (UTC) when the account is locked for a while, ``locked`` whenever it is."""

    def __init__(self, message: str, *, locked: bool = False, locked_until: dt.datetime | None = None):
        super().__init__(message)
        self.locked = locked
        self.locked_until = locked_until


class _Check(Enum):
    RIGHT = "right"
    WRONG = "wrong"
    TOO_SOON = "too soon"
    LOCKED = "locked"


def _lock_refusal(account: UserAccount) -> SignInRefused:
    if account.failed_sign_ins >= LOCKED_UNTIL_UNLOCKED_AFTER:
        return SignInRefused(f"This account is locked after {account.failed_sign_ins} wrong passwords in a row, "
                             "until an administrator unlocks it (Users\u2026).", locked=True)
    until = as_utc(account.locked_until)
    return SignInRefused(f"This account is locked after {account.failed_sign_ins} wrong passwords in a row, "
                         f"until {local_clock(until)} (local time); an administrator can unlock it sooner "
                         "(Users\u2026).", locked=True, locked_until=until)


def _wait_refusal(account: UserAccount, now: dt.datetime) -> SignInRefused:
    left = as_utc(account.last_failed_sign_in_at) + retry_wait(account.failed_sign_ins) - now
    return SignInRefused(f"Wait {max(1, round(left.total_seconds()))} s before trying again: each wrong "
                         "password in a row makes the next try wait longer.")


@dataclass(frozen=True)
class UserSummary:
    id: int
    username: str
    full_name: str
    role: Role
    active: bool
    failed_sign_ins: int = 0
    locked_until: dt.datetime | None = None  # UTC; None when not locked for a while
    locked: bool = False  # locked now (for a while, or until an administrator unlocks)


def _summary(account: UserAccount, now: dt.datetime) -> UserSummary:
    locked_until = as_utc(account.locked_until) if account.locked_until is not None else None
    locked = account.failed_sign_ins >= LOCKED_UNTIL_UNLOCKED_AFTER or (locked_until is not None and now < locked_until)
    return UserSummary(account.id, account.username, account.full_name, Role(account.role), account.active,
                       account.failed_sign_ins, locked_until if locked else None, locked)


def _actor(account: UserAccount) -> Actor:
    return Actor(account.username, Role(account.role), account.id, account.full_name)


def _password_problem(password: Any) -> Problem | None:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        return Problem("password", f"Password: use at least {MIN_PASSWORD_LENGTH} characters "
                                   "(a few words in a row are easy to remember and hard to guess).")
    if len(password) > MAX_PASSWORD_LENGTH:
        return Problem("password", f"Password: use at most {MAX_PASSWORD_LENGTH} characters.")
    return None


def _checked_password(password: Any) -> str:
    problem = _password_problem(password)
    if problem is not None:
        raise ValidationFailed([problem])
    return password


def _checked_account(username: Any, full_name: Any, role: Any, password: Any) -> tuple[str, str, Role, str]:
    problems = []
    name = username.strip().lower() if isinstance(username, str) else ""
    if not USERNAME_PATTERN.fullmatch(name):
        problems.append(Problem("username", "User name: use 1 to 60 lower-case letters, digits, dots, dashes "
                                            "or underscores, starting with a letter or digit (e.g. a.nurse)."))
    full = full_name.strip() if isinstance(full_name, str) else ""
    if not 1 <= len(full) <= 120:
        problems.append(Problem("full_name", "Full name: required, at most 120 characters; it is shown on "
                                             "signed visits and in the audit trail."))
    try:
        chosen_role = Role(role)
    except ValueError:
        problems.append(Problem("role", "Role: choose one of: " + ", ".join(r.label for r in Role) + "."))
        chosen_role = None
    if (problem := _password_problem(password)) is not None:
        problems.append(problem)
    if problems:
        raise ValidationFailed(problems)
    return name, full, chosen_role, password


class Accounts:
    """User accounts of one database; administrative methods check that ``actor`` may manage users."""

    def __init__(self, db: Database, actor: Actor = ACCOUNTS_ACTOR, *, clock: Callable[[], dt.datetime] = utcnow):
        self.actor = actor
        self.db = db.acting_as(actor)
        self.clock = clock  # UTC now; a test passes its own to run through locks without waiting

    # ----- first run and signing in -----------------------------------------------------------
    def needs_first_administrator(self) -> bool:
        with self.db.reading() as session:
            return session.scalar(select(func.count(UserAccount.id))) == 0

    def create_first_administrator(self, username: Any, full_name: Any, password: Any) -> Actor:
        """The first account of a new clinic, an administrator, signed in at once. Refused once any
        account exists (a second administrator is created by the first)."""
        name, full, _, password = _checked_account(username, full_name, Role.ADMINISTRATOR, password)
        with self.db.acting_as(Actor.system("first run")).transaction() as session:
            if session.scalar(select(func.count(UserAccount.id))):
                raise ValidationFailed([Problem("username", "This clinic already has user accounts: an "
                                                            "administrator creates further ones.")])
            account = UserAccount(username=name, full_name=full, role=Role.ADMINISTRATOR.value,
                                  password_hash=_hasher().hash(password))
            session.add(account)
            session.flush()
            audit.record_event(session, AuditKind.SIGN_IN, actor=_actor(account))
            return _actor(account)

    def sign_in(self, username: Any, password: Any, *, recorded: bool = True) -> Actor:
        """The account's actor when the password is right and the account active and not locked.
        ``recorded=False`` (``pmsdesk audit verify`` only) leaves a successful sign-in out of the audit
        trail, so that checking the trail writes nothing to it and works where its key is not; a
        refused one is recorded as always."""
        name = username.strip().lower() if isinstance(username, str) else ""
        if not name.isprintable():  # no account is named with a control character (a server refuses NUL outright)
            name = ""
        with self.db.transaction() as session:
            account = session.scalar(select(UserAccount).where(UserAccount.username == name)) if name else None
            check = self._check_password(account, password)
            if check is _Check.RIGHT and account.active:
                if recorded and _hasher().check_needs_rehash(account.password_hash):
                    account.password_hash = _hasher().hash(password)
                if recorded:
                    audit.record_event(session, AuditKind.SIGN_IN, actor=_actor(account))
                log.info("user %d signed in", account.id)
                return _actor(account)
            refusal = self._refusal(account, check)
        log.info("sign-in refused")
        if check is _Check.RIGHT:
            self._record_refusal(AuditKind.SIGN_IN_FAILED, _actor(account), "account deactivated")
            raise SignInRefused("This account is deactivated; ask an administrator to activate it.")
        self._record_refusal(AuditKind.SIGN_IN_FAILED, _actor(account) if account else Actor(UNKNOWN_USER, None),
                             None if check is _Check.WRONG else f"sign-in {check.value}")
        raise refusal or SignInRefused("The user name or the password is not right. Check Caps Lock and try again.")

    def confirm_password(self, actor: Actor, password: Any, *, purpose: str = "unlock") -> None:
        """The signed-in user's own password, re-entered to unlock the screen (``purpose`` "unlock") or
        to sign (``"sign"``); a wrong one counts towards the lockout. SignInRefused if not theirs."""
        with self.db.transaction() as session:
            account = session.get(UserAccount, actor.user_id) if actor.user_id is not None else None
            check = self._check_password(account, password)
            if check is _Check.RIGHT and account.active:
                return
            refusal = self._refusal(account, check)
        if purpose == "sign":
            self._record_refusal(AuditKind.SIGN_IN_FAILED, actor, "password re-entered to sign was refused")
            raise refusal or SignInRefused("That is not your password: nothing was signed. Signing needs the "
                                           "password of the person signed in.")
        self._record_refusal(AuditKind.UNLOCK_FAILED, actor)
        raise refusal or SignInRefused("That is not the password of the person signed in: only they can unlock. "
                                       "Someone else: choose \u201cSign in as someone else\u201d.")

    def confirm_other_person(self, username: Any, password: Any) -> Actor:
        """A second person at the same screen (the check of an intrathecal dose) confirms who they are with
        their own password, without signing in; a wrong one counts towards their account's lockout and
        is recorded. Returns their actor; SignInRefused otherwise."""
        name = username.strip().lower() if isinstance(username, str) else ""
        with self.db.transaction() as session:
            account = session.scalar(select(UserAccount).where(UserAccount.username == name)) if name else None
            check = self._check_password(account, password)
            if check is _Check.RIGHT and account.active:
                return _actor(account)
            refusal = self._refusal(account, check)
        self._record_refusal(AuditKind.SIGN_IN_FAILED, _actor(account) if account else Actor(UNKNOWN_USER, None),
                             "password of the second-person check was refused")
        if check is _Check.RIGHT:
            raise SignInRefused("The checker's account is deactivated; another registered checker signs the check.")
        raise refusal or SignInRefused("The checker's user name or password is not right: nothing was saved. The "
                                       "second person types their own user name and password.")

    def named(self, username: str) -> Actor:
        """The active account called ``username`` (a check a system process records as made elsewhere)."""
        with self.db.reading() as session:
            account = session.scalar(select(UserAccount).where(UserAccount.username == username.strip().lower()))
        if account is None or not account.active:
            raise ValidationFailed([Problem("second_check.checked_by", f"Checker: \u201c{username}\u201d is not an "
                                                                       "active user's name.")])
        return _actor(account)

    def _check_password(self, account: UserAccount | None, password: Any) -> _Check:
        """Check ``password`` against ``account`` within the lockout rule, counting a wrong one (in the
        caller's transaction, so the count is written whatever follows)."""
        now = self.clock()
        if account is not None:
            if account.failed_sign_ins >= LOCKED_UNTIL_UNLOCKED_AFTER or (
                    account.locked_until is not None and now < as_utc(account.locked_until)):
                return _Check.LOCKED
            if account.last_failed_sign_in_at is not None and (
                    now < as_utc(account.last_failed_sign_in_at) + retry_wait(account.failed_sign_ins)):
                return _Check.TOO_SOON
        if self._password_matches(account, password):
            if account.failed_sign_ins or account.locked_until is not None:
                self._clear_failures(account)
            return _Check.RIGHT
        if account is not None:
            account.failed_sign_ins += 1
            account.last_failed_sign_in_at = now
            length = lock_length(account.failed_sign_ins)
            account.locked_until = now + length if length is not None else None
        return _Check.WRONG

    def _refusal(self, account: UserAccount | None, check: _Check) -> SignInRefused | None:
        """The refusal that says the account is locked or must wait; None for a plain wrong password
        (each caller words that one)."""
        if account is None or check is _Check.RIGHT:
            return None
        if check is _Check.TOO_SOON:
            return _wait_refusal(account, self.clock())
        if check is _Check.LOCKED or account.locked_until is not None or (
                account.failed_sign_ins >= LOCKED_UNTIL_UNLOCKED_AFTER):
            return _lock_refusal(account)
        return None

    @staticmethod
    def _clear_failures(account: UserAccount) -> None:
        account.failed_sign_ins, account.last_failed_sign_in_at, account.locked_until = 0, None, None

    def _record_refusal(self, kind: AuditKind, actor: Actor, reason: str | None = None) -> None:
        with self.db.transaction() as session:
            audit.record_event(session, kind, actor=actor, reason=reason)

    @staticmethod
    def _password_matches(account: UserAccount | None, password: Any) -> bool:
        if not isinstance(password, str) or len(password) > MAX_PASSWORD_LENGTH:
            return False
        from argon2.exceptions import InvalidHashError, VerificationError

        try:
            _hasher().verify(account.password_hash if account is not None else _dummy_hash(), password)
        except (VerificationError, InvalidHashError):
            return False
        return account is not None

    # ----- administration ---------------------------------------------------------------------
    def users(self) -> list[UserSummary]:
        self.actor.require(Action.MANAGE_USERS)
        with self.db.reading() as session:
            now = self.clock()
            return [_summary(a, now) for a in session.scalars(select(UserAccount).order_by(UserAccount.username))]

    def create_user(self, username: Any, full_name: Any, role: Any, password: Any) -> UserSummary:
        self.actor.require(Action.MANAGE_USERS)
        name, full, chosen_role, password = _checked_account(username, full_name, role, password)
        with self.db.transaction() as session:
            if session.scalar(select(UserAccount).where(UserAccount.username == name)) is not None:
                raise ValidationFailed([Problem("username", f"User name: \u201c{name}\u201d is taken; choose another.")])
            account = UserAccount(username=name, full_name=full, role=chosen_role.value,
                                  password_hash=_hasher().hash(password))
            session.add(account)
            session.flush()
            return _summary(account, self.clock())

    @staticmethod
    def _account(session, user_id: Any) -> UserAccount:
        account = session.get(UserAccount, user_id) if isinstance(user_id, int) else None
        if account is None:
            raise NotFound(f"user account {user_id} does not exist")
        return account

    def reset_password(self, user_id: int, new_password: Any) -> None:
        """Give a user a new password (tell them in person; they keep it or ask again)."""
        self.actor.require(Action.MANAGE_USERS)
        password = _checked_password(new_password)
        with self.db.transaction() as session:
            self._account(session, user_id).password_hash = _hasher().hash(password)

    def set_active(self, user_id: int, active: bool) -> None:
        """Deactivate (or reactivate) an account; accounts are never deleted, the audit trail names them."""
        self.actor.require(Action.MANAGE_USERS)
        if user_id == self.actor.user_id and not active:
            raise ValidationFailed([Problem("active", "You cannot deactivate your own account while signed in "
                                                      "with it; another administrator can.")])
        with self.db.transaction() as session:
            self._account(session, user_id).active = bool(active)

    def unlock(self, user_id: int) -> None:
        """Lift a lockout now and clear the count of wrong passwords (the change is in the audit trail,
        with the administrator's name)."""
        self.actor.require(Action.MANAGE_USERS)
        with self.db.transaction() as session:
            account = self._account(session, user_id)
            session.info[audit.REASON] = "unlocked by an administrator"
            self._clear_failures(account)
