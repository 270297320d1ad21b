"""Timed tests, MSFC z-scores (spec 2-3) and Costers 2017 SDMT norms (spec 5.1)."""

import json
from pathlib import Path

import pytest

from pmsdesk.domain.scoring import (
    NhptScore,
    SdmtCohortReference,
    msfc,
    msfc_sdmt_variant,
    nhpt_hand_score,
    sdmt_costers2017_z,
    sdmt_score,
    t25fw_score,
)
from pmsdesk.domain.vocab import NotCompletedReason, Sex

VECTORS = Path(__file__).parent / "vectors"
MSFC = json.loads((VECTORS / "msfc_zscores.json").read_text())
COSTERS = json.loads((VECTORS / "sdmt_bicams_costers2017_z.json").read_text())


def nhpt_of(case):
    return NhptScore(nhpt_hand_score("dominant", *case["nhpt_dominant_trials_s"]),
                     nhpt_hand_score("non-dominant", *case["nhpt_nondominant_trials_s"]))


@pytest.mark.parametrize("case", MSFC["cases"], ids=lambda c: c["name"])
def test_msfc_vectors(case):
    walk = t25fw_score(*case["t25fw_trials_s"])
    pegs = nhpt_of(case)
    score = msfc(walk, pegs, case["pasat3_correct"])
    assert walk.seconds == pytest.approx(case["t25fw_mean_s"])
    assert pegs.dominant.seconds == pytest.approx(case["nhpt_dominant_mean_s"])
    assert pegs.msfc_reciprocal == pytest.approx(case["nhpt_mean_reciprocal_per_s"], abs=1e-8)
    assert score.z_t25fw == pytest.approx(case["z_t25fw"], abs=1e-6)
    assert score.z_nhpt == pytest.approx(case["z_9hpt"], abs=1e-6)
    assert score.z_cognitive == pytest.approx(case["z_pasat3"], abs=1e-6)
    assert score.composite == pytest.approx(case["msfc_composite"], abs=1e-6)
    assert "Task Force" in score.label


def test_unable_due_to_ms_uses_msfc_fill_values():
    fill = MSFC["unable_due_to_ms_convention"]
    walk = t25fw_score(None, None, NotCompletedReason.PHYSICAL_MS)
    pegs = NhptScore(nhpt_hand_score("dominant", None, None, NotCompletedReason.PHYSICAL_MS),
                     nhpt_hand_score("non-dominant", 20.0, 22.0))
    score = msfc(walk, pegs, None, NotCompletedReason.PHYSICAL_MS)
    assert walk.seconds is None and walk.msfc_seconds == fill["t25fw_fill_seconds_if_unable_due_to_ms"]
    assert score.z_t25fw == pytest.approx(fill["z_t25fw_of_fill"], abs=1e-4)
    assert pegs.dominant.msfc_seconds == fill["nhpt_fill_seconds_per_trial_if_unable_due_to_ms"]
    assert score.z_cognitive == pytest.approx((0 - 45.0311) / 12.0771)
    assert len(score.warnings) == 3


def test_not_done_for_other_reason_leaves_composite_missing():
    walk = t25fw_score(None, None, NotCompletedReason.OTHER)
    pegs = NhptScore(nhpt_hand_score("dominant", 20.0, 21.0), nhpt_hand_score("non-dominant", 20.0, 22.0))
    score = msfc(walk, pegs, 50)
    assert walk.msfc_seconds is None and score.z_t25fw is None and score.composite is None
    assert any("missing T25FW" in w for w in score.warnings)
    assert "not completed" in walk.explain()[0]


def test_sdmt_variant_is_labelled_and_uses_cohort_reference():
    case = MSFC["cases"][0]
    reference = SdmtCohortReference("clinic cohort baseline 2024", mean=50.0, sd=10.0)
    score = msfc_sdmt_variant(t25fw_score(*case["t25fw_trials_s"]), nhpt_of(case), 55, reference)
    assert score.z_cognitive == pytest.approx(0.5)
    assert score.label.startswith("MSFC (SDMT variant, clinic cohort baseline 2024")
    assert score.composite == pytest.approx((case["z_t25fw"] + case["z_9hpt"] + 0.5) / 3, abs=1e-6)


def test_single_trial_and_time_limit_warn():
    single = t25fw_score(200.0)
    assert single.seconds == 200.0
    assert any("one trial" in w for w in single.warnings) and any("180 s" in w for w in single.warnings)


@pytest.mark.parametrize("call", [lambda: t25fw_score(None), lambda: t25fw_score(5.0, 6.0, NotCompletedReason.OTHER),
                                  lambda: t25fw_score(0.0, 5.0), lambda: sdmt_score(111), lambda: sdmt_score(-1)])
def test_invalid_timed_inputs_are_rejected(call):
    with pytest.raises(ValueError):
        call()


@pytest.mark.parametrize("case", COSTERS["cases"], ids=lambda c: f"age{c['age']}-raw{c['sdmt_raw']}")
def test_costers2017_vectors(case):
    sex = Sex.MALE if case["sex_1male_2female"] == 1 else Sex.FEMALE
    norm = sdmt_costers2017_z(case["sdmt_raw"], case["age"], sex, case["education_years"])
    assert norm.scaled == case["scaled_score"]
    assert norm.expected_scaled == pytest.approx(case["expected_scaled"], abs=1e-9)
    assert norm.z == pytest.approx(case["z"], abs=1e-6)
    assert norm.impaired == case["impaired_at_z_le_-1.5"]


@pytest.mark.parametrize("row", COSTERS["raw_to_scaled_table"], ids=lambda r: str(r["scaled"]))
def test_costers2017_scaled_table_edges(row):
    for raw in (row["raw_min"], min(row["raw_max"], 110)):
        assert sdmt_costers2017_z(raw, 40, Sex.FEMALE, 12).scaled == row["scaled"]


def test_costers2017_rejects_undefined_inputs():
    with pytest.raises(ValueError):
        sdmt_costers2017_z(50, 40, Sex.OTHER, 12)
    with pytest.raises(ValueError):
        sdmt_costers2017_z(50, 40, Sex.MALE, 14)
