"""Shared fixtures: a real SQLite file per test, Qt offscreen."""

from __future__ import annotations

import os
import tempfile

# Tests run without a display: Qt renders offscreen (set before any Qt import).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Commands run by the tests log here, not into the user's own log folder.
os.environ.setdefault("PMSDESK_LOG_DIR", tempfile.mkdtemp(prefix="pmsdesk-test-logs-"))
# Windows opened by the tests remember their size here, not in the user's own settings.
os.environ.setdefault("PMSDESK_SETTINGS_DIR", tempfile.mkdtemp(prefix="pmsdesk-test-settings-"))
# Clinics made by the tests keep their audit keys here, not in the user's own configuration folder.
os.environ.setdefault("PMSDESK_AUDIT_KEY_DIR", tempfile.mkdtemp(prefix="pmsdesk-test-audit-keys-"))
# Drafts kept while a test's database server is down go here, not into the user's own data folder.
os.environ.setdefault("PMSDESK_OFFLINE_DIR", tempfile.mkdtemp(prefix="pmsdesk-test-offline-drafts-"))

import pytest

from sample_data import PATIENT, TODAY
from big_clinic import _big_clinic_template, clinic_over_variable_limit  # noqa: F401 - shared fixtures



# The folders whose tests that need only a `database_url`, a `database` or a `clinic` (not the SQLite file
# itself, through `db_path`) run on each backend named in PMSDESK_TEST_BACKENDS: scripts/run-tests names both, SQLite
# and a real PostgreSQL server (tests/postgres_server.py); a bare `pytest` runs SQLite only.
ON_EVERY_BACKEND = ("store", "services", "exchange", "reports")
BACKENDS = [name for name in os.environ.get("PMSDESK_TEST_BACKENDS", "sqlite").split(",") if name]
POSTGRES_REQUIRED = os.environ.get("PMSDESK_REQUIRE_POSTGRES") == "1"  # set by CI: no server is a failure


def pytest_generate_tests(metafunc):
    if "database_url" not in metafunc.fixturenames or "db_path" in metafunc.fixturenames:
        return
    if metafunc.definition.get_closest_marker("sqlite_only"):  # about the SQLite file itself (pragmas, sqlite3)
        return
    folder = metafunc.definition.path.relative_to(metafunc.config.rootpath / "tests").parts[0]
    if folder in ON_EVERY_BACKEND and BACKENDS != ["sqlite"]:
        metafunc.parametrize("backend", BACKENDS, indirect=True)


def pytest_configure(config):
    config.addinivalue_line("markers", "sqlite_only: a clinic-level test about SQLite itself, not run on PostgreSQL")


@pytest.fixture(scope="session")
def postgres():
    """The session's PostgreSQL server, its template database migrated once."""
    from postgres_server import TEMPLATE, start_server

    server = start_server()
    if server is None:
        message = "no PostgreSQL server binaries (install the distribution's postgresql package)"
        if POSTGRES_REQUIRED:
            pytest.fail(message)
        pytest.skip(message)
    try:
        from pmsdesk.store.database import Database

        Database.open(server.url(TEMPLATE)).close()
        yield server
    finally:
        server.stop()


@pytest.fixture
def backend(request):
    return getattr(request, "param", "sqlite")


@pytest.fixture
def database_url(request, backend):
    """Where the test's clinic lives: its SQLite file, or a fresh database on the PostgreSQL server."""
    if backend == "postgresql":
        server = request.getfixturevalue("postgres")
        return server.url(server.fresh_database())
    return str(request.getfixturevalue("db_path"))  # a module may override db_path (a migrated copy)


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "clinic.sqlite3"


@pytest.fixture
def closed_clinic_file(db_path):
    """A SQLite clinic file with one patient, closed (as pmsdesk leaves it)."""
    from pmsdesk.services.clinic import Clinic
    from pmsdesk.store.database import Database

    database = Database.open(str(db_path))
    Clinic(database, today=lambda: TODAY).create_patient(PATIENT)
    database.close()
    return db_path


@pytest.fixture
def database(database_url):
    from pmsdesk.store.database import Database

    db = Database.open(database_url)
    yield db
    db.close()


@pytest.fixture
def clinic(database):
    from pmsdesk.services.clinic import Clinic

    return Clinic(database, today=lambda: TODAY)




@pytest.fixture
def patient(clinic):
    return clinic.create_patient(PATIENT)
