"""Protocol templates and their expected visits: targets, windows and status on a given day.

Dates are worked out by hand from the start date: a calendar visit at month m is the start's day m
months later (clamped to the month's last day), its window the template's days either side; an
interval dose opens its window weeks_min after the dose before it.
"""

from __future__ import annotations

import datetime as dt

import pytest

from pmsdesk.domain.assessments import REGISTRY
from pmsdesk.domain.protocols import (
    CLINIC_DEFAULT_WINDOW,
    HARRIS_2024_MSC_NP,
    KOLB_2025_ITMTX,
    SEED_PROTOCOLS,
    SMART_MS,
    STARK_2019_ITMTX,
    IntervalDoses,
    RecordedVisit,
    add_months,
    expected_visits,
)
from pmsdesk.domain.references import load_reference_library
from pmsdesk.domain.schedule import DUE_SOON_DAYS, DueStatus, TreatmentWindow

D = dt.date
KOLB_ASKS = ("edss", "t25fw", "sdmt")
EDSS_PLUS_AND_WALK = ("edss", "t25fw", "nhpt", "six_minute_walk")


def dose(day: dt.date, *assessments: str) -> RecordedVisit:
    return RecordedVisit(day, dose_given=True, assessments=frozenset(assessments))


def assessed(day: dt.date, *assessments: str) -> RecordedVisit:
    return RecordedVisit(day, dose_given=False, assessments=frozenset(assessments))


def rows(visits):
    return [(v.label, v.target, v.window, v.dose, v.assessments, v.status) for v in visits]


def by_label(visits, label):
    return next(v for v in visits if v.label == label)


def window(opens: dt.date, closes: dt.date) -> TreatmentWindow:
    return TreatmentWindow(opens, closes)


# --- each seed template from a start date -------------------------------------------------------

def test_kolb_quarterly_doses_with_assessments_at_baseline_6_and_12_months():
    start = D(2026, 1, 15)
    assert rows(expected_visits(KOLB_2025_ITMTX, start, [], on=start)) == [
        ("Month 0 dose", D(2026, 1, 15), window(D(2026, 1, 1), D(2026, 1, 29)), True, KOLB_ASKS, DueStatus.DUE),
        ("Month 3 dose", D(2026, 4, 15), window(D(2026, 4, 1), D(2026, 4, 29)), True, (), DueStatus.NOT_YET),
        ("Month 6 dose", D(2026, 7, 15), window(D(2026, 7, 1), D(2026, 7, 29)), True, KOLB_ASKS, DueStatus.NOT_YET),
        ("Month 9 dose", D(2026, 10, 15), window(D(2026, 10, 1), D(2026, 10, 29)), True, (), DueStatus.NOT_YET),
        ("Month 12 dose", D(2027, 1, 15), window(D(2027, 1, 1), D(2027, 1, 29)), True, KOLB_ASKS,
         DueStatus.NOT_YET),
    ]


def test_kolb_continuation_lists_the_next_quarterly_dose_once_the_last_window_opens():
    start = D(2026, 1, 15)
    on_time = [dose(add_months(start, month), *KOLB_ASKS) for month in (0, 3, 6, 9)]
    assert [v.label for v in expected_visits(KOLB_2025_ITMTX, start, on_time, on=D(2026, 12, 31))][-1] == "Month 12 dose"
    visits = expected_visits(KOLB_2025_ITMTX, start, on_time, on=D(2027, 1, 1))  # month 12's window opens
    assert [(v.label, v.target, v.assessments) for v in visits[-2:]] == [
        ("Month 12 dose", D(2027, 1, 15), KOLB_ASKS), ("Month 15 dose", D(2027, 4, 15), ())]
    assert [v.status for v in visits[:4]] == [DueStatus.DONE] * 4
    assert visits[-2].status is DueStatus.DUE


def test_stark_doses_follow_the_last_dose_given_by_8_to_11_weeks_with_edss_at_each():
    start = D(2026, 3, 2)
    first = expected_visits(STARK_2019_ITMTX, start, [], on=start)
    # No dose yet: due from the start, as wide as the interval's spread (3 weeks), as a plain course is.
    assert rows(first) == [("Dose 1", start, window(start, D(2026, 3, 23)), True, ("edss",), DueStatus.DUE)]
    given = [dose(D(2026, 3, 5), "edss"), dose(D(2026, 6, 1), "edss")]
    assert rows(expected_visits(STARK_2019_ITMTX, start, given, on=D(2026, 6, 1))) == [
        ("Dose 1", start, window(start, D(2026, 3, 23)), True, ("edss",), DueStatus.DONE),
        # 5 March + 8 weeks = 30 April, + 11 weeks = 21 May: 1 June is late.
        ("Dose 2", D(2026, 4, 30), window(D(2026, 4, 30), D(2026, 5, 21)), True, ("edss",),
         DueStatus.DONE_OUT_OF_WINDOW),
        # The next window runs from the late dose: 1 June + 8 weeks = 27 July, + 11 weeks = 17 August.
        ("Dose 3", D(2026, 7, 27), window(D(2026, 7, 27), D(2026, 8, 17)), True, ("edss",), DueStatus.NOT_YET),
    ]


def test_harris_six_doses_two_months_apart_and_edss_plus_at_baseline_and_month_13():
    start = D(2026, 2, 10)
    visits = expected_visits(HARRIS_2024_MSC_NP, start, [], on=D(2026, 1, 1))
    assert [(v.label, v.target, v.assessments) for v in visits] == [
        ("Month 0 dose", D(2026, 2, 10), EDSS_PLUS_AND_WALK),
        ("Month 2 dose", D(2026, 4, 10), ()),
        ("Month 4 dose", D(2026, 6, 10), ()),
        ("Month 6 dose", D(2026, 8, 10), ()),
        ("Month 8 dose", D(2026, 10, 10), ()),
        ("Month 10 dose", D(2026, 12, 10), ()),
        ("Month 13", D(2027, 3, 10), EDSS_PLUS_AND_WALK),
    ]
    assert by_label(visits, "Month 13").window == window(D(2027, 2, 24), D(2027, 3, 24))
    assert not by_label(visits, "Month 13").dose
    assert "month 13" in by_label(visits, "Month 13").note
    assert all(v.status is DueStatus.NOT_YET for v in visits)


def test_smart_ms_two_blinded_injections_and_assessments_at_6_12_and_18_months():
    start = D(2026, 5, 31)  # month 6 and 18 fall on 30 November: the month has no 31st
    visits = expected_visits(SMART_MS, start, [], on=start)
    nine_hole = ("edss", "t25fw", "nhpt")
    assert [(v.label, v.target, v.window, v.dose, v.assessments) for v in visits] == [
        ("Month 0 dose", D(2026, 5, 31), window(D(2026, 5, 17), D(2026, 6, 14)), True, nine_hole),
        ("Month 6 dose", D(2026, 11, 30), window(D(2026, 11, 16), D(2026, 12, 14)), True, nine_hole),
        ("Month 12", D(2027, 5, 31), window(D(2027, 5, 17), D(2027, 6, 14)), False, nine_hole),
        ("Month 18", D(2027, 11, 30), window(D(2027, 11, 16), D(2027, 12, 14)), False, nine_hole),
    ]
    assert SMART_MS.before_first_dose and "1 million cells per kg" in SMART_MS.product


@pytest.mark.parametrize(("start", "months", "target"), [
    (D(2026, 1, 31), 1, D(2026, 2, 28)),
    (D(2027, 12, 31), 2, D(2028, 2, 29)),
    (D(2026, 11, 15), 13, D(2027, 12, 15)),
])
def test_add_months_keeps_the_day_or_takes_the_months_last(start, months, target):
    assert add_months(start, months) == target


# --- flagged on the day it becomes so -----------------------------------------------------------

def month_13(visits_recorded, on):
    return by_label(expected_visits(HARRIS_2024_MSC_NP, D(2026, 2, 10), visits_recorded, on=on), "Month 13")


def test_a_calendar_visit_is_missed_the_day_after_its_window_closes():
    assert month_13([], D(2027, 2, 24) - dt.timedelta(days=DUE_SOON_DAYS + 1)).status is DueStatus.NOT_YET
    assert month_13([], D(2027, 2, 24) - dt.timedelta(days=DUE_SOON_DAYS)).status is DueStatus.DUE_SOON
    assert month_13([], D(2027, 2, 24)).status is DueStatus.DUE
    assert month_13([], D(2027, 3, 24)).status is DueStatus.DUE
    assert month_13([], D(2027, 3, 25)).status is DueStatus.MISSED


def test_a_late_visit_is_flagged_out_of_window_the_day_it_is_made():
    late = [assessed(D(2027, 3, 30), *EDSS_PLUS_AND_WALK)]
    assert month_13(late, D(2027, 3, 29)).status is DueStatus.MISSED  # the visit is not made yet
    flagged = month_13(late, D(2027, 3, 30))
    assert flagged.status is DueStatus.DONE_OUT_OF_WINDOW and flagged.out_of_window
    assert flagged.visit == late[0]
    in_window = month_13([assessed(D(2027, 3, 24), *EDSS_PLUS_AND_WALK)], D(2027, 3, 24))
    assert in_window.status is DueStatus.DONE and not in_window.out_of_window


def test_an_early_dose_is_out_of_window_and_the_skipped_one_before_it_missed():
    start = D(2026, 1, 15)
    recorded = [dose(start, *KOLB_ASKS), dose(D(2026, 6, 30), *KOLB_ASKS)]  # month 6 window opens 1 July
    before = expected_visits(KOLB_2025_ITMTX, start, recorded, on=D(2026, 6, 29))
    assert by_label(before, "Month 3 dose").status is DueStatus.MISSED
    assert by_label(before, "Month 6 dose").status is DueStatus.DUE_SOON
    made = expected_visits(KOLB_2025_ITMTX, start, recorded, on=D(2026, 6, 30))
    assert by_label(made, "Month 6 dose").status is DueStatus.DONE_OUT_OF_WINDOW
    assert by_label(made, "Month 3 dose").status is DueStatus.MISSED  # the early dose is month 6's, the nearer


def test_an_interval_dose_past_its_window_is_overdue_not_missed():
    start = D(2026, 3, 2)
    given = [dose(D(2026, 3, 5), "edss")]  # dose 2's window: 30 April to 21 May
    assert expected_visits(STARK_2019_ITMTX, start, given, on=D(2026, 5, 21))[-1].status is DueStatus.DUE
    assert expected_visits(STARK_2019_ITMTX, start, given, on=D(2026, 5, 22))[-1].status is DueStatus.OVERDUE


def test_a_visit_long_before_the_start_belongs_to_no_visit_of_the_course():
    start = D(2026, 2, 10)
    visits = expected_visits(HARRIS_2024_MSC_NP, start, [dose(D(2025, 6, 1))], on=D(2026, 3, 1))
    assert by_label(visits, "Month 0 dose").status is DueStatus.MISSED
    assert all(v.visit is None for v in visits)


# --- assessments asked and still missing ---------------------------------------------------------

def test_assessments_done_on_another_day_within_the_window_count():
    start = D(2026, 1, 15)
    recorded = [dose(start, *KOLB_ASKS), dose(D(2026, 4, 15)), dose(D(2026, 7, 15), "edss")]
    on_dose_day = by_label(expected_visits(KOLB_2025_ITMTX, start, recorded, on=D(2026, 7, 15)), "Month 6 dose")
    assert on_dose_day.status is DueStatus.DONE and on_dose_day.missing_assessments == ("t25fw", "sdmt")
    recorded.append(assessed(D(2026, 7, 20), "t25fw", "sdmt"))
    later = by_label(expected_visits(KOLB_2025_ITMTX, start, recorded, on=D(2026, 7, 20)), "Month 6 dose")
    assert later.missing_assessments == ()


def test_an_assessment_visit_is_made_by_any_of_its_assessments_and_lists_the_rest():
    start = D(2026, 5, 31)
    visits = expected_visits(SMART_MS, start, [assessed(D(2027, 6, 2), "edss")], on=D(2027, 6, 2))
    month_12 = by_label(visits, "Month 12")
    assert month_12.status is DueStatus.DONE and month_12.missing_assessments == ("t25fw", "nhpt")


def test_a_visit_with_none_of_the_asked_assessments_does_not_make_an_assessment_visit():
    assert month_13([assessed(D(2027, 3, 10), "labs")], D(2027, 3, 10)).status is DueStatus.DUE


# --- what every template carries -----------------------------------------------------------------

@pytest.mark.parametrize("protocol", SEED_PROTOCOLS, ids=lambda p: p.key)
def test_every_template_cites_its_published_source(protocol):
    citation = protocol.citation
    assert citation.authors and citation.journal and citation.year and citation.title
    # The same citation as the shipped reference cohort it is compared with.
    assert citation == load_reference_library().cohort(protocol.reference_cohort).citation


def test_the_trials_carry_their_registry_numbers():
    assert {p.key: p.citation.registry_id for p in SEED_PROTOCOLS} == {
        KOLB_2025_ITMTX.key: "NCT02644044", STARK_2019_ITMTX.key: None,  # a chart review, not registered
        HARRIS_2024_MSC_NP.key: "NCT03355365", SMART_MS.key: "NCT04749667"}


@pytest.mark.parametrize("protocol", SEED_PROTOCOLS, ids=lambda p: p.key)
def test_a_templates_assessment_keys_are_in_the_registry(protocol):
    assert protocol.assessment_keys() and protocol.assessment_keys() <= set(REGISTRY.keys())


@pytest.mark.parametrize("protocol", SEED_PROTOCOLS, ids=lambda p: p.key)
def test_a_window_no_source_gives_is_flagged_as_the_clinics_choice(protocol):
    # None of the four sources publishes a visit window; Stark's doses keep their published interval.
    assert protocol.window is CLINIC_DEFAULT_WINDOW and not CLINIC_DEFAULT_WINDOW.published
    assert "clinic choice" in CLINIC_DEFAULT_WINDOW.basis
    visits = expected_visits(protocol, D(2026, 1, 15), [], on=D(2026, 1, 15))
    for visit in visits:
        assert visit.window_published is isinstance(protocol.doses, IntervalDoses)


def test_the_sources_other_asks_are_kept_beside_the_registry_keys():
    assert any("Urodynamics" in other for other in HARRIS_2024_MSC_NP.other_assessments)
    assert HARRIS_2024_MSC_NP.before_first_dose
