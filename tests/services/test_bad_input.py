"""Arbitrary values fed to every validator and every entry point that takes what a person typed:
nothing crashes (only the documented refusals), a refusal writes nothing and says what is wrong."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sample_data import PATIENT, TODAY
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from pmsdesk.domain import validation
from pmsdesk.domain.assessments import ASSESSMENT_SECTIONS
from pmsdesk.domain.fields import (
    ADVERSE_EVENT_FIELDS,
    COURSE_FIELDS,
    DMT_FIELDS,
    PATIENT_FIELDS,
    RELAPSE_FIELDS,
    VISIT_FIELDS,
    FieldError,
    Kind,
)
from pmsdesk.domain.permissions import Actor, PermissionDenied, Role
from pmsdesk.domain.settings import ADMIN_SETTINGS
from pmsdesk.domain.validation import ValidationFailed
from pmsdesk.services.accounts import Accounts, SignInRefused
from pmsdesk.services.clinic import Clinic, NotFound, StaleRecord
from pmsdesk.store.tables import AuditHead, metadata

VALIDATOR_EXAMPLES = 300  # per validator
ENTRY_POINT_EXAMPLES = 40  # per service entry point (each one a real transaction on a real file)
REFUSALS = (ValidationFailed, StaleRecord, NotFound, PermissionDenied, SignInRefused)

# Anything at all, and the texts people (or a scanner, or a cat on the keyboard) actually type.
anything = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.decimals(), st.text(max_size=60), st.dates(),
    st.datetimes(), st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
typed = st.one_of(st.sampled_from([
    "", " ", "0", "-1", "4.5", "4,5", "7.25", "1e309", "NaN", "inf", "2026-02-30", "2026-03-02", "1970-03-14",
    "12.50000001", "'; DROP TABLE patient; --", "\x00", "Ö" * 301, "9" * 400,
]), st.text(max_size=20))


def field_value(field):
    choices = [member.value for member in field.choices] if field.kind is Kind.CHOICE else []
    return st.one_of(anything, typed, *([st.sampled_from(choices)] if choices else []))


def raw_record(fields, prefix: str = ""):
    return st.fixed_dictionaries({}, optional={prefix + f.name: field_value(f) for f in fields})


visit_raw = st.builds(
    lambda base, *sections: {k: v for part in (base, *sections) for k, v in part.items()},
    raw_record(VISIT_FIELDS), *(raw_record(fields, section + ".") for section, fields in ASSESSMENT_SECTIONS.items()),
).flatmap(lambda raw: st.fixed_dictionaries(
    {}, optional={"adverse_events": st.lists(raw_record(ADVERSE_EVENT_FIELDS), max_size=2)}).map(
    lambda extra: {**raw, **extra}))


def assert_clear(failed: ValidationFailed) -> None:
    assert failed.problems
    for problem in failed.problems:
        assert problem.field and 10 < len(problem.message) < 400 and problem.message.endswith(".")


# ----- validators: pure, fast, many examples -----------------------------------------------------
VALIDATORS = [
    ("patient", PATIENT_FIELDS, lambda raw: validation.validate_patient(raw, today=TODAY)),
    ("course", COURSE_FIELDS, lambda raw: validation.validate_course(raw, birth_date=dt.date(1970, 3, 14))),
    ("adverse_event", ADVERSE_EVENT_FIELDS,
     lambda raw: validation.validate_adverse_event(raw, birth_date=dt.date(1970, 3, 14), today=TODAY)),
    ("relapse", RELAPSE_FIELDS, lambda raw: validation.validate_relapse(raw, birth_date=dt.date(1970, 3, 14), today=TODAY)),
    ("dmt", DMT_FIELDS, lambda raw: validation.validate_dmt(raw, birth_date=dt.date(1970, 3, 14), today=TODAY)),
]


@pytest.mark.parametrize(("name", "fields", "validate"), VALIDATORS, ids=[v[0] for v in VALIDATORS])
def test_record_validators_refuse_clearly_or_accept(name, fields, validate):
    @settings(max_examples=VALIDATOR_EXAMPLES, deadline=None)
    @given(raw=raw_record(fields))
    def check(raw):
        try:
            validate(raw)
        except ValidationFailed as failed:
            assert_clear(failed)

    check()


@settings(max_examples=VALIDATOR_EXAMPLES, deadline=None)
@given(raw=visit_raw)
def test_the_visit_validator_refuses_clearly_or_accepts(raw):
    try:
        validation.validate_visit(raw, birth_date=dt.date(1970, 3, 14), today=TODAY)
    except ValidationFailed as failed:
        assert_clear(failed)


ALL_FIELDS = [*PATIENT_FIELDS, *COURSE_FIELDS, *VISIT_FIELDS, *ADVERSE_EVENT_FIELDS, *RELAPSE_FIELDS, *DMT_FIELDS,
              *(f for fields in ASSESSMENT_SECTIONS.values() for f in fields)]


@settings(max_examples=VALIDATOR_EXAMPLES * 3, deadline=None)
@given(data=st.data())
def test_every_field_rule_refuses_clearly_or_parses(data):
    field = data.draw(st.sampled_from(ALL_FIELDS))
    try:
        field.parse(data.draw(field_value(field)))
    except FieldError as error:
        assert str(error).startswith(field.label + ":") and str(error).endswith(".")


@settings(max_examples=VALIDATOR_EXAMPLES, deadline=None)
@given(rule=st.sampled_from(ADMIN_SETTINGS), raw=st.one_of(anything, typed))
def test_setting_rules_refuse_clearly_or_accept(rule, raw):
    problem = rule.problem(raw)
    assert problem is None or (problem.startswith(rule.label) and problem.endswith("."))
    assert rule.minimum <= rule.parse(raw if isinstance(raw, str) else None) <= rule.maximum


# ----- service entry points: real transactions on a real file ------------------------------------
def snapshot(clinic: Clinic) -> dict[str, int]:
    with clinic.db.reading() as session:
        counts = {table.name: session.scalar(select(func.count()).select_from(table)) for table in metadata.sorted_tables}
        counts["audit head"] = session.get(AuditHead, 1).last_id
        return counts


@pytest.fixture
def setting_up(database):
    """A patient with a course, a visit and history rows, and clinics for a nurse and a neurologist."""
    nurse = Clinic(database, actor=Actor("n.nurse", Role.NURSE), today=lambda: TODAY)
    neurologist = Clinic(database, actor=Actor("d.neuro", Role.NEUROLOGIST), today=lambda: TODAY)
    patient = neurologist.create_patient(PATIENT)
    course = neurologist.create_course(patient.id, {"agent": "it_methotrexate", "start_date": "2024-01-15"})
    visit = neurologist.create_visit(patient.id, {"visit_date": "2026-03-02", "kind": "assessment",
                                                  "edss.edss": "4.0", "course_id": course.id})
    relapse = neurologist.save_relapse(patient.id, {"onset_date": "2019-05-01"})
    return {"nurse": nurse, "neurologist": neurologist, "patient": patient, "course": course,
            "visit": visit.visit, "relapse": relapse, "accounts": Accounts(database)}


def _entry_points(s):
    patient = s["patient"]
    return {
        "create_patient": (raw_record(PATIENT_FIELDS), lambda c, raw: c.create_patient(raw)),
        "update_patient": (raw_record(PATIENT_FIELDS), lambda c, raw: c.update_patient(patient.id, 1, raw)),
        "create_course": (raw_record(COURSE_FIELDS), lambda c, raw: c.create_course(patient.id, raw)),
        "create_visit": (visit_raw, lambda c, raw: c.create_visit(patient.id, raw)),
        "update_visit": (st.tuples(visit_raw, anything), lambda c, args: c.update_visit(
            s["visit"].id, s["visit"].version, args[0], amendment_reason=args[1])),
        "save_relapse": (raw_record(RELAPSE_FIELDS), lambda c, raw: c.save_relapse(patient.id, raw)),
        "save_dmt": (raw_record(DMT_FIELDS), lambda c, raw: c.save_dmt(patient.id, raw)),
        "save_adverse_event": (raw_record(ADVERSE_EVENT_FIELDS), lambda c, raw: c.save_adverse_event(patient.id, raw)),
        "delete_relapse": (anything, lambda c, reason: c.delete_relapse(s["relapse"].id, 99, reason)),
        "sign_visit": (st.tuples(st.integers(), anything, anything),
                       lambda c, args: c.sign_visit(s["visit"].id, args[0], password=args[1], meaning=args[2])),
        "sign_in": (st.tuples(st.one_of(anything, typed), st.one_of(anything, typed)),
                    lambda c, args: s["accounts"].sign_in(*args)),
        "create_user": (st.tuples(*[st.one_of(anything, typed)] * 4),
                        lambda c, args: Accounts(c.db, Actor.system("test")).create_user(*args)),
    }


ENTRY_POINTS = ["create_patient", "update_patient", "create_course", "create_visit", "update_visit", "save_relapse",
                "save_dmt", "save_adverse_event", "delete_relapse", "sign_visit", "sign_in", "create_user"]


@pytest.mark.parametrize("role", ["nurse", "neurologist"])
@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_entry_points_refuse_clearly_and_write_nothing_when_they_refuse(setting_up, entry, role):
    inputs, call = _entry_points(setting_up)[entry]
    clinic = setting_up[role]

    @settings(max_examples=ENTRY_POINT_EXAMPLES // 2, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(value=inputs)
    def check(value):
        before = snapshot(clinic)
        try:
            call(clinic, value)
        except REFUSALS as refused:
            if isinstance(refused, ValidationFailed):
                assert_clear(refused)
            assert str(refused)
            after = snapshot(clinic)
            if entry == "sign_in":  # a refused sign-in is itself recorded, and only that
                assert after == {**before, "audit_event": before["audit_event"] + 1,
                                 "audit head": before["audit head"] + 1}
            else:
                assert after == before

    check()


def test_decimal_and_float_oddities_are_refused_with_the_fields_rule():
    field = next(f for f in ALL_FIELDS if f.name == "trial1_s")
    for raw in (Decimal("NaN"), float("inf"), "1e309", 10 ** 400):
        with pytest.raises(FieldError, match="T25FW"):
            field.parse(raw)


def test_an_adverse_event_saved_again_without_its_flag_is_not_serious(clinic, patient):
    """Found by the property tests: a blank flag reached a NOT NULL column as NULL on update."""
    event = {"term": "back_pain", "onset_date": "2026-03-02", "serious": True}
    record = clinic.create_visit(patient.id, {"visit_date": "2026-03-02", "kind": "assessment",
                                              "adverse_events": [event]})
    (stored,) = record.adverse_events
    again = {"id": stored.id, "version": stored.version, "term": "back_pain", "onset_date": "2026-03-02"}
    updated = clinic.update_visit(record.visit.id, record.visit.version,
                                  {**record.form_values(), "adverse_events": [again]})
    assert [e.serious for e in updated.adverse_events] == [False]
