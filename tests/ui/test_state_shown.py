"""State shown truly, driven offscreen: today's list says where each visit stands and lists a
patient once, its headings cannot be selected and Enter always does something; the visit editor
marks unsaved changes at once, says when a save had nothing to save, and a read-only visit (signed,
or a role that may not record) offers no control that would change it, the stopwatch included; the
clinic overview colours a cell by the change it shows, says it in words too, and has a legend."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QInputDialog
from sample_data import PATIENT, TODAY

from pmsdesk.domain.permissions import Actor, Role
from pmsdesk.services.clinic import Clinic, DayState
from pmsdesk.services.series import Status
from pmsdesk.ui.overview import CHANGE_COLORS, STATUS_COLORS, ClinicOverview
from pmsdesk.ui.today import TodayList
from pmsdesk.ui.visit_editor import VisitEditor

pytestmark = pytest.mark.usefixtures("qapp")

COURSE = {"agent": "it_methotrexate", "planned_dose": "12.5", "dose_unit": "mg", "interval_weeks_min": "8",
          "interval_weeks_max": "12", "start_date": "2026-11-16"}
VISIT = {"visit_date": TODAY.isoformat(), "kind": "assessment", "t25fw.trial1_s": "7.5", "t25fw.trial2_s": "7.7",
         "sdmt.score": "48"}
ADMIN = Actor("a.admin", Role.ADMINISTRATOR, None, "Ada Admin")


@pytest.fixture
def neurologist(database):
    from pmsdesk.services.accounts import Accounts

    admin = Accounts(database).create_first_administrator("a.admin", "Ada Admin", "a long enough password")
    Accounts(database, admin).create_user("d.neuro", "Dr Dana Neuro", "neurologist", "neurologist password")
    return Clinic(database, actor=Accounts(database).sign_in("d.neuro", "neurologist password"), today=lambda: TODAY)


def person(clinic, number: int, family: str):
    return clinic.create_patient({**PATIENT, "clinic_id": f"MS-{number:04d}", "family_name": family})


def shown(widget):
    widget.show()
    QApplication.processEvents()
    return widget


# ----- today's list -------------------------------------------------------------------------------
@pytest.fixture
def today(qtbot, clinic, neurologist):
    typing = person(clinic, 1, "Typing")
    course = clinic.create_course(typing.id, COURSE)
    clinic.save_draft(typing.id, None, {"visit_date": TODAY.isoformat(), "course_id": course.id})
    signed = person(clinic, 2, "Signed")
    visit = clinic.create_visit(signed.id, VISIT)
    neurologist.sign_visit(visit.visit.id, visit.visit.version, password="neurologist password")
    waiting = person(clinic, 3, "Waiting")
    clinic.create_visit(waiting.id, VISIT)
    due = person(clinic, 4, "Due")
    clinic.create_course(due.id, COURSE)
    widget = TodayList(clinic)
    qtbot.addWidget(widget)
    shown(widget).refresh()
    return widget


def rows(widget) -> list[tuple[str, str]]:
    model = widget.model
    return [(model.index(r, 0).data(), model.index(r, 1).data()) for r in range(model.rowCount())]


def test_today_shows_each_visits_state_and_each_patient_once(today):
    assert rows(today) == [
        ("Visits under way", ""),
        (DayState.SIGNED.label, "SIGNED, Alex"),  # not "Started"
        (DayState.AWAITING_SIGNATURE.label, "WAITING, Alex"),
        (DayState.UNSAVED.label, "TYPING, Alex"),  # and not also "Due" for the course being typed
        ("Due for treatment", ""),
        ("Due", "DUE, Alex"),
    ]
    assert "1 due for treatment, 3 visits under way" in today.heading.text()


def test_today_headings_cannot_be_selected_and_the_arrows_pass_over_them(today, qtbot):
    table = today.table
    for heading in (0, 4):
        assert not today.model.flags(today.model.index(heading, 0)) & Qt.ItemFlag.ItemIsSelectable
        assert not today.model.flags(today.model.index(heading, 0)) & Qt.ItemFlag.ItemIsEnabled
    assert table.currentIndex().row() == 1
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Up)
    assert table.currentIndex().row() == 1, "nothing above the first patient but a heading"
    for _ in range(3):
        qtbot.keyClick(table, Qt.Key.Key_Down)
    assert table.currentIndex().row() == 5 and [i.row() for i in table.selectionModel().selectedRows()] == [5]


def test_enter_on_today_always_does_something(today, qtbot, clinic):
    table = today.table
    table.setFocus()
    table.setCurrentIndex(table.model().index(4, 0))
    assert table.currentIndex().row() != 4, "a heading cannot become the current row"
    with qtbot.waitSignal(today.start_treatment, timeout=1000) as started:
        today.activate(4)  # a heading, however it was reached: the patient under it opens
    due = next(p for p in clinic.find_patients() if p.family_name == "Due")
    assert started.args[0] == due.id and table.currentIndex().row() == 5
    table.clearSelection()
    table.setCurrentIndex(table.model().index(-1, -1))  # no row chosen at all: Enter opens the first
    assert table.currentIndex().row() == -1
    with qtbot.waitSignal(today.open_visit, timeout=1000) as opened:
        qtbot.keyClick(table, Qt.Key.Key_Return)  # a signed visit opens (read-only)
    signed = next(s for s in clinic.visits_on(TODAY) if s.patient.family_name == "Signed")
    assert opened.args == [signed.visit.id] and table.currentIndex().row() == 1


def test_enter_on_an_empty_today_says_how_to_go_on(qtbot, clinic):
    widget = TodayList(clinic)
    qtbot.addWidget(widget)
    shown(widget).refresh()
    assert widget.model.rowCount() == 0
    widget.table.setFocus()
    qtbot.keyClick(widget.table, Qt.Key.Key_Return)
    assert "Nobody is due" in widget.hint.text() and "bold" in widget.hint.styleSheet()


# ----- the visit editor ---------------------------------------------------------------------------
def editor_for(qtbot, clinic) -> VisitEditor:
    editor = VisitEditor(clinic)
    qtbot.addWidget(editor)
    editor.resize(1366, 768)
    return shown(editor)


def test_the_header_marks_unsaved_changes_at_once(qtbot, clinic, patient):
    record = clinic.create_visit(patient.id, VISIT)
    editor = editor_for(qtbot, clinic)
    editor.open_visit(record.visit.id)
    assert editor.status.isVisible() and editor.status.text() == "Saved, awaiting signature"
    assert not editor.unsaved_mark.isVisible()
    sdmt = editor.field_editor("sdmt.score").input
    sdmt.selectAll()
    qtbot.keyClicks(sdmt, "5")
    assert editor.unsaved_mark.isVisible() and "Unsaved changes" in editor.unsaved_mark.text()
    assert not editor.status.isVisible(), "no stale \u201cSaved\u201d beside unsaved changes"
    assert editor.save(), editor.summary.text()
    assert clinic.visit_record(record.visit.id).assessments["sdmt"].score == 5
    assert editor.status.isVisible() and editor.status.text().startswith("Saved ")
    assert not editor.unsaved_mark.isVisible()
    qtbot.keyClicks(sdmt, "1")  # edited after the save: the "Saved HH:MM" goes at once
    assert editor.unsaved_mark.isVisible() and not editor.status.isVisible()
    editor.dirty = False


def test_a_save_with_no_change_writes_nothing_and_says_so(qtbot, clinic, patient):
    record = clinic.create_visit(patient.id, VISIT)
    entries = len(clinic.audit_entries(patient_id=patient.id))
    editor = editor_for(qtbot, clinic)
    editor.open_visit(record.visit.id)
    sdmt = editor.field_editor("sdmt.score").input
    qtbot.keyClicks(sdmt, "9")
    qtbot.keyClick(sdmt, Qt.Key.Key_Backspace)  # typed, then put back: nothing to save
    assert editor.dirty
    with qtbot.assertNotEmitted(editor.saved):
        assert editor.save()
    assert editor.status.text() == "No changes to save" and not editor.dirty
    assert not editor.unsaved_mark.isVisible()
    stored = clinic.visit_record(record.visit.id)
    assert stored.visit.version == record.visit.version == editor.record.visit.version
    assert len(clinic.audit_entries(patient_id=patient.id)) == entries
    assert clinic.draft(patient.id, record.visit.id) is None


def test_a_signed_visit_offers_no_control_that_would_change_it(qtbot, neurologist, patient, monkeypatch):
    record = neurologist.create_visit(patient.id, VISIT)
    neurologist.sign_visit(record.visit.id, record.visit.version, password="neurologist password")
    editor = editor_for(qtbot, neurologist)
    editor.open_visit(record.visit.id)
    assert editor.read_only
    assert not any(form.isEnabled() for form in editor.forms)
    assert not editor.course.isEnabled() and not editor.adverse_events.isEnabled()
    assert not editor.save_button.isEnabled() and not editor.discard_button.isEnabled()
    assert not editor.stopwatch.button.isEnabled()
    editor.field_editor("t25fw.trial1_s").input.setFocus()
    qtbot.keyClick(editor, Qt.Key.Key_F5)
    editor.stopwatch.toggle()
    editor.start_stopwatch()
    assert not editor.stopwatch.running and editor.stopwatch.time.text() == "0.00 s"

    monkeypatch.setattr(QInputDialog, "getMultiLineText", lambda *args, **kwargs: ("Trial 1 misread", True))
    editor.signoff.amend_button.click()  # amending: the stopwatch times again
    assert not editor.read_only and editor.stopwatch.button.isEnabled() and editor.discard_button.isEnabled()
    editor.stopwatch.toggle()
    assert editor.stopwatch.running
    editor.stopwatch.cancel()


def test_a_role_that_may_not_record_sees_the_visit_read_only(qtbot, database, clinic, patient):
    record = clinic.create_visit(patient.id, VISIT)
    editor = editor_for(qtbot, Clinic(database, actor=ADMIN, today=lambda: TODAY))
    editor.open_visit(record.visit.id)
    assert editor.read_only and not any(form.isEnabled() for form in editor.forms)
    assert not editor.stopwatch.button.isEnabled() and not editor.discard_button.isEnabled()
    assert not editor.save_button.isEnabled() and "may not change" in editor.status.text()
    editor.stopwatch.toggle()
    assert not editor.stopwatch.running


# ----- the clinic overview ------------------------------------------------------------------------
def cell(widget, family: str, column: str):
    header = [widget.model.headerData(c, Qt.Orientation.Horizontal) for c in range(widget.model.columnCount())]
    model = widget.model
    row = next(r for r in range(model.rowCount()) if model.index(r, 0).data().startswith(family))
    index = model.index(row, header.index(column))
    return index.data(), index.data(Qt.ItemDataRole.ForegroundRole).color().name()


def test_overview_colours_a_cell_by_the_change_it_shows_with_words_and_a_legend(qtbot, clinic):
    back = person(clinic, 1, "Back")  # a confirmed EDSS worsening, now back at baseline; SDMT down 3 of 4
    for day, edss, sdmt in (("2025-01-06", "4.0", "50"), ("2025-04-07", "5.0", "49"),
                            ("2025-07-07", "5.0", "48"), ("2025-10-06", "4.0", "47")):
        clinic.create_visit(back.id, {"visit_date": day, "kind": "assessment", "edss.edss": edss, "sdmt.score": sdmt})
    better = person(clinic, 2, "Better")  # faster walk, more SDMT: better beyond the threshold
    for day, walk, sdmt in (("2025-01-06", "6.00", "50"), ("2025-07-07", "4.50", "56")):
        clinic.create_visit(better.id, {"visit_date": day, "kind": "assessment", "t25fw.trial1_s": walk,
                                        "t25fw.trial2_s": walk, "sdmt.score": sdmt})
    worse = person(clinic, 3, "Worse")  # SDMT down 5: lower is worse for the SDMT
    for day, sdmt in (("2025-01-06", "50"), ("2025-07-07", "45")):
        clinic.create_visit(worse.id, {"visit_date": day, "kind": "assessment", "sdmt.score": sdmt})
    widget = ClinicOverview(clinic)
    qtbot.addWidget(widget)
    widget.resize(1366, 768)
    shown(widget).refresh()
    widget.wait_loaded()

    red, green, within = (CHANGE_COLORS[k] for k in ("worse", "better", "within"))
    assert cell(widget, "BACK", "EDSS") == ("4.0 (+0.0)", within)  # no longer red for an old event
    assert cell(widget, "BACK", "Status") == (Status.WORSENING, STATUS_COLORS[Status.WORSENING])
    assert cell(widget, "BACK", "SDMT") == ("47 (\u22123)", within)  # no longer green: within the threshold
    assert cell(widget, "BETTER", "T25FW") == ("4.50 (\u22121.50) better", green)
    assert cell(widget, "BETTER", "SDMT") == ("56 (+6) better", green)
    assert cell(widget, "WORSE", "SDMT") == ("45 (\u22125) worse", red)
    assert len({red, green, within}) == 3

    legend = widget.legend
    assert legend.isVisible() and widget.layout().indexOf(legend) > widget.layout().indexOf(widget.table)
    for colour, word in ((red, "worse"), (green, "better"), (within, "within")):
        assert f"color:{colour}; font-weight:bold;'>\u25a0 {word}" in legend.text()
    assert "lower for SDMT" in legend.text() and "Status column" in legend.text()
    assert legend.geometry().bottom() <= widget.height()
