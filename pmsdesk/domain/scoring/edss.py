"""EDSS step from the functional systems (FS) and the Neurostatus ambulation score.

The procedure is the one of the open-source calculators adobrasinovic/edss (JavaScript, MIT) and its
PHP port atiweb/edss-in-php (MIT), which both state they follow the Neurostatus-EDSS scoring table
(Kappos, University Hospital Basel) and Kurtzke's EDSS (Neurology 1983;33:1444-52). The official
Neurostatus table itself was not available, so the computed step is a suggestion: the neurologist
records the final EDSS, and the result says when the FS pattern is one where the published
calculators disagree (with jirimotyl/edss, the EDSScalculator R package 0.3.0).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, fields

from pmsdesk.domain.functional_systems import FUNCTIONAL_SYSTEMS_BY_KEY, MAX_AMBULATION

# The rule set's key, stored with every computed step (edss.computed_rules): never changed once stored;
# what a person reads is its label.
RULESET_VERSION = "pmsdesk-edss-1 (spec 1.6 procedure of S3/S4)"
CALCULATORS = "adobrasinovic/edss and atiweb/edss-in-php"  # the published calculators the rules follow
OTHER_CALCULATOR = "jirimotyl/edss (EDSScalculator)"
RULESET_LABELS = {RULESET_VERSION: "pmsdesk rules v1"}
RULESET_SOURCES = {RULESET_VERSION: f"the procedure of the open-source EDSS calculators {CALCULATORS}, which "
                                    "follow the Neurostatus-EDSS scoring (Kappos) and Kurtzke 1983"}


def ruleset_label(key: str) -> str:
    """A stored rule set key as a person reads it ("pmsdesk rules v1"); an unknown key as it is."""
    return RULESET_LABELS.get(key, key)

# Conversions used only inside the step computation; raw grades are stored and shown (spec 1.3, S2/S3/S4/S5).
VISUAL_CONVERSION = (0, 1, 2, 2, 3, 3, 4)
BOWEL_BLADDER_CONVERSION = (0, 1, 2, 3, 3, 4, 5)

# Ambulation score >= 3 sets the step by itself (spec 1.4 table and 1.6 R1, S3/S4/S5).
EDSS_BY_AMBULATION = {
    3: 5.0, 4: 5.5, 5: 6.0, 6: 6.0, 7: 6.0, 8: 6.5, 9: 6.5, 10: 7.0,
    11: 7.5, 12: 8.0, 13: 8.5, 14: 9.0, 15: 9.5, 16: 10.0,
}


def convert_visual(raw: int) -> int:
    """Visual FS grade as used for the EDSS step (spec 1.3)."""
    return VISUAL_CONVERSION[raw]


def convert_bowel_bladder(raw: int) -> int:
    """Bowel and bladder FS grade as used for the EDSS step (spec 1.3)."""
    return BOWEL_BLADDER_CONVERSION[raw]


@dataclass(frozen=True)
class FunctionalSystemScores:
    """Raw FS grades (as recorded) and the Neurostatus ambulation score 0-16."""

    visual: int
    brainstem: int
    pyramidal: int
    cerebellar: int
    sensory: int
    bowel_bladder: int
    cerebral: int
    ambulation: int

    def __post_init__(self) -> None:
        for name, value in self.grades().items():
            top = FUNCTIONAL_SYSTEMS_BY_KEY[name].max_grade
            if not isinstance(value, int) or not 0 <= value <= top:
                raise ValueError(f"{name} FS grade must be an integer 0-{top}, got {value!r}")
        if not isinstance(self.ambulation, int) or not 0 <= self.ambulation <= MAX_AMBULATION:
            raise ValueError(f"ambulation score must be an integer 0-{MAX_AMBULATION}, got {self.ambulation!r}")

    def grades(self) -> dict[str, int]:
        """The seven raw FS grades by FS key (ambulation excluded)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "ambulation"}


@dataclass(frozen=True)
class EdssResult:
    """A computed EDSS step that can explain how it was reached."""

    scores: FunctionalSystemScores
    converted: dict[str, int]  # the grades the rules saw (visual, bowel/bladder converted)
    rule: str  # spec 1.6 rule tag, e.g. "R4"
    rule_text: str
    step: float
    warnings: tuple[str, ...] = ()
    cerebral_grade1_counts: bool = True
    ruleset_version: str = RULESET_VERSION

    def explain(self) -> list[str]:
        raw = self.scores.grades()
        lines = [f"Computed EDSS {self.step:.1f} (suggestion; the neurologist records the final EDSS)."]
        lines.append("FS grades: " + ", ".join(
            f"{FUNCTIONAL_SYSTEMS_BY_KEY[key].label} {raw[key]}"
            + (f" (converted {self.converted[key]})" if self.converted[key] != raw[key] else "")
            for key in raw
        ) + f"; ambulation score {self.scores.ambulation}.")
        lines.append(f"Rule {self.rule}: {self.rule_text}.")
        if self.scores.cerebral == 1:
            lines.append("Cerebral grade 1 " + ("counted as a grade-1 FS." if self.cerebral_grade1_counts
                                                 else "treated as 0 (Kurtzke's exception)."))
        lines.extend(f"Warning: {w}" for w in self.warnings)
        source = RULESET_SOURCES.get(self.ruleset_version)
        lines.append(f"Rule set: {ruleset_label(self.ruleset_version)}" + (f", {source}." if source else "."))
        return lines


@dataclass(frozen=True)
class _Pattern:
    """Shape of the converted FS grades used by rules R2-R10 (spec 1.6 step 2)."""

    top: int  # M
    at_top: int  # n
    second: int  # M2: highest grade below M, 0 if none
    at_second: int  # n2

    @classmethod
    def of(cls, grades: list[int]) -> "_Pattern":
        counts = Counter(grades)
        top = max(grades)
        second = max((g for g in grades if g < top), default=0)
        return cls(top, counts[top], second, counts[second])


def _step(pattern: _Pattern, ambulation: int) -> tuple[float, str, str]:
    """Spec 1.6 rules R2-R10 (S3/S4), for ambulation 0-2; returns (step, rule tag, rule text)."""
    m, n, m2, n2 = pattern.top, pattern.at_top, pattern.second, pattern.at_second
    if m >= 5:
        return 5.0, "R2", "an FS at grade 5 or more gives 5.0"
    if m == 4 and n >= 2:
        return 5.0, "R3", "two or more FS at grade 4 give 5.0"
    if m == 4:
        if m2 == 3 and n2 >= 3:
            return 5.0, "R4", "one FS at grade 4 with three or more at grade 3 gives 5.0"
        if m2 in (2, 3):
            return 4.5, "R4", f"one FS at grade 4 with FS at grade {m2} gives 4.5"
        if ambulation <= 1:
            return 4.0, "R4", "one FS at grade 4, others 0 or 1, gives 4.0"
    if m == 3 and n >= 6:
        return 5.0, "R5", "six or more FS at grade 3 give 5.0"
    if ambulation == 2:
        return 4.5, "R6", "ambulation score 2 (300-499 m) gives 4.5"
    if m == 3:
        if n == 5:
            return 4.5, "R7", "five FS at grade 3 give 4.5"
        if n >= 3:
            return 4.0, "R7", f"{n} FS at grade 3 give 4.0"
        if n == 2:
            if m2 == 2:
                return 4.0, "R7", "two FS at grade 3 with FS at grade 2 give 4.0"
            return 3.5, "R7", "two FS at grade 3, others 0 or 1, give 3.5"
        if m2 == 2 and n2 >= 3:
            return 4.0, "R7", "one FS at grade 3 with three or more at grade 2 gives 4.0"
        if m2 == 2:
            return 3.5, "R7", "one FS at grade 3 with one or two at grade 2 gives 3.5"
        return 3.0, "R7", "one FS at grade 3, others 0 or 1, gives 3.0"
    if m == 2:
        step = {1: 2.0, 2: 2.5, 3: 3.0, 4: 3.0, 5: 3.5}.get(n, 4.0)
        return step, "R7b", f"{n} FS at grade 2, others 0 or 1, give {step:.1f}"
    if ambulation == 1:
        return 2.0, "R8", "ambulation score 1 (not unrestricted) gives at least 2.0"
    if m == 1:
        if n >= 2:
            return 1.5, "R9", f"{n} FS at grade 1 give 1.5"
        return 1.0, "R9", "one FS at grade 1 gives 1.0"
    return 0.0, "R10", "all FS at grade 0 and unrestricted walking give 0"


def _disagreement_warnings(pattern: _Pattern, ambulation: int) -> list[str]:
    """The FS patterns where adobrasinovic/edss and atiweb/edss-in-php (followed here) and
    jirimotyl/edss give different steps (UNCERTAIN until checked against the Neurostatus table)."""
    m, n, m2, n2 = pattern.top, pattern.at_top, pattern.second, pattern.at_second
    prefix = "published calculators disagree for this FS pattern: {}; check against the Neurostatus table"
    here, there = f"here ({CALCULATORS})", f"in {OTHER_CALCULATOR}"
    found = []
    if m == 4 and n == 1 and m2 == 2 and ambulation <= 1:
        found.append(prefix.format(f"one FS 4 with FS 2 and no FS 3 is 4.5 {here}, 4.0 {there}"))
    if m == 4 and n == 1 and m2 == 3 and n2 >= 3:
        found.append(prefix.format(f"one FS 4 with three or more FS 3 is 5.0 {here}, 4.5 or none {there}"))
    if m == 4 and n >= 2 and ambulation >= 1:
        found.append(prefix.format(f"two or more FS 4 with ambulation 1-2 is 5.0 {here}, lower {there}"))
    if m == 3 and n >= 6 and ambulation == 2:
        found.append(prefix.format(f"six FS 3 with ambulation 2 is 5.0 {here}, 4.5 {there}"))
    return found


def compute_edss(scores: FunctionalSystemScores, *, cerebral_grade1_counts: bool = True) -> EdssResult:
    """EDSS step suggested by the FS grades and ambulation score (spec 1.6, S3/S4).

    ``cerebral_grade1_counts`` (spec 1.7 D1, UNCERTAIN): True counts Cerebral grade 1 like any grade-1
    FS (S3/S4, the default); False applies Kurtzke's exception and treats it as 0 (S1, S5).
    """
    if scores.ambulation >= 3:  # spec 1.6 R1: walking range sets the step; FS are ignored
        step = EDSS_BY_AMBULATION[scores.ambulation]
        converted = _converted(scores, cerebral_grade1_counts)
        return EdssResult(scores, converted, "R1", f"ambulation score {scores.ambulation} gives {step:.1f}",
                          step, (), cerebral_grade1_counts)

    converted = _converted(scores, cerebral_grade1_counts)
    pattern = _Pattern.of(list(converted.values()))
    step, rule, text = _step(pattern, scores.ambulation)
    warnings = _disagreement_warnings(pattern, scores.ambulation)
    if scores.cerebral == 1:
        other_converted = _converted(scores, not cerebral_grade1_counts)
        other_step = _step(_Pattern.of(list(other_converted.values())), scores.ambulation)[0]
        if other_step != step:
            warnings.insert(0, "published calculators disagree on Cerebral grade 1: "
                            f"{step:.1f} with the current setting, {other_step:.1f} if it were "
                            + (f"treated as 0 (Kurtzke 1983, {OTHER_CALCULATOR})" if cerebral_grade1_counts
                               else f"counted ({CALCULATORS})"))
    return EdssResult(scores, converted, rule, text, step, tuple(warnings), cerebral_grade1_counts)


def _converted(scores: FunctionalSystemScores, cerebral_grade1_counts: bool) -> dict[str, int]:
    grades = scores.grades()
    grades["visual"] = convert_visual(scores.visual)
    grades["bowel_bladder"] = convert_bowel_bladder(scores.bowel_bladder)
    if scores.cerebral == 1 and not cerebral_grade1_counts:
        grades["cerebral"] = 0  # Kurtzke 1983 exception for steps 0-1.5 (spec 1.5, S1)
    return grades
