"""Shared fixtures: a real SQLite file per test, Qt offscreen."""

from __future__ import annotations

import datetime as dt
import os

# Tests run without a display: Qt renders offscreen (set before any Qt import).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

TODAY = dt.date(2026, 11, 20)


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


PATIENT = {
    "clinic_id": "MS-0001",
    "family_name": "Example",
    "given_names": "Alex",
    "birth_date": "1970-03-14",
    "sex": "female",
    "phenotype": "SPMS",
    "onset_year": "1995",
    "diagnosis_date": "1998-06-01",
    "dominant_hand": "right",
    "education_years": "16",
    "notes": "",
}


@pytest.fixture
def patient(clinic):
    return clinic.create_patient(PATIENT)
