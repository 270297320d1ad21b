"""The administrator's clinic audit trail (Safety > Clinic audit trail, Ctrl+Shift+A) on a real main
window: readable lines newest first, the filters, older lines read as the table scrolls, the text
filter, the export of what is shown; the visit history's filter; Back from a visit opened on the
review desk."""

from __future__ import annotations

import stat

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog
from test_review_desk import WALK, clinic_of, three_visits, window_of  # noqa: F401 - fixtures

from pmsdesk.domain.audit import AuditKind
from pmsdesk.services import clinic_audit
from pmsdesk.store import audit
from pmsdesk.ui.audit_viewer import HistoryDialog
from pmsdesk.ui.clinic_audit import ClinicAuditDialog

pytestmark = pytest.mark.usefixtures("qapp")


@pytest.fixture
def opened(monkeypatch):
    """The dialogs opened (their exec returns at once), to look at."""
    dialogs = []
    monkeypatch.setattr(ClinicAuditDialog, "exec", lambda dialog: dialogs.append(dialog))
    return dialogs


def whats(dialog: ClinicAuditDialog) -> list[str]:
    return [row[3] for row in dialog.trail.shown_rows()]


def test_only_the_administrator_opens_the_clinic_trail_and_reads_every_kind_of_entry(window_of, clinic_of, opened):
    three_visits(clinic_of("n.nurse"))
    nurse = window_of("n.nurse")
    action = nurse.findChild(QAction, "action_clinic_audit")
    assert not action.isEnabled() and "read by administrators" in action.toolTip()

    window = window_of("a.admin")
    action = window.findChild(QAction, "action_clinic_audit")
    assert action.isEnabled() and action.shortcut().toString() == "Ctrl+Shift+A"
    action.trigger()
    dialog, = opened
    rows = dialog.trail.shown_rows()
    assert rows[0][1:] == ("Ada Admin (a.admin)", "", "Signed in", "")  # the newest line first
    visit = next(row for row in rows if row[3].startswith("Recorded the visit"))  # the newest visit
    assert visit[1:3] == ("Nina Nurse (n.nurse)", "EXAMPLE, Alex (MS-0001), visit of 2026-11-02")
    assert visit[3] == "Recorded the visit (Assessment only, 2026-11-02)"
    bea = ("Recorded Patient: Clinic identifier MS-0002, Family name Brown, Given names Bea, Date of birth "
           "1970-03-14, Sex Female, MS phenotype Secondary progressive (SPMS)")
    assert {"Signed in", bea} <= set(whats(dialog))
    assert any(what.startswith("Created User account: User name d.neuro") for what in whats(dialog))
    assert dialog.status.text().endswith("match the filters.")


def test_the_filters_narrow_the_lines_in_the_database(window_of, clinic_of, opened, qtbot):
    three_visits(clinic_of("n.nurse"))
    window_of("a.admin").show_clinic_audit()
    dialog, = opened
    everything = len(dialog.trail.shown_rows())
    dialog.person.setCurrentIndex(dialog.person.findData("n.nurse"))
    assert {row[1] for row in dialog.trail.shown_rows()} == {"Nina Nurse (n.nurse)"}
    qtbot.keyClicks(dialog.patient, "brown")
    qtbot.waitUntil(lambda: all(row[2].startswith("BROWN, Bea") for row in dialog.trail.shown_rows()))
    assert whats(dialog) == ["Recorded the visit (Assessment only, 2026-10-01)",
                             "Recorded Timed 25-foot walk: T25FW trial 1 7.50 s, T25FW trial 2 7.70 s",
                             whats(dialog)[-1]] and whats(dialog)[-1].startswith("Recorded Patient")
    dialog.patient.clear()
    dialog.person.setCurrentIndex(0)
    dialog.kind.setCurrentIndex(dialog.kind.findData("sign_ins"))
    assert set(whats(dialog)) == {"Signed in"} and len(whats(dialog)) >= 3
    dialog.kind.setCurrentIndex(0)
    assert len(dialog.trail.shown_rows()) == everything


def test_the_date_filters_are_unset_until_ticked_and_filter_by_the_day_set_or_chosen_in_the_calendar(
        window_of, clinic_of, opened, qtbot):
    three_visits(clinic_of("n.nurse"))
    window_of("a.admin").show_clinic_audit()
    dialog, = opened
    dialog.show()
    qtbot.waitExposed(dialog)
    everything = len(dialog.trail.shown_rows())
    since, until = dialog.since, dialog.until
    assert not since.box.isChecked() and not since.date.isEnabled() and since.date.calendarPopup()
    assert since.date.width() >= since.date.fontMetrics().horizontalAdvance("2026-11-20")

    assert since.box.text() == "&From" and until.box.text() == "&To"  # Alt+F, Alt+T
    qtbot.keyClick(since.box, Qt.Key.Key_Space)  # From, ticked
    assert since.box.isChecked() and since.date.isEnabled()
    assert len(dialog.trail.shown_rows()) == everything  # from today: every line (all written today)
    since.date.setDate(QDate.currentDate().addDays(1))  # from tomorrow: nothing has happened yet
    assert dialog.trail.shown_rows() == [] and dialog.status.text() == "0 lines match the filters."
    since.date.calendarWidget().setSelectedDate(QDate.currentDate())  # chosen in its calendar: today again
    since.date.calendarWidget().activated.emit(QDate.currentDate())
    assert since.day() == QDate.currentDate().toPython() and len(dialog.trail.shown_rows()) == everything

    until.box.click()  # to today as well: still everything
    assert until.day() == QDate.currentDate().toPython() and len(dialog.trail.shown_rows()) == everything
    until.date.setDate(QDate.currentDate().addDays(-1))  # to yesterday, from today: nothing
    assert dialog.trail.shown_rows() == [] and dialog.current_filters().until < dialog.current_filters().since
    qtbot.keyClick(since.box, Qt.Key.Key_Space)  # From unticked: any date up to yesterday, still nothing
    assert since.day() is None and dialog.trail.shown_rows() == []
    qtbot.keyClick(until.box, Qt.Key.Key_Space)  # To unticked: any date, everything again
    assert dialog.current_filters().since is None and dialog.current_filters().until is None
    assert len(dialog.trail.shown_rows()) == everything


def test_older_lines_are_read_as_the_table_scrolls_and_the_text_filter_keeps_matching_ones(
        window_of, clinic_of, opened, monkeypatch, qtbot):
    monkeypatch.setattr(clinic_audit, "PAGE_SIZE", 50)
    clinic = clinic_of("n.nurse")
    with clinic.db.transaction() as session:  # 300 exports, one entry each, as the store appends them
        for number in range(300):
            audit.append(session.connection(), [{"actor": "n.nurse", "kind": AuditKind.EXPORT.value,
                                                 "details": f'{{"what":"test {number}","path":"/x","lines":1}}'}])
    window_of("a.admin").show_clinic_audit()
    dialog, = opened
    dialog.show()
    qtbot.waitExposed(dialog)
    assert len(dialog.trail.shown_rows()) == 50
    assert dialog.status.text() == "The newest 50 matching lines are shown; scroll down for older ones."
    dialog.trail.table.scrollToBottom()
    qtbot.waitUntil(lambda: len(dialog.trail.shown_rows()) > 50)
    assert whats(dialog)[:3] == ["Signed in", "Exported test 299 to /x: 1 line", "Exported test 298 to /x: 1 line"]
    exports = whats(dialog)[1:]
    assert exports == [f"Exported test {number} to /x: 1 line" for number in range(299, 299 - len(exports), -1)]
    dialog.trail.filter.setText("test 29")
    assert whats(dialog)[:3] == ["Exported test 299 to /x: 1 line", "Exported test 298 to /x: 1 line",
                                 "Exported test 297 to /x: 1 line"]


def test_the_export_writes_the_lines_matching_the_filters_privately_and_is_audited(
        window_of, clinic_of, opened, monkeypatch, tmp_path, message_boxes):
    three_visits(clinic_of("n.nurse"))
    window_of("a.admin").show_clinic_audit()
    dialog, = opened
    dialog.patient.setText("brown")
    chosen = tmp_path / "audit-brown.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args: (str(chosen), "CSV files (*.csv)"))
    dialog.export_button.click()
    assert stat.S_IMODE(chosen.stat().st_mode) == 0o600
    lines = chosen.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 4 and all("BROWN, Bea" in line for line in lines[1:])
    told = f"3 lines written to {chosen} (readable by you only). The export is recorded in the audit trail."
    assert message_boxes[-1] == ("information", f"Audit trail exported: {told}")
    dialog.patient.clear()
    dialog.apply_filters()
    assert whats(dialog)[0] == f"Exported the clinic's audit trail to {chosen}: 3 lines"


def test_the_visit_history_has_a_filter(qtbot):
    dialog = HistoryDialog("History", ["2026-11-20 14:05 \u00b7 Nina Nurse \u00b7 Recorded the visit",
                                       "2026-11-20 14:07 \u00b7 Dr Dana Neuro \u00b7 Signed the visit"])
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.trail.filter, "dana")
    assert dialog.texts() == ["2026-11-20 14:07 \u00b7 Dr Dana Neuro \u00b7 Signed the visit"]


def test_back_from_a_visit_opened_on_the_review_desk_returns_to_the_desk(window_of, clinic_of):
    ids = three_visits(clinic_of("n.nurse"))
    window = window_of("d.neuro")
    window.show_review_desk()
    window.review_desk.open_visit.emit(ids[0])
    editor = window.visit_editor
    assert window.pages.currentWidget() is editor and editor.back_button.text() == "\u2190 Back to visits to sign"
    editor.back_button.click()
    assert window.pages.currentWidget() is window.review_desk
    window.open_visit(ids[1])  # from the patient's list of visits: back to the patient
    assert editor.back_button.text() == "\u2190 Back to patient"
    editor.back_button.click()
    assert window.pages.currentWidget() is window.patient_view
