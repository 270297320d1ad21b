"""The six-minute walk: metres walked in six minutes, or why the walk was not completed.

A patient who cannot walk is recorded as "not completed" with the reason, never as 0 m (which would
become a baseline). The distance is in whole metres, as the ATS statement on the six-minute walk
test records it (ATS Committee on Proficiency Standards, Am J Respir Crit Care Med 2002;166:111-117);
1000 m is a typing guard (no one walks that far in six minutes).

Exchange code: LOINC 64098-7 "Walking distance 6 minutes" (the distance item of the six-minute walk
test panel 62619-2).

A change counts as meaningful by the minimal important change in MS of Oosterveer DM et al., Mult Scler
Relat Disord 2022;57:103438 (doi:10.1016/j.msard.2021.103438): 7.2 m shorter or 19.7 m longer than the
baseline (see :mod:`pmsdesk.domain.scoring.change` for the study and its limits).
"""

from __future__ import annotations


from pmsdesk.domain.assessments.model import LOINC, AddProblem, Assessment, Code, Measure, Reading, Values
from pmsdesk.domain.assessments.timed import RATIO_GUARD
from pmsdesk.domain.fields import Field, choice, decimal, text
from pmsdesk.domain.references import Measure as ReferenceMeasure
from pmsdesk.domain.scoring.change import Measure as ScoredMeasure
from pmsdesk.domain.vocab import NotCompletedReason

SIX_MINUTE_WALK_FIELDS: tuple[Field, ...] = (
    decimal("distance_m", "Six-minute walk distance", 0, 1000, decimals=0, unit="m", exclusive_minimum=True,
            hint="Metres walked in six minutes. A patient who could not walk: choose why under Not completed."),
    choice("not_completed", "Six-minute walk not completed", NotCompletedReason),
    text("not_completed_note", "Six-minute walk reason", max_length=300),
)


def _read(values: Values) -> Reading | None:
    if values.get("distance_m") is not None:
        return Reading(float(values["distance_m"]))
    if values.get("not_completed"):
        return Reading(None, NotCompletedReason(values["not_completed"]).label, values.get("not_completed_note"))
    return None


def _check(values: Values, problem: AddProblem) -> None:
    if values["not_completed"] is not None:
        if values["distance_m"] is not None:
            problem("not_completed", "Six-minute walk: a walk marked not completed has no distance; clear the "
                                     "distance, or clear \u2018not completed\u2019.")
        elif values["not_completed"] is NotCompletedReason.OTHER and not values["not_completed_note"]:
            problem("not_completed_note", "Six-minute walk reason: say why the walk was not done.")
    elif values["distance_m"] is None:
        problem("distance_m", "Six-minute walk: enter the distance walked, or choose why the walk was not completed.")


SIX_MINUTE_WALK = Assessment(
    "six_minute_walk", "Six-minute walk", "6MW", SIX_MINUTE_WALK_FIELDS,
    (Measure("six_minute_walk", "six_minute_walk", "6-minute walk", "m", 0, _read, higher_is_worse=False,
             # The minimal important change in MS (Oosterveer 2022; its numbers and limits: scoring.change).
             change_rule=ScoredMeasure.SIX_MINUTE_WALK, plausibility=RATIO_GUARD, reference=ReferenceMeasure.SIX_MINUTE_WALK,
             code=Code(LOINC, "64098-7", "Walking distance 6 minutes"), optional_in_summary=True),),
    rows=(("not_completed", "not_completed_note"),),
    short_labels={"distance_m": "Distance", "not_completed": "Not completed", "not_completed_note": "Note"},
    check=_check,
)
