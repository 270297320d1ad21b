"""Fixed synthetic visits for the report tests, built in memory (no database): the same data every run."""

from __future__ import annotations

import datetime as dt

from pmsdesk.domain.references import load_reference_library
from pmsdesk.reports.assemble import chosen_overlays
from pmsdesk.reports.data import DRAFT, ClinicHeader, Signature, VisitReportData
from pmsdesk.services.clinic import VisitRecord
from pmsdesk.services.series import build_patient_series
from pmsdesk.store.tables import (
    AdverseEvent,
    EdssAssessment,
    NhptAssessment,
    Patient,
    Relapse,
    SdmtAssessment,
    SixMinuteWalk,
    T25fwAssessment,
    TreatmentCourse,
    Visit,
)

PRINTED_AT = dt.datetime(2026, 11, 20, 16, 45)
VERSION = "0.0-reference"  # fixed, so a version bump does not change the reference PDF
COHORTS = ("kolb2025_itmtx_phase1", "impact_placebo_edssplus")
HEADER = ClinicHeader("Riverside MS Clinic", ("12 Example Street", "Sampletown 1234"))

PATIENT = Patient(id=1, clinic_id="RS-0042", family_name="Testerly", given_names="Noa", birth_date=dt.date(1968, 5, 2),
                  sex="female", phenotype="SPMS", dominant_hand="right")
COURSE = TreatmentCourse(id=1, patient_id=1, agent="it_methotrexate", planned_dose=12.5, dose_unit="mg",
                         interval_weeks_min=8, interval_weeks_max=12, start_date=dt.date(2025, 1, 6),
                         protocol_id="ITMTX-Q")

FS = dict(fs_visual=1, fs_brainstem=1, fs_pyramidal=3, fs_cerebellar=2, fs_sensory=2, fs_bowel_bladder=2, fs_cerebral=1,
          ambulation=1)


def _visit(visit_id: int, day: dt.date, kind: str, number: int | None, *, edss: float | None, t25fw, nhpt, sdmt,
           walk=None, events=(), notes=None, status="draft", fs=None, **visit_values) -> VisitRecord:
    treatment = kind == "treatment"
    visit = Visit(id=visit_id, patient_id=1, course_id=1, visit_date=day, kind=kind, treatment_number=number,
                  dose_given=12.5 if treatment else None, dose_unit="mg" if treatment else None,
                  lp_level="L3-L4" if treatment else None, lp_needle="22G atraumatic" if treatment else None,
                  lp_attempts=1 if treatment else None, csf_removed_ml=5.0 if treatment else None,
                  performed_by="Dr. Ada Placeholder", notes=notes, status=status, **visit_values)
    assessments = {
        "edss": None if edss is None and fs is None else EdssAssessment(visit_id=visit_id, edss=edss, **(fs or {})),
        "t25fw": None if t25fw is None else T25fwAssessment(visit_id=visit_id, walking_aid="unilateral", **t25fw),
        "nhpt": None if nhpt is None else NhptAssessment(visit_id=visit_id, dominant_hand="right", **nhpt),
        "sdmt": None if sdmt is None else SdmtAssessment(visit_id=visit_id, score=sdmt, modality="oral", form="A"),
        "six_minute_walk": None if walk is None else SixMinuteWalk(visit_id=visit_id, distance_m=walk),
    }
    return VisitRecord(visit, assessments, list(events))


def _nhpt(d1, d2, n1, n2):
    return dict(dominant_trial1_s=d1, dominant_trial2_s=d2, nondominant_trial1_s=n1, nondominant_trial2_s=n2)


def history() -> list[VisitRecord]:
    """Baseline and five treatments of a worsening SPMS patient; the last visit has FS grades and an AE."""
    headache = AdverseEvent(id=1, patient_id=1, visit_id=6, term="post_lp_headache", onset_date=dt.date(2026, 3, 3),
                            ctcae_grade=2, serious=False, related_procedure="probable", related_drug="unlikely",
                            outcome="recovered",
                            resolved_date=dt.date(2026, 3, 6))
    return [
        _visit(1, dt.date(2025, 1, 6), "baseline", None, edss=4.0, t25fw=dict(trial1_s=8.0, trial2_s=8.4),
               nhpt=_nhpt(22.0, 23.0, 24.0, 25.0), sdmt=48, walk=380.0),
        _visit(2, dt.date(2025, 1, 20), "treatment", 1, edss=4.0, t25fw=dict(trial1_s=8.1, trial2_s=8.3),
               nhpt=_nhpt(22.5, 22.9, 24.2, 24.6), sdmt=47),
        _visit(3, dt.date(2025, 4, 14), "treatment", 2, edss=4.5, t25fw=dict(trial1_s=9.0, trial2_s=9.4),
               nhpt=_nhpt(23.0, 23.4, 25.0, 25.8), sdmt=46),
        _visit(4, dt.date(2025, 7, 7), "treatment", 3, edss=5.0, t25fw=dict(trial1_s=10.1, trial2_s=10.5),
               nhpt=_nhpt(24.0, 24.2, 26.0, 26.4), sdmt=45, status="signed"),
        _visit(5, dt.date(2025, 10, 6), "treatment", 4, edss=5.0, t25fw=dict(trial1_s=10.4, trial2_s=10.2),
               nhpt=_nhpt(24.5, 24.9, 27.0, 27.2), sdmt=44),
        _visit(6, dt.date(2026, 3, 2), "treatment", 5, edss=5.5, t25fw=dict(trial1_s=11.0, trial2_s=11.6),
               nhpt=_nhpt(25.0, 25.6, 28.0, 28.8), sdmt=42, walk=330.0, events=[headache], fs=FS,
               notes="Tolerated well.\nMild headache the next day; fluids advised."),
    ]


def report_data(records: list[VisitRecord], index: int = -1, *, signature: Signature = DRAFT,
                cohorts=COHORTS) -> VisitReportData:
    """The summary of ``records[index]`` with the history before it, as the assembler would build it."""
    index %= len(records)
    known = records[:index + 1]
    relapses = [Relapse(id=1, patient_id=1, onset_date=dt.date(2025, 11, 20), notes="Sensory relapse")]
    relapses = [r for r in relapses if r.onset_date <= known[-1].visit.visit_date]
    series = build_patient_series(known, [COURSE], relapses, phenotype=PATIENT.phenotype)
    return VisitReportData(
        clinic=HEADER, patient=PATIENT, course=COURSE, visit=known[-1], previous=known[-2] if index else None,
        series=series, overlays=chosen_overlays(series, load_reference_library(), cohorts), signature=signature,
        printed_at=PRINTED_AT, software_version=VERSION,
    )


def incomplete_visit() -> list[VisitRecord]:
    """The history with a last visit where the T25FW could not be done, one 9HPT hand was not completed,
    the SDMT was not recorded and no EDSS was given."""
    records = history()[:5]
    records.append(_visit(
        7, dt.date(2026, 3, 2), "treatment", 5, edss=None,
        t25fw=dict(not_completed="physical_ms", not_completed_note="could not stand without help"),
        nhpt=dict(dominant_trial1_s=25.0, dominant_trial2_s=25.4, nondominant_not_completed="other"),
        sdmt=None,
    ))
    return records
