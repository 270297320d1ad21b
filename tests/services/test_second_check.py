"""A dose is saved through the services only with a valid second-person check (services.register)."""

from __future__ import annotations

import datetime as dt

import pytest
from bench import with_check
from people import BENCH_CHECKER, BENCH_NURSE, TEST_PASSWORD, checked_dose, ensure_registered, signed_in
from sample_data import PATIENT, TODAY

from pmsdesk.domain.permissions import Role
from pmsdesk.domain.register import SecondCheckRefused
from pmsdesk.domain.validation import ValidationFailed
from pmsdesk.services.accounts import SignInRefused
from pmsdesk.services.clinic import Clinic
from pmsdesk.store.tables import UserAccount

COURSE = {"agent": "it_methotrexate", "planned_dose": "12.5", "dose_unit": "mg", "interval_weeks_min": "8",
          "interval_weeks_max": "11", "start_date": "2025-01-06"}


@pytest.fixture
def bench(database):
    """A nurse signed in at the bench, a patient with a methotrexate course, and a treatment's raw values."""
    nurse = signed_in(database, BENCH_NURSE, Role.NURSE, "Bench Nurse")
    clinic = Clinic(database, actor=nurse, today=lambda: TODAY)
    patient = clinic.create_patient(PATIENT)
    course = clinic.create_course(patient.id, COURSE)
    visit = with_check({"visit_date": TODAY.isoformat(), "kind": "treatment", "treatment_number": "1",
                        "dose_given": "12.5", "dose_unit": "mg", "course_id": course.id})
    return clinic, patient, checked_dose(database, visit)


def test_a_checked_dose_is_saved_with_both_names_and_the_time(bench):
    clinic, patient, raw = bench
    record = clinic.create_visit(patient.id, raw)
    check = record.dose_check
    assert (check.administered_by, check.checked_by, check.checked_name, check.dose, check.route) == (
        BENCH_NURSE, BENCH_CHECKER, "Bench Checker", 12.5, "intrathecal")
    assert check.checked_at is not None
    assert clinic.update_visit(record.visit.id, record.visit.version,
                               {**record.form_values(), "notes": "Well after", "course_id": record.visit.course_id})


def test_a_dose_without_a_check_is_refused_and_nothing_is_written(bench):
    clinic, patient, raw = bench
    unchecked = {key: value for key, value in raw.items() if key != "second_check"}
    with pytest.raises(SecondCheckRefused, match="no second-person check was given for this dose"):
        clinic.create_visit(patient.id, unchecked)
    assert clinic.visits(patient.id) == []


def test_a_changed_dose_needs_a_new_check(bench):
    clinic, patient, raw = bench
    record = clinic.create_visit(patient.id, raw)
    with pytest.raises(SecondCheckRefused):
        clinic.update_visit(record.visit.id, record.visit.version,
                            {**record.form_values(), "dose_given": "10", "course_id": record.visit.course_id})


def test_the_checker_may_not_be_the_person_giving_the_dose(database, bench):
    clinic, patient, raw = bench
    ensure_registered(database, BENCH_NURSE, Role.NURSE, "check")
    with pytest.raises(SecondCheckRefused, match="is giving the dose and cannot also check it"):
        clinic.create_visit(patient.id, {**raw, "second_check": {**raw["second_check"], "checked_by": BENCH_NURSE}})


def test_an_unregistered_checker_is_refused(database, bench):
    clinic, patient, raw = bench
    signed_in(database, "new.doctor", Role.NEUROLOGIST, "New Doctor")
    with pytest.raises(SecondCheckRefused, match="New Doctor is not registered to check intrathecal doses: there is no"):
        clinic.create_visit(patient.id, {**raw, "second_check": {**raw["second_check"], "checked_by": "new.doctor"}})


def test_an_expired_checker_is_refused_saying_when(database, bench):
    clinic, patient, raw = bench
    admin = signed_in(database, "a.admin", Role.ADMINISTRATOR)
    register = Clinic(database, actor=admin, today=lambda: TODAY).intrathecal_register()
    line = next(line for line in register.lines() if line.entry.username == BENCH_CHECKER)
    day_before = (TODAY - dt.timedelta(days=1)).isoformat()
    register.renew(line.id, line.version, "2025-01-01", day_before)
    with pytest.raises(SecondCheckRefused, match=f"the entry expired on {day_before}"):
        clinic.create_visit(patient.id, raw)


def test_a_wrong_checker_password_is_refused_and_counted(database, bench):
    clinic, patient, raw = bench
    with pytest.raises(SignInRefused):
        clinic.create_visit(patient.id, {**raw, "second_check": {**raw["second_check"], "password": "not it at all"}})
    with database.reading() as session:
        assert session.query(UserAccount).filter_by(username=BENCH_CHECKER).one().failed_sign_ins == 1
    assert clinic.visits(patient.id) == []
    assert clinic.create_visit(patient.id, raw).dose_check.checked_by == BENCH_CHECKER
    assert raw["second_check"]["password"] == TEST_PASSWORD


def test_an_unticked_item_or_a_missing_puncture_record_is_refused(bench):
    clinic, patient, raw = bench
    with pytest.raises(ValidationFailed, match="the checker ticks each item"):
        clinic.create_visit(patient.id, {**raw, "second_check": {**raw["second_check"], "confirmed_all": False}})
    with pytest.raises(ValidationFailed) as missing:
        clinic.create_visit(patient.id, {**raw, "lp_needle_type": "", "puncture_time": ""})
    assert {p.field for p in missing.value.problems} == {"lp_needle_type", "puncture_time"}
    assert "Needle type: required when an intrathecal dose is recorded; choose one of" in str(missing.value)
