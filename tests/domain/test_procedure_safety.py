"""The pre-puncture safety check, rule by rule on its boundaries (the numbers from the sources the rules
cite: ABN 2018 hold times and INR, NCT02644044's white cell and lymphocyte counts, the platelet
threshold in common use), thresholds from the clinic's settings, and who may override a failed check."""

from __future__ import annotations

import datetime as dt

import pytest

from pmsdesk.domain.permissions import Actor, Role
from pmsdesk.domain.procedure_safety import (
    ABN_2018,
    NCT02644044,
    Answers,
    Antithrombotic,
    LabResult,
    Outcome,
    OverrideRefused,
    dose_may_be_recorded,
    override,
    pre_puncture_check,
)
from pmsdesk.domain.settings import INR_MAX, PLATELETS_MIN, SAFETY_SETTINGS, safety_thresholds

DAY = dt.date(2026, 11, 20)
SAFE = Answers(Antithrombotic.NONE, None, False, False, False, False)
GOOD_LABS = {"platelets": LabResult(250, DAY), "wbc": LabResult(6.0, DAY), "lymphocytes": LabResult(1.5, DAY),
             "inr": LabResult(1.0, DAY)}


def item(result, code):
    return next(i for i in result.items if i.code == code)


def check(answers=SAFE, labs=None, agent="it_methotrexate", thresholds=None):
    options = {"thresholds": thresholds} if thresholds is not None else {}
    return pre_puncture_check(answers, {**GOOD_LABS, **(labs or {})}, agent=agent, visit_date=DAY, **options)


def test_everything_answered_and_in_range_passes_and_explains_each_item_with_its_source():
    result = check()
    assert result.passed and [i.code for i in result.items] == [
        "antithrombotic", "platelets", "pregnancy", "infection", "methotrexate_allergy",
        "methotrexate_neurotoxicity", "wbc", "lymphocytes"]
    assert "doi:10.1136/practneurol-2017-001820" in result.explain() and "NCT02644044" in result.explain()


@pytest.mark.parametrize(("drug", "hold"), [
    (Antithrombotic.CLOPIDOGREL, 168), (Antithrombotic.TICAGRELOR, 168), (Antithrombotic.PRASUGREL, 168),
    (Antithrombotic.WARFARIN, 120), (Antithrombotic.LMWH_PROPHYLACTIC, 12), (Antithrombotic.LMWH_TREATMENT, 24),
    (Antithrombotic.HEPARIN_IV, 6), (Antithrombotic.APIXABAN, 48), (Antithrombotic.RIVAROXABAN, 48),
    (Antithrombotic.EDOXABAN, 48), (Antithrombotic.DABIGATRAN, 72), (Antithrombotic.DIPYRIDAMOLE, 24),
    (Antithrombotic.CILOSTAZOL, 42)])
def test_each_antithrombotic_hold_time_of_abn_2018_on_its_boundary(drug, hold):
    just_enough = item(check(Answers(drug, hold, False, False, False, False)), "antithrombotic")
    too_soon = item(check(Answers(drug, hold - 0.5, False, False, False, False)), "antithrombotic")
    assert just_enough.outcome is Outcome.PASSED and just_enough.source == ABN_2018
    assert too_soon.outcome is Outcome.FAILED and f"stop at least {hold} h before" in too_soon.finding
    unanswered = item(check(Answers(drug, None, False, False, False, False)), "antithrombotic")
    assert unanswered.outcome is Outcome.UNANSWERED and "time since the last dose not answered" in unanswered.finding


def test_aspirin_alone_passes_fondaparinux_treatment_dose_always_fails_and_none_answered_blocks():
    assert item(check(Answers(Antithrombotic.ASPIRIN, 1, False, False, False, False)), "antithrombotic").outcome \
        is Outcome.PASSED
    avoid = item(check(Answers(Antithrombotic.FONDAPARINUX_TREATMENT, 1000, False, False, False, False)),
                 "antithrombotic")
    assert avoid.outcome is Outcome.FAILED and "avoiding the puncture" in avoid.finding
    result = check(Answers())
    assert {i.code for i in result.blocking} == {"antithrombotic", "pregnancy", "infection", "methotrexate_allergy",
                                                 "methotrexate_neurotoxicity"}


@pytest.mark.parametrize(("inr", "passes"), [(1.4, True), (1.5, False)])
def test_warfarin_needs_an_inr_of_the_day_at_most_1_4(inr, passes):
    warfarin = Answers(Antithrombotic.WARFARIN, 120, False, False, False, False)
    assert item(check(warfarin, {"inr": LabResult(inr, DAY)}), "inr").outcome is (
        Outcome.PASSED if passes else Outcome.FAILED)
    yesterday = item(check(warfarin, {"inr": LabResult(1.0, DAY - dt.timedelta(days=1))}), "inr")
    assert yesterday.outcome is Outcome.UNANSWERED and "one from the day of the puncture" in yesterday.finding
    assert "inr" not in {i.code for i in check().items}, "no INR asked without warfarin"


@pytest.mark.parametrize(("code", "limit", "unit_step"), [("platelets", 50, 1), ("wbc", 4.0, 0.1),
                                                          ("lymphocytes", 0.8, 0.1)])
def test_counts_on_their_lower_limits(code, limit, unit_step):
    at_limit = item(check(labs={code: LabResult(limit, DAY)}), code)
    below = item(check(labs={code: LabResult(round(limit - unit_step, 2), DAY)}), code)
    assert at_limit.outcome is Outcome.PASSED
    assert below.outcome is Outcome.FAILED and f"below the minimum {limit:g}" in below.finding
    if code != "platelets":
        assert below.source == NCT02644044


def test_a_missing_or_too_old_lab_value_is_named_and_blocks():
    missing = check(labs={"platelets": None})
    assert item(missing, "platelets").finding == "no value recorded" and not missing.passed
    old = item(check(labs={"wbc": LabResult(6.0, DAY - dt.timedelta(days=29))}), "wbc")
    assert old.outcome is Outcome.UNANSWERED and "29 days old" in old.finding and "up to 28 days old" in old.finding
    assert item(check(labs={"wbc": LabResult(6.0, DAY - dt.timedelta(days=28))}), "wbc").outcome is Outcome.PASSED


def test_pregnancy_infection_allergy_and_neurotoxicity_each_block_and_methotrexate_names_its_pregnancy_advice():
    for field, code in (("pregnancy_possible", "pregnancy"), ("active_infection", "infection"),
                        ("methotrexate_allergy", "methotrexate_allergy"),
                        ("methotrexate_neurotoxicity", "methotrexate_neurotoxicity")):
        answers = Answers(**{**SAFE.__dict__, field: True})
        assert [i.code for i in check(answers).blocking] == [code]
    pregnant = item(check(Answers(**{**SAFE.__dict__, "pregnancy_possible": True})), "pregnancy")
    assert "6 months after the last dose" in pregnant.finding and "medicinesinpregnancy.org" in pregnant.source
    cells = check(agent="msc_np", labs={"wbc": None, "lymphocytes": None})
    assert cells.passed and "methotrexate_allergy" not in {i.code for i in cells.items}


def test_thresholds_are_clinic_settings_with_the_sources_defaults():
    defaults = safety_thresholds({})
    assert (defaults.platelets_min, defaults.inr_max, defaults.wbc_min, defaults.lymphocytes_min) == (50, 1.4, 4.0, 0.8)
    stricter = safety_thresholds({PLATELETS_MIN.key: "80", INR_MAX.key: "1,2", "safety/hold_hours/apixaban": "72"})
    assert item(check(labs={"platelets": LabResult(70, DAY)}, thresholds=stricter), "platelets").blocks
    assert stricter.inr_max == 1.2 and stricter.hold_hours[Antithrombotic.APIXABAN] == 72
    assert safety_thresholds({PLATELETS_MIN.key: "5"}).platelets_min == 50, "out of range: the default"
    assert PLATELETS_MIN.problem("5") == ("Lowest platelet count for a puncture: 5 is not allowed; enter a number "
                                          "from 10 to 200 x10^9/L.")
    assert len({s.key for s in SAFETY_SETTINGS}) == len(SAFETY_SETTINGS) == 18
    for setting in SAFETY_SETTINGS:  # each default is within its own range, and junk falls back to it
        assert setting.minimum <= setting.default <= setting.maximum and setting.parse("junk") == setting.default
        assert setting.problem("9" * 400).endswith(".") and setting.problem(str(setting.default)) is None


def test_only_a_neurologist_with_a_reason_overrides_a_failed_check():
    failed = check(labs={"platelets": LabResult(42, DAY)})
    nurse = Actor("n", Role.NURSE, 1, "Nina Nurse")
    neurologist = Actor("d", Role.NEUROLOGIST, 2, "Dr Dana Neuro")
    with pytest.raises(OverrideRefused, match="only by a neurologist"):
        override(failed, nurse, "urgent")
    for reason in (None, "", "   "):
        with pytest.raises(OverrideRefused, match="needs a reason"):
            override(failed, neurologist, reason)
    with pytest.raises(OverrideRefused, match="501 characters"):
        override(failed, neurologist, "x" * 501)
    given = override(failed, neurologist, "  Platelets stable at 42 for a year; haematology agrees  ")
    assert given.items == ("platelets",) and given.reason.startswith("Platelets stable") and given.by == "d"
    assert not dose_may_be_recorded(failed, None) and dose_may_be_recorded(failed, given)
    worse = check(Answers(**{**SAFE.__dict__, "active_infection": True}), {"platelets": LabResult(42, DAY)})
    assert not dose_may_be_recorded(worse, given), "an override covers the items it named, no others"
