"""The safety check's thresholds and the labs' reference ranges as clinic settings: an administrator's
change takes effect at the next check, which names the value in force beside the published default;
a value out of range (or a reference range upside down) is refused saying what is allowed, and nothing
is stored; anyone else is refused; each change is in the audit trail."""

from __future__ import annotations

import pytest
from bench import passed_check
from people import signed_in
from sample_data import TODAY
from test_safety_check import COURSE, treatment

from pmsdesk.domain.permissions import PermissionDenied, Role
from pmsdesk.domain.procedure_safety import DoseBlocked
from pmsdesk.domain.settings import LAB_REFERENCE_RANGES, PLATELETS_MIN
from pmsdesk.domain.validation import ValidationFailed
from pmsdesk.services.clinic import Clinic
from pmsdesk.services.safety import change_check_settings, check_settings

HOLD_APIXABAN = "safety/hold_hours/apixaban"


@pytest.fixture
def nurse(database):
    return Clinic(database, actor=signed_in(database, "nurse-ada", Role.NURSE, "Ada Nurse"), today=lambda: TODAY)


@pytest.fixture
def course(nurse, patient):
    return nurse.create_course(patient.id, COURSE)


@pytest.fixture
def admin(database):
    return Clinic(database, actor=signed_in(database, "a.admin", Role.ADMINISTRATOR, "Ada Admin"), today=lambda: TODAY)


def test_a_stricter_platelet_minimum_takes_effect_and_the_finding_names_it(admin, nurse, patient, course, database):
    bench = treatment(database, course, **{**passed_check(TODAY), "labs.platelets": "70"})
    assert change_check_settings(admin, {PLATELETS_MIN.key: "80", LAB_REFERENCE_RANGES["platelets"][0].key: "140"}) \
        == [PLATELETS_MIN.key, LAB_REFERENCE_RANGES["platelets"][0].key]
    with pytest.raises(DoseBlocked, match="70 x10\\^9/L on .*, below the minimum 80 \\(the clinic's setting; "
                                          "published default 50\\); outside the reference range 140-400"):
        nurse.create_visit(patient.id, bench)
    in_force = {line.setting.key: line for line in check_settings(admin)}
    assert in_force[PLATELETS_MIN.key].value == 80 and in_force[PLATELETS_MIN.key].own
    assert in_force[HOLD_APIXABAN].value == 48 and not in_force[HOLD_APIXABAN].own
    # A blank goes back to the published default, and the same visit is accepted, the finding naming it.
    assert change_check_settings(admin, {PLATELETS_MIN.key: ""}) == [PLATELETS_MIN.key]
    record = nurse.create_visit(patient.id, bench)
    assert f"70 x10^9/L on {TODAY.isoformat()} (minimum 50); outside the reference range 140-400" \
        in record.safety_check.findings


def test_bad_values_are_refused_saying_what_is_allowed_and_nothing_is_stored(admin):
    low, high = LAB_REFERENCE_RANGES["wbc"]
    with pytest.raises(ValidationFailed) as refused:
        change_check_settings(admin, {PLATELETS_MIN.key: "5", HOLD_APIXABAN: "two days", "safety/inr_max": "1.2"})
    assert refused.value.for_field(PLATELETS_MIN.key) == [
        "Lowest platelet count for a puncture: 5 is not allowed; enter a number from 10 to 200 x10^9/L."]
    assert refused.value.for_field(HOLD_APIXABAN) == [
        "Stop Apixaban before a puncture: \u201ctwo days\u201d is not allowed; enter a whole number from 0 to 720 hours."]
    with pytest.raises(ValidationFailed, match="White cells: low end of the reference range: 12 is above the high "
                                               "end 11; enter a low end at most the high end"):
        change_check_settings(admin, {low.key: "12"})
    assert not any(line.own for line in check_settings(admin)), "the INR typed beside the refusals was not stored"


def test_only_an_administrator_changes_them_and_each_change_is_audited(admin, nurse, database):
    neurologist = Clinic(database, actor=signed_in(database, "dr-neuro", Role.NEUROLOGIST), today=lambda: TODAY)
    for someone in (nurse, neurologist):
        with pytest.raises(PermissionDenied, match="Only an administrator may change the clinic's settings"):
            change_check_settings(someone, {PLATELETS_MIN.key: "80"})
    change_check_settings(admin, {PLATELETS_MIN.key: "80,5", HOLD_APIXABAN: "72"})
    written = [entry for entry in admin.audit_entries() if entry.table_name == "setting"]
    assert [(entry.after, entry.actor) for entry in written] == [
        ({"key": PLATELETS_MIN.key, "value": "80.5"}, "a.admin"), ({"key": HOLD_APIXABAN, "value": "72"}, "a.admin")]
    change_check_settings(admin, {PLATELETS_MIN.key: "80.5"})  # unchanged: no new entry
    assert len([entry for entry in admin.audit_entries() if entry.table_name == "setting"]) == 2
