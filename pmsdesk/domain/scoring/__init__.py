"""Clinical scoring: EDSS from functional systems, timed tests, meaningful change, confirmed worsening.

Rules and their sources are in the project's docs/scoring.md (from the clinical-rules spec). Every
result here is an aid to the clinician's judgement and carries the text to explain itself.
"""

from pmsdesk.domain.scoring.change import (
    DEFAULT_RULES,
    TRIAL_RULES,
    Change,
    Direction,
    Measure,
    Measurement,
    SdmtRule,
    ThresholdRules,
    VisitChanges,
    change_between,
    changes_over_time,
    classify_change,
    meaningful_change,
)
from pmsdesk.domain.scoring.edss import (
    RULESET_VERSION,
    EdssResult,
    FunctionalSystemScores,
    compute_edss,
    convert_bowel_bladder,
    convert_visual,
)
from pmsdesk.domain.scoring.edss_plus import (
    EDSS_PLUS_OPTIONS,
    EdssPlusAssessment,
    EdssPlusImprovement,
    EdssPlusWorsening,
    edss_plus_improvement_mscnp,
    edss_plus_worsening,
)
from pmsdesk.domain.scoring.progression import (
    BaselineScheme,
    EventKind,
    EventSelection,
    INF_DAYS,
    PiraWindows,
    PrecedingVisit,
    ProceedFrom,
    ProgressionEvent,
    ProgressionOptions,
    RelapseActivity,
    detect_cohort_events,
    detect_events,
)
from pmsdesk.domain.scoring.timed import (
    TASK_FORCE_REFERENCE,
    MsfcReference,
    MsfcScore,
    NhptScore,
    SdmtCohortReference,
    SdmtNormScore,
    TrialMean,
    msfc,
    msfc_sdmt_variant,
    nhpt_hand_score,
    sdmt_costers2017_z,
    sdmt_score,
    t25fw_score,
)

__all__ = [
    "DEFAULT_RULES", "EDSS_PLUS_OPTIONS", "INF_DAYS", "RULESET_VERSION", "TASK_FORCE_REFERENCE", "TRIAL_RULES",
    "BaselineScheme", "Change", "Direction", "EdssPlusAssessment", "EdssPlusImprovement", "EdssPlusWorsening",
    "EdssResult", "EventKind", "EventSelection", "FunctionalSystemScores", "Measure", "Measurement",
    "MsfcReference", "MsfcScore", "NhptScore", "PiraWindows", "PrecedingVisit", "ProceedFrom", "ProgressionEvent",
    "ProgressionOptions", "RelapseActivity", "SdmtCohortReference", "SdmtNormScore", "SdmtRule", "ThresholdRules",
    "TrialMean", "VisitChanges", "change_between", "changes_over_time", "classify_change", "compute_edss",
    "convert_bowel_bladder", "convert_visual", "detect_cohort_events", "detect_events",
    "edss_plus_improvement_mscnp", "edss_plus_worsening", "meaningful_change", "msfc", "msfc_sdmt_variant",
    "nhpt_hand_score", "sdmt_costers2017_z", "sdmt_score", "t25fw_score",
]
