"""Laboratory values taken for a treatment visit: one blood sample's counts and chemistry, with its date.

Labs are an assessment like any other (one home for every assessment: validation, the editor, the
visit table, the PDF, CSV, FHIR and the import template carry them without naming them), stored one
row per visit (table ``lab_assessment``). The sample has its own date, which may be days before the
visit: the pre-puncture check (pmsdesk.domain.procedure_safety) takes, for each value, the latest
recorded one and refuses it when older than the clinic's limit. Units are the SI units UK
laboratories report (counts in 10^9/L, creatinine in umol/L); the ranges below are typing guards
(no living patient has them), the clinic's reference ranges are settings
(pmsdesk.domain.settings.LAB_REFERENCE_RANGES).

LOINC codes: 777-3, 6690-2, 731-0, 1742-6 were seen in published FHIR implementation guides (French
EDSH socle, Vulcan schedule-of-activities, Israeli LRC value sets). 6301-6 (INR in platelet poor plasma
by coagulation assay), 14682-9 (creatinine, moles/volume, in serum or plasma: the French EDSH socle's
and the German laboratory value sets' creatinine code) and 62238-1 (eGFR by the creatinine-based CKD-EPI
formula, its long name as OHDSI Athena and DICOM CID 10046 give it) were seen in public code lists and
implementation guides, not in the LOINC table itself.
"""

from __future__ import annotations

from pmsdesk.domain.assessments.model import LOINC, AddProblem, Assessment, Code, Measure, Reading, Values
from pmsdesk.domain.fields import Field, date, decimal

# (key, label, unit, decimals, low, high, LOINC code and display)
_LABS = (
    ("platelets", "Platelets", "x10^9/L", 0, 0, 2000, "777-3", "Platelets [#/volume] in Blood by Automated count"),
    ("inr", "INR", "", 1, 0.5, 15, "6301-6", "INR in Platelet poor plasma by Coagulation assay"),
    ("wbc", "White cells", "x10^9/L", 1, 0, 500, "6690-2", "Leukocytes [#/volume] in Blood by Automated count"),
    ("lymphocytes", "Lymphocytes", "x10^9/L", 2, 0, 300, "731-0",
     "Lymphocytes [#/volume] in Blood by Automated count"),
    ("alt", "ALT", "U/L", 0, 0, 5000, "1742-6",
     "Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma"),
    ("creatinine", "Creatinine", "umol/L", 0, 5, 3000, "14682-9", "Creatinine [Moles/volume] in Serum or Plasma"),
    ("egfr", "eGFR", "mL/min/1.73m2", 0, 1, 200, "62238-1",
     "Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] in Serum, Plasma or Blood by "
     "Creatinine-based formula (CKD-EPI)"),
)
LAB_KEYS = tuple(key for key, *_ in _LABS)
LAB_UNITS = {key: unit for key, _label, unit, *_ in _LABS}
LAB_LABELS = {key: label for key, label, *_ in _LABS}

LAB_FIELDS: tuple[Field, ...] = (
    date("sampled_on", "Laboratory sample date", hint="The day the blood sample was taken (may be before the visit)."),
    *(decimal(key, label, low, high, decimals=decimals, unit=unit, hint=f"{label} ({unit or 'ratio'}), from the sample dated above.")
      for key, label, unit, decimals, low, high, *_ in _LABS),
)


def _reader(key: str):
    def read(values: Values) -> Reading | None:
        if values.get(key) is None:
            return None
        sampled = values.get("sampled_on")
        return Reading(float(values[key]), details=(f"sampled {sampled.isoformat()}",) if sampled else ())
    return read


def _check(values: Values, problem: AddProblem) -> None:
    entered = [key for key in LAB_KEYS if values.get(key) is not None]
    if entered and values.get("sampled_on") is None:
        problem("sampled_on", "Laboratory sample date: enter the day the sample was taken (YYYY-MM-DD).")
    elif not entered:
        problem(LAB_KEYS[0], "Laboratory values: enter at least one value, or clear the laboratory section.")


LABS = Assessment(
    "labs", "Laboratory values", "Labs", LAB_FIELDS,
    tuple(Measure(key, "labs", label, unit, decimals, _reader(key), higher_is_worse=False,
                  code=Code(LOINC, code, display), optional_in_summary=True, followed=False, anchor=key)
          for key, label, unit, decimals, _low, _high, code, display in _LABS),
    rows=(("platelets", "inr"), ("wbc", "lymphocytes"), ("alt", "creatinine")),
    short_labels={"sampled_on": "Sample date", "wbc": "WBC", "lymphocytes": "Lymphocytes"},
    check=_check, category="laboratory", column_title="Labs",
)
