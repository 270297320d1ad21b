"""Signed-in people for tests (``from people import TEST_PASSWORD, signed_in``): a real account of
the role, created when missing, and signed in through the accounts service as pmsdesk does."""

from pmsdesk.domain.permissions import Actor, Role
from pmsdesk.services.accounts import Accounts

TEST_PASSWORD = "a test account's own password"


def ensure_account(database, username: str, role: Role, full_name: str = "") -> None:
    """Give the database an account ``username`` with :data:`TEST_PASSWORD` unless it has one."""
    accounts = Accounts(database, Actor.system("tests"))
    if username not in {user.username for user in accounts.users()}:
        accounts.create_user(username, full_name or username, Role(role), TEST_PASSWORD)


def ensure_command_accounts(database) -> None:
    """The accounts :func:`signed` signs in with, made before a test changes the file behind pmsdesk's back."""
    for username, role in set(COMMAND_USERS.values()):
        ensure_account(database, username, role)


def signed_in(database, username: str, role: Role, full_name: str = "") -> Actor:
    """``username`` signed in (its account created with :data:`TEST_PASSWORD` if the database lacks it)."""
    ensure_account(database, username, role, full_name)
    return Accounts(database).sign_in(username, TEST_PASSWORD)


# Who runs each signed-in command in tests: a role that may (pmsdesk.commands.SIGNED_IN_COMMANDS).
COMMAND_USERS = {"report": ("test-neurologist", Role.NEUROLOGIST), "progression": ("test-neurologist", Role.NEUROLOGIST),
                 "import": ("test-neurologist", Role.NEUROLOGIST), "export": ("test-neurologist", Role.NEUROLOGIST),
                 "backup": ("test-admin", Role.ADMINISTRATOR), "restore": ("test-admin", Role.ADMINISTRATOR),
                 "audit": ("test-admin", Role.ADMINISTRATOR)}


def signed(argv: list[str], user: tuple[str, Role] | None = None) -> list[str]:
    """``argv`` of a ``pmsdesk`` command with ``--user`` added for a test account that may run it (or
    ``user``: name and role), created in the ``--database`` file (else $PMSDESK_DATABASE_URL's) when
    that exists and lacks it (for ``restore`` of a lost database: in the backup), its password in
    $PMSDESK_PASSWORD, as a script would sign in. Nothing else is written to the file."""
    import os
    from pathlib import Path

    from pmsdesk.commands import PASSWORD_VARIABLE
    from pmsdesk.store.database import Database, DatabaseError

    name, role = user or COMMAND_USERS[argv[0]]
    given = argv[argv.index("--database") + 1] if "--database" in argv else os.environ.get("PMSDESK_DATABASE_URL")
    location = Path(given.removeprefix("sqlite:///")) if given else None
    if argv[0] == "restore" and location is not None and not location.exists():
        location = Path(argv[1])
    if location is not None and location.exists():
        try:
            database = Database.open(str(location), create=False)
        except DatabaseError:  # not a clinic: the command refuses it before anyone signs in
            pass
        else:
            try:
                ensure_account(database, name, role)
            finally:
                database.close()
    os.environ[PASSWORD_VARIABLE] = TEST_PASSWORD
    return [*argv, "--user", name]


# ----- the intrathecal register and the second-person check (issue 15, services.register) ----------
BENCH_NURSE, BENCH_CHECKER = "bench-nurse", "bench-checker"
PUNCTURE = {"puncture_time": "10:05", "lp_position": "lateral_decubitus", "lp_level": "L3-L4",
            "lp_needle_type": "atraumatic", "lp_needle_gauge": "22G", "lp_attempts": "1", "lp_result": "successful"}


def ensure_registered(database, username: str, role: Role, task: str, full_name: str = "") -> None:
    """``username`` (made when missing) on the register for ``task`` from 2000 to 2099 (visits of any year)."""
    from pmsdesk.services.register import Register

    ensure_account(database, username, role, full_name)
    register = Register(database, Actor.system("tests"))
    if any(line.entry.username == username and line.entry.task == task for line in register.lines()):
        return
    user_id = next(uid for uid, name, _full in register.people() if name == username)
    register.add(user_id, task, "2000-01-01", "2099-12-31")


def checked_dose(database, visit: dict, *, agent: str = "it_methotrexate", performer: str = BENCH_NURSE,
                 checker: str = BENCH_CHECKER) -> dict:
    """``visit`` (raw values of a treatment with a dose) as the bench saves it: the puncture's record, who
    gives the dose and the second-person check of ``checker`` with their own password (both registered
    here; a visit's own values win). Another visit is given back as it is."""
    if visit.get("kind") != "treatment" or visit.get("dose_given") in (None, ""):
        return visit
    ensure_registered(database, performer, Role.NURSE, "administer", "Bench Nurse")
    ensure_registered(database, checker, Role.NEUROLOGIST, "check", "Bench Checker")
    merged = {**PUNCTURE, "performed_by": performer, **visit}
    confirmed = {"agent": agent, "dose": float(str(merged["dose_given"])), "unit": merged.get("dose_unit") or "",
                 "lot": merged.get("dose_batch") or None, "route": "intrathecal", "identity": True,
                 "confirmed_all": True}
    return {**merged, "second_check": {"checked_by": checker, "password": TEST_PASSWORD, **confirmed}}
