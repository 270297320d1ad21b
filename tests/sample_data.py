"""Shared test data: a fixed "today" and a valid patient, importable from any test module
(``from sample_data import PATIENT, TODAY``)."""

import datetime as dt

TODAY = dt.date(2026, 11, 20)  # so tests do not depend on the calendar

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
