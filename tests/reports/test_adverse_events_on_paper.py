"""The visit summary's adverse events, read back from the PDF (pdftotext): each grade with its CTCAE v5.0
wording, relatedness to the procedure and to the drug, an earlier single answer kept as recorded, and
whether a neurotoxicity event blocks intrathecal methotrexate or who cleared it and why."""

from __future__ import annotations

import dataclasses
import datetime as dt

from pdf_reading import pdf_text
from report_samples import history, report_data

from pmsdesk.domain.moments import local_time
from pmsdesk.reports.visit_report import visit_report_pdf
from pmsdesk.store.tables import AdverseEvent

CLEARED_AT = dt.datetime(2026, 3, 9, 10, 30, tzinfo=dt.UTC)


def _summary_with(*events: AdverseEvent) -> str:
    records = history()
    records[-1] = dataclasses.replace(records[-1], adverse_events=list(events))
    return " ".join(pdf_text(visit_report_pdf(report_data(records))).split())


def test_the_summary_prints_ctcae_wording_both_answers_and_the_neurotoxicity_state():
    earlier = AdverseEvent(id=2, patient_id=1, visit_id=6, term="back_pain", onset_date=dt.date(2026, 3, 2),
                           ctcae_grade=1, relatedness="possible", outcome="recovered")
    neurotoxicity = dict(id=3, patient_id=1, visit_id=6, term="neurotoxicity", onset_date=dt.date(2026, 3, 2),
                         ctcae_grade=3, related_procedure="unlikely", related_drug="probable", outcome="recovering")
    blocking = AdverseEvent(**neurotoxicity)
    text = _summary_with(earlier, blocking)
    assert "Back pain. Grade 1 (CTCAE v5.0 Back pain; wording to check against CTCAE v5.0): Mild pain" in text
    assert ("procedure: Not assessed; drug: Not assessed (earlier single answer, treatment: Possible)") in text
    assert ("Neurotoxicity (encephalopathy, leukoencephalopathy). Grade 3 (CTCAE v5.0 Encephalopathy; wording to "
            "check against CTCAE v5.0): Severe symptoms; limiting self care ADL. Blocks further intrathecal "
            "methotrexate until a neurologist clears it.") in text
    assert "procedure: Unlikely; drug: Probable" in text

    cleared = AdverseEvent(**neurotoxicity, cleared_by="dr-neuro", cleared_by_name="Dr Nora Neuro",
                           cleared_at=CLEARED_AT, clearance_reason="MRI unchanged; symptoms resolved")
    text = _summary_with(cleared)
    assert (f"Cleared for intrathecal methotrexate by Dr Nora Neuro on {local_time(CLEARED_AT)}: MRI unchanged; "
            "symptoms resolved") in text
