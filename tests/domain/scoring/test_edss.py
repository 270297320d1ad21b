"""EDSS step from functional systems: all shared vectors (spec 1.3-1.7)."""

import json
from pathlib import Path

import pytest

from pmsdesk.domain.scoring import RULESET_VERSION, FunctionalSystemScores, compute_edss, convert_bowel_bladder, convert_visual
from pmsdesk.domain.scoring.edss import EDSS_BY_AMBULATION

VECTORS = json.loads((Path(__file__).parent / "vectors" / "edss_fs_to_step.json").read_text())
ORDER = ("visual_raw", "brainstem", "pyramidal", "cerebellar", "sensory", "bowel_bladder_raw", "cerebral", "ambulation")
CASES = VECTORS["adobrasinovic_js_test_cases"] + VECTORS["atiweb_php_test_cases"]


def scores(case: dict) -> FunctionalSystemScores:
    return FunctionalSystemScores(*(case[key] for key in ORDER))


def test_all_103_calculator_vectors_are_present():
    assert len(CASES) == 103


@pytest.mark.parametrize("case", CASES, ids=[c["case"] for c in CASES])
def test_step_matches_calculator_unit_tests(case):
    assert compute_edss(scores(case)).step == case["expected_edss"]


@pytest.mark.parametrize("case", CASES, ids=[c["case"] for c in CASES])
def test_warning_exactly_when_implementations_disagree(case):
    """Every vector where adobrasinovic/edss (and its PHP port) and jirimotyl/edss disagree carries a
    warning, and no other does."""
    assert bool(compute_edss(scores(case)).warnings) == (not case["implementations_agree"])


@pytest.mark.parametrize("case", VECTORS["known_disagreements_between_implementations"],
                         ids=lambda c: c["pattern"])
def test_disagreement_patterns(case):
    result = compute_edss(scores(case))
    assert result.step == case["adobrasinovic_js_result"]
    disagree = case["jirimotyl_r_neurostatus16_result"] != case["adobrasinovic_js_result"]
    assert bool(result.warnings) == disagree
    if disagree:
        assert any("published calculators disagree" in w for w in result.warnings)


def test_cerebral_grade1_setting_follows_kurtzke_when_off():
    only_cerebral_1 = FunctionalSystemScores(0, 0, 0, 0, 0, 0, 1, 0)
    assert compute_edss(only_cerebral_1).step == 1.0
    kurtzke = compute_edss(only_cerebral_1, cerebral_grade1_counts=False)
    assert kurtzke.step == 0.0
    assert kurtzke.converted["cerebral"] == 0
    assert kurtzke.warnings[0].startswith("published calculators disagree on Cerebral grade 1")
    assert kurtzke.warnings[0].endswith("counted (adobrasinovic/edss and atiweb/edss-in-php)")


@pytest.mark.parametrize("raw,converted", VECTORS["fs_conversions"]["visual_raw_to_converted"].items())
def test_visual_conversion(raw, converted):
    assert convert_visual(int(raw)) == converted


@pytest.mark.parametrize("raw,converted", VECTORS["fs_conversions"]["bowel_bladder_raw_to_converted"].items())
def test_bowel_bladder_conversion(raw, converted):
    assert convert_bowel_bladder(int(raw)) == converted


@pytest.mark.parametrize("row", VECTORS["ambulation_score_to_edss_when_ambulation_ge_3"],
                         ids=lambda r: str(r["ambulation_score"]))
def test_ambulation_table_overrides_fs(row):
    result = compute_edss(FunctionalSystemScores(6, 5, 6, 5, 6, 6, 5, row["ambulation_score"]))
    assert EDSS_BY_AMBULATION[row["ambulation_score"]] == row["edss"]
    assert (result.step, result.rule) == (row["edss"], "R1")


def test_result_explains_itself():
    result = compute_edss(FunctionalSystemScores(6, 0, 0, 0, 0, 0, 0, 0))
    text = "\n".join(result.explain())
    assert result.step == 4.0 and result.rule == "R4"
    assert "Visual (optic) 6 (converted 4)" in text
    assert "Rule R4" in text and "Rule set: pmsdesk rules v1, the procedure of" in text
    assert result.ruleset_version == RULESET_VERSION  # the stored key; the explanation shows its label


def test_explain_lists_disagreement_warning():
    result = compute_edss(FunctionalSystemScores(0, 2, 0, 0, 0, 0, 4, 0))
    assert any(line.startswith("Warning:") and "one FS 4 with FS 2 and no FS 3" in line for line in result.explain())


@pytest.mark.parametrize("bad", [dict(visual=7), dict(cerebral=6), dict(ambulation=17), dict(pyramidal=-1),
                                 dict(sensory=1.5)])
def test_out_of_range_grades_are_rejected(bad):
    values = dict(visual=0, brainstem=0, pyramidal=0, cerebellar=0, sensory=0, bowel_bladder=0, cerebral=0,
                  ambulation=0) | bad
    with pytest.raises(ValueError):
        FunctionalSystemScores(**values)
