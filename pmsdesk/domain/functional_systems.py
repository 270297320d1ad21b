"""Kurtzke/Neurostatus functional systems (FS) and the Neurostatus ambulation score.

Grades and their short meanings are paraphrased from Kurtzke 1983 and the Neurostatus definitions
as reproduced in the adobrasinovic/edss README (clinical-rules spec section 1.2 and 1.4, sources
S1, S2, S3, S31). They are reminders for the person scoring, not a replacement for the official
Neurostatus booklet.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FunctionalSystem:
    key: str  # attribute name suffix: fs_<key>
    label: str
    grades: tuple[str, ...]  # index = grade

    @property
    def field(self) -> str:
        return f"fs_{self.key}"

    @property
    def max_grade(self) -> int:
        return len(self.grades) - 1


FUNCTIONAL_SYSTEMS: tuple[FunctionalSystem, ...] = (
    FunctionalSystem("visual", "Visual (optic)", (
        "Normal",
        "Disc pallor, small scotoma or acuity (worse eye) < 20/20 but > 20/30",
        "Worse eye acuity 20/30 to 20/59",
        "Large scotoma, moderate field loss or acuity 20/60 to 20/99",
        "Marked field loss or acuity 20/100 to 20/200; or grade 3 with better eye <= 20/60",
        "Acuity < 20/200; or grade 4 with better eye <= 20/60",
        "Grade 5 with better eye <= 20/60",
    )),
    FunctionalSystem("brainstem", "Brainstem", (
        "Normal",
        "Signs only",
        "Moderate nystagmus or EOM impairment, or other mild disability",
        "Severe nystagmus, marked EOM impairment or moderate disability of other cranial nerves",
        "Marked dysarthria or other marked disability",
        "Unable to swallow or speak",
    )),
    FunctionalSystem("pyramidal", "Pyramidal", (
        "Normal",
        "Abnormal signs without disability",
        "Minimal disability (fatigability, BMRC 4 in 1-2 muscle groups)",
        "Mild to moderate para- or hemiparesis, or severe monoparesis",
        "Marked para- or hemiparesis, moderate tetraparesis or monoplegia",
        "Paraplegia, hemiplegia or marked tetraparesis",
        "Tetraplegia",
    )),
    FunctionalSystem("cerebellar", "Cerebellar", (
        "Normal",
        "Abnormal signs without disability",
        "Mild ataxia; tandem walk impossible",
        "Moderate limb, gait or truncal ataxia",
        "Severe gait/truncal ataxia with severe ataxia in 3-4 limbs",
        "Unable to perform coordinated movements",
    )),
    FunctionalSystem("sensory", "Sensory", (
        "Normal",
        "Mild vibration, figure-writing or temperature loss in 1-2 limbs",
        "Mild touch/pain/position loss or moderate vibration loss in 1-2 limbs; or grade-1 pattern in > 2 limbs",
        "Moderate touch/pain/position or marked vibration loss in 1-2 limbs; or mild touch/pain or moderate proprioceptive loss in > 2 limbs",
        "Marked touch/pain loss in 1-2 limbs; or moderate touch/pain or marked proprioceptive loss in > 2 limbs",
        "Sensation essentially lost in 1-2 limbs; or moderate touch/pain or marked proprioceptive loss over most of the body below the head",
        "Sensation essentially lost below the head",
    )),
    FunctionalSystem("bowel_bladder", "Bowel and bladder", (
        "Normal",
        "Mild hesitancy, urgency or constipation",
        "Moderate hesitancy/retention, urgency/incontinence or bowel dysfunction",
        "Frequent incontinence or intermittent self-catheterisation; enemas or manual evacuation",
        "Almost constant catheterisation",
        "Loss of bladder or bowel function; external or indwelling catheter",
        "Loss of bowel and bladder function",
    )),
    FunctionalSystem("cerebral", "Cerebral (mental)", (
        "Normal",
        "Signs only in mentation; mild fatigue",
        "Mild decrease in mentation; moderate or severe fatigue",
        "Moderate decrease in mentation",
        "Marked decrease in mentation",
        "Dementia",
    )),
)

FUNCTIONAL_SYSTEMS_BY_KEY = {fs.key: fs for fs in FUNCTIONAL_SYSTEMS}

# Neurostatus ambulation score 0-16 (spec 1.4; the 0-16 numbering is UNCERTAIN there, and it is
# what S3, S4 and S5 all use).
AMBULATION_GRADES: tuple[str, ...] = (
    "Unrestricted",
    "Fully ambulatory, not unrestricted (>= 500 m without aid or rest)",
    ">= 300 m but < 500 m without help or rest",
    ">= 200 m but < 300 m without help",
    ">= 100 m but < 200 m without help",
    "< 100 m without assistance",
    "Unilateral assistance, >= 50 m",
    "Bilateral assistance, >= 120 m",
    "Unilateral assistance, < 50 m",
    "Bilateral assistance, >= 5 m but < 120 m",
    "Wheelchair without help; cannot walk 5 m even with aid; transfers alone",
    "Wheelchair with help; a few steps only",
    "Restricted to bed/chair, out of bed most of the day; effective arm use",
    "Restricted to bed much of the day; some arm use",
    "Helpless bed patient; can communicate and eat",
    "Totally helpless bed patient; cannot communicate effectively or eat/swallow",
    "Death due to MS",
)
MAX_AMBULATION = len(AMBULATION_GRADES) - 1

# The 20 valid EDSS steps: 0 and 1.0 to 10.0 in half steps; 0.5 does not exist (spec 1.1, S1).
EDSS_STEPS: tuple[float, ...] = (0.0,) + tuple(1.0 + 0.5 * i for i in range(19))
