"""A visit summary compares with the same cohort arms as the trajectory screen, decided by the same
function (domain.comparators.comparators_for): its charts' keys name the arms the screen's legends
name, in the same styles, per phenotype, disability range and agent."""

from __future__ import annotations

import pytest
from known_patient import COURSE, PATIENT, create_known_patient
from pdf_reading import pdf_text

from pmsdesk.domain.references import load_reference_library
from pmsdesk.reports.assemble import ReportAssembler
from pmsdesk.reports.charts import key_entries
from pmsdesk.reports.visit_report import visit_report_pdf
from pmsdesk.ui.plot_items import ReferenceCurve
from pmsdesk.ui.trajectory import TrajectoryView

pytestmark = pytest.mark.usefixtures("qapp")


@pytest.fixture(scope="module")
def library():
    return load_reference_library()


def ppms_on_msc_np_at_edss_6_5(clinic) -> tuple[int, int]:
    patient = clinic.create_patient({**PATIENT, "clinic_id": "MS-0003", "family_name": "Later", "phenotype": "PPMS"})
    course = clinic.create_course(patient.id, {**COURSE, "agent": "msc_np", "planned_dose": "10", "dose_unit": "million cells"})
    visits = [{"visit_date": "2024-01-08", "kind": "baseline", "edss.edss": "6.5", "t25fw.trial1_s": "11.0",
               "t25fw.trial2_s": "11.4", "t25fw.walking_aid": "unilateral"},
              {"visit_date": "2024-01-15", "kind": "treatment", "treatment_number": "1", "dose_given": "10",
               "dose_unit": "million cells"},
              {"visit_date": "2024-07-15", "kind": "follow_up", "edss.edss": "6.5", "t25fw.trial1_s": "12.0",
               "t25fw.trial2_s": "12.2", "t25fw.walking_aid": "unilateral"}]
    ids = [clinic.create_visit(patient.id, {**visit, "course_id": course.id}).visit.id for visit in visits]
    return patient.id, ids[-1]


def screen_and_paper(qtbot, clinic, library, patient_id: int, visit_id: int):
    view = TrajectoryView(clinic, library)
    qtbot.addWidget(view)
    view.show_patient(patient_id)
    data = ReportAssembler(clinic, library=library).visit(visit_id)
    return view, data, pdf_text(visit_report_pdf(data))


def cohort_entries(view, key: str) -> list[str]:
    """The screen legend's lines for cohort arms: a drawn curve's label or the line of arms without one."""
    drawn = {item.curve.label for item in view.plots.items_of(key, ReferenceCurve)}
    return [entry for entry in view.plots.legends[key].entries
            if entry in drawn or entry.startswith("Chosen, no curve here")]


@pytest.mark.parametrize("patient", ["SPMS on ITMTX at EDSS 4.0", "PPMS on MSC-NP at EDSS 6.5"])
def test_each_chart_key_names_the_arms_of_the_screen_legend_in_the_same_styles(qtbot, clinic, library, patient):
    if patient.startswith("SPMS"):
        patient_id, visit_ids = create_known_patient(clinic)
        visit_id = visit_ids[-1]
    else:
        patient_id, visit_id = ppms_on_msc_np_at_edss_6_5(clinic)
    view, data, text = screen_and_paper(qtbot, clinic, library, patient_id, visit_id)
    for key in view.plots.shown:
        screen = cohort_entries(view, key)
        assert screen == [line for _curve, line in key_entries(data.overlays[key])]
        assert " ".join(screen) in text  # the chart's own key, read back from the PDF
        assert [item.curve.style for item in view.plots.items_of(key, ReferenceCurve)] == [
            curve.style for overlay in data.overlays[key] for curve in overlay.curves]


def test_phenotype_disability_and_agent_decide_what_both_draw(qtbot, clinic, library):
    spms_id, spms_visits = create_known_patient(clinic)
    ppms_id, ppms_visit = ppms_on_msc_np_at_edss_6_5(clinic)
    spms_view, spms_data, spms_text = screen_and_paper(qtbot, clinic, library, spms_id, spms_visits[-1])
    ppms_view, ppms_data, ppms_text = screen_and_paper(qtbot, clinic, library, ppms_id, ppms_visit)
    saline = "Harris 2024 MSC-NP phase 2 saline, EDSS 6.0-6.5 subgroup: mean % change \u00b1 SD"
    treated = "Harris 2024 MSC-NP phase 2 MSC-NP, EDSS 6.0-6.5 subgroup: mean % change \u00b1 SD"
    # disability range and agent: the EDSS 6.0-6.5 subgroup and its MSC-NP arm for the MSC-NP patient at 6.5 only
    ppms_walk = cohort_entries(ppms_view, "t25fw")
    assert saline in ppms_walk and treated in ppms_walk and saline in ppms_text and treated in ppms_text
    assert not {saline, treated} & set(cohort_entries(spms_view, "t25fw"))
    # phenotype: the SPMS-only IMPACT placebo arm for the SPMS patient only, on screen and on paper
    assert any("IMPACT placebo, SPMS" in entry for entry in cohort_entries(spms_view, "t25fw"))
    assert "IMPACT placebo, SPMS (proportions)" in spms_text and "IMPACT placebo" not in ppms_text
    assert not any("IMPACT" in entry for key in ppms_view.plots.shown for entry in cohort_entries(ppms_view, key))
    assert not any(o.cohort.id == "impact_placebo_edssplus" for overlays in ppms_data.overlays.values() for o in overlays)
    # agent: the ITMTX patient's own trial arm is offered by default, the MSC-NP patient's is not ITMTX
    assert any(o.cohort.id == "kolb2025_itmtx_phase1" for o in spms_data.overlays["t25fw"])
    assert not any(o.cohort.id == "kolb2025_itmtx_phase1" for o in ppms_data.overlays["t25fw"])
