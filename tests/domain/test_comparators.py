"""Fair comparators (domain.comparators): an arm is drawn by default only when it fits the patient's
phenotype, disability range and treatment, and says why when it does not."""

from __future__ import annotations

import re

import pytest

from pmsdesk.domain.comparators import (
    EDSS_RANGE_MARGIN,
    MARKERS,
    PALETTE,
    PatientProfile,
    Role,
    comparators_for,
)
from pmsdesk.domain.references import load_reference_library
from pmsdesk.domain.vocab import Phenotype

ITMTX, MSC_NP = frozenset({"it_methotrexate"}), frozenset({"msc_np"})
PETROU_SHAM = "petrou2020_itmsc_ivmsc_sham/sham (placebo)"
HARRIS_SALINE = "harris2024_mscnp_phase2/saline, EDSS 6.0-6.5 subgroup"
HARRIS_MSCNP = "harris2024_mscnp_phase2/MSC-NP, EDSS 6.0-6.5 subgroup"


@pytest.fixture(scope="module")
def library():
    return load_reference_library()


def choices(library, measure, phenotype="SPMS", edss=4.0, agents=ITMTX):
    profile = PatientProfile(Phenotype(phenotype) if phenotype else None, edss, agents)
    return {choice.key: choice for choice in comparators_for(library, profile, measure)}


def test_a_single_phenotype_cohort_is_named_as_a_mismatch_for_the_other_phenotype(library):
    ppms = choices(library, "edss", "PPMS", 5.0)
    assert ppms["impact_placebo_edssplus/placebo"].mismatch == "SPMS cohort; this patient has PPMS"
    assert ppms["natural_history_ppms_slc_hapims/all"].default_on
    spms = choices(library, "edss", "SPMS", 5.0)
    assert spms["impact_placebo_edssplus/placebo"].default_on
    assert spms["natural_history_ppms_slc_hapims/all"].mismatch == "PPMS cohort; this patient has SPMS"
    # a phenotype subgroup of a mixed cohort
    assert spms["sadiq2010_itmtx/PPMS"].mismatch == "PPMS subgroup; this patient has SPMS"
    assert spms["sadiq2010_itmtx/SPMS"].default_on


def test_no_progressive_ms_cohort_is_drawn_for_a_relapsing_remitting_patient(library):
    rrms = choices(library, "edss", "RRMS", 3.0)
    assert not [key for key, choice in rrms.items() if choice.default_on]
    assert rrms[PETROU_SHAM].mismatch == "PPMS/SPMS cohort; this patient has RRMS"
    assert choices(library, "edss", None)[PETROU_SHAM].mismatch == "PPMS/SPMS cohort; no phenotype recorded"


@pytest.mark.parametrize("edss, fits", [(4.0, False), (5.0, False), (6.0 - EDSS_RANGE_MARGIN, True), (6.0, True),
                                        (6.5, True), (7.0, True), (7.5, False)])
def test_an_edss_subgroup_is_drawn_only_for_patients_in_or_one_step_from_its_range(library, edss, fits):
    saline = choices(library, "t25fw", "PPMS", edss)[HARRIS_SALINE]
    assert saline.default_on is fits
    if not fits:
        assert saline.mismatch == f"EDSS 6.0\u20136.5 subgroup; this patient's baseline EDSS is {edss:.1f}"
    assert "EDSS 6.0-6.5 subgroup" in saline.label  # the legend names the subgroup


def test_an_edss_subgroup_needs_a_recorded_edss_and_an_entry_range_is_judged_the_same_way(library):
    assert choices(library, "t25fw", "PPMS", None)[HARRIS_SALINE].mismatch == \
        "EDSS 6.0\u20136.5 subgroup; this patient has no EDSS recorded"
    assert choices(library, "edss", "SPMS", None)[PETROU_SHAM].default_on  # entry 3.5-6.5: not held against them
    assert choices(library, "edss", "SPMS", 2.0)[PETROU_SHAM].mismatch == \
        "EDSS 3.5\u20136.5 at entry; this patient's baseline EDSS is 2.0"
    assert choices(library, "edss", "SPMS", 3.0)[PETROU_SHAM].default_on


def test_a_treated_arm_is_drawn_only_for_a_patient_on_that_agent(library):
    on_msc_np = choices(library, "t25fw", "PPMS", 6.0, MSC_NP)
    assert on_msc_np[HARRIS_MSCNP].default_on and on_msc_np[HARRIS_MSCNP].role is Role.OWN_TREATMENT
    assert on_msc_np["kolb2025_itmtx_phase1/all"].mismatch == "ITMTX arm; this patient receives MSC-NP"
    on_itmtx = choices(library, "t25fw", "PPMS", 6.0, ITMTX)
    assert on_itmtx[HARRIS_MSCNP].mismatch == "MSC-NP arm; this patient receives ITMTX"
    assert on_itmtx["kolb2025_itmtx_phase1/all"].default_on
    assert on_itmtx["oratorio_placebo/ocrelizumab"].mismatch.startswith("ocrelizumab arm")
    untreated = choices(library, "t25fw", "PPMS", 6.0, frozenset())
    assert untreated["kolb2025_itmtx_phase1/all"].mismatch == "ITMTX arm; this patient has no treatment course"
    # the intravenous arm of an intrathecal trial is another treatment
    assert choices(library, "edss", "SPMS", 5.0, frozenset({"autologous_msc"}))[
        "petrou2020_itmsc_ivmsc_sham/IV-MSC"].mismatch.startswith("intravenous autologous MSC arm")


def test_placebo_arms_come_first_then_the_patients_own_treatment_then_the_rest(library):
    ordered = list(choices(library, "t25fw", "PPMS", 6.0, MSC_NP).values())
    defaults = [choice for choice in ordered if choice.default_on]
    assert ordered[:len(defaults)] == defaults  # everything that fits before anything that does not
    roles = [choice.role for choice in defaults]
    assert roles == sorted(roles, key=[Role.COMPARISON, Role.OWN_TREATMENT, Role.OTHER].index)
    assert roles[0] is Role.COMPARISON and Role.OWN_TREATMENT in roles


def test_a_subset_selected_by_its_outcome_is_never_the_placebo_course(library):
    for phenotype in ("SPMS", "PPMS"):
        subset = choices(library, "t25fw", phenotype, 5.0)["impact_placebo_edssplus/placebo, T25FW progressors only"]
        assert subset.mismatch == "a subset selected by its outcome, not the course of the arm"
        assert subset.label.endswith("(selected subset, not the arm's course)")
    assert choices(library, "t25fw", "SPMS", 5.0)["impact_placebo_edssplus/placebo"].default_on


def test_secondary_sources_and_pooled_arms_are_offered_not_drawn(library):
    ppms = choices(library, "edss", "PPMS", 5.0)
    assert ppms["promise_placebo/placebo"].mismatch == "from a review table, not a primary source"
    assert ppms["petrou2020_itmsc_ivmsc_sham/all"].mismatch.startswith("arms pooled")


@pytest.mark.parametrize(("phenotype", "edss", "agents"), [("SPMS", 4.0, ITMTX), ("PPMS", 6.5, MSC_NP),
                                                           ("SPMS", 6.0, frozenset())])
def test_an_arm_keeps_its_style_on_every_chart(library, phenotype, edss, agents):
    seen: dict[str, set] = {}
    for measure in ("edss", "t25fw", "nhpt_dominant", "nhpt_nondominant", "sdmt", "six_minute_walk"):
        for choice in choices(library, measure, phenotype, edss, agents).values():
            # one hand's numbers of an arm ("sham (placebo), dominant hand") are that arm
            arm = re.sub(r",? \(?(either|dominant|non-dominant) hand\)?$", "", choice.key)
            seen.setdefault(arm, set()).add(choice.style)
    assert len(seen["petrou2020_itmsc_ivmsc_sham/sham (placebo)"]) == 1  # on EDSS, T25FW and both hands' 9HPT
    assert all(len(styles) == 1 for styles in seen.values())
    assert len({styles.pop() for styles in seen.values()}) == len(seen)  # and each arm its own


@pytest.mark.parametrize("measure", ["edss", "t25fw", "nhpt_dominant", "sdmt", "six_minute_walk"])
def test_every_arm_of_a_measure_looks_different(library, measure):
    offered = choices(library, measure, "SPMS", 5.0).values()
    styles = [(c.style.colour, c.style.marker, c.style.dash) for c in offered]
    assert len(set(styles)) == len(styles)
    drawn = [(c.style.colour, c.style.marker) for c in offered if c.default_on]
    assert len(set(drawn)) == len(drawn)  # drawn arms differ in colour or marker, not only in dashes
    # an arm keeps its style on every chart, so a few arms offered on one chart may share a colour and
    # marker (then their line patterns differ)
    looks = {(colour, marker) for colour, marker, _dash in styles}
    assert len(looks) >= min(len(styles), len(PALETTE) * len(MARKERS)) - 4, (len(looks), len(styles))
    assert {colour for colour, _name in PALETTE} == {"#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2",
                                                     "#D55E00", "#CC79A7"}  # Okabe-Ito without black
