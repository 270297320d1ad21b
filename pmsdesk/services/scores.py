"""Bridges between stored assessments and the domain scoring engine."""

from __future__ import annotations

from pmsdesk.domain.functional_systems import FUNCTIONAL_SYSTEMS
from pmsdesk.domain.scoring.edss import EdssResult, FunctionalSystemScores, compute_edss
from pmsdesk.domain.scoring.timed import TrialMean, nhpt_hand_score, t25fw_score
from pmsdesk.domain.vocab import NotCompletedReason


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


def _reason(code: str | None) -> NotCompletedReason | None:
    return NotCompletedReason(code) if code else None


def t25fw_result(row) -> TrialMean:
    return t25fw_score(row.trial1_s, row.trial2_s, _reason(row.not_completed))


def nhpt_hand_results(row) -> tuple[TrialMean, TrialMean]:
    """(dominant, non-dominant) 9HPT hand scores of a stored 9HPT row."""
    return (
        nhpt_hand_score("dominant", row.dominant_trial1_s, row.dominant_trial2_s, _reason(row.dominant_not_completed)),
        nhpt_hand_score("non-dominant", row.nondominant_trial1_s, row.nondominant_trial2_s,
                        _reason(row.nondominant_not_completed)),
    )


def _seconds(score) -> str:
    return "not done" if score.seconds is None else f"{score.seconds:.1f}"


def short_summaries(record) -> dict[str, str]:
    """One short text per assessment of a visit, for tables: '' where not recorded."""
    edss, t25fw, nhpt, sdmt, walk = (record.assessments.get(s) for s in ("edss", "t25fw", "nhpt", "sdmt", "six_minute_walk"))
    summaries = {"edss": "", "t25fw": "", "nhpt": "", "sdmt": "", "six_minute_walk": ""}
    if edss is not None:
        value = f"{edss.edss:.1f}" if edss.edss is not None else "\u2013"
        if edss.computed_edss is not None and edss.computed_edss != edss.edss:
            value += f" (computed {edss.computed_edss:.1f})"
        summaries["edss"] = value
    if t25fw is not None:
        summaries["t25fw"] = _seconds(t25fw_result(t25fw))
    if nhpt is not None:
        dominant, non_dominant = nhpt_hand_results(nhpt)
        summaries["nhpt"] = f"{_seconds(dominant)} / {_seconds(non_dominant)}"
    if sdmt is not None and sdmt.score is not None:
        summaries["sdmt"] = str(sdmt.score)
    if walk is not None and walk.distance_m is not None:
        summaries["six_minute_walk"] = f"{walk.distance_m:g}"
    return summaries
