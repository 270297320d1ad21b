"""The assessment registry: every assessment of a visit declared once (see :mod:`.model`).

The built-in assessments are registered here in the order a visit shows them; code that needs
"every assessment" or "every measure" iterates :data:`REGISTRY`.
"""

from pmsdesk.domain.assessments.cognition import SDMT
from pmsdesk.domain.assessments.edss import EDSS
from pmsdesk.domain.assessments.labs import LABS
from pmsdesk.domain.assessments.model import (
    LOCAL_CODE_SYSTEM,
    LOINC,
    REGISTRY,
    AddProblem,
    Assessment,
    AssessmentRegistry,
    Code,
    Measure,
    PlausibilityGuard,
    Reading,
    Values,
)
from pmsdesk.domain.assessments.timed import NHPT, T25FW
from pmsdesk.domain.assessments.walking import SIX_MINUTE_WALK

for _builtin in (EDSS, T25FW, NHPT, SDMT, SIX_MINUTE_WALK, LABS):
    REGISTRY.register(_builtin)

# Fields of each registered assessment by its key, live (see AssessmentRegistry.sections).
ASSESSMENT_SECTIONS = REGISTRY.sections()

__all__ = [
    "ASSESSMENT_SECTIONS", "EDSS", "LABS", "LOCAL_CODE_SYSTEM", "LOINC", "NHPT", "REGISTRY", "SDMT", "SIX_MINUTE_WALK", "T25FW", "AddProblem",
    "Assessment", "AssessmentRegistry", "Code", "Measure", "PlausibilityGuard", "Reading", "Values",
]
