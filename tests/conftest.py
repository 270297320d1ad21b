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

import pytest

from sample_data import PATIENT, TODAY



@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "clinic.sqlite3"


@pytest.fixture
def database(db_path):
    from pmsdesk.store.database import Database

    db = Database.open(str(db_path))
    yield db
    db.close()


@pytest.fixture
def clinic(database):
    from pmsdesk.services.clinic import Clinic

    return Clinic(database, today=lambda: TODAY)




@pytest.fixture
def patient(clinic):
    return clinic.create_patient(PATIENT)
