"""Generated patient histories with edge cases, and pymsprog 1.0.7 run on them for comparison.

Shared by the agreement test and ``benchmarks/bench_progression.py``. Histories have repeated
dates, relapses on, just before and just after visits (and before the first visit), long and short
gaps, plateaus and steps of exactly one threshold.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from pmsdesk.domain.scoring import (
    DEFAULT_RULES,
    EventKind,
    Measure,
    Measurement,
    ProgressionEvent,
    ProgressionOptions,
    ThresholdRules,
    meaningful_change,
)
from pmsdesk.domain.scoring.change import exact

DAY_ZERO = dt.date(2000, 1, 1)
EDSS_VALUES = (0.0,) + tuple(1.0 + 0.5 * i for i in range(18))  # 0-9.5
GAPS = (0, 1, 7, 14, 30, 31, 60, 77, 84, 85, 90, 91, 120, 161, 168, 182, 365, 815)


@dataclass
class Patient:
    patient_id: str
    visits: list[Measurement]
    relapses: list[dt.date]


def _values(outcome: Measure, rng: random.Random, n: int) -> list[float]:
    if outcome is Measure.EDSS:
        i = rng.randrange(len(EDSS_VALUES))
        out = []
        for _ in range(n):
            out.append(EDSS_VALUES[i])
            i = min(max(i + rng.choice((-2, -1, 0, 0, 0, 1, 1, 2, 3)), 0), len(EDSS_VALUES) - 1)
        return out
    if outcome is Measure.SDMT:
        v = rng.randint(5, 90)
        out = []
        for _ in range(n):
            out.append(float(v))
            v = min(max(v + rng.choice((-8, -5, -4, -3, 0, 0, 2, 4, 5)), 0), 110)
        return out
    v = rng.uniform(4, 40) if outcome is Measure.T25FW else rng.uniform(15, 90)
    out = []
    for _ in range(n):
        out.append(round(v, rng.choice((0, 1, 2))))
        v *= rng.choice((0.75, 0.8, 0.9, 1.0, 1.0, 1.05, 1.2, 1.25, 1.4))
    return out


def generate(outcome: Measure | str, patients: int, seed: int = 1, visits: tuple[int, int] = (1, 24)) -> list[Patient]:
    outcome = Measure(outcome)
    rng = random.Random(seed)
    cohort = []
    for p in range(patients):
        n = rng.randint(*visits)
        day, days = 0, []
        for _ in range(n):
            days.append(day)
            day += rng.choice(GAPS)
        values = _values(outcome, rng, n)
        relapses = set()
        for _ in range(rng.choice((0, 0, 1, 1, 2, 3))):
            anchor = rng.choice(days)
            relapses.add(anchor + rng.choice((-91, -90, -31, -30, -29, -1, 0, 0, 1, 29, 30, 31, 89, 90, 91)))
        cohort.append(Patient(f"P{p:05d}", [Measurement(DAY_ZERO + dt.timedelta(days=d), v)
                                             for d, v in zip(days, values)],
                              sorted(DAY_ZERO + dt.timedelta(days=d) for d in relapses)))
    return cohort


# (patient, kind, relapse activity, onset day, value, baseline day, value, confirmation day, value)
Row = tuple


def engine_rows(patient_id: str, events: list[ProgressionEvent]) -> list[Row]:
    def day(m: Measurement) -> int:
        return (m.date - DAY_ZERO).days
    return [(patient_id, e.kind.value, None if e.relapse_activity is None else e.relapse_activity.value,
             day(e.onset), float(e.onset.value), day(e.baseline), float(e.baseline.value),
             day(e.confirmation), float(e.confirmation.value)) for e in events]


def pymsprog_arguments(options: ProgressionOptions) -> dict:
    """MSprog keyword arguments equivalent to ``options``."""
    windows = options.pira_windows
    return dict(
        event=options.event.value, baseline=options.baseline.value, proceed_from=options.proceed_from.value,
        conf_days=options.confirmation_days, conf_tol_days=list(options.confirmation_tolerance),
        require_sust_days=options.require_sustained_days, check_intermediate=options.check_intermediate,
        relapse_to_bl=list(options.relapse_to_baseline), relapse_to_event=list(options.relapse_to_event),
        relapse_to_conf=list(options.relapse_to_confirmation), relapse_assoc=list(options.relapse_associated),
        relapse_indep={"prec": windows.preceding, "event": windows.onset, "conf": windows.confirmation,
                       "prec_type": windows.preceding_visit.value},
        RAW_PIRA=options.classify_relapse_activity,
    )


def run_pymsprog(outcome: Measure | str, cohort: list[Patient], options: ProgressionOptions,
                 with_relapses: bool = True) -> list[Row]:
    """pymsprog 1.0.7 on the whole cohort in one MSprog call, as comparable rows."""
    import pandas as pd
    import pymsprog

    visits = pd.DataFrame([(p.patient_id, (m.date - DAY_ZERO).days, m.value) for p in cohort for m in p.visits],
                          columns=["id", "day", "value"])
    relapses = pd.DataFrame([(p.patient_id, (r - DAY_ZERO).days) for p in cohort for r in p.relapses],
                            columns=["id", "day"])
    _, results = pymsprog.MSprog(
        visits, subj_col="id", value_col="value", date_col="day", outcome=Measure(outcome).value,
        relapse=relapses if with_relapses and len(relapses) else None, date_format="day",
        include_dates=True, include_value=True, include_stable=False, verbose=0, **pymsprog_arguments(options))
    conf = f"conf{options.confirmation_days}"
    rows = []
    for r in results.itertuples(index=False):
        r = r._asdict()
        activity = r.get("CDW_type") or None
        rows.append((r["id"], r["event_type"], activity if r["event_type"] == EventKind.CDW.value else None,
                     int(r["date"]), r["value"], int(r["bl_date"]), r["bl_value"],
                     int(r[f"{conf}_date"]), r[f"{conf}_value"]))
    return rows


def float_boundary_pairs(outcome: Measure | str, values: list[float],
                         rules: ThresholdRules = DEFAULT_RULES) -> list[tuple[float, float]]:
    """Pairs (reference, value) where pymsprog's float threshold test and the exact test disagree (spec 4.6)."""
    outcome = Measure(outcome)
    pairs = []
    for ref in values:
        float_delta = _pymsprog_delta(outcome, ref)
        exact_delta = meaningful_change(outcome, exact(ref), rules)
        for value in values:
            as_float = (value - ref >= float_delta, ref - value >= float_delta)
            diff = exact(value) - exact(ref)
            as_exact = (diff >= exact_delta, -diff >= exact_delta)
            if as_float != as_exact:
                pairs.append((ref, value))
    return pairs


def _pymsprog_delta(outcome: Measure, ref: float) -> float:
    """pymsprog 1.0.7 ``compute_delta`` (S7), in binary floating point as pymsprog computes it."""
    if outcome is Measure.EDSS:
        return 1.5 if ref == 0 else (1.0 if ref <= 5 else 0.5)
    if outcome is Measure.SDMT:
        return min(ref / 5, 4)
    return ref / 5
