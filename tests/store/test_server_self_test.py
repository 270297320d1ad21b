"""``pmsdesk --self-test`` against a clinic server: the database checks run in a database of their own,
made and dropped by the login, and the clinic's database is left exactly as it was."""

from __future__ import annotations

import os
import subprocess
import sys

from sqlalchemy import create_engine, text

from postgres_server import WORKSTATION
from pmsdesk.services.clinic import Clinic
from pmsdesk.store.database import DATABASE_URL_VARIABLE, Database
from pmsdesk.store.server import SELF_TEST_DATABASE_PREFIX
from sample_data import PATIENT, TODAY


def self_test(*arguments: str, cwd, **environment: str) -> subprocess.CompletedProcess:
    """The command in a fresh process, offscreen, with ``environment`` added (and no inherited database)."""
    inherited = {name: value for name, value in os.environ.items() if name != DATABASE_URL_VARIABLE}
    return subprocess.run([sys.executable, "-m", "pmsdesk", "--self-test", *arguments], cwd=cwd, capture_output=True,
                          text=True, timeout=180, check=False,
                          env={**inherited, "QT_QPA_PLATFORM": "offscreen", **environment})


def server_state(postgres, clinic_database: str) -> tuple[list[str], tuple]:
    """The self-test's databases on the server, and what the clinic's database holds (rows, audit head)."""
    engine = create_engine(postgres.url(clinic_database))
    try:
        with engine.connect() as connection:
            left = list(connection.execute(text("SELECT datname FROM pg_database WHERE datname LIKE :prefix"),
                                           {"prefix": SELF_TEST_DATABASE_PREFIX + "%"}).scalars())
            held = connection.execute(text(
                "SELECT (SELECT count(*) FROM patient), (SELECT count(*) FROM visit), (SELECT count(*) FROM audit_event),"
                " (SELECT last_hash FROM audit_head)")).one()
    finally:
        engine.dispose()
    return left, tuple(held)


def a_clinic_on_the_server(postgres) -> str:
    name = postgres.fresh_database()
    database = Database.open(postgres.url(name), create=False)
    Clinic(database, today=lambda: TODAY).create_patient(PATIENT)
    database.close()
    return name


def test_the_self_test_on_a_server_works_in_its_own_database_and_drops_it(postgres, tmp_path):
    clinic_database = a_clinic_on_the_server(postgres)
    before = server_state(postgres, clinic_database)

    result = self_test("--database", postgres.url(clinic_database), cwd=tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines[:-1]] == ["ok"] * 8, lines
    assert f"migrations applied to the temporary database {SELF_TEST_DATABASE_PREFIX}" in lines[1]
    assert "on 127.0.0.1, schema" in lines[1]
    assert "chained and sealed with the clinic's key" in lines[3]
    assert lines[-1].startswith("pmsdesk self-test passed: 8 checks")
    assert server_state(postgres, clinic_database) == ([], before[1])  # dropped; the clinic untouched
    assert list(tmp_path.iterdir()) == []


def test_a_login_that_may_not_create_databases_is_told_what_it_needs_and_nothing_is_made(postgres, tmp_path):
    clinic_database = a_clinic_on_the_server(postgres)
    before = server_state(postgres, clinic_database)

    # A workstation's login, from the environment variable a workstation is set up with.
    result = self_test(cwd=tmp_path, **{DATABASE_URL_VARIABLE: postgres.url(clinic_database, role=WORKSTATION)})

    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("ok   resources")
    assert lines[1].startswith(f"FAIL migrations     the login {WORKSTATION} may not create databases")
    assert "never in the clinic's: run it with a login that has CREATEDB" in lines[1]
    assert lines[2] == "not run: visits, audit trail, scores, report, window system, trajectory"
    assert lines[3] == "pmsdesk self-test FAILED"
    assert server_state(postgres, clinic_database) == before
