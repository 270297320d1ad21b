"""Event-by-event agreement with pymsprog 1.0.7 on generated cohorts (issue 4 item 5, spec 4.6).

Each configuration runs pymsprog once over a whole cohort (it is slow per call). The only accepted
difference is the documented one (spec 4.6): a patient may differ only if one of its value pairs
sits exactly on a threshold that pymsprog's binary floating point gets wrong.
"""

import warnings

import pytest

from cohorts import engine_rows, float_boundary_pairs, generate, run_pymsprog
from pmsdesk.domain.scoring import INF_DAYS, PiraWindows, ProgressionOptions, detect_events

pytest.importorskip("pymsprog")

CONFIGS = {
    "defaults": ProgressionOptions(),
    "multiple-roving-RAW-PIRA": ProgressionOptions(event="multiple", baseline="roving", classify_relapse_activity=True),
    "firstCDI": ProgressionOptions(event="firstCDI"),
    "first-roving_impr": ProgressionOptions(event="first", baseline="roving_impr"),
    "multiple-roving_wors-from-event": ProgressionOptions(event="multiple", baseline="roving_wors", proceed_from="event"),
    "24-weeks-unbounded": ProgressionOptions(event="multiple", confirmation_days=168, confirmation_tolerance=(0, INF_DAYS)),
    "no-intermediate-sustained-168": ProgressionOptions(event="multiple", baseline="roving", check_intermediate=False,
                                                        require_sustained_days=168),
    "sustained-to-end": ProgressionOptions(event="multiple", require_sustained_days=INF_DAYS),
    "relapse-distances": ProgressionOptions(event="multiple", baseline="roving", relapse_to_baseline=(30, 30),
                                            relapse_to_event=(30, 10), relapse_to_confirmation=(60, 30),
                                            relapse_associated=(30, 30), classify_relapse_activity=True),
    "PIRA-Kappos2020-last": ProgressionOptions(event="multiple", baseline="roving", classify_relapse_activity=True,
                                               pira_windows=PiraWindows((0, None), (None, 30), (30, 30), "last")),
    "PIRA-last_delta": ProgressionOptions(event="multiple", classify_relapse_activity=True,
                                          pira_windows=PiraWindows((90, 30), (90, 30), (90, 30), "last_delta")),
    "PIRA-high-specificity": ProgressionOptions(classify_relapse_activity=True,
                                                pira_windows=PiraWindows((0, None), (None, None), (None, 0))),
}
OUTCOMES = ("edss", "t25fw", "nhpt", "sdmt")
PATIENTS_PER_RUN = 100  # x 4 outcomes x 12 configurations = 4,800 patients


def assert_agreement(outcome, cohort, options):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pymsprog warns about T25FW > 180 s and pandas internals
        reference = run_pymsprog(outcome, cohort, options)
    by_patient = {}
    for row in reference:
        by_patient.setdefault(row[0], []).append(row)
    documented = []
    for patient in cohort:
        ours = engine_rows(patient.patient_id, detect_events(outcome, patient.visits, patient.relapses, options))
        theirs = by_patient.get(patient.patient_id, [])
        if ours != theirs:
            values = [m.value for m in patient.visits]
            # Documented differences (docs/scoring.md): exact thresholds, and pmsdesk's one-point SDMT
            # floor where a score of 0 is the reference (pymsprog's threshold there is 0).
            if outcome == "sdmt" and 0 in values:
                continue
            boundary = float_boundary_pairs(outcome, values)
            assert boundary, f"{patient}\npymsprog: {theirs}\npmsdesk:  {ours}"
            documented.append(patient.patient_id)
    assert len(documented) < len(cohort) // 10
    return documented


@pytest.mark.slow
@pytest.mark.parametrize("outcome", OUTCOMES)
@pytest.mark.parametrize("config", CONFIGS)
def test_agrees_with_pymsprog(config, outcome):
    seed = 1000 * list(CONFIGS).index(config) + OUTCOMES.index(outcome)
    assert_agreement(outcome, generate(outcome, PATIENTS_PER_RUN, seed=seed), CONFIGS[config])


@pytest.mark.slow
def test_exact_threshold_is_the_only_difference_and_it_occurs():
    """Timed tests recorded to 0.1 s hit exact 20 % steps; those patients are the documented difference."""
    cohort = generate("t25fw", 400, seed=77)
    documented = assert_agreement("t25fw", cohort, CONFIGS["multiple-roving-RAW-PIRA"])
    assert documented, "the generator should produce exact-threshold cases"
