"""The visit summary PDF, read back: who, what was measured, what changed and why, and on which page."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from pdf_reading import pdf_pages, pdf_text
from pypdf import PdfReader
from report_samples import HEADER, history, incomplete_visit, report_data

from pmsdesk.reports.data import Signature
from pmsdesk.reports.visit_report import visit_report_pdf
from pmsdesk.store.tables import SixMinuteWalk


@pytest.fixture(scope="module")
def summary() -> bytes:
    return visit_report_pdf(report_data(history()))


@pytest.fixture(scope="module")
def text(summary) -> str:
    return pdf_text(summary)


def test_names_the_clinic_patient_and_visit(text):
    for expected in (HEADER.name, "12 Example Street", "Family name Testerly Given names Noa", "RS-0042", "1968-05-02 (age 57 at visit)",
                     "Secondary progressive (SPMS)", "Visit date 2026-03-02", "no. 5 of the course started 2025-01-06",
                     "Intrathecal methotrexate, 12.5 mg", "level L3-L4; needle 22G atraumatic; 1 attempt; 5 mL CSF removed",
                     "Performed by Dr. Ada Placeholder"):
        assert expected in text


def test_every_measure_with_this_visit_previous_baseline_and_change(text):
    rows = {
        # measure: (this visit, previous visit, baseline, change from baseline, change from previous)
        "EDSS": ("5.5", "5.0", "4.0", "+1.5 (+37.5 %)", "+0.5 (+10.0 %)"),
        # one number format per measure: a change has the measure's decimals, a minus is a real minus
        "T25FW (s)": ("11.30", "10.30", "8.20", "+3.10 (+37.8 %)", "+1.00 (+9.7 %)"),
        "9HPT dominant hand, right (s)": ("25.30", "24.70", "22.50", "+2.80 (+12.4 %)", "+0.60 (+2.4 %)"),
        "9HPT non-dominant hand, left (s)": ("28.40", "27.10", "24.50", "+3.90 (+15.9 %)", "+1.30 (+4.8 %)"),
        "SDMT (correct)": ("42", "44", "48", "\u22126 (\u221212.5 %)", "\u22122 (\u22124.5 %)"),
    }
    for label, values in rows.items():
        row = text[text.index(label):]
        position = 0
        for value in values:  # in column order
            found = row.find(value, position)
            assert found >= 0, (label, value)
            position = found + len(value)
    assert "trials 11, 11.6; Walking aid: Unilateral (cane, crutch)" in text
    assert "6-minute walk (m) 330 not recorded 380" in text  # the previous visit had no walk


def test_flags_carry_their_criteria(text):
    assert "Meaningful worsening from baseline [1]" in text
    assert ("[1] EDSS 4 on 2025-01-06 \u2192 5.5 on 2026-03-02: +1.5 (+37.5 %); threshold 1 (EDSS \u00b11.5 from 0, "
            "1.0 from 1.0-5.0, 0.5 above 5.0): worsening.") in text
    # an earlier event is one line with its dates; the confirmation is the confirming visit and its distance
    assert "Earlier: confirmed worsening (CDW), onset 2025-07-07, confirmed at 2025-10-06, 13 weeks later [2]" in text
    assert text.count("onset 2025-07-07") == 2  # once for EDSS, once for T25FW: never repeated
    assert "New at this visit: confirmed worsening (CDW), onset 2025-10-06, confirmed at 2026-03-02, 21 weeks later" in text
    # the rule once, in the reference list, in words (no "77-814.5 days")
    assert "[2] Confirmed worsening (CDW) or improvement (CDI): a change from the fixed baseline" in text
    assert "at least 12 weeks later" in text and "days after onset" not in text
    assert "->" not in text and "+/-" not in text
    assert "No meaningful change (threshold: 9HPT 20 % of baseline)" in text


def test_edss_derivation_adverse_events_notes_and_relapses(text):
    assert "EDSS from the functional systems" in text
    assert "The clinician's EDSS is 5.5; both values are kept" in text
    assert re.search(r"Computed EDSS \d\.\d \(suggestion", text)
    # CTCAE v5.0 grades a post-LP headache as Headache; the procedure and the drug are answered apart
    assert ("Post-lumbar-puncture headache. Grade 2 (CTCAE v5.0 Headache): Moderate pain; limiting instrumental ADL "
            "2026-03-03 2 no procedure: Probable; drug: Unlikely Recovered, resolved 2026-03-06") in text
    assert "Tolerated well. Mild headache the next day; fluids advised." in text
    assert "Relapse onset since the previous visit (2025-10-06): 2025-11-20." in text


def test_charts_with_cohort_overlays_and_citations(text):
    assert "Trajectories (months since the first intrathecal dose, 2025-01-20" in text
    assert "Cadavid D, Cohen JA, Freedman MS, et al. The EDSS-Plus, an improved endpoint" in text
    assert "Kolb 2025 ITMTX phase 1" in text
    # a short reference: three authors then et al. (of sixteen), the DOI without the PubMed id
    assert ("Kolb H, Shachaf Y, Fainberg K, et al. Intrathecal methotrexate in progressive multiple sclerosis") in text
    assert "Karni A" not in text and "doi:10.1007/s00415-025-13114-z" in text and "PMID 40319416" not in text
    assert "Published findings for these measures" in text
    assert "References and criteria" in text


def test_page_numbers_print_date_version_and_patient_on_every_page(summary):
    pages = pdf_pages(summary)
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
        assert "Printed 2026-11-20 16:45 · pmsdesk 0.0-reference" in page
        assert "Testerly, Noa · RS-0042 · visit 2026-03-02" in page
        assert "DRAFT — NOT SIGNED" in page  # the status in the running header of every page


def test_draft_and_signed(text):
    assert "DRAFT — NOT SIGNED: not yet signed by the responsible clinician." in text
    assert "aids to the clinician's judgement" in text
    signed = pdf_text(visit_report_pdf(report_data(
        history(), signature=Signature(True, "Dr. Ben Examplewood", dt.datetime(2026, 3, 2, 17, 5)))))
    assert "Signed by Dr. Ben Examplewood on 2026-03-02 17:05." in signed
    assert "NOT SIGNED" not in signed


def test_missing_and_not_completed_tests_are_said_so():
    text = pdf_text(visit_report_pdf(report_data(incomplete_visit())))
    assert "EDSS not recorded 5.0" in text
    assert "T25FW (s) not completed: Unable: physical limitation due to MS (could not stand without help)" in text
    assert "9HPT non-dominant hand, left (s) not completed: Not done: other reason" in text
    assert "SDMT (correct) not recorded 44" in text
    # a test not done says so, and never claims that a value is missing
    assert "Test not completed (see reason)" in text and "Not assessed at this visit" in text
    assert "a value is missing" not in text and "not available" not in text
    assert "None reported at this visit." in text
    assert "No notes recorded." in text


def test_first_visit_has_nothing_to_compare_with():
    text = pdf_text(visit_report_pdf(report_data(history(), 0)))
    assert "EDSS 4.0 no earlier visit baseline (this visit) baseline no earlier value Baseline" in text
    assert "Treatment no treatment at this visit (Intrathecal methotrexate course)" in text
    assert "Lumbar puncture" not in text and "dose" not in text  # nothing about what was not done
    assert "no earlier visit" in text
    assert "No relapse recorded up to this visit." in text


def test_a4_and_letter():
    data = report_data(history())
    sizes = {}
    for name in ("a4", "letter"):
        box = PdfReader(io.BytesIO(visit_report_pdf(data, name))).pages[0].mediabox
        sizes[name] = (round(float(box.width)), round(float(box.height)))
    assert sizes == {"a4": (595, 842), "letter": (612, 792)}


def test_a_six_minute_walk_change_is_flagged_by_its_published_threshold(text):
    # 380 m at baseline, 330 m now: 50 m shorter, beyond the 7.2 m deterioration MIC (Oosterveer 2022)
    row = text[text.index("6-minute walk (m) 330"):]
    assert re.match(r"6-minute walk \(m\) 330 not recorded 380 2025-01-06 \u221250 \(\u221213\.2\s%\) no earlier value "
                    r"Meaningful worsening from baseline \[\d\]", row), row[:200]
    assert ("6MW 7.2 m shorter or 19.7 m longer, minimal important change in MS (Oosterveer DM et al., Mult Scler "
            "Relat Disord 2022;57:103438, doi:10.1016/j.msard.2021.103438)") in text


def test_same_data_same_bytes(summary):
    assert visit_report_pdf(report_data(history())) == summary


def test_a_six_minute_walk_not_done_says_why():
    records = incomplete_visit()
    last = records[-1]
    last.assessments["six_minute_walk"] = SixMinuteWalk(visit_id=last.visit.id, not_completed="physical_ms",
                                                        not_completed_note="stopped after 2 minutes, fatigue")
    text = pdf_text(visit_report_pdf(report_data(records)))
    assert ("6-minute walk (m) not completed: Unable: physical limitation due to MS (stopped after 2 minutes, "
            "fatigue)") in text
