"""User accounts: the first administrator, signing in, confirming a password to unlock, and the
administrator's work (create users, reset passwords, deactivate).

Passwords are kept only as argon2id hashes (argon2-cffi's PasswordHasher: salted, slow and
memory-hard); a hash made with weaker parameters than today's is replaced at the next sign-in.
Every sign-in, refused sign-in and refused unlock is written to the audit trail.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select

from pmsdesk.domain.audit import AuditKind
from pmsdesk.domain.permissions import Action, Actor, Role
from pmsdesk.domain.refusals import Refusal
from pmsdesk.domain.validation import Problem, ValidationFailed
from pmsdesk.services.clinic import NotFound
from pmsdesk.store import audit
from pmsdesk.store.database import Database
from pmsdesk.store.tables import UserAccount

log = logging.getLogger(__name__)

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200
USERNAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{0,59}")
UNKNOWN_USER = "(unknown user name)"
ACCOUNTS_ACTOR = Actor.system("accounts")  # signing in happens before anyone is signed in  # what a refused sign-in with a name nobody has is recorded as

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Verified when the user name does not exist, so a refusal takes as long either way.
_DUMMY_HASH = _hasher.hash("not a password of anyone")


class SignInRefused(Refusal):
    """Sign-in or unlock refused; ``str()`` is the message for the person."""


@dataclass(frozen=True)
class UserSummary:
    id: int
    username: str
    full_name: str
    role: Role
    active: bool


def _summary(account: UserAccount) -> UserSummary:
    return UserSummary(account.id, account.username, account.full_name, Role(account.role), account.active)


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

    def __init__(self, db: Database, actor: Actor = ACCOUNTS_ACTOR):
        self.actor = actor
        self.db = db.acting_as(actor)

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
                                  password_hash=_hasher.hash(password))
            session.add(account)
            session.flush()
            audit.record_event(session, AuditKind.SIGN_IN, actor=_actor(account))
            return _actor(account)

    def sign_in(self, username: Any, password: Any) -> Actor:
        name = username.strip().lower() if isinstance(username, str) else ""
        with self.db.transaction() as session:
            account = session.scalar(select(UserAccount).where(UserAccount.username == name)) if name else None
            matches = self._password_matches(account, password)
            if matches and account.active:
                if _hasher.check_needs_rehash(account.password_hash):
                    account.password_hash = _hasher.hash(password)
                audit.record_event(session, AuditKind.SIGN_IN, actor=_actor(account))
                log.info("user %d signed in", account.id)
                return _actor(account)
        log.info("sign-in refused")
        if matches:
            self._record_refusal(AuditKind.SIGN_IN_FAILED, _actor(account), "account deactivated")
            raise SignInRefused("This account is deactivated; ask an administrator to activate it.")
        self._record_refusal(AuditKind.SIGN_IN_FAILED, _actor(account) if account else Actor(UNKNOWN_USER, None))
        raise SignInRefused("The user name or the password is not right. Check Caps Lock and try again.")

    def confirm_password(self, actor: Actor, password: Any) -> None:
        """Unlocking the screen: the signed-in user's own password, or SignInRefused."""
        with self.db.reading() as session:
            account = session.get(UserAccount, actor.user_id) if actor.user_id is not None else None
            if account is not None and account.active and self._password_matches(account, password):
                return
        self._record_refusal(AuditKind.UNLOCK_FAILED, actor)
        raise SignInRefused("That is not the password of the person signed in: only they can unlock. "
                            "Someone else: choose \u201cSign in as someone else\u201d.")

    def _record_refusal(self, kind: AuditKind, actor: Actor, reason: str | None = None) -> None:
        with self.db.transaction() as session:
            audit.record_event(session, kind, actor=actor, reason=reason)

    @staticmethod
    def _password_matches(account: UserAccount | None, password: Any) -> bool:
        if not isinstance(password, str) or len(password) > MAX_PASSWORD_LENGTH:
            return False
        try:
            _hasher.verify(account.password_hash if account is not None else _DUMMY_HASH, password)
        except (VerificationError, InvalidHashError):
            return False
        return account is not None

    # ----- administration ---------------------------------------------------------------------
    def users(self) -> list[UserSummary]:
        self.actor.require(Action.MANAGE_USERS)
        with self.db.reading() as session:
            return [_summary(a) for a in session.scalars(select(UserAccount).order_by(UserAccount.username))]

    def create_user(self, username: Any, full_name: Any, role: Any, password: Any) -> UserSummary:
        self.actor.require(Action.MANAGE_USERS)
        name, full, chosen_role, password = _checked_account(username, full_name, role, password)
        with self.db.transaction() as session:
            if session.scalar(select(UserAccount).where(UserAccount.username == name)) is not None:
                raise ValidationFailed([Problem("username", f"User name: \u201c{name}\u201d is taken; choose another.")])
            account = UserAccount(username=name, full_name=full, role=chosen_role.value,
                                  password_hash=_hasher.hash(password))
            session.add(account)
            session.flush()
            return _summary(account)

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
            self._account(session, user_id).password_hash = _hasher.hash(password)

    def set_active(self, user_id: int, active: bool) -> None:
        """Deactivate (or reactivate) an account; accounts are never deleted, the audit trail names them."""
        self.actor.require(Action.MANAGE_USERS)
        if user_id == self.actor.user_id and not active:
            raise ValidationFailed([Problem("active", "You cannot deactivate your own account while signed in "
                                                      "with it; another administrator can.")])
        with self.db.transaction() as session:
            self._account(session, user_id).active = bool(active)
