"""Bridges between stored assessments and the domain scoring engine."""

from __future__ import annotations

from pmsdesk.domain.functional_systems import FUNCTIONAL_SYSTEMS
from pmsdesk.domain.scoring.edss import EdssResult, FunctionalSystemScores, compute_edss


def edss_result(row) -> EdssResult | None:
    """The computed EDSS step for an EDSS row (or any object with its fields), when every FS and the
    ambulation score are recorded; otherwise None (a partial examination gives no step)."""
    grades = {fs.key: getattr(row, fs.field) for fs in FUNCTIONAL_SYSTEMS}
    if row.ambulation is None or any(value is None for value in grades.values()):
        return None
    return compute_edss(FunctionalSystemScores(**grades, ambulation=row.ambulation))


def computed_edss(row) -> tuple[float | None, str | None]:
    result = edss_result(row)
    return (result.step, result.ruleset_version) if result else (None, None)
