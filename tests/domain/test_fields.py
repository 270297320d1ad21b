"""Field rules of the domain catalogue: ranges, steps, decimals, types and the refusal messages.

The expected ranges are written out from the clinical-rules spec (sections 1.1, 1.2, 1.4, 2.1-2.3)
rather than read back from the code, so a changed range in the code fails here.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pmsdesk.domain.assessments import ASSESSMENT_SECTIONS
from pmsdesk.domain.assessments.cognition import SDMT_FIELDS
from pmsdesk.domain.assessments.edss import EDSS_FIELDS
from pmsdesk.domain.assessments.timed import NHPT_FIELDS, T25FW_FIELDS
from pmsdesk.domain.assessments.walking import SIX_MINUTE_WALK_FIELDS
from pmsdesk.domain.fields import (
    ADVERSE_EVENT_FIELDS,
    COURSE_FIELDS,
    DMT_FIELDS,
    PATIENT_FIELDS,
    RELAPSE_FIELDS,
    VISIT_FIELDS,
    Field,
    FieldError,
    Kind,
)
from pmsdesk.domain.vocab import AdverseEventTerm, NotCompletedReason, Sex, WalkingAid

CATALOGUES: dict[str, tuple[Field, ...]] = {
    "patient": PATIENT_FIELDS,
    "course": COURSE_FIELDS,
    "visit": VISIT_FIELDS,
    **ASSESSMENT_SECTIONS,
    "adverse_event": ADVERSE_EVENT_FIELDS,
    "relapse": RELAPSE_FIELDS,
    "dmt": DMT_FIELDS,
}
ALL_FIELDS: list[Field] = [f for fields in CATALOGUES.values() for f in fields]


def field(fields: tuple[Field, ...], name: str) -> Field:
    return next(f for f in fields if f.name == name)


def refused(f: Field, raw) -> FieldError:
    with pytest.raises(FieldError) as caught:
        f.parse(raw)
    return caught.value


EDSS = field(EDSS_FIELDS, "edss")
AMBULATION = field(EDSS_FIELDS, "ambulation")
SDMT_SCORE = field(SDMT_FIELDS, "score")
SIX_MINUTE_WALK = field(SIX_MINUTE_WALK_FIELDS, "distance_m")
T25FW_TRIALS = [field(T25FW_FIELDS, n) for n in ("trial1_s", "trial2_s")]
NHPT_TRIALS = [
    field(NHPT_FIELDS, f"{hand}_trial{n}_s") for hand in ("dominant", "nondominant") for n in (1, 2)
]

# ----- EDSS (spec 1.1) -------------------------------------------------------------------------
EDSS_VALID_STEPS = [0.0, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 5.5, 6.0, 6.5, 7.0, 7.5, 8.0,
                    8.5, 9.0, 9.5, 10.0]


def test_edss_has_exactly_twenty_steps():
    assert len(EDSS_VALID_STEPS) == 20
    accepted = [step / 2 for step in range(-2, 23) if _accepts(EDSS, step / 2)]
    assert accepted == EDSS_VALID_STEPS


def _accepts(f: Field, raw) -> bool:
    try:
        f.parse(raw)
    except FieldError:
        return False
    return True


@pytest.mark.parametrize("step", EDSS_VALID_STEPS)
def test_edss_accepts_each_step_as_number_and_as_text(step):
    assert EDSS.parse(step) == step
    assert EDSS.parse(f"{step:.1f}") == step
    assert EDSS.parse(f"{step:.1f}".replace(".", ",")) == step


@pytest.mark.parametrize("raw", [0.5, "0.5", 10.5, "10.5", -1, "-1", 4.25, "4.25", 4.1, "abc", "4.5.1",
                                 True, False, math.nan, "nan", math.inf, -math.inf, "inf", [4.5], {}])
def test_edss_refuses_values_off_the_step_scale_and_bad_types(raw):
    error = refused(EDSS, raw)
    assert error.field is EDSS
    assert error.raw == raw or (isinstance(raw, float) and math.isnan(raw))


def test_edss_refusal_message_names_field_value_and_the_allowed_steps():
    message = str(refused(EDSS, "0.5"))
    assert message.startswith("EDSS (clinician):")
    assert "\u201c0.5\u201d" in message
    assert "0 or 1.0 to 10.0 in steps of 0.5" in message
    assert "0.5 does not exist" in message


# ----- Functional systems and ambulation (spec 1.2, 1.4) ---------------------------------------
FS_MAXIMUM = {
    "fs_visual": 6, "fs_brainstem": 5, "fs_pyramidal": 6, "fs_cerebellar": 5, "fs_sensory": 6,
    "fs_bowel_bladder": 6, "fs_cerebral": 5, "ambulation": 16,
}


def test_every_edss_grade_field_has_a_spec_range():
    assert {f.name for f in EDSS_FIELDS} == {"edss", *FS_MAXIMUM}


@pytest.mark.parametrize(("name", "maximum"), FS_MAXIMUM.items())
def test_grade_accepts_zero_to_its_maximum(name, maximum):
    f = field(EDSS_FIELDS, name)
    assert [f.parse(grade) for grade in range(maximum + 1)] == list(range(maximum + 1))
    assert [f.parse(str(grade)) for grade in range(maximum + 1)] == list(range(maximum + 1))


@pytest.mark.parametrize(("name", "maximum"), FS_MAXIMUM.items())
def test_grade_refuses_one_above_its_maximum_negatives_and_fractions(name, maximum):
    f = field(EDSS_FIELDS, name)
    message = str(refused(f, maximum + 1))
    assert f.label in message and f"\u201c{maximum + 1}\u201d" in message
    assert f"a whole number from 0 to {maximum}" in message
    for raw in (-1, "1.5", 2.5, True, "two"):
        refused(f, raw)


def test_grade_fields_carry_one_label_per_grade():
    for name, maximum in FS_MAXIMUM.items():
        assert len(field(EDSS_FIELDS, name).grade_labels) == maximum + 1


# ----- Timed tests and SDMT (spec 2.1-2.3) -----------------------------------------------------
@pytest.mark.parametrize(("raw", "expected"), [
    ("0.01", 0.01), (0.01, 0.01), ("180", 180.0), (180, 180.0), ("180.00", 180.0), ("7,25", 7.25),
    (" 12.5 ", 12.5), (Decimal("9.99"), 9.99),
])
def test_t25fw_trial_accepts_above_zero_up_to_180_seconds(raw, expected):
    assert [trial.parse(raw) for trial in T25FW_TRIALS] == [expected, expected]


@pytest.mark.parametrize("raw", [0, "0", "0.00", "180.01", 180.01, "181", "-0.5", "1.234", "7.125"])
def test_t25fw_trial_refuses_zero_over_180_and_three_decimals(raw):
    for trial in T25FW_TRIALS:
        message = str(refused(trial, raw))
        assert message.startswith(trial.label + ":")
        assert f"\u201c{raw}\u201d" in message
        assert "above 0 and at most 180 s" in message
        assert "2 decimal places" in message


@pytest.mark.parametrize("trial", NHPT_TRIALS, ids=lambda f: f.name)
def test_nine_hole_peg_trial_is_above_zero_up_to_300_seconds(trial):
    assert trial.parse("0.01") == 0.01
    assert trial.parse("300") == 300.0
    assert trial.parse("25,75") == 25.75
    for raw in ("0", "300.01", "301", "-1", "20.125"):
        message = str(refused(trial, raw))
        assert f"\u201c{raw}\u201d" in message
        assert "above 0 and at most 300 s" in message and "2 decimal places" in message


@pytest.mark.parametrize(("raw", "expected"), [(0, 0), ("0", 0), (110, 110), ("110", 110), ("55", 55),
                                               ("55.0", 55), (55.0, 55)])
def test_sdmt_accepts_whole_numbers_zero_to_110(raw, expected):
    value = SDMT_SCORE.parse(raw)
    assert value == expected and type(value) is int


@pytest.mark.parametrize("raw", [110.5, "110.5", -1, "-1", 111, "111", "12,5", True])
def test_sdmt_refuses_fractions_and_values_outside_zero_to_110(raw):
    message = str(refused(SDMT_SCORE, raw))
    assert message.startswith("SDMT score:")
    assert "a whole number from 0 to 110" in message


@pytest.mark.parametrize(("raw", "expected"), [(1, 1.0), ("1000", 1000.0), ("412", 412.0), (350, 350.0)])
def test_six_minute_walk_accepts_whole_metres_up_to_1000(raw, expected):
    assert SIX_MINUTE_WALK.parse(raw) == expected


@pytest.mark.parametrize("raw", [0, "0", "-0.1", "1000.1", "1001", "412,5"])
def test_six_minute_walk_refuses_zero_fractions_and_more_than_1000(raw):
    """0 m is not a walk: a patient who cannot walk is recorded as not completed, with the reason."""
    message = str(refused(SIX_MINUTE_WALK, raw))
    assert "Six-minute walk distance" in message
    assert "above 0 and at most 1000 m" in message and "whole numbers only" in message


def test_decimal_comma_is_read_as_a_decimal_point():
    assert EDSS.parse("6,5") == 6.5
    assert field(VISIT_FIELDS, "dose_given").parse("12,5") == 12.5
    assert field(VISIT_FIELDS, "csf_removed_ml").parse("5,5") == 5.5


@pytest.mark.parametrize(("name", "low", "high"), [("treatment_number", 1, 200), ("lp_attempts", 1, 10)])
def test_visit_counts_have_their_range(name, low, high):
    f = field(VISIT_FIELDS, name)
    assert f.parse(str(low)) == low and f.parse(high) == high
    refused(f, low - 1)
    refused(f, high + 1)


@pytest.mark.parametrize("f", [field(COURSE_FIELDS, "planned_dose"), field(VISIT_FIELDS, "dose_given")],
                         ids=lambda f: f.name)
def test_doses_are_positive_with_at_most_three_decimals(f):
    assert f.parse("12.5") == 12.5
    assert f.parse("0.001") == 0.001
    for raw in ("0", "-1", "0.0001"):
        refused(f, raw)


# ----- Dates -----------------------------------------------------------------------------------
DATE_FIELD = field(VISIT_FIELDS, "visit_date")


@pytest.mark.parametrize("raw", ["2026-03-02", " 2026-03-02 ", dt.date(2026, 3, 2)])
def test_date_accepts_iso_text_and_date_objects(raw):
    assert DATE_FIELD.parse(raw) == dt.date(2026, 3, 2)


@pytest.mark.parametrize("raw", [dt.datetime(2026, 3, 2, 9, 30), "02/03/2026", "2026-02-30", "2026-13-01",
                                 "yesterday", 20260302, 2026.0, True])
def test_date_refuses_datetimes_other_formats_impossible_dates_and_numbers(raw):
    message = str(refused(DATE_FIELD, raw))
    assert message.startswith("Visit date:")
    assert "enter a date as YYYY-MM-DD" in message


# ----- Required, text, choices, flags ----------------------------------------------------------
REQUIRED = {
    "patient": {"clinic_id", "family_name", "given_names", "birth_date", "sex", "phenotype"},
    "course": {"agent", "start_date"},
    "visit": {"visit_date", "kind"},
    "adverse_event": {"term", "onset_date"},
    "relapse": {"onset_date"},
    "dmt": {"agent", "start_date"},
}


@pytest.mark.parametrize("catalogue", CATALOGUES)
def test_required_fields_are_the_expected_ones(catalogue):
    assert {f.name for f in CATALOGUES[catalogue] if f.required} == REQUIRED.get(catalogue, set())


@pytest.mark.parametrize("f", [f for f in ALL_FIELDS if f.required], ids=lambda f: f.label)
def test_required_field_refuses_blank_with_the_field_named(f):
    for blank in (None, "", "   "):
        message = str(refused(f, blank))
        assert message.startswith(f.label + ":")
        assert "this is required" in message


def test_optional_fields_read_blank_as_not_entered():
    optional = [f for f in ALL_FIELDS if not f.required]
    assert len(optional) > 50
    assert [f.label for f in optional if f.parse(None) is not None or f.parse("  ") is not None] == []


def test_text_is_trimmed_and_limited_to_its_maximum_length():
    clinic_id = field(PATIENT_FIELDS, "clinic_id")
    assert clinic_id.parse("  MS-0001 ") == "MS-0001"
    assert clinic_id.parse("X" * 40) == "X" * 40
    message = str(refused(clinic_id, "X" * 41))
    assert message.startswith("Clinic identifier:")
    assert "use at most 40 characters" in message


@pytest.mark.parametrize("f", [f for f in ALL_FIELDS if f.kind is Kind.TEXT], ids=lambda f: f.label)
def test_text_fields_refuse_non_text(f):
    for raw in (12, 1.5, True, dt.date(2026, 1, 1)):
        refused(f, raw)


def test_choice_is_parsed_by_stored_value_not_label():
    sex = field(PATIENT_FIELDS, "sex")
    assert sex.parse("female") is Sex.FEMALE
    assert sex.parse(" male ") is Sex.MALE
    assert sex.parse(Sex.UNKNOWN) is Sex.UNKNOWN
    assert field(T25FW_FIELDS, "walking_aid").parse("unilateral") is WalkingAid.UNILATERAL
    assert field(ADVERSE_EVENT_FIELDS, "term").parse("post_lp_headache") is AdverseEventTerm.POST_LP_HEADACHE
    assert field(NHPT_FIELDS, "dominant_not_completed").parse("physical_ms") is NotCompletedReason.PHYSICAL_MS


@pytest.mark.parametrize("raw", ["Female", "FEMALE", "f", "woman", 1, True, ["female"]])
def test_choice_refuses_labels_unknown_codes_and_other_types(raw):
    message = str(refused(field(PATIENT_FIELDS, "sex"), raw))
    assert message.startswith("Sex:")
    assert "choose one of: Female, Male, Other, Unknown" in message


@pytest.mark.parametrize("f", [f for f in ALL_FIELDS if f.kind is Kind.FLAG], ids=lambda f: f.label)
def test_flag_accepts_only_booleans(f):
    assert f.parse(True) is True
    assert f.parse(False) is False
    for raw in ("yes", "true", "1", 1, 0, 1.0):
        assert "answer yes or no" in str(refused(f, raw))


# ----- Messages --------------------------------------------------------------------------------
@pytest.mark.parametrize(("f", "raw", "allowed"), [
    (field(T25FW_FIELDS, "trial1_s"), "180.01", ["a number above 0 and at most 180 s", "2 decimal places"]),
    (field(NHPT_FIELDS, "nondominant_trial2_s"), 0, ["a number above 0 and at most 300 s", "2 decimal places"]),
    (SDMT_SCORE, "110.5", ["a whole number from 0 to 110"]),
    (field(EDSS_FIELDS, "fs_cerebral"), 6, ["a whole number from 0 to 5"]),
    (field(ADVERSE_EVENT_FIELDS, "ctcae_grade"), "0", ["a whole number from 1 to 5"]),
    (field(VISIT_FIELDS, "visit_date"), dt.datetime(2026, 3, 2, 8, 0), ["a date as YYYY-MM-DD"]),
], ids=lambda v: v.name if isinstance(v, Field) else None)
def test_message_names_field_value_and_what_is_allowed(f, raw, allowed):
    message = str(refused(f, raw))
    shown = raw.isoformat() if isinstance(raw, dt.date) else str(raw)
    assert message.startswith(f"{f.label}: \u201c{shown}\u201d is not allowed; enter ")
    for fragment in allowed:
        assert fragment in message


# ----- Properties ------------------------------------------------------------------------------
ANYTHING = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.text(),
    st.from_regex(r"\A\s*-?[0-9]{0,5}([.,][0-9]{0,5})?\s*\Z"),
    st.dates().map(lambda d: d.isoformat()),
    st.dates(),
    st.datetimes(),
    st.lists(st.integers(), max_size=2),
)


@settings(max_examples=400, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(f=st.sampled_from(ALL_FIELDS), raw=ANYTHING)
def test_parse_returns_a_value_or_raises_field_error_only(f, raw):
    try:
        value = f.parse(raw)
    except FieldError as error:
        assert str(error).startswith(f.label + ":")
        return
    expected_type = {
        Kind.TEXT: str, Kind.INTEGER: int, Kind.DECIMAL: float, Kind.DATE: dt.date, Kind.CHOICE: f.choices,
        Kind.FLAG: bool,
    }[f.kind]
    assert value is None or isinstance(value, expected_type)
    assert not isinstance(value, dt.datetime)


def valid_values(f: Field) -> st.SearchStrategy:
    """Clean values a field must accept."""
    if f.allowed_values is not None:
        return st.sampled_from(f.allowed_values)
    if f.kind is Kind.INTEGER:
        return st.integers(int(f.minimum), int(f.maximum))
    if f.kind is Kind.DECIMAL:
        return st.decimals(f.minimum, f.maximum, places=f.decimals).filter(
            lambda d: not (f.exclusive_minimum and d == f.minimum)).map(float)
    if f.kind is Kind.DATE:
        return st.dates()
    if f.kind is Kind.CHOICE:
        return st.sampled_from(list(f.choices))
    if f.kind is Kind.FLAG:
        return st.booleans()
    if f.time_of_day:
        return st.times().map(lambda t: t.strftime("%H:%M"))
    printable = st.characters(exclude_categories=("Cc", "Cs", "Zl", "Zp"))  # controls are refused (tests/services/test_control_characters_and_drafts.py)
    return st.text(printable, min_size=1, max_size=f.max_length).map(str.strip).filter(bool)


def as_typed(f: Field, value) -> list:
    """Ways a person or a screen may hand the value over."""
    if f.kind in (Kind.INTEGER, Kind.DECIMAL):
        text = str(value)
        return [value, text, text.replace(".", ",")]
    if f.kind is Kind.DATE:
        return [value, value.isoformat()]
    if f.kind is Kind.CHOICE:
        return [value, value.value]
    return [value]


@settings(max_examples=250, deadline=None, database=None)
@given(data=st.data(), f=st.sampled_from(ALL_FIELDS))
def test_valid_values_round_trip(data, f):
    value = data.draw(valid_values(f))
    for raw in as_typed(f, value):
        parsed = f.parse(raw)
        assert parsed == value
        assert f.parse(parsed) == parsed  # parsing a clean value again changes nothing


# ----- Found defects (see the final report; pmsdesk/domain/fields.py is owned elsewhere) -------
@pytest.mark.parametrize("f", [EDSS, T25FW_TRIALS[0], SIX_MINUTE_WALK, field(COURSE_FIELDS, "planned_dose")],
                         ids=lambda f: f.name)
def test_decimal_field_refuses_huge_exponent_with_field_error(f):
    refused(f, "1e1000000")


@pytest.mark.parametrize(("f", "raw"), [
    (T25FW_TRIALS[0], "10.00000000000000000000000000001"),
    (EDSS, "4.0000000000000000000000000001"),
], ids=["t25fw", "edss"])
def test_decimal_places_are_counted_exactly_for_long_input(f, raw):
    refused(f, raw)
