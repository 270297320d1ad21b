"""Opening the clinic's database for the desktop app, which gets services from it and nothing else.

The app (pmsdesk.ui) never holds the database itself: :class:`ClinicDatabase` opens it (upgrading its
schema, see :mod:`pmsdesk.store.database`) and hands out the account service for signing in and the
clinic service for whoever signed in.
"""

from __future__ import annotations

from collections.abc import Callable

from pmsdesk.domain.permissions import SYSTEM_ACTOR, Actor
from pmsdesk.services.accounts import Accounts
from pmsdesk.services.clinic import Clinic
from pmsdesk.store.database import Database, DatabaseError, default_database_path

__all__ = ["ClinicDatabase", "DatabaseError", "demo_database_location"]


def demo_database_location() -> str:
    """The demo clinic's own SQLite file, beside the default database."""
    return str(default_database_path().with_name("demo.sqlite3"))


class ClinicDatabase:
    """An open clinic database; :meth:`open` raises :class:`DatabaseError` saying why it cannot be opened."""

    def __init__(self, database: Database):
        self._database = database

    @classmethod
    def open(cls, location: str | None, *, ask_password: Callable[[str], str | None] | None = None) -> ClinicDatabase:
        return cls(Database.open(location, ask_password=ask_password))

    @property
    def location(self) -> str:
        return self._database.location

    def accounts(self) -> Accounts:
        return Accounts(self._database)

    def clinic(self, actor: Actor = SYSTEM_ACTOR, **options) -> Clinic:
        return Clinic(self._database, actor=actor, **options)

    def prepare_demo(self, fill: Callable[[Clinic], object]) -> str:
        """Fill an empty demo database with ``fill(clinic)`` and give it its sign-in accounts; returns the
        sign-in hint for a demo clinic ("" for a database that is not one)."""
        from pmsdesk.services.demo import DEMO_SETTING, DEMO_SIGN_IN_HINT, create_demo_accounts

        clinic = self.clinic()
        create_demo_accounts(self._database)  # first: the demo neurologist signs the older demo visits
        if clinic.patient_count() == 0:
            fill(clinic)
        return DEMO_SIGN_IN_HINT if clinic.setting(DEMO_SETTING) == "true" else ""

    def close(self) -> None:
        self._database.close()
