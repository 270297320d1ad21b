"""The intrathecal register (HSC 2008/001) and the second-person check of a dose: the pure rules."""

from __future__ import annotations

import datetime as dt

import pytest

from pmsdesk.domain.fields import VISIT_FIELDS, FieldError
from pmsdesk.domain.register import (
    HSC_2008_001,
    RegisterEntry,
    RegisterTask,
    SecondCheckRefused,
    check_problems,
    dose_to_check,
    registration_problem,
    require_valid_check,
)

DAY = dt.date(2026, 11, 30)
NURSE, CHECKER = ("nora", "Nora Nurse"), ("carl", "Carl Checker")
ENTRIES = (
    RegisterEntry("nora", "Nora Nurse", RegisterTask.ADMINISTER, dt.date(2026, 1, 5), dt.date(2027, 1, 5)),
    RegisterEntry("carl", "Carl Checker", RegisterTask.CHECK, dt.date(2025, 11, 1), DAY),
)
METHOTREXATE = dose_to_check("it_methotrexate", 12.5, "mg", None)


def test_the_guidance_is_cited():
    assert "HSC 2008/001" in HSC_2008_001 and "intrathecal chemotherapy" in HSC_2008_001


def test_an_entry_counts_from_its_training_to_its_expiry_inclusive():
    entry = ENTRIES[1]
    assert entry.valid_on(DAY) and entry.valid_on(entry.trained_on)
    assert not entry.valid_on(DAY + dt.timedelta(days=1))
    assert not entry.valid_on(entry.trained_on - dt.timedelta(days=1))


def test_an_expired_entry_is_refused_naming_whose_which_task_and_when():
    problem = registration_problem(ENTRIES, *CHECKER, RegisterTask.CHECK, DAY + dt.timedelta(days=1))
    assert problem == ("Carl Checker is not registered to check intrathecal doses: the entry expired on 2026-11-30 "
                       "(trained 2025-11-01); renewed training is recorded by the administrator (Register\u2026).")


def test_an_unregistered_task_is_refused():
    problem = registration_problem(ENTRIES, *NURSE, RegisterTask.CHECK, DAY)
    assert problem.startswith("Nora Nurse is not registered to check intrathecal doses: there is no register entry")


def test_an_ended_entry_says_when_it_ended():
    ended = RegisterEntry("carl", "Carl Checker", RegisterTask.CHECK, dt.date(2025, 1, 1), dt.date(2027, 1, 1),
                          ended_on=dt.date(2026, 10, 1))
    assert "was ended on 2026-10-01" in registration_problem([ended], *CHECKER, RegisterTask.CHECK, DAY)


def test_a_valid_check_passes():
    require_valid_check(ENTRIES, METHOTREXATE, METHOTREXATE, administrator=NURSE, checker=CHECKER, day=DAY)


def test_no_check_is_refused_with_what_is_allowed():
    with pytest.raises(SecondCheckRefused) as refused:
        require_valid_check(ENTRIES, METHOTREXATE, None, administrator=NURSE, checker=None, day=DAY)
    assert "no second-person check was given" in str(refused.value)
    assert "Allowed: a second person registered to check" in str(refused.value)


def test_the_checker_may_not_be_the_person_giving_the_dose():
    with pytest.raises(SecondCheckRefused, match="Nora Nurse is giving the dose and cannot also check it"):
        require_valid_check(ENTRIES, METHOTREXATE, METHOTREXATE, administrator=NURSE, checker=NURSE, day=DAY)


def test_the_person_giving_the_dose_must_be_registered_to_administer():
    with pytest.raises(SecondCheckRefused, match="Carl Checker is not registered to administer"):
        require_valid_check(ENTRIES, METHOTREXATE, METHOTREXATE, administrator=CHECKER, checker=NURSE, day=DAY)


def test_a_check_of_another_dose_or_lot_does_not_count():
    other = dose_to_check("it_methotrexate", 15, "mg", None)
    assert check_problems(METHOTREXATE, other) == [
        "the check was for 15 mg it_methotrexate, the dose recorded is 12.5 mg it_methotrexate"]
    cells = dose_to_check("msc_np", 10, "million cells", "LOT-7")
    assert check_problems(cells, dose_to_check("msc_np", 10, "million cells", "LOT-8")) == [
        "the check confirmed lot LOT-8, the dose records LOT-7"]


def test_a_cell_product_needs_its_lot():
    cells = dose_to_check("msc_np", 10, "million cells", None)
    assert check_problems(cells, cells) == ["a cell product needs its product or lot number (Batch or lot)"]


def test_identity_and_route_must_be_confirmed():
    unconfirmed = dose_to_check("it_methotrexate", 12.5, "mg", None).__class__(
        "it_methotrexate", 12.5, "mg", "intravenous", None, False)
    assert check_problems(METHOTREXATE, unconfirmed) == ["the patient's identity was not confirmed",
                                                         "the route was not confirmed as intrathecal"]


# ----- the structured procedure record's fields, on their boundaries ----------------------------
FIELDS = {f.name: f for f in VISIT_FIELDS}


@pytest.mark.parametrize(("name", "accepted", "refused", "allowed"), [
    ("opening_pressure_cmh2o", ("1", "60", "18.5"), ("0.9", "60.1", "18.25"),
     "enter a number from 1 to 60 cm H2O (1 decimal place at most)"),
    ("lp_attempts", ("1", "10"), ("0", "11"), "enter a whole number from 1 to 10"),
    ("lp_levels_tried", ("1", "4"), ("0", "5"), "enter a whole number from 1 to 4"),
    ("csf_sampled_ml", ("0", "50"), ("-0.1", "50.1"), "enter a number from 0 to 50 mL"),
    ("dose_volume_ml", ("0.1", "20"), ("0", "20.1"), "enter a number above 0 and at most 20 mL"),
    ("puncture_time", ("00:00", "23:59", "9:05"), ("24:00", "12:60", "noon"),
     "enter a time of day as HH:MM, 00:00 to 23:59"),
    ("discharge_time", ("13:30",), ("1330",), "enter a time of day as HH:MM"),
    ("lp_needle_type", ("atraumatic", "cutting"), ("sharp",), "choose one of: Atraumatic (pencil-point), Cutting"),
    ("lp_needle_gauge", ("22G", "27G"), ("23G",), "choose one of: 20G, 22G, 24G, 25G, 26G, 27G"),
    ("lp_position", ("lateral_decubitus", "sitting"), ("prone",), "choose one of: Lateral decubitus, Sitting"),
    ("lp_level", ("L3-L4", "L5-S1"), ("L1-L2", "T12-L1"), "choose one of: L2-L3, L3-L4, L4-L5, L5-S1"),
])
def test_procedure_fields_on_their_boundaries(name, accepted, refused, allowed):
    field = FIELDS[name]
    for value in accepted:
        assert field.parse(value) is not None
    for value in refused:
        with pytest.raises(FieldError) as error:
            field.parse(value)
        assert allowed in str(error.value)


def test_a_time_is_kept_as_hh_mm():
    assert FIELDS["puncture_time"].parse(" 9:05 ") == "09:05"
