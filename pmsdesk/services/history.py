"""A patient's earlier values of each measure, shown beside the entry fields of a visit.

For every measure of the assessment registry (EDSS, T25FW mean, 9HPT mean of each hand, SDMT,
six-minute walk, ...) the last
earlier visit that recorded it and the baseline (the first such visit, a "baseline" visit when
there is one) are found, so a mistyped value stands out while the patient is still there.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pmsdesk.domain.assessments import REGISTRY
from pmsdesk.domain.vocab import VisitKind
from pmsdesk.services.clinic import VisitRecord


def measure_values(record: VisitRecord) -> dict[str, float]:
    """The completed value of each registered measure recorded at a visit (timed tests: the mean)."""
    readings = {measure.key: record.reading(measure) for measure in REGISTRY.measures()}
    return {key: reading.value for key, reading in readings.items() if reading is not None and reading.completed}


@dataclass(frozen=True)
class EarlierValue:
    date: dt.date
    value: float


@dataclass(frozen=True)
class EarlierValues:
    last: EarlierValue
    baseline: EarlierValue


def earlier_values(records: list[VisitRecord], *, before: dt.date, other_than_visit: int | None) -> dict[str, EarlierValues]:
    """Per measure, the last and the baseline value among visits dated up to ``before`` (not the
    visit being edited); measures never recorded before are absent."""
    earlier = [r for r in records if r.visit.id != other_than_visit and r.visit.visit_date <= before]
    earlier.sort(key=lambda r: (r.visit.visit_date, r.visit.id))
    found: dict[str, list[tuple[VisitRecord, float]]] = {}
    for record in earlier:
        for measure, value in measure_values(record).items():
            found.setdefault(measure, []).append((record, value))
    result = {}
    for measure, series in found.items():
        baseline = next(((r, v) for r, v in series if r.visit.kind == VisitKind.BASELINE.value), series[0])
        last = series[-1]
        result[measure] = EarlierValues(EarlierValue(last[0].visit.visit_date, last[1]),
                                        EarlierValue(baseline[0].visit.visit_date, baseline[1]))
    return result
