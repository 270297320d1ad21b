"""Who may do what: the roles, the actions they decide, and the sentence that explains a refusal.

Declared once here; the services enforce it (every write checks its action before touching the
database) and the screens only grey out what the services would refuse anyway. Pure Python: no Qt,
no database.

Nurses record patients, visits and timed tests; neurologists do the same and also examine (EDSS),
sign visits and amend signed ones; administrators manage user accounts and clinic settings and read
the clinic-wide audit trail. A *system actor* (the command line, the demo clinic, tests) is named in
the audit trail and may do everything except what only a person can: sign a visit or amend a signed one.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from pmsdesk.domain.refusals import Refusal
from pmsdesk.domain.vocab import Choice


class Role(Choice):
    NURSE = "nurse", "MS nurse"
    NEUROLOGIST = "neurologist", "Neurologist"
    ADMINISTRATOR = "administrator", "Administrator"


class Action(Enum):
    """Something a role may or may not do; the value is the refusal's reason."""

    RECORD = "Recording and changing patients, visits and timed tests is done by nurses and neurologists."
    EDIT_EDSS = ("The EDSS and its functional systems are a neurological examination: only a neurologist "
                 "may enter or change them.")
    SIGN_VISIT = "Signing a visit confirms it clinically: only a neurologist may sign."
    AMEND_SIGNED_VISIT = ("A signed visit was confirmed by a neurologist: only a neurologist may amend it, "
                          "and each amendment needs a reason.")
    DELETE_RECORD = "Deleting clinical records is done by nurses and neurologists, with a reason."
    EXPORT = "Data leaving pmsdesk (exports, reports) is handled by neurologists and administrators."
    REPORT = "Printing clinical reports is done by nurses and neurologists."
    MANAGE_USERS = "Only an administrator may create user accounts and reset passwords."
    MANAGE_SETTINGS = "Only an administrator may change the clinic's settings."
    BACKUP_RESTORE = "Backing up and restoring the whole clinic database is done by an administrator."
    MANAGE_REGISTER = ("The intrathecal register (who may prescribe, check and administer) is kept by an "
                       "administrator.")
    READ_AUDIT_TRAIL = ("The clinic-wide audit trail (sign-ins, exports, user changes, every record change) is "
                        "read by administrators.")


ROLE_PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.NURSE: frozenset({Action.RECORD, Action.DELETE_RECORD, Action.REPORT}),
    Role.NEUROLOGIST: frozenset({Action.RECORD, Action.EDIT_EDSS, Action.SIGN_VISIT, Action.AMEND_SIGNED_VISIT,
                                 Action.DELETE_RECORD, Action.EXPORT, Action.REPORT}),
    Role.ADMINISTRATOR: frozenset({Action.MANAGE_USERS, Action.MANAGE_SETTINGS, Action.EXPORT,
                                   Action.READ_AUDIT_TRAIL, Action.BACKUP_RESTORE,
                                   Action.MANAGE_REGISTER}),
}

# A signature or an amendment vouches for clinical content: a person must stand behind it.
PERSONAL_ACTIONS = frozenset({Action.SIGN_VISIT, Action.AMEND_SIGNED_VISIT})


class PermissionDenied(Refusal, PermissionError):
    """An action refused for the acting user; ``str()`` says who, what and why."""

    def __init__(self, actor: Actor, action: Action):
        self.actor = actor
        self.action = action
        who = "A system process" if actor.role is None else f"{actor.display_name} ({actor.role.label})"
        super().__init__(f"Not allowed: {who} may not do this. {action.value}")


@dataclass(frozen=True)
class Actor:
    """Who is acting: a signed-in user (``role`` set, ``user_id`` set) or a named system actor."""

    name: str  # the user name, or "system:<purpose>"
    role: Role | None
    user_id: int | None = None
    full_name: str = ""

    @classmethod
    def system(cls, purpose: str) -> Actor:
        return cls(f"system:{purpose}", None)

    @property
    def is_system(self) -> bool:
        return self.role is None

    @property
    def display_name(self) -> str:
        return self.full_name or self.name

    def may(self, action: Action) -> bool:
        if self.role is None:
            return action not in PERSONAL_ACTIONS
        return action in ROLE_PERMISSIONS[self.role]

    def require(self, action: Action) -> None:
        if not self.may(action):
            raise PermissionDenied(self, action)


SYSTEM_ACTOR = Actor.system("pmsdesk")
