"""The course editor offers the seed protocol templates by name and stores the chosen key (issue 19)."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox

from pmsdesk.domain.fields import COURSE_FIELDS
from pmsdesk.domain.protocols import HARRIS_2024_MSC_NP, SEED_PROTOCOLS
from pmsdesk.ui.course_template import attach_template_summary
from pmsdesk.ui.dialogs import RecordDialog


def test_the_course_editor_offers_the_templates_by_name_blank_first_and_stores_the_key(qtbot, clinic, patient):
    values = {"agent": "msc_np", "start_date": "2026-01-05"}
    dialog = RecordDialog("Treatment course", COURSE_FIELDS, lambda raw: clinic.create_course(patient.id, raw))
    qtbot.addWidget(dialog)
    dialog.form.set_values(values)
    summary = attach_template_summary(dialog.form)
    box = dialog.form.editor("protocol_template").input
    assert isinstance(box, QComboBox)
    offered = [box.itemText(i) for i in range(box.count())]
    assert offered == [""] + [p.name for p in SEED_PROTOCOLS]  # blank first: a course without a template
    assert box.currentText() == ""
    assert summary.isHidden()
    box.setCurrentText(HARRIS_2024_MSC_NP.name)
    text = summary.text()
    assert not summary.isHidden() and "doses at months 0, 2, 4, 6, 8, 10" in text
    assert "Month 13: EDSS, T25FW" in text and "a clinic choice" in text and "Harris" in text
    dialog.accept()
    assert dialog.result_record.protocol_template == HARRIS_2024_MSC_NP.key
