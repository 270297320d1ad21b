"""The course editor offers the seed protocol templates by name and stores the chosen key (issue 19)."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox

from pmsdesk.domain.fields import COURSE_FIELDS
from pmsdesk.domain.protocols import HARRIS_2024_MSC_NP, SEED_PROTOCOLS
from pmsdesk.ui.dialogs import RecordDialog


def test_the_course_editor_offers_the_templates_by_name_blank_first_and_stores_the_key(qtbot, clinic, patient):
    values = {"agent": "msc_np", "start_date": "2026-01-05"}
    dialog = RecordDialog("Treatment course", COURSE_FIELDS, lambda raw: clinic.create_course(patient.id, raw))
    qtbot.addWidget(dialog)
    dialog.form.set_values(values)
    box = dialog.form.editor("protocol_template").input
    assert isinstance(box, QComboBox)
    offered = [box.itemText(i) for i in range(box.count())]
    assert offered == [""] + [p.name for p in SEED_PROTOCOLS]  # blank first: a course without a template
    assert box.currentText() == ""
    box.setCurrentText(HARRIS_2024_MSC_NP.name)
    dialog.accept()
    assert dialog.result_record.protocol_template == HARRIS_2024_MSC_NP.key
