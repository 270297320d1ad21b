"""Record validation: every field rule in context, the rules that span fields, and reporting every
problem at once with its field key and a message naming the field, the value and what is allowed."""

from __future__ import annotations

import datetime as dt

import pytest

from sample_data import PATIENT, TODAY
from pmsdesk.domain.assessments import ASSESSMENT_SECTIONS
from pmsdesk.domain.validation import (
    EARLIEST_BIRTH_DATE,
    ValidationFailed,
    validate_adverse_event,
    validate_course,
    validate_dmt,
    validate_patient,
    validate_relapse,
    validate_visit,
)
from pmsdesk.domain.vocab import (
    AdverseEventTerm,
    Agent,
    NotCompletedReason,
    Phenotype,
    Sex,
    VisitKind,
    WalkingAid,
)

BIRTH = dt.date(1970, 3, 14)  # PATIENT's date of birth
TOMORROW = TODAY + dt.timedelta(days=1)

COURSE = {
    "agent": "it_methotrexate", "planned_dose": "12.5", "dose_unit": "mg", "interval_weeks_min": "8",
    "interval_weeks_max": "11", "start_date": "2024-01-15",
}
VISIT = {"visit_date": "2026-03-02", "kind": "assessment"}
TREATMENT_VISIT = {**VISIT, "kind": "treatment", "dose_given": "12.5", "dose_unit": "mg"}
ADVERSE_EVENT = {"term": "post_lp_headache", "onset_date": "2026-03-03"}
DMT = {"agent": "Ocrelizumab", "start_date": "2018-01-01"}
RELAPSE = {"onset_date": "2019-05-01"}


def failure(validate, raw, **context) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as caught:
        validate(raw, **context)
    return caught.value


def patient_problems(**changes) -> ValidationFailed:
    return failure(validate_patient, {**PATIENT, **changes}, today=TODAY)


def visit(**changes):
    return validate_visit({**VISIT, **changes}, birth_date=BIRTH, today=TODAY)


def visit_problems(**changes) -> ValidationFailed:
    return failure(validate_visit, {**VISIT, **changes}, birth_date=BIRTH, today=TODAY)


def only_problem(failed: ValidationFailed) -> tuple[str, str]:
    assert len(failed.problems) == 1, failed.problems
    return failed.problems[0].field, failed.problems[0].message


# ----- Patient ---------------------------------------------------------------------------------
def test_valid_patient_is_returned_typed():
    values = validate_patient(PATIENT, today=TODAY)
    assert values == {
        "clinic_id": "MS-0001", "family_name": "Example", "given_names": "Alex", "birth_date": BIRTH,
        "sex": Sex.FEMALE, "phenotype": Phenotype.SPMS, "onset_year": 1995,
        "diagnosis_date": dt.date(1998, 6, 1), "dominant_hand": "right", "education_years": 16, "notes": None,
    }


@pytest.mark.parametrize(("changes", "key", "fragments"), [
    ({"birth_date": "1899-12-31"}, "birth_date", ["Date of birth", "1899-12-31", "before 1900"]),
    ({"birth_date": TOMORROW.isoformat(), "onset_year": "", "diagnosis_date": ""}, "birth_date", ["Date of birth", TOMORROW.isoformat(), "in the future",
                                                          TODAY.isoformat()]),
    ({"onset_year": "1969"}, "onset_year", ["Year of onset", "1969", "from 1970 (birth) to 2026"]),
    ({"onset_year": "2027"}, "onset_year", ["Year of onset", "2027", "to 2026"]),
    ({"diagnosis_date": "1970-03-13"}, "diagnosis_date", ["Date of diagnosis", "1970-03-13", "before the date of birth",
                                                          "1970-03-14"]),
    ({"diagnosis_date": TOMORROW.isoformat()}, "diagnosis_date", ["Date of diagnosis", "in the future"]),
    ({"education_years": "31"}, "education_years", ["Years of education", "31", "from 0 to 30"]),
    ({"dominant_hand": "both"}, "dominant_hand", ["Dominant hand", "both", "Right, Left"]),
    ({"phenotype": "PRMS"}, "phenotype", ["MS phenotype", "PRMS", "Primary progressive (PPMS)"]),
    ({"given_names": "A" * 101}, "given_names", ["Given names", "at most 100 characters"]),
], ids=lambda v: v if isinstance(v, str) else None)
def test_patient_rule_refuses_with_field_value_and_allowed(changes, key, fragments):
    field, message = only_problem(patient_problems(**changes))
    assert field == key
    for fragment in fragments:
        assert fragment in message


@pytest.mark.parametrize("changes", [
    {"birth_date": "1900-01-01", "onset_year": "1900", "diagnosis_date": "1900-01-01"},
    {"birth_date": TODAY.isoformat(), "onset_year": str(TODAY.year), "diagnosis_date": TODAY.isoformat()},
    {"onset_year": "1970", "diagnosis_date": "1970-03-14"},
    {"onset_year": "", "diagnosis_date": "", "dominant_hand": "", "education_years": ""},
], ids=["earliest", "today", "on-birth", "optional-blank"])
def test_patient_boundary_dates_are_accepted(changes):
    validate_patient({**PATIENT, **changes}, today=TODAY)


def test_onset_year_is_checked_against_1900_when_the_birth_date_is_itself_refused():
    failed = patient_problems(birth_date="14/03/1970", onset_year="1899")
    assert {p.field for p in failed.problems} == {"birth_date", "onset_year"}
    assert "from 1900 to 2100" in failed.for_field("onset_year")[0]


@pytest.mark.parametrize("name", ["clinic_id", "family_name", "given_names", "birth_date", "sex", "phenotype"])
def test_patient_required_field_missing_is_reported_on_that_field(name):
    raw = {k: v for k, v in PATIENT.items() if k != name}
    field, message = only_problem(failure(validate_patient, raw, today=TODAY))
    assert field == name
    assert "this is required" in message


# ----- Treatment course ------------------------------------------------------------------------
def course_problems(**changes) -> ValidationFailed:
    return failure(validate_course, {**COURSE, **changes}, birth_date=BIRTH)


@pytest.mark.parametrize(("changes", "key", "fragments"), [
    ({"agent": "other"}, "agent_name", ["Agent name", "Other"]),
    ({"dose_unit": ""}, "dose_unit", ["Dose unit", "planned dose"]),
    ({"interval_weeks_min": "12", "interval_weeks_max": "8"}, "interval_weeks_max",
     ["Interval to (weeks)", "8", "shorter than the interval from (12)", "at least 12"]),
    ({"end_date": "2024-01-14"}, "end_date", ["End date", "2024-01-14", "before the start date (2024-01-15)"]),
    ({"start_date": "1970-03-13"}, "start_date", ["Start date", "1970-03-13", "before the date of birth"]),
    ({"interval_weeks_min": "0"}, "interval_weeks_min", ["Interval from (weeks)", "from 1 to 104"]),
    ({"planned_dose": "0"}, "planned_dose", ["Planned dose", "\u201c0\u201d", "above 0"]),
    ({"agent": "methotrexate"}, "agent", ["Agent", "methotrexate", "Intrathecal methotrexate"]),
], ids=lambda v: v if isinstance(v, str) else None)
def test_course_rule_refuses(changes, key, fragments):
    field, message = only_problem(course_problems(**changes))
    assert field == key
    for fragment in fragments:
        assert fragment in message


def test_course_boundaries_and_named_other_agent_are_accepted():
    values = validate_course({**COURSE, "agent": "other", "agent_name": "Intrathecal rituximab",
                              "interval_weeks_min": "12", "interval_weeks_max": "12",
                              "end_date": COURSE["start_date"]}, birth_date=BIRTH)
    assert values["agent"] is Agent.OTHER
    assert values["agent_name"] == "Intrathecal rituximab"
    assert values["planned_dose"] == 12.5
    assert values["end_date"] == values["start_date"] == dt.date(2024, 1, 15)


def test_course_without_dose_needs_no_unit():
    validate_course({**COURSE, "planned_dose": "", "dose_unit": ""}, birth_date=BIRTH)


# ----- Visit -----------------------------------------------------------------------------------
@pytest.mark.parametrize(("changes", "key", "fragments"), [
    ({"visit_date": "1970-03-13"}, "visit_date", ["Visit date", "1970-03-13", "before the date of birth"]),
    ({"visit_date": TOMORROW.isoformat()}, "visit_date", ["Visit date", TOMORROW.isoformat(), "in the future",
                                                          f"up to {TODAY.isoformat()}"]),
    ({"visit_date": ""}, "visit_date", ["Visit date", "required"]),
    ({"kind": "treatment"}, "dose_given", ["Dose given", "treatment visit"]),
    ({"dose_given": "12.5"}, "dose_unit", ["Dose unit", "required with a dose"]),
    ({"kind": "screening"}, "kind", ["Visit kind", "screening", "Baseline, Treatment, Assessment only, Follow-up"]),
    ({"csf_removed_ml": "50.5"}, "csf_removed_ml", ["CSF removed", "50.5", "from 0 to 50 mL"]),
], ids=lambda v: v if isinstance(v, str) else None)
def test_visit_rule_refuses(changes, key, fragments):
    field, message = only_problem(visit_problems(**changes))
    assert field == key
    for fragment in fragments:
        assert fragment in message


def test_visit_on_birth_date_and_today_are_accepted():
    assert visit(visit_date=BIRTH.isoformat()).visit["visit_date"] == BIRTH
    assert visit(visit_date=TODAY).visit["visit_date"] == TODAY


def test_treatment_visit_with_dose_and_unit_is_accepted():
    values = validate_visit(TREATMENT_VISIT, birth_date=BIRTH, today=TODAY)
    assert values.visit["kind"] is VisitKind.TREATMENT
    assert (values.visit["dose_given"], values.visit["dose_unit"]) == (12.5, "mg")


def test_visit_without_assessments_has_every_section_absent():
    assert visit().assessments == {section: None for section in ASSESSMENT_SECTIONS}


def test_visit_with_every_section_is_returned_typed():
    values = visit(**{
        "edss.edss": "3,5", "edss.fs_pyramidal": "2", "edss.ambulation": 0,
        "t25fw.trial1_s": "6.25", "t25fw.trial2_s": 6.5, "t25fw.walking_aid": "none",
        "t25fw.more_than_two_attempts": False,
        "nhpt.dominant_trial1_s": "20.1", "nhpt.dominant_trial2_s": "19.9",
        "nhpt.nondominant_not_completed": "physical_ms",
        "sdmt.score": "51", "sdmt.modality": "oral", "sdmt.form": "B",
        "six_minute_walk.distance_m": "412",
    }).assessments
    assert values["edss"]["edss"] == 3.5 and values["edss"]["fs_pyramidal"] == 2 and values["edss"]["fs_visual"] is None
    assert values["t25fw"]["walking_aid"] is WalkingAid.NONE
    assert (values["t25fw"]["trial1_s"], values["t25fw"]["trial2_s"]) == (6.25, 6.5)
    assert values["nhpt"]["nondominant_not_completed"] is NotCompletedReason.PHYSICAL_MS
    assert values["nhpt"]["nondominant_trial1_s"] is None
    assert values["sdmt"] == {"score": 51, "modality": "oral", "form": "B"}
    assert values["six_minute_walk"] == {"distance_m": 412.0, "not_completed": None, "not_completed_note": None}


# T25FW / 9HPT: both trials unless marked not completed; reason "other" needs a note (spec 2.1, 2.2).
@pytest.mark.parametrize(("entered", "missing"), [
    ({"t25fw.trial1_s": "6.1"}, {"t25fw.trial2_s"}),
    ({"t25fw.trial2_s": "6.1"}, {"t25fw.trial1_s"}),
    ({"t25fw.walking_aid": "walker"}, {"t25fw.trial1_s", "t25fw.trial2_s"}),
    ({"nhpt.dominant_trial1_s": "20", "nhpt.dominant_trial2_s": "21"},
     {"nhpt.nondominant_trial1_s", "nhpt.nondominant_trial2_s"}),
    ({"nhpt.dominant_trial1_s": "20", "nhpt.nondominant_trial1_s": "22", "nhpt.nondominant_trial2_s": "23"},
     {"nhpt.dominant_trial2_s"}),
    ({"nhpt.dominant_not_completed": "physical_ms"}, {"nhpt.nondominant_trial1_s", "nhpt.nondominant_trial2_s"}),
], ids=["t25fw-trial2", "t25fw-trial1", "t25fw-aid-only", "nhpt-nondominant", "nhpt-dominant-trial2",
        "nhpt-one-hand-not-done"])
def test_timed_test_needs_both_trials_unless_marked_not_completed(entered, missing):
    failed = visit_problems(**entered)
    assert {p.field for p in failed.problems} == missing
    for key in missing:
        assert "enter the time of this trial, or choose why the test was not completed" in failed.for_field(key)[0]


@pytest.mark.parametrize("entered", [
    {"t25fw.not_completed": "physical_ms"},
    {"t25fw.not_completed": "other", "t25fw.not_completed_note": "Fire alarm"},
    {"nhpt.dominant_not_completed": "physical_ms", "nhpt.nondominant_not_completed": "physical_ms"},
    {"nhpt.dominant_trial1_s": "20", "nhpt.dominant_trial2_s": "21", "nhpt.nondominant_not_completed": "other",
     "nhpt.not_completed_note": "Cast on the left arm"},
], ids=["t25fw-ms", "t25fw-other-with-note", "nhpt-both-ms", "nhpt-one-hand-other-with-note"])
def test_timed_test_marked_not_completed_needs_no_trials(entered):
    section = next(iter(entered)).split(".")[0]
    assert visit(**entered).assessments[section] is not None


@pytest.mark.parametrize(("entered", "key", "fragment"), [
    ({"t25fw.not_completed": "other"}, "t25fw.not_completed_note", "T25FW reason: say why"),
    ({"nhpt.dominant_not_completed": "other", "nhpt.nondominant_not_completed": "physical_ms"},
     "nhpt.not_completed_note", "9HPT reason: say why"),
    ({"nhpt.dominant_trial1_s": "20", "nhpt.dominant_trial2_s": "21", "nhpt.nondominant_not_completed": "other"},
     "nhpt.not_completed_note", "9HPT reason: say why"),
], ids=["t25fw", "nhpt-dominant", "nhpt-nondominant"])
def test_not_completed_for_other_reason_needs_a_note(entered, key, fragment):
    field, message = only_problem(visit_problems(**entered))
    assert field == key
    assert message.startswith(fragment)


def test_timed_test_marked_not_completed_may_not_carry_times():
    # Rule added in the working tree (validation._check_trials): a test with no score has no times.
    field, message = only_problem(visit_problems(**{"t25fw.trial1_s": "6", "t25fw.trial2_s": "6",
                                                    "t25fw.not_completed": "physical_ms"}))
    assert field == "t25fw.not_completed"
    assert "marked not completed has no trial times" in message


@pytest.mark.parametrize("entered", [{"sdmt.modality": "oral"}, {"sdmt.form": "A"}], ids=["modality", "form"])
def test_sdmt_section_without_score(entered):
    field, message = only_problem(visit_problems(**entered))
    assert field == "sdmt.score"
    assert "SDMT score: enter the score (0 to 110), or clear the SDMT section" in message


def test_every_problem_is_reported_at_once_with_its_field_key():
    failed = visit_problems(**{
        "visit_date": TOMORROW.isoformat(),
        "kind": "treatment",  # and no dose
        "lp_attempts": "0",
        "edss.edss": "0.5",
        "edss.fs_cerebellar": "6",
        "t25fw.trial1_s": "0",
        "t25fw.trial2_s": "180.01",
        "nhpt.dominant_trial1_s": "301", "nhpt.dominant_trial2_s": "20",
        "nhpt.nondominant_trial1_s": "20.123", "nhpt.nondominant_trial2_s": "abc",
        "sdmt.score": "110.5",
        "six_minute_walk.distance_m": "-1",
    })
    expected = {
        "visit_date": ("Visit date", TOMORROW.isoformat()),
        "dose_given": ("Dose given", "treatment visit"),
        "lp_attempts": ("Attempts", "\u201c0\u201d"),
        "edss.edss": ("EDSS (clinician)", "\u201c0.5\u201d"),
        "edss.fs_cerebellar": ("Cerebellar", "\u201c6\u201d"),
        "t25fw.trial1_s": ("T25FW trial 1", "\u201c0\u201d"),
        "t25fw.trial2_s": ("T25FW trial 2", "\u201c180.01\u201d"),
        "nhpt.dominant_trial1_s": ("9HPT dominant hand, trial 1", "\u201c301\u201d"),
        "nhpt.nondominant_trial1_s": ("9HPT non-dominant hand, trial 1", "\u201c20.123\u201d"),
        "nhpt.nondominant_trial2_s": ("9HPT non-dominant hand, trial 2", "\u201cabc\u201d"),
        "sdmt.score": ("SDMT score", "\u201c110.5\u201d"),
        "six_minute_walk.distance_m": ("Six-minute walk distance", "\u201c-1\u201d"),
    }
    assert sorted(p.field for p in failed.problems) == sorted(expected)  # one problem per field
    for key, (label, fragment) in expected.items():
        (message,) = failed.for_field(key)
        assert message.startswith(label + ":") and fragment in message
    assert str(failed) == "; ".join(p.message for p in failed.problems)


def test_one_message_per_field_even_when_two_rules_apply():
    # The trial is refused by its range; the "both trials" rule must not add a second message.
    failed = visit_problems(**{"t25fw.trial1_s": "200", "t25fw.trial2_s": "6"})
    assert [p.field for p in failed.problems] == ["t25fw.trial1_s"]


def test_unknown_keys_and_unprefixed_assessment_names_are_ignored():
    assert visit(score="999", **{"sdmt.unknown": "x"}).assessments["sdmt"] is None


# ----- Adverse event, relapse, disease-modifying therapy --------------------------------------
@pytest.mark.parametrize(("validate", "base", "changes", "key", "fragments"), [
    (validate_adverse_event, ADVERSE_EVENT, {"term": "other"}, "term_other", ["Description", "Other"]),
    (validate_adverse_event, ADVERSE_EVENT, {"resolved_date": "2026-03-02"}, "resolved_date",
     ["Resolved on", "2026-03-02", "before the onset (2026-03-03)"]),
    (validate_adverse_event, ADVERSE_EVENT, {"onset_date": "1970-03-13"}, "onset_date",
     ["Onset", "before the date of birth"]),
    (validate_adverse_event, ADVERSE_EVENT, {"onset_date": TOMORROW.isoformat()}, "onset_date", ["Onset", "in the future"]),
    (validate_adverse_event, ADVERSE_EVENT, {"resolved_date": TOMORROW.isoformat()}, "resolved_date",
     ["Resolved on", "in the future"]),
    (validate_adverse_event, ADVERSE_EVENT, {"ctcae_grade": "6"}, "ctcae_grade", ["CTCAE grade", "from 1 to 5"]),
    (validate_adverse_event, ADVERSE_EVENT, {"serious": "yes"}, "serious", ["Serious", "\u201cyes\u201d", "yes or no"]),
    (validate_adverse_event, ADVERSE_EVENT, {"related_drug": "maybe"}, "related_drug", ["Related to the drug", "maybe"]),
    (validate_adverse_event, ADVERSE_EVENT, {"term": ""}, "term", ["Adverse event", "required"]),
    (validate_dmt, DMT, {"stop_date": "2017-12-31"}, "stop_date", ["Stopped", "2017-12-31", "before the start (2018-01-01)"]),
    (validate_dmt, DMT, {"start_date": "1960-01-01"}, "start_date", ["Started", "before the date of birth"]),
    (validate_dmt, DMT, {"stop_date": TOMORROW.isoformat()}, "stop_date", ["Stopped", "in the future"]),
    (validate_dmt, DMT, {"agent": ""}, "agent", ["Therapy", "required"]),
    (validate_relapse, RELAPSE, {"onset_date": "1970-01-01"}, "onset_date", ["Relapse onset", "before the date of birth"]),
    (validate_relapse, RELAPSE, {"onset_date": TOMORROW.isoformat()}, "onset_date", ["Relapse onset", "in the future"]),
    (validate_relapse, RELAPSE, {"onset_date": None}, "onset_date", ["Relapse onset", "required"]),
], ids=lambda v: v if isinstance(v, str) else None)
def test_history_rule_refuses(validate, base, changes, key, fragments):
    field, message = only_problem(failure(validate, {**base, **changes}, birth_date=BIRTH, today=TODAY))
    assert field == key
    for fragment in fragments:
        assert fragment in message


def test_history_boundaries_are_accepted():
    event = validate_adverse_event({**ADVERSE_EVENT, "term": "other", "term_other": "Dizziness", "serious": True,
                                    "resolved_date": ADVERSE_EVENT["onset_date"], "ctcae_grade": "5"},
                                   birth_date=BIRTH, today=TODAY)
    assert event["term"] is AdverseEventTerm.OTHER and event["serious"] is True and event["ctcae_grade"] == 5
    assert event["resolved_date"] == event["onset_date"]
    dmt = validate_dmt({**DMT, "stop_date": DMT["start_date"]}, birth_date=BIRTH, today=TODAY)
    assert dmt["stop_date"] == dmt["start_date"] == dt.date(2018, 1, 1)
    assert validate_relapse({"onset_date": TODAY}, birth_date=BIRTH, today=TODAY)["onset_date"] == TODAY


def test_earliest_birth_date_is_1900():
    assert EARLIEST_BIRTH_DATE == dt.date(1900, 1, 1)


# ----- Found defect (pmsdesk/domain/validation.py is owned elsewhere; see the final report) ----
@pytest.mark.parametrize(("entered", "section"), [
    ({"edss.edss": 0.0, "edss.fs_visual": 0, "edss.ambulation": 0}, "edss"),
    ({"sdmt.score": 0}, "sdmt"),
    ({"six_minute_walk.not_completed": "physical_ms"}, "six_minute_walk"),
], ids=["edss", "sdmt", "six_minute_walk"])
def test_section_of_numeric_zeros_is_recorded(entered, section):
    assert visit(**entered).assessments[section] is not None
