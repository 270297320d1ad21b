"""The plot-ready series of a patient built through the Clinic on a real SQLite file: points, months,
dose and relapse marks, the meaningful-change band, confirmed events and the cohort overlays, all
checked against values worked out by hand (tests/known_patient.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from known_patient import create_known_patient, months

from pmsdesk.domain.comparators import PatientProfile, comparators_for
from pmsdesk.domain.references import load_reference_library
from pmsdesk.domain.scoring.progression import EventKind
from pmsdesk.domain.vocab import Phenotype
from pmsdesk.services.series import (
    DAYS_PER_MONTH,
    Status,
    build_patient_series,
    cohort_choices,
    cohort_overlay,
    comparator_overlays,
    default_overlays,
    no_curve_text,
    patient_series,
)


def flat(rows) -> list[float]:
    """Tuples of numbers as one list, for pytest.approx (which does not compare nested data)."""
    return [number for row in rows for number in row]


@pytest.fixture(scope="module")
def library():
    return load_reference_library()


@pytest.fixture
def known(clinic):
    patient_id, visit_ids = create_known_patient(clinic)
    return patient_series(clinic, patient_id), visit_ids


def test_time_runs_in_months_since_the_first_intrathecal_dose(known):
    series, _ids = known
    assert series.anchor == dt.date(2024, 1, 15) and series.anchor_is_first_dose
    assert series.months_since_anchor(dt.date(2024, 4, 15)) == pytest.approx(91 / 30.4375)
    assert DAYS_PER_MONTH == 30.4375


def test_without_a_dose_the_first_visit_is_the_anchor(clinic, patient):
    clinic.create_visit(patient.id, {"visit_date": "2024-03-01", "kind": "assessment", "sdmt.score": "40"})
    series = patient_series(clinic, patient.id)
    assert series.anchor == dt.date(2024, 3, 1) and not series.anchor_is_first_dose
    assert series.doses == ()


def test_points_keep_visit_date_months_and_value(known):
    series, ids = known
    t25fw = series.measures["t25fw"]
    assert [(p.visit_id, p.date.isoformat(), p.value) for p in t25fw.points] == [
        (ids[0], "2024-01-08", 6.1), (ids[2], "2024-04-15", 7.5), (ids[3], "2024-07-15", 7.8),
        (ids[4], "2024-10-14", None)]
    assert [p.months for p in t25fw.points] == pytest.approx(
        [months("2024-01-08"), months("2024-04-15"), months("2024-07-15"), months("2024-10-14")])
    assert [p.value for p in series.measures["edss"].points] == [4.0, 4.0, 4.0, 5.0]
    assert [p.value for p in series.measures["nhpt_dominant"].points] == [21.0, 21.0]
    assert [p.value for p in series.measures["nhpt_nondominant"].points] == [25.0, 25.0]
    assert [p.value for p in series.measures["sdmt"].points] == [50, 49, 50, 45]
    assert "six_minute_walk" not in series.measures  # never recorded: no empty plot


def test_a_test_not_completed_is_a_point_with_its_reason_not_a_value(known):
    series, _ids = known
    last = series.measures["t25fw"].points[-1]
    assert last.value is None and not last.completed
    assert last.not_completed == "Unable: physical limitation due to MS"
    assert "Could not stand unaided" in last.detail
    assert series.measures["t25fw"].latest.value == 7.8  # the last completed value


def test_hover_text_names_visit_value_and_trials(known):
    series, _ids = known
    detail = series.measures["t25fw"].points[1].detail
    assert detail.splitlines()[:3] == ["2024-04-15 (month 3.0), Treatment #2 visit", "T25FW: 7.50 s",
                                       "Trials 7.4 and 7.6 s"]
    assert "Walking aid: None" in detail


def test_baseline_and_meaningful_change_band(known):
    series, _ids = known
    t25fw, edss, sdmt = (series.measures[k] for k in ("t25fw", "edss", "sdmt"))
    assert t25fw.baseline.date == dt.date(2024, 1, 8)
    assert (t25fw.band.baseline, t25fw.band.low, t25fw.band.high) == pytest.approx((6.1, 4.88, 7.32))
    assert t25fw.band.rule == "T25FW 20 % of baseline"
    assert (edss.band.low, edss.band.high) == (3.0, 5.0)
    assert (sdmt.band.threshold, sdmt.band.rule) == (4.0, "SDMT 4 points or 20 % of baseline, whichever is smaller")


def test_confirmed_worsening_is_found_and_explains_itself(known):
    series, ids = known
    (event,) = series.measures["t25fw"].events
    assert event.kind is EventKind.CDW and event.is_worsening
    assert (event.onset.visit_id, event.confirmation.visit_id) == (ids[2], ids[3])
    assert event.criteria.startswith("T25FW worsening (CDW): 7.5 on 2024-04-15 against the fixed baseline 6.1")
    assert "7.8 on 2024-07-15" in event.criteria


def test_status_per_measure_and_for_the_patient(known):
    series, _ids = known
    assert {key: m.status for key, m in series.measures.items()} == {
        "edss": Status.UNCONFIRMED, "t25fw": Status.WORSENING, "nhpt_dominant": Status.STABLE,
        "nhpt_nondominant": Status.STABLE, "sdmt": Status.UNCONFIRMED}
    assert series.status == Status.WORSENING
    assert series.status_groups() == {Status.WORSENING: ("T25FW",), Status.UNCONFIRMED: ("EDSS", "SDMT"),
                                      Status.STABLE: ("9HPT dominant hand", "9HPT non-dominant hand")}
    assert series.measures["edss"].change_since_baseline == 1.0
    assert not series.edss_plus.worsened  # EDSS-Plus confirms over 24 weeks: 13 weeks is not enough


def test_dose_and_relapse_marks(known):
    series, ids = known
    assert [(d.visit_id, d.label, d.dose) for d in series.doses] == [
        (ids[1], "ITMTX #1", "12.5 mg"), (ids[2], "ITMTX #2", "12.5 mg"), (ids[3], "ITMTX #3", "12.5 mg")]
    assert [d.months for d in series.doses] == pytest.approx([0, 91 / 30.4375, 182 / 30.4375])
    assert series.doses[1].detail == "Intrathecal methotrexate, 12.5 mg\ntreatment 2, 2024-04-15 (month 3.0)"
    (relapse,) = series.relapses
    assert relapse.date == dt.date(2024, 9, 1) and relapse.months == pytest.approx(230 / 30.4375)
    assert relapse.detail == "Relapse, onset 2024-09-01\nSensory relapse"


def test_relapses_are_passed_to_the_event_detection(clinic, patient):
    """A relapse 10 days before the would-be confirming visit stops it confirming (30-day rule)."""
    for day, seconds in (("2024-01-08", "6"), ("2024-04-15", "8"), ("2024-07-15", "8")):
        clinic.create_visit(patient.id, {"visit_date": day, "kind": "assessment", "t25fw.trial1_s": seconds,
                                         "t25fw.trial2_s": seconds, "t25fw.walking_aid": "none"})
    assert len(patient_series(clinic, patient.id).measures["t25fw"].events) == 1
    clinic.save_relapse(patient.id, {"onset_date": "2024-07-05"})
    series = patient_series(clinic, patient.id)
    assert series.measures["t25fw"].events == () and series.measures["t25fw"].status == Status.UNCONFIRMED


def test_cohort_mean_change_band_is_anchored_at_the_patient_baseline(known, library):
    series, _ids = known
    overlay = cohort_overlay(series.measures["edss"], library.cohort("petrou2020_itmsc_ivmsc_sham"),
                             profile=series.profile)
    (curve,) = overlay.curves  # the arm that fits: sham only; its medians are stated, not drawn twice
    assert curve.label == "Petrou 2020 IT/IV-MSC sham (placebo): mean change ± SD"
    start = months("2024-01-08")
    assert flat((p.months, p.value, p.low, p.high) for p in curve.points) == pytest.approx(
        flat([(start, 4.0, 4.0, 4.0), (start + 3, 4.24, 3.84, 4.64), (start + 6, 4.3, 3.9, 4.7)]))
    assert overlay.statements == (
        "Petrou 2020 IT/IV-MSC sham (placebo): EDSS median change from baseline 0 EDSS points (IQR 0 to 0.5) at month 3",
        "Petrou 2020 IT/IV-MSC sham (placebo): EDSS median change from baseline 0 EDSS points (IQR 0 to 0.5) at month 6")
    assert "Petrou" in overlay.citation


def test_percent_change_follows_the_sign_convention(known, library):
    series, _ids = known
    t25fw = series.measures["t25fw"]
    start = months("2024-01-08")
    (petrou,) = cohort_overlay(t25fw, library.cohort("petrou2020_itmsc_ivmsc_sham"), profile=series.profile).curves
    point = petrou.points[1]
    assert (point.months, point.value, point.low, point.high) == pytest.approx(
        (start + 6, 6.1 * 1.14, 6.1 * (1 - 0.114), 6.1 * 1.394))  # +14.0 % (SD 25.4), positive is worse
    harris = cohort_overlay(t25fw, library.cohort("harris2024_mscnp_phase2"), all_arms=True)
    saline = next(c for c in harris.curves if "saline" in c.label)
    # Harris 2024 reports % improvement: saline -54.4 % means walking 54.4 % slower.
    assert (saline.points[1].months, saline.points[1].value) == pytest.approx((start + 13, 6.1 * 1.544))
    (spi,) = cohort_overlay(t25fw, library.cohort("msspi_biotin_placebo"), profile=series.profile).curves
    assert spi.points[1].low == 0.0  # +98 % with an SD of 254 %: the band stops at 0 s


def test_rate_per_year_is_a_line_over_the_follow_up(known, library):
    series, _ids = known
    overlay = cohort_overlay(series.measures["edss"], library.cohort("natural_history_ppms_slc_hapims"),
                             until_months=24)
    (line,) = overlay.curves
    assert line.is_rate and not line.has_spread
    start = months("2024-01-08")
    assert flat((p.months, p.value) for p in line.points) == pytest.approx(
        [start, 4.0, 24, 4.0 + 0.35 * (24 - start) / 12])


def test_proportions_and_findings_are_statements(known, library):
    series, _ids = known
    overlay = cohort_overlay(series.measures["t25fw"], library.cohort("impact_placebo_edssplus"), profile=series.profile)
    assert overlay.statements == (
        "IMPACT placebo, SPMS: 41.9% had a 24-week confirmed 20% T25FW worsening by 2 years",)
    assert overlay.curves == ()  # "T25FW progressors only" is not the placebo course: not drawn as one
    hands = {key: cohort_overlay(series.measures[key], library.cohort("petrou2020_itmsc_ivmsc_sham"),
                                 profile=series.profile).curves[0].label
             for key in ("nhpt_dominant", "nhpt_nondominant")}
    assert hands == {"nhpt_dominant": "Petrou 2020 IT/IV-MSC sham (placebo), dominant hand: mean % change ± SD",
                     "nhpt_nondominant": "Petrou 2020 IT/IV-MSC sham (placebo), non-dominant hand: mean % change ± SD"}


def test_all_arms_adds_the_treated_arms(known, library):
    series, _ids = known
    cohort = library.cohort("petrou2020_itmsc_ivmsc_sham")
    curves = cohort_overlay(series.measures["edss"], cohort, all_arms=True).curves
    assert [c.label for c in curves] == [
        "Petrou 2020 IT/IV-MSC sham (placebo): mean change ± SD", "Petrou 2020 IT/IV-MSC IT-MSC: mean change ± SD",
        "Petrou 2020 IT/IV-MSC IV-MSC: mean change ± SD"]
    assert len({(c.style.colour, c.style.marker) for c in curves}) == 3  # each arm of the trial distinguishable


def test_the_patient_profile_decides_the_comparators(known):
    series, _ids = known
    assert series.profile == PatientProfile(Phenotype.SPMS, 4.0, frozenset({"it_methotrexate"}))


def test_cohort_choices_list_cohorts_with_an_arm_that_fits_first(known, library):
    series, _ids = known
    choices = cohort_choices(library, "t25fw", series.profile)
    assert [(c.cohort.id, c.default_on) for c in choices] == [
        ("impact_placebo_edssplus", True), ("petrou2020_itmsc_ivmsc_sham", True), ("msspi_biotin_placebo", True),
        ("kolb2025_itmtx_phase1", True), ("harris2024_mscnp_phase2", False), ("oratorio_placebo", False),
        ("harris2018_mscnp_phase1", False), ("smartms_kvistad", False)]
    # a phenotype alone knows no treatment: an ITMTX arm does not fit without a course
    assert not next(c for c in cohort_choices(library, "t25fw", "SPMS") if c.cohort.id == "kolb2025_itmtx_phase1").default_on


def test_default_overlays_are_what_a_report_draws(known, library):
    series, _ids = known
    overlays = default_overlays(series, library, "t25fw")
    fitting = [c for c in comparators_for(library, series.profile, "t25fw") if c.default_on]
    assert [o.label for o in overlays] == [c.label for c in fitting]
    assert [curve.style for o in overlays for curve in o.curves] == [c.style for c in fitting[1:3]]  # IMPACT: no curve
    assert default_overlays(series, library, "six_minute_walk") == ()


def test_cohorts_chosen_by_id_bring_all_their_arms_each_in_its_own_style(known, library):
    series, _ids = known
    overlays = comparator_overlays(series, library, "edss", ["petrou2020_itmsc_ivmsc_sham", "msspi_biotin_placebo"])
    assert {o.cohort.id for o in overlays} == {"petrou2020_itmsc_ivmsc_sham", "msspi_biotin_placebo"}
    styles = [(curve.style.colour, curve.style.marker, curve.style.dash) for o in overlays for curve in o.curves]
    assert len(styles) == 4 and len(set(styles)) == 4  # sham, MS-SPI placebo, IT-MSC, IV-MSC
    # an arm keeps its style on every chart, so only one trial's arms are sure to differ in colour and
    # marker too (36 arms report the EDSS, and there are 28 colour-and-marker pairs)
    petrou = [(curve.style.colour, curve.style.marker) for o in overlays for curve in o.curves
              if o.cohort.id == "petrou2020_itmsc_ivmsc_sham"]
    assert len(set(petrou)) == len(petrou) == 3


def test_a_chosen_arm_without_a_curve_says_so(known, library):
    series, _ids = known
    subset = "impact_placebo_edssplus/placebo, T25FW progressors only"
    (chosen,) = comparator_overlays(series, library, "t25fw", [subset])
    assert chosen.curves and chosen.label.endswith("(selected subset, not the arm's course)")
    overlays = comparator_overlays(series, library, "edss", ["impact_placebo_edssplus/placebo", "kolb2025_itmtx_phase1/all",
                                                             "petrou2020_itmsc_ivmsc_sham/sham (placebo)"])
    assert no_curve_text(overlays) == ("Chosen, no curve here (see the findings): IMPACT placebo, SPMS (proportions); "
                                       "Kolb 2025 ITMTX phase 1 (a finding only)")
    assert no_curve_text([o for o in overlays if o.label.startswith("Petrou")]) is None


def test_build_is_a_pure_function_of_the_records(known, clinic):
    series, _ids = known
    patient_id = clinic.find_patients()[0].id
    rebuilt = build_patient_series(clinic.visit_records(patient_id), clinic.courses(patient_id),
                                   clinic.relapses(patient_id), phenotype="SPMS")
    assert rebuilt.measures == series.measures and rebuilt.doses == series.doses
