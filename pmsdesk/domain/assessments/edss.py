"""EDSS with its functional systems and ambulation score (clinical-rules spec 1.1, 1.2, 1.4).

The clinician's step is what is recorded; the step computed from the functional systems is stored
beside it at save (``computed_edss`` with the rule set that produced it) as an aid, never a correction.
"""

from __future__ import annotations

from decimal import Decimal

from pmsdesk.domain.assessments.model import (
    LOCAL_CODE_SYSTEM,
    Assessment,
    Code,
    Measure,
    PlausibilityGuard,
    Reading,
    Values,
)
from pmsdesk.domain.fields import Field, Kind, integer
from pmsdesk.domain.functional_systems import AMBULATION_GRADES, EDSS_STEPS, FUNCTIONAL_SYSTEMS, MAX_AMBULATION
from pmsdesk.domain.references import Measure as ReferenceMeasure
from pmsdesk.domain.scoring.change import Measure as ScoredMeasure
from pmsdesk.domain.scoring.edss import EdssResult, FunctionalSystemScores, compute_edss

# 0 or 1.0-10.0 in 0.5 steps; FS ranges per system; ambulation 0-16 (spec 1.1, 1.2, 1.4).
EDSS_FIELDS: tuple[Field, ...] = (
    Field("edss", "EDSS (clinician)", Kind.DECIMAL, minimum=Decimal(0), maximum=Decimal(10),
          decimals=1, allowed_values=EDSS_STEPS,
          hint="The neurologist's EDSS step; the computed step is shown beside it as an aid."),
    *(
        integer(fs.field, fs.label, 0, fs.max_grade, grade_labels=fs.grades,
                hint=f"{fs.label} functional system, grade 0-{fs.max_grade}.")
        for fs in FUNCTIONAL_SYSTEMS
    ),
    integer("ambulation", "Ambulation score", 0, MAX_AMBULATION, grade_labels=AMBULATION_GRADES,
            hint="Neurostatus ambulation score 0-16."),
)

# Local codes of the clinical-rules spec 6.1 (no LOINC code exists for the EDSS or the Kurtzke FS).
FS_CODES = {"fs_pyramidal": "KFSS-PYR", "fs_cerebellar": "KFSS-CBL", "fs_brainstem": "KFSS-BS",
            "fs_sensory": "KFSS-SENS", "fs_bowel_bladder": "KFSS-BB", "fs_visual": "KFSS-VIS",
            "fs_cerebral": "KFSS-CEREB"}


def edss_result(values: Values) -> EdssResult | None:
    """The step computed from the functional systems, when every FS and the ambulation score are
    recorded; otherwise None (a partial examination gives no step)."""
    grades = {fs.key: values.get(fs.field) for fs in FUNCTIONAL_SYSTEMS}
    if values.get("ambulation") is None or any(grade is None for grade in grades.values()):
        return None
    return compute_edss(FunctionalSystemScores(**grades, ambulation=values["ambulation"]))


def _derive(values: Values, _patient: Values) -> dict:
    result = edss_result(values)
    return {"computed_edss": result.step if result else None,
            "computed_rules": result.ruleset_version if result else None}


def _read(values: Values) -> Reading | None:
    if values.get("edss") is None:
        return None
    grades = [f"{fs.label.split(' (')[0]} {values[fs.field]}" for fs in FUNCTIONAL_SYSTEMS
              if values.get(fs.field) is not None]
    if values.get("ambulation") is not None:
        grades.append(f"ambulation {values['ambulation']}")
    context = (f"Functional systems: {', '.join(grades)}",) if grades else ()
    computed = values.get("computed_edss")
    details = ()
    if computed is not None:
        agrees = "agrees" if computed == values["edss"] else "differs from the clinician's score"
        details = (f"Computed from the FS: {computed:.1f} ({agrees})",)
    return Reading(float(values["edss"]), details=details, context=context)


def _summary(values: Values) -> str:
    text = f"{values['edss']:.1f}" if values.get("edss") is not None else "\u2013"
    computed = values.get("computed_edss")
    if computed is not None and computed != values.get("edss"):
        text += f" (computed {computed:.1f})"
    return text


EDSS_MEASURE = Measure(
    "edss", "edss", "EDSS", "", 1, _read,
    change_rule=ScoredMeasure.EDSS,
    # A jump of 2 steps (2.0 points) or more either way: pmsdesk's typing guard, not a clinical rule.
    plausibility=PlausibilityGuard(Decimal("2.0"), inclusive=True, decimals=1),
    reference=ReferenceMeasure.EDSS,
    code=Code(LOCAL_CODE_SYSTEM, "EDSS", "Expanded Disability Status Scale"),
    components={**{fs.field: Code(LOCAL_CODE_SYSTEM, FS_CODES[fs.field], fs.label) for fs in FUNCTIONAL_SYSTEMS},
                "ambulation": Code(LOCAL_CODE_SYSTEM, "EDSS-AMB", "Ambulation score")},
)

EDSS = Assessment(
    "edss", "EDSS and functional systems", "EDSS", EDSS_FIELDS, (EDSS_MEASURE,),
    short_labels={"edss": "EDSS (clinician)"},
    derive=_derive, stored_extras=("computed_edss", "computed_rules"),
    summary=_summary,
)
