"""The Symbol Digit Modalities Test: correct substitutions in 90 s (clinical-rules spec 2.3, S14/S7)."""

from __future__ import annotations

from decimal import Decimal

from pmsdesk.domain.assessments.model import LOCAL_CODE_SYSTEM, AddProblem, Assessment, Code, Measure, PlausibilityGuard, Reading, Values
from pmsdesk.domain.fields import Field, choice, integer, text
from pmsdesk.domain.references import Measure as ReferenceMeasure
from pmsdesk.domain.scoring.change import Measure as ScoredMeasure
from pmsdesk.domain.vocab import SdmtModality

SDMT_FIELDS: tuple[Field, ...] = (
    integer("score", "SDMT score", 0, 110, hint="Correct substitutions in 90 seconds."),
    choice("modality", "SDMT modality", SdmtModality),
    text("form", "SDMT form", max_length=30, hint="Test form or version, to track alternate forms."),
)


def _read(values: Values) -> Reading | None:
    if values.get("score") is None:
        return None
    modality = values.get("modality")
    how = ", ".join(part for part in (SdmtModality(modality).label.lower() if modality else None,
                                      f"form {values['form']}" if values.get("form") else None) if part)
    return Reading(float(values["score"]), details=(f"Administered: {how}",) if how else ())


def _check(values: Values, problem: AddProblem) -> None:
    if values["score"] is None:
        problem("score", "SDMT score: enter the score (0 to 110), or clear the SDMT section.")


SDMT = Assessment(
    "sdmt", "SDMT", "SDMT", SDMT_FIELDS,
    (Measure("sdmt", "sdmt", "SDMT", "correct", 0, _read, higher_is_worse=False, change_rule=ScoredMeasure.SDMT,
             # More than 15 points either way: pmsdesk's typing guard, not a clinical rule.
             plausibility=PlausibilityGuard(Decimal(15), inclusive=False, decimals=0),
             reference=ReferenceMeasure.SDMT,
             code=Code(LOCAL_CODE_SYSTEM, "SDMT", "Symbol Digit Modalities Test"),
             components={"modality": Code(LOCAL_CODE_SYSTEM, "SDMT-MODALITY", "SDMT modality"),
                         "form": Code(LOCAL_CODE_SYSTEM, "SDMT-FORM", "SDMT form")}),),
    rows=(("modality", "form"),),
    short_labels={"score": "Score", "modality": "Modality", "form": "Form"},
    check=_check, category="survey", column_title="SDMT",
)
