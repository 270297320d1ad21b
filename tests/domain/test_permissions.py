"""Roles and what they may do, as the issue states them, and refusals that say why."""

from __future__ import annotations

import pytest

from pmsdesk.domain.permissions import (
    ROLE_PERMISSIONS,
    SYSTEM_ACTOR,
    Action,
    Actor,
    PermissionDenied,
    Role,
)

NURSE = Actor("n.nurse", Role.NURSE, 1, "Nina Nurse")
NEUROLOGIST = Actor("d.neuro", Role.NEUROLOGIST, 2, "Dr Dana Neuro")
ADMIN = Actor("a.admin", Role.ADMINISTRATOR, 3, "Ada Admin")

# role -> actions allowed, written out in full so a change to the table is a deliberate change here too
EXPECTED = {
    NURSE: {Action.RECORD, Action.DELETE_RECORD, Action.REPORT},
    NEUROLOGIST: {Action.RECORD, Action.EDIT_EDSS, Action.SIGN_VISIT, Action.AMEND_SIGNED_VISIT,
                  Action.DELETE_RECORD, Action.EXPORT, Action.REPORT},
    ADMIN: {Action.MANAGE_USERS, Action.MANAGE_SETTINGS, Action.EXPORT, Action.READ_AUDIT_TRAIL,
            Action.BACKUP_RESTORE, Action.MANAGE_REGISTER},
}


@pytest.mark.parametrize("actor", list(EXPECTED), ids=lambda a: a.role.value)
@pytest.mark.parametrize("action", list(Action), ids=lambda a: a.name)
def test_each_role_may_do_exactly_its_actions(actor, action):
    assert actor.may(action) is (action in EXPECTED[actor])


def test_every_role_has_its_permissions_declared():
    assert set(ROLE_PERMISSIONS) == set(Role)


@pytest.mark.parametrize("action", list(Action), ids=lambda a: a.name)
def test_every_refusal_names_the_person_and_says_why(action):
    refusing = next(actor for actor, allowed in EXPECTED.items() if action not in allowed)
    with pytest.raises(PermissionDenied) as refused:
        refusing.require(action)
    message = str(refused.value)
    assert refusing.full_name in message and refusing.role.label in message
    assert message.endswith(action.value) and action.value.endswith(".") and len(action.value) > 40


def test_a_system_actor_may_do_everything_but_sign_or_amend():
    demo = Actor.system("demo clinic")
    assert demo.name == "system:demo clinic" and demo.is_system and SYSTEM_ACTOR.is_system
    assert [a for a in Action if not demo.may(a)] == [Action.SIGN_VISIT, Action.AMEND_SIGNED_VISIT]
    with pytest.raises(PermissionDenied, match="A system process may not do this. Signing a visit"):
        demo.require(Action.SIGN_VISIT)
