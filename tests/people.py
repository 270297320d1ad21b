"""Signed-in people for tests (``from people import TEST_PASSWORD, signed_in``): a real account of
the role, created when missing, and signed in through the accounts service as pmsdesk does."""

from pmsdesk.domain.permissions import Actor, Role
from pmsdesk.services.accounts import Accounts

TEST_PASSWORD = "a test account's own password"


def signed_in(database, username: str, role: Role, full_name: str = "") -> Actor:
    """``username`` signed in (its account created with :data:`TEST_PASSWORD` if the database lacks it)."""
    accounts = Accounts(database, Actor.system("tests"))
    if username not in {user.username for user in accounts.users()}:
        accounts.create_user(username, full_name or username, Role(role), TEST_PASSWORD)
    return Accounts(database).sign_in(username, TEST_PASSWORD)
