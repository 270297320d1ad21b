"""A clinic larger than one IN list may name on a SQLite built with the default variable limit.

``clinic_over_variable_limit`` (a fixture, offered to every test by tests/conftest.py): 1,500 patients
of 22 visits each (33,000 visits, each with an EDSS), on a SQLite file whose every connection is
limited to SQLITE_MAX_VARIABLE_NUMBER's default of 32,766 bound parameters, as many platforms ship
SQLite. A query with one parameter per visit fails on it ("too many SQL variables"). The rows are
written with SQLAlchemy Core's executemany, not through the services (which would take minutes),
into a template made once per session and copied for each test.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3

import pytest
from sqlalchemy import event, insert

SQLITE_DEFAULT_VARIABLE_LIMIT = 32_766
BIG_PATIENTS = 1_500
VISITS_PER_PATIENT = 22  # 1,500 x 22 = 33,000 visits: more than one IN list may name
FIRST_VISIT = dt.date(2022, 1, 3)


def limit_sqlite_variables(database, limit: int = SQLITE_DEFAULT_VARIABLE_LIMIT) -> None:
    """Every connection ``database`` opens from now on allows at most ``limit`` bound parameters
    (the pool is emptied so that no connection opened before escapes it)."""
    @event.listens_for(database.engine, "connect")
    def _limited(dbapi_connection, _record):
        dbapi_connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, limit)

    database.engine.dispose()


def fill_clinic(database, patients: int, visits_per_patient: int = VISITS_PER_PATIENT, first_number: int = 1) -> None:
    """Add ``patients`` patients (clinic ids BIG-00001...) each with a methotrexate course, a baseline and
    ``visits_per_patient - 1`` treatment visits four weeks apart with an EDSS at every visit, a relapse,
    a therapy before pmsdesk, and a headache reported at their second treatment."""
    from pmsdesk.store.tables import AdverseEvent, DmtHistory, EdssAssessment, Patient, Relapse, TreatmentCourse, Visit

    now = dt.datetime.now(dt.UTC)
    stamps = {"created_at": now, "updated_at": now, "version": 1}
    numbers = range(first_number, first_number + patients)
    with database.engine.begin() as connection:
        patient_ids = connection.execute(insert(Patient).returning(Patient.id, sort_by_parameter_order=True), [
            {**stamps, "clinic_id": f"BIG-{n:05d}", "family_name": f"Family{n}", "given_names": "Test Person",
             "birth_date": dt.date(1960 + n % 30, 1 + n % 12, 1 + n % 28), "sex": ("female", "male")[n % 2],
             "phenotype": ("PPMS", "SPMS")[n % 2], "onset_year": 2000 + n % 20, "archived": False}
            for n in numbers]).scalars().all()
        course_ids = connection.execute(insert(TreatmentCourse).returning(
            TreatmentCourse.id, sort_by_parameter_order=True), [
            {**stamps, "patient_id": patient_id, "agent": "it_methotrexate", "planned_dose": 12.5, "dose_unit": "mg",
             "interval_weeks_min": 4, "interval_weeks_max": 6, "start_date": FIRST_VISIT}
            for patient_id in patient_ids]).scalars().all()
        visits = [
            {**stamps, "patient_id": patient_id, "course_id": course_id,
             "visit_date": FIRST_VISIT + dt.timedelta(weeks=4 * number), "status": "draft", "deleted_at": None,
             **({"kind": "baseline", "treatment_number": None, "dose_given": None, "dose_unit": None} if number == 0
                else {"kind": "treatment", "treatment_number": number, "dose_given": 12.5, "dose_unit": "mg"})}
            for patient_id, course_id in zip(patient_ids, course_ids, strict=True)
            for number in range(visits_per_patient)]
        visit_ids = connection.execute(insert(Visit).returning(Visit.id, sort_by_parameter_order=True),
                                       visits).scalars().all()
        connection.execute(insert(EdssAssessment), [
            {**stamps, "visit_id": visit_id, "edss": 3.0 + (index % visits_per_patient) // 8 * 0.5}
            for index, visit_id in enumerate(visit_ids)])
        connection.execute(insert(Relapse), [
            {**stamps, "patient_id": patient_id, "onset_date": FIRST_VISIT + dt.timedelta(days=50), "deleted_at": None}
            for patient_id in patient_ids])
        connection.execute(insert(DmtHistory), [
            {**stamps, "patient_id": patient_id, "agent": "ocrelizumab", "start_date": dt.date(2019, 5, 1),
             "stop_date": dt.date(2021, 6, 1), "deleted_at": None}
            for patient_id in patient_ids])
        connection.execute(insert(AdverseEvent), [
            {**stamps, "patient_id": visits[index]["patient_id"], "visit_id": visit_ids[index],
             "term": "post_lp_headache", "onset_date": visits[index]["visit_date"] + dt.timedelta(days=1),
             "ctcae_grade": 1, "serious": False, "related_procedure": "definite", "related_drug": "unlikely",
             "outcome": "recovered", "resolved_date": visits[index]["visit_date"] + dt.timedelta(days=3),
             "deleted_at": None}
            for index in range(2, len(visits), visits_per_patient)])


@pytest.fixture(scope="session")
def _big_clinic_template(tmp_path_factory):
    from pmsdesk.store.database import Database

    path = tmp_path_factory.mktemp("big-clinic") / "clinic.sqlite3"
    database = Database.open(str(path))
    try:
        fill_clinic(database, BIG_PATIENTS)
    finally:
        database.close()
    return path


@pytest.fixture
def clinic_over_variable_limit(_big_clinic_template, tmp_path):
    """A Clinic (system actor, today a fixed day after the last visit) of 1,500 patients and 33,000
    visits on a SQLite file limited to 32,766 bound parameters a statement."""
    from pmsdesk.domain.permissions import SYSTEM_ACTOR
    from pmsdesk.services.clinic import Clinic
    from pmsdesk.store.database import Database

    path = tmp_path / "big-clinic.sqlite3"
    shutil.copyfile(_big_clinic_template, path)
    database = Database.open(str(path))
    limit_sqlite_variables(database)
    yield Clinic(database, actor=SYSTEM_ACTOR, today=lambda: dt.date(2024, 1, 15))
    database.close()
