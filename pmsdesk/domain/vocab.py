"""Controlled vocabularies used across pmsdesk.

Each member's value is what the database and the export files store; ``label`` is what a
person reads. Codes for other systems are kept beside the member they describe.
"""

from __future__ import annotations

from enum import StrEnum


class Choice(StrEnum):
    """A stored value with a human label (``Member = "stored", "Label"``)."""

    def __new__(cls, value: str, label: str = ""):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label or value
        return member

    @classmethod
    def from_label(cls, label: str) -> "Choice":
        for member in cls:
            if member.label == label:
                return member
        raise ValueError(label)


class Phenotype(Choice):
    PPMS = "PPMS", "Primary progressive (PPMS)"
    SPMS = "SPMS", "Secondary progressive (SPMS)"
    RRMS = "RRMS", "Relapsing-remitting (RRMS)"
    OTHER = "other", "Other / not classified"


# SNOMED CT concepts for the phenotypes (clinical-rules spec section 6.3, source S27).
# "other" maps to the parent concept "Multiple sclerosis (disorder)".
PHENOTYPE_SNOMED = {
    Phenotype.PPMS: "428700003",
    Phenotype.SPMS: "425500002",
    Phenotype.RRMS: "426373005",
    Phenotype.OTHER: "24700007",
}

# SNOMED CT "Intrathecal route (qualifier value)" (spec 6.3; 372452007 is NOT the intrathecal route).
INTRATHECAL_ROUTE_SNOMED = "72607000"


class Sex(Choice):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    OTHER = "other", "Other"
    UNKNOWN = "unknown", "Unknown"


class Hand(Choice):
    RIGHT = "right", "Right"
    LEFT = "left", "Left"


class Agent(Choice):
    IT_METHOTREXATE = "it_methotrexate", "Intrathecal methotrexate"
    MSC_NP = "msc_np", "MSC-NP (autologous MSC-derived neural progenitors)"
    AUTOLOGOUS_MSC = "autologous_msc", "Autologous mesenchymal stem cells"
    OTHER = "other", "Other (named)"


class VisitKind(Choice):
    BASELINE = "baseline", "Baseline"
    TREATMENT = "treatment", "Treatment"
    ASSESSMENT = "assessment", "Assessment only"
    FOLLOW_UP = "follow_up", "Follow-up"


class VisitStatus(Choice):
    DRAFT = "draft", "Saved, awaiting signature"  # stored, so saved; "draft" is the stored code
    SIGNED = "signed", "Signed"


class WalkingAid(Choice):
    """Assistive device for the T25FW; it must stay the same across visits (spec 2.1, S12/S13)."""

    NONE = "none", "None"
    UNILATERAL = "unilateral", "Unilateral (cane, crutch)"
    BILATERAL = "bilateral", "Bilateral (two canes or crutches)"
    WALKER = "walker", "Walker / rollator"
    OTHER = "other", "Other"


class NotCompletedReason(Choice):
    """Why a timed test was not completed; the MSFC CRF separates MS-related inability (spec 2.1/2.2, S9)."""

    PHYSICAL_MS = "physical_ms", "Unable: physical limitation due to MS"
    OTHER = "other", "Not done: other reason"


class SdmtModality(Choice):
    ORAL = "oral", "Oral"
    WRITTEN = "written", "Written"


class AdverseEventTerm(Choice):
    """The events after an intrathecal treatment, with those the trials reported (fever, radicular pain,
    arachnoiditis, chemical meningitis, neurotoxicity); their CTCAE v5.0 grading is in
    pmsdesk.domain.adverse_events."""

    POST_LP_HEADACHE = "post_lp_headache", "Post-lumbar-puncture headache"
    BACK_PAIN = "back_pain", "Back pain"
    FATIGUE = "fatigue", "Fatigue"
    NAUSEA_VOMITING = "nausea_vomiting", "Nausea / vomiting"
    FEVER = "fever", "Fever"
    RADICULAR_PAIN = "radicular_pain", "Radicular pain"
    INFECTION = "infection", "Infection"
    ARACHNOIDITIS = "arachnoiditis", "Arachnoiditis"
    CHEMICAL_MENINGITIS = "chemical_meningitis", "Chemical (aseptic) meningitis"
    NEUROTOXICITY = "neurotoxicity", "Neurotoxicity (encephalopathy, leukoencephalopathy)"
    OTHER = "other", "Other (describe)"


class Relatedness(Choice):
    """The NCI CTEP attribution categories, asked once for the procedure and once for the drug
    (pmsdesk.domain.adverse_events); no answer is "not assessed"."""

    UNRELATED = "unrelated", "Not related"
    UNLIKELY = "unlikely", "Unlikely"
    POSSIBLE = "possible", "Possible"
    PROBABLE = "probable", "Probable"
    DEFINITE = "definite", "Definite"


class AeOutcome(Choice):
    ONGOING = "ongoing", "Not recovered / ongoing"
    RECOVERING = "recovering", "Recovering"
    RECOVERED = "recovered", "Recovered"
    RECOVERED_WITH_SEQUELAE = "recovered_with_sequelae", "Recovered with sequelae"
    FATAL = "fatal", "Fatal"
    UNKNOWN = "unknown", "Unknown"


OPEN_AE_OUTCOMES = frozenset({AeOutcome.ONGOING, AeOutcome.RECOVERING})
