"""Timed 25-Foot Walk, 9-Hole Peg Test and SDMT scores, MSFC z-scores and SDMT norms.

Administration and scoring: spec 2.1-2.3 (S9, S11-S14, S32); MSFC z-scores: spec 3 (S9-S11);
Costers 2017 BICAMS SDMT norms: spec 5.1 (S22).

"Could not complete" convention (spec 2.1, 2.2, 3.3): a test (or one hand of the 9HPT) that was not
completed has no score, so it never enters change or progression; for the MSFC z-score only, an
inability due to MS is filled with the worst-case value of the MSFC convention (UNCERTAIN, single
secondary source S10) and any other reason leaves the component missing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pmsdesk.domain.vocab import NotCompletedReason, Sex

T25FW_TIME_LIMIT_S = 180.0  # per trial, spec 2.1, S12
NHPT_TIME_LIMIT_S = 300.0  # per trial, spec 2.2 (UNCERTAIN: MSFC convention via S7/S25)
SDMT_MAX = 110  # spec 2.3, S14

# MSFC fill values when the test could not be done because of MS (spec 3.3, S10, UNCERTAIN).
T25FW_UNABLE_FILL_S = 165.7948  # 13.7 SD above the Task Force mean: z = -13.7
NHPT_UNABLE_FILL_S = 777.0  # per trial
PASAT_UNABLE_FILL = 0.0


@dataclass(frozen=True)
class TrialMean:
    """The score of one timed test at one visit: the T25FW, or one hand of the 9HPT."""

    test: str
    trials: tuple[float, ...]
    not_completed: NotCompletedReason | None
    seconds: float | None  # mean of the completed trials; None when not completed
    msfc_seconds: float | None  # value used for the MSFC z-score (fill value if unable due to MS)
    warnings: tuple[str, ...] = ()

    def explain(self) -> list[str]:
        if self.seconds is None:
            used = ("no value for the MSFC" if self.msfc_seconds is None
                    else f"{self.msfc_seconds:g} s used for the MSFC (MSFC manual convention)")
            lines = [f"{self.test}: not completed ({self.not_completed.label}); {used}."]
        else:
            trials = " and ".join(f"{t:g}" for t in self.trials)
            lines = [f"{self.test}: {self.seconds:.2f} s (mean of trials {trials} s)."]
        return lines + [f"Warning: {w}" for w in self.warnings]


def _trial_mean(test: str, trials: Sequence[float | None], not_completed: NotCompletedReason | None,
                limit_s: float, unable_fill_s: float) -> TrialMean:
    done = tuple(float(t) for t in trials if t is not None)
    if any(t <= 0 for t in done):
        raise ValueError(f"{test}: trial times must be positive seconds")
    if not_completed is not None:
        if done:
            raise ValueError(f"{test}: trial times given for a test marked not completed")
        fill = unable_fill_s if not_completed is NotCompletedReason.PHYSICAL_MS else None
        return TrialMean(test, (), not_completed, None, fill)
    if not done:
        raise ValueError(f"{test}: give the trial times or the reason it was not completed")
    warnings = []
    if len(done) == 1:
        warnings.append("only one trial; the score is that trial, not a mean of two")
    if any(t > limit_s for t in done):
        warnings.append(f"a trial is longer than the {limit_s:g} s limit")
    seconds = sum(done) / len(done)
    return TrialMean(test, done, None, seconds, seconds, tuple(warnings))


def t25fw_score(trial1: float | None, trial2: float | None = None,
                not_completed: NotCompletedReason | None = None) -> TrialMean:
    """T25FW score: mean of the two trials in seconds (spec 2.1, S12)."""
    return _trial_mean("T25FW", (trial1, trial2), not_completed, T25FW_TIME_LIMIT_S, T25FW_UNABLE_FILL_S)


def nhpt_hand_score(hand: str, trial1: float | None, trial2: float | None = None,
                    not_completed: NotCompletedReason | None = None) -> TrialMean:
    """9HPT score of one hand: mean of its two trials in seconds (spec 2.2, S11/S12)."""
    return _trial_mean(f"9HPT {hand} hand", (trial1, trial2), not_completed, NHPT_TIME_LIMIT_S, NHPT_UNABLE_FILL_S)


@dataclass(frozen=True)
class NhptScore:
    """Both hands of the 9HPT. Change detection uses each hand separately (spec 2.2, S6/S15)."""

    dominant: TrialMean
    non_dominant: TrialMean

    @property
    def msfc_reciprocal(self) -> float | None:
        """MSFC 9HPT score R = mean of the reciprocals of the two hand means, 1/s (spec 2.2, S11/S12)."""
        if self.dominant.msfc_seconds is None or self.non_dominant.msfc_seconds is None:
            return None
        return (1 / self.dominant.msfc_seconds + 1 / self.non_dominant.msfc_seconds) / 2


def sdmt_score(correct: int) -> int:
    """SDMT score: correct substitutions in 90 s, 0-110 (spec 2.3, S14)."""
    if isinstance(correct, bool) or not isinstance(correct, int) or not 0 <= correct <= SDMT_MAX:
        raise ValueError(f"SDMT score must be an integer 0-{SDMT_MAX}, got {correct!r}")
    return correct


@dataclass(frozen=True)
class MsfcReference:
    """Mean and SD of each MSFC component in a reference population (spec 3.1-3.2)."""

    label: str
    t25fw_mean: float
    t25fw_sd: float
    nhpt_reciprocal_mean: float
    nhpt_reciprocal_sd: float
    pasat3_mean: float
    pasat3_sd: float


TASK_FORCE_REFERENCE = MsfcReference(
    "MSFC Task Force reference values (MSFC manual, Fischer et al. 2001)",
    9.5353, 11.4058, 0.0439, 0.0101, 45.0311, 12.0771)


@dataclass(frozen=True)
class SdmtCohortReference:
    """Baseline SDMT mean and SD of the clinic's own cohort, for the SDMT variant of the MSFC (spec 3.4)."""

    label: str
    mean: float
    sd: float


@dataclass(frozen=True)
class MsfcScore:
    """MSFC component z-scores and composite (higher = better for every component)."""

    label: str
    cognitive_test: str  # "PASAT-3" or "SDMT"
    z_t25fw: float | None
    z_nhpt: float | None
    z_cognitive: float | None
    composite: float | None  # mean of the three z-scores; None if any is missing
    warnings: tuple[str, ...] = ()

    def explain(self) -> list[str]:
        def fmt(z: float | None) -> str:
            return "missing" if z is None else f"{z:+.3f}"
        lines = [f"{self.label}: composite {fmt(self.composite)}",
                 f"z T25FW {fmt(self.z_t25fw)}, z 9HPT {fmt(self.z_nhpt)}, z {self.cognitive_test} {fmt(self.z_cognitive)}."]
        return lines + [f"Warning: {w}" for w in self.warnings]


def _composite(label: str, cognitive_test: str, z_t25fw: float | None, z_nhpt: float | None,
               z_cognitive: float | None, warnings: list[str]) -> MsfcScore:
    parts = {"T25FW": z_t25fw, "9HPT": z_nhpt, cognitive_test: z_cognitive}
    missing = [name for name, z in parts.items() if z is None]
    if missing:
        warnings.append("no composite: missing " + ", ".join(missing))
        composite = None
    else:
        composite = (z_t25fw + z_nhpt + z_cognitive) / 3  # spec 3.1, S9/S10
    return MsfcScore(label, cognitive_test, z_t25fw, z_nhpt, z_cognitive, composite, tuple(warnings))


def _motor_z(t25fw: TrialMean, nhpt: NhptScore, reference: MsfcReference) -> tuple[float | None, float | None, list[str]]:
    warnings = [f"{score.test} not completed because of MS: MSFC fill value used (MSFC manual convention, uncertain)"
                for score in (t25fw, nhpt.dominant, nhpt.non_dominant)
                if score.not_completed is NotCompletedReason.PHYSICAL_MS]
    z_t25fw = None
    if t25fw.msfc_seconds is not None:  # sign flipped so that higher = better (spec 3.1)
        z_t25fw = -(t25fw.msfc_seconds - reference.t25fw_mean) / reference.t25fw_sd
    reciprocal = nhpt.msfc_reciprocal
    z_nhpt = None if reciprocal is None else (reciprocal - reference.nhpt_reciprocal_mean) / reference.nhpt_reciprocal_sd
    return z_t25fw, z_nhpt, warnings


def msfc(t25fw: TrialMean, nhpt: NhptScore, pasat3: float | None,
         pasat3_not_completed: NotCompletedReason | None = None,
         reference: MsfcReference = TASK_FORCE_REFERENCE) -> MsfcScore:
    """Classic MSFC: T25FW, 9HPT and PASAT-3 z-scores against ``reference`` (spec 3.1-3.3)."""
    z_t25fw, z_nhpt, warnings = _motor_z(t25fw, nhpt, reference)
    if pasat3 is None and pasat3_not_completed is NotCompletedReason.PHYSICAL_MS:
        pasat3 = PASAT_UNABLE_FILL  # spec 2.4/3.3, S10, UNCERTAIN
        warnings.append("PASAT-3 not completed because of MS: scored 0 (MSFC manual convention, uncertain)")
    z_pasat = None if pasat3 is None else (pasat3 - reference.pasat3_mean) / reference.pasat3_sd
    return _composite(f"MSFC ({reference.label})", "PASAT-3", z_t25fw, z_nhpt, z_pasat, warnings)


def msfc_sdmt_variant(t25fw: TrialMean, nhpt: NhptScore, sdmt: int | None, sdmt_reference: SdmtCohortReference,
                      reference: MsfcReference = TASK_FORCE_REFERENCE) -> MsfcScore:
    """MSFC with SDMT in place of PASAT-3, SDMT z against the clinic cohort (spec 3.4, UNCERTAIN).

    No published SDMT reference exists for the MSFC, so the label names both references; an SDMT not
    done has no fill value (none is published) and leaves the composite missing.
    """
    z_t25fw, z_nhpt, warnings = _motor_z(t25fw, nhpt, reference)
    z_sdmt = None if sdmt is None else (sdmt_score(sdmt) - sdmt_reference.mean) / sdmt_reference.sd
    label = f"MSFC (SDMT variant, {sdmt_reference.label}; T25FW and 9HPT: {reference.label})"
    return _composite(label, "SDMT", z_t25fw, z_nhpt, z_sdmt, warnings)


# Costers 2017 BICAMS Belgian (Dutch-speaking) norms, coefficients as published (spec 5.1, S22).
COSTERS_2017_SCALED_LOWER_BOUNDS = (  # (lowest raw score, scaled score)
    (89, 18), (85, 17), (82, 16), (78, 15), (75, 14), (72, 13), (68, 12), (65, 11), (61, 10),
    (58, 9), (55, 8), (51, 7), (48, 6), (44, 5), (41, 4), (38, 3), (0, 2),
)
COSTERS_2017_EDUCATION_YEARS = (6, 12, 13, 15, 17, 21)
COSTERS_2017_RESIDUAL_SD = 2.790
COSTERS_2017_IMPAIRED_Z = -1.5


@dataclass(frozen=True)
class SdmtNormScore:
    """SDMT compared with healthy peers (a normative z, not an MSFC z: spec 5.4)."""

    raw: int
    scaled: int
    expected_scaled: float
    z: float
    label: str = "SDMT z vs Belgian BICAMS norms (Costers et al., MSARD 2017)"

    @property
    def impaired(self) -> bool:
        return self.z <= COSTERS_2017_IMPAIRED_Z

    def explain(self) -> list[str]:
        return [f"{self.label}: raw {self.raw} -> scaled {self.scaled}; expected {self.expected_scaled:.3f} "
                f"for age, sex and education; z {self.z:+.2f}"
                + (" (impaired, z <= -1.5)." if self.impaired else "."),
                "Norms from 97 Dutch-speaking Belgian controls; interpret with care elsewhere."]


def sdmt_costers2017_z(raw: int, age: float, sex: Sex, education_years: int) -> SdmtNormScore:
    """Costers 2017 regression-based SDMT z-score (spec 5.1, S22)."""
    sdmt_score(raw)
    if sex not in (Sex.MALE, Sex.FEMALE):
        raise ValueError("the Costers 2017 norms are defined for male and female only")
    if education_years not in COSTERS_2017_EDUCATION_YEARS:
        raise ValueError(f"education must be coded as one of {COSTERS_2017_EDUCATION_YEARS} years")
    scaled = next(scaled for lowest, scaled in COSTERS_2017_SCALED_LOWER_BOUNDS if raw >= lowest)
    sex_code = 1 if sex is Sex.MALE else 2
    expected = 10.648 - 0.289 * age + 0.002 * age**2 - 0.05 * sex_code + 0.479 * education_years
    return SdmtNormScore(raw, scaled, expected, (scaled - expected) / COSTERS_2017_RESIDUAL_SD)
