"""The timed tests: the timed 25-foot walk and the 9-hole peg test (clinical-rules spec 2.1, 2.2).

Each is two trials in seconds (stored to 0.01 s) or a reason it was not completed, never both; the
score is the mean of the completed trials, one per hand for the 9HPT, dominant hand first.
"""

from __future__ import annotations

from decimal import Decimal

from pmsdesk.domain.assessments.model import (
    LOCAL_CODE_SYSTEM,
    AddProblem,
    Assessment,
    Code,
    Measure,
    PlausibilityGuard,
    Reading,
    Values,
)
from pmsdesk.domain.fields import Field, choice, decimal, flag, text
from pmsdesk.domain.references import Measure as ReferenceMeasure
from pmsdesk.domain.references import NhptHand
from pmsdesk.domain.scoring.change import Measure as ScoredMeasure
from pmsdesk.domain.scoring.timed import NHPT_TIME_LIMIT_S, T25FW_TIME_LIMIT_S, TrialMean, nhpt_hand_score, t25fw_score
from pmsdesk.domain.vocab import Hand, NotCompletedReason, WalkingAid

# A timed test more than doubling or falling below half: pmsdesk's typing guard, not a clinical rule.
RATIO_GUARD = PlausibilityGuard(Decimal(2), ratio=True)

# T25FW: two trials, each > 0 and <= 180 s, stored to 0.01 s (spec 2.1, S12/S13).
T25FW_FIELDS: tuple[Field, ...] = (
    decimal("trial1_s", "T25FW trial 1", 0, T25FW_TIME_LIMIT_S, decimals=2, unit="s", exclusive_minimum=True),
    decimal("trial2_s", "T25FW trial 2", 0, T25FW_TIME_LIMIT_S, decimals=2, unit="s", exclusive_minimum=True),
    choice("walking_aid", "Walking aid", WalkingAid,
           hint="Keep the same aid across visits so the times can be compared."),
    choice("not_completed", "T25FW not completed", NotCompletedReason),
    text("not_completed_note", "T25FW reason", max_length=300),
    flag("more_than_two_attempts", "More than two attempts"),
)

# 9HPT: two trials per hand, dominant hand first, each > 0 and <= 300 s (spec 2.2, S11/S7/S25).
NHPT_FIELDS: tuple[Field, ...] = (
    decimal("dominant_trial1_s", "9HPT dominant hand, trial 1", 0, NHPT_TIME_LIMIT_S, decimals=2, unit="s",
            exclusive_minimum=True),
    decimal("dominant_trial2_s", "9HPT dominant hand, trial 2", 0, NHPT_TIME_LIMIT_S, decimals=2, unit="s",
            exclusive_minimum=True),
    choice("dominant_not_completed", "9HPT dominant hand not completed", NotCompletedReason),
    decimal("nondominant_trial1_s", "9HPT non-dominant hand, trial 1", 0, NHPT_TIME_LIMIT_S, decimals=2,
            unit="s", exclusive_minimum=True),
    decimal("nondominant_trial2_s", "9HPT non-dominant hand, trial 2", 0, NHPT_TIME_LIMIT_S, decimals=2,
            unit="s", exclusive_minimum=True),
    choice("nondominant_not_completed", "9HPT non-dominant hand not completed", NotCompletedReason),
    text("not_completed_note", "9HPT reason", max_length=300),
)


def _reason(code) -> NotCompletedReason | None:
    return NotCompletedReason(code) if code else None


def t25fw_result(values: Values) -> TrialMean:
    return t25fw_score(values.get("trial1_s"), values.get("trial2_s"), _reason(values.get("not_completed")))


def nhpt_hand_results(values: Values) -> tuple[TrialMean, TrialMean]:
    """(dominant, non-dominant) 9HPT hand scores."""
    return (
        nhpt_hand_score("dominant", values.get("dominant_trial1_s"), values.get("dominant_trial2_s"),
                        _reason(values.get("dominant_not_completed"))),
        nhpt_hand_score("non-dominant", values.get("nondominant_trial1_s"), values.get("nondominant_trial2_s"),
                        _reason(values.get("nondominant_not_completed"))),
    )


def timed_reading(score: TrialMean, note: str | None, details: tuple[str, ...] = (),
                  context: tuple[str, ...] = ()) -> Reading:
    if score.seconds is None:
        return Reading(None, score.not_completed.label, note or None, details=details, context=context)
    # Rounded to the recorded precision so 11.35 is not shown (or compared) as 11.350000000000001.
    return Reading(round(score.seconds, 3), trials=score.trials, details=details, context=context,
                   warnings=score.warnings)


def _entered(values: Values, *names: str) -> bool:
    return any(values.get(name) is not None for name in names)


def _read_t25fw(values: Values) -> Reading | None:
    if not _entered(values, "trial1_s", "trial2_s", "not_completed"):
        return None
    aid = values.get("walking_aid")
    details = (f"Walking aid: {WalkingAid(aid).label}",) if aid else ()
    return timed_reading(t25fw_result(values), values.get("not_completed_note"), details)


def _nhpt_reader(index: int):
    prefix = ("dominant", "nondominant")[index]

    def read(values: Values) -> Reading | None:
        if not _entered(values, f"{prefix}_trial1_s", f"{prefix}_trial2_s", f"{prefix}_not_completed"):
            return None
        hand = values.get("dominant_hand")
        context = (f"Dominant hand: {Hand(hand).label}",) if hand in Hand._value2member_map_ else ()
        return timed_reading(nhpt_hand_results(values)[index], values.get("not_completed_note"), context=context)

    return read


def check_trials(values: Values, problem: AddProblem, trials: tuple[str, str], reason: str, test: str) -> None:
    """Two timed trials, or a reason the test was not completed, never both (spec 2.1/2.2): a test
    marked not completed has no score, so a time beside it would be ambiguous."""
    if values[reason] is not None:
        if any(values[trial] is not None for trial in trials):
            problem(reason, f"{test}: a test marked not completed has no trial times; "
                            "clear the times, or clear \u2018not completed\u2019.")
        return
    for trial in trials:
        if values[trial] is None:
            problem(trial, f"{test}: enter the time of this trial, or choose why the test was not completed.")


def _check_t25fw(values: Values, problem: AddProblem) -> None:
    check_trials(values, problem, ("trial1_s", "trial2_s"), "not_completed", "T25FW")
    if values["not_completed"] is NotCompletedReason.OTHER and not values["not_completed_note"]:
        problem("not_completed_note", "T25FW reason: say why the walk was not done.")


def _check_nhpt(values: Values, problem: AddProblem) -> None:
    for hand in ("dominant", "nondominant"):
        check_trials(values, problem, (f"{hand}_trial1_s", f"{hand}_trial2_s"), f"{hand}_not_completed", "9HPT")
    if NotCompletedReason.OTHER in (values["dominant_not_completed"], values["nondominant_not_completed"]) \
            and not values["not_completed_note"]:
        problem("not_completed_note", "9HPT reason: say why the test was not done.")


def _seconds_components(*pairs: tuple[str, str, str]) -> dict[str, Code]:
    return {name: Code(LOCAL_CODE_SYSTEM, code, display) for name, code, display in pairs}


T25FW = Assessment(
    "t25fw", "Timed 25-foot walk", "T25FW", T25FW_FIELDS,
    (Measure("t25fw", "t25fw", "T25FW", "s", 2, _read_t25fw, change_rule=ScoredMeasure.T25FW,
             plausibility=RATIO_GUARD, reference=ReferenceMeasure.T25FW,
             code=Code(LOCAL_CODE_SYSTEM, "T25FW-MEAN", "Timed 25-Foot Walk, mean of trials"),
             components=_seconds_components(("trial1_s", "T25FW-T1", "T25FW trial 1"),
                                            ("trial2_s", "T25FW-T2", "T25FW trial 2"))),),
    # Trials first, then the "could not complete" choices: the usual visit is typed straight through.
    entry_order=("trial1_s", "trial2_s", "walking_aid", "more_than_two_attempts", "not_completed",
                 "not_completed_note"),
    rows=(("trial1_s", "trial2_s"), ("walking_aid", "more_than_two_attempts")),
    short_labels={"trial1_s": "Trial 1", "trial2_s": "Trial 2", "walking_aid": "Walking aid",
                  "more_than_two_attempts": "> 2 attempts", "not_completed": "Not completed",
                  "not_completed_note": "Note"},
    check=_check_t25fw,
)

NHPT = Assessment(
    "nhpt", "9-hole peg test", "9HPT", NHPT_FIELDS,
    (Measure("nhpt_dominant", "nhpt", "9HPT dominant hand", "s", 2, _nhpt_reader(0), change_rule=ScoredMeasure.NHPT,
             plausibility=RATIO_GUARD, reference=ReferenceMeasure.NHPT, hand=NhptHand.DOMINANT,
             code=Code(LOCAL_CODE_SYSTEM, "NHPT-DOM-MEAN", "9-Hole Peg Test, dominant hand, mean of trials"),
             components=_seconds_components(("dominant_trial1_s", "NHPT-DOM-T1", "9HPT dominant hand, trial 1"),
                                            ("dominant_trial2_s", "NHPT-DOM-T2", "9HPT dominant hand, trial 2"))),
     Measure("nhpt_nondominant", "nhpt", "9HPT non-dominant hand", "s", 2, _nhpt_reader(1),
             change_rule=ScoredMeasure.NHPT, plausibility=RATIO_GUARD, reference=ReferenceMeasure.NHPT,
             hand=NhptHand.NON_DOMINANT, anchor="nondominant_trial1_s",
             code=Code(LOCAL_CODE_SYSTEM, "NHPT-NDOM-MEAN", "9-Hole Peg Test, non-dominant hand, mean of trials"),
             components=_seconds_components(
                 ("nondominant_trial1_s", "NHPT-NDOM-T1", "9HPT non-dominant hand, trial 1"),
                 ("nondominant_trial2_s", "NHPT-NDOM-T2", "9HPT non-dominant hand, trial 2")))),
    entry_order=("dominant_trial1_s", "dominant_trial2_s", "nondominant_trial1_s", "nondominant_trial2_s",
                 "dominant_not_completed", "nondominant_not_completed", "not_completed_note"),
    rows=(("dominant_trial1_s", "dominant_trial2_s"), ("nondominant_trial1_s", "nondominant_trial2_s")),
    short_labels={"dominant_trial1_s": "Dominant 1", "dominant_trial2_s": "2", "nondominant_trial1_s": "Non-dominant 1",
                  "nondominant_trial2_s": "2", "dominant_not_completed": "Dominant not done",
                  "nondominant_not_completed": "Non-dom. not done", "not_completed_note": "Note"},
    check=_check_nhpt,
    column_title="9HPT s dom / non-dom",
    # The patient's dominant hand when the test was done: it decides which trials are which.
    derive=lambda _values, patient: {"dominant_hand": patient.get("dominant_hand")},
    stored_extras=("dominant_hand",),
)
