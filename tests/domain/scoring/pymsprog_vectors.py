"""Loading of the pymsprog 1.0.7 reference outputs (vectors/pymsprog_progression.json) for the tests."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from pmsdesk.domain.scoring import Measurement, ProgressionOptions

VECTORS = Path(__file__).parent / "vectors"
DAY_ZERO = dt.date(2000, 1, 1)  # the vectors give days from start (pymsprog date_format='day')

# Vector configuration name -> (options, relapses passed to pymsprog)
TRAJECTORY_CONFIGS = {
    "firstCDW_fixed_conf84_tol[7,730.5]": ProgressionOptions(),
    "multiple_roving_conf84": ProgressionOptions(event="multiple", baseline="roving"),
    "firstCDW_fixed_conf168_tol[7,730.5]": ProgressionOptions(confirmation_days=168),
}
TOYDATA_CONFIGS = {
    "firstCDW_fixed_default": (ProgressionOptions(), True),
    "firstCDW_fixed_RAW_PIRA": (ProgressionOptions(classify_relapse_activity=True), True),
    "multiple_roving_RAW_PIRA": (ProgressionOptions(event="multiple", baseline="roving",
                                                    classify_relapse_activity=True), True),
    "multiple_roving_no_relapse_data": (ProgressionOptions(event="multiple", baseline="roving"), False),
}


def day(offset: float) -> dt.date:
    return DAY_ZERO + dt.timedelta(days=int(offset))


def load() -> dict:
    return json.loads((VECTORS / "pymsprog_progression.json").read_text())


def expected_rows(rows: list[dict], confirmation_days: int) -> list[tuple]:
    """pymsprog result rows as comparable tuples (rows with no event are dropped)."""
    found = []
    for row in rows:
        if not row["event_type"]:
            continue
        activity = row.get("CDW_type") or None
        pira = row.get(f"PIRA_conf{confirmation_days}_date")
        found.append((row["event_type"], activity, day(row["date"]), row["value"], day(row["bl_date"]),
                      row["bl_value"], day(row[f"conf{confirmation_days}_date"]),
                      row[f"conf{confirmation_days}_value"], None if pira is None else day(pira),
                      row["sust_days"], row["sust_last"]))
    return found


def engine_rows(events) -> list[tuple]:
    return [(e.kind.value, None if e.relapse_activity is None else e.relapse_activity.value,
             e.onset.date, float(e.onset.value), e.baseline.date, float(e.baseline.value),
             e.confirmation.date, float(e.confirmation.value),
             None if e.pira_confirmation is None else e.pira_confirmation.date,
             e.sustained_days, e.sustained_to_last_visit) for e in events]


def series(days, values) -> list[Measurement]:
    return [Measurement(day(d), v) for d, v in zip(days, values)]
