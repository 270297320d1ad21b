"""A treatment imported from where it was given (recorded elsewhere) is exempt from the safety check and
the second-person check (review decision: an import records a dose, it does not perform one): it is
kept without a check, re-saving it with the editor's blank answers keeps it, changing its dose asks for
the check, and the visit summary says the check was not recorded in pmsdesk."""

from __future__ import annotations

import pytest
from people import signed_in
from sample_data import TODAY
from test_safety_check import COURSE

from pmsdesk.domain.permissions import Role
from pmsdesk.domain.procedure_safety import ANSWER_FIELDS, RECORDED_WITHOUT_CHECK, DoseBlocked
from pmsdesk.reports import content
from pmsdesk.reports.assemble import ReportAssembler
from pmsdesk.services.clinic import Clinic

BLANK_ANSWERS = {f"safety_check.{answer.name}": "" for answer in ANSWER_FIELDS}  # as the editor sends them


def test_an_imported_treatment_is_kept_without_a_check_and_says_so(database, patient):
    nurse = Clinic(database, actor=signed_in(database, "nurse-ada", Role.NURSE, "Ada Nurse"), today=lambda: TODAY)
    course = nurse.create_course(patient.id, COURSE)
    imported = nurse.create_visit(patient.id, {"visit_date": TODAY.isoformat(), "kind": "treatment",
                                               "dose_given": "12.5", "dose_unit": "mg", "course_id": course.id,
                                               "treatment_number": "1"}, imported_from="earlier-clinic.zip")
    assert imported.safety_check is None and imported.visit.dose_given == 12.5
    resaved = nurse.update_visit(imported.visit.id, imported.visit.version,
                                 {**imported.form_values(), **BLANK_ANSWERS, "notes": "Seen again"})
    assert resaved.visit.notes == "Seen again" and resaved.safety_check is None
    with pytest.raises(DoseBlocked, match="once the pre-puncture safety check is answered"):
        nurse.update_visit(resaved.visit.id, resaved.visit.version,
                           {**resaved.form_values(), **BLANK_ANSWERS, "dose_given": "10"})

    data = ReportAssembler(nurse).visit(imported.visit.id)
    assert content.safety_check_lines(data) == [RECORDED_WITHOUT_CHECK]
    assert ("Second-person check", "not recorded in pmsdesk") in content.visit_fields(data)
    follow_up = nurse.create_visit(patient.id, {"visit_date": TODAY.isoformat(), "kind": "follow_up"})
    assert content.safety_check_lines(ReportAssembler(nurse).visit(follow_up.visit.id)) is None, "no dose, no check"
