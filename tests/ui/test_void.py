"""Deleting (voiding) a visit, an adverse event, a relapse or a therapy from the screens: a reason is
required, the service's refusal stays in the dialog, the record is hidden (a visit shows as voided),
the reason is stored and the audit trail has it; a role that may not sees the button greyed, with why."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from pmsdesk.domain.audit import AuditKind
from pmsdesk.domain.permissions import Action, Role
from pmsdesk.services.clinic import Clinic
from pmsdesk.store import audit
from pmsdesk.store.tables import AdverseEvent, DmtHistory, Relapse, Visit
from pmsdesk.ui.main_window import MainWindow
from pmsdesk.ui.patient_view import PatientView
from pmsdesk.ui.void_dialog import VoidDialog
from people import TEST_PASSWORD, signed_in
from sample_data import PATIENT, TODAY

pytestmark = pytest.mark.usefixtures("qapp")

REASON = "Entered for the wrong patient"


def clinic_as(database, name: str, role: Role) -> Clinic:
    return Clinic(database, actor=signed_in(database, name, role), today=lambda: TODAY)


@pytest.fixture
def records(database):
    """A patient with two visits (the first with an adverse event), a relapse and a therapy."""
    clinic = clinic_as(database, "d.neuro", Role.NEUROLOGIST)
    patient = clinic.create_patient(PATIENT)
    first = clinic.create_visit(patient.id, {"visit_date": "2026-03-02", "kind": "assessment",
                                             "adverse_events": [{"term": "back_pain", "onset_date": "2026-03-02"}]})
    second = clinic.create_visit(patient.id, {"visit_date": "2026-06-01", "kind": "assessment"})
    relapse = clinic.save_relapse(patient.id, {"onset_date": "2019-05-01"})
    dmt = clinic.save_dmt(patient.id, {"agent": "Ocrelizumab", "start_date": "2020-01-10"})
    return {"patient": patient, "first": first.visit, "second": second.visit, "event": first.adverse_events[0],
            "relapse": relapse, "dmt": dmt}


@pytest.fixture
def answer(monkeypatch):
    """``answer(reason)``: every void dialog from now on gets ``reason`` typed and Delete pressed
    (``None``: Cancel pressed); returns the list of dialogs shown, to look at afterwards."""
    shown: list[VoidDialog] = []

    def set_answer(reason: str | None) -> list[VoidDialog]:
        def exec_(dialog: VoidDialog) -> int:
            shown.append(dialog)
            dialog.show()
            if reason is None:
                dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel).click()
            else:
                dialog.reason.setPlainText(reason)
                dialog.delete_button.click()
            return dialog.result()

        monkeypatch.setattr(VoidDialog, "exec", exec_)
        return shown

    return set_answer


def view_as(qtbot, database, records, name="n.nurse", role=Role.NURSE) -> PatientView:
    view = PatientView(clinic_as(database, name, role))
    qtbot.addWidget(view)
    view.show_patient(records["patient"].id)
    return view


def stored(database, table, row_id):
    with database.reading() as session:
        return session.get(table, row_id, execution_options={audit.INCLUDE_DELETED: True})


def soft_deletes(database, patient_id, table_name):
    entries = Clinic(database).audit_entries(patient_id=patient_id)
    return [e for e in entries if e.kind is AuditKind.SOFT_DELETE and e.table_name == table_name]


def select(table, row_id) -> int:
    for row in range(table.rowCount()):
        if table.item(row, 0).data(Qt.ItemDataRole.UserRole) == row_id:
            table.selectRow(row)
            return row
    raise AssertionError(f"row {row_id} not listed")


def listed_ids(table) -> list[int]:
    return [table.item(row, 0).data(Qt.ItemDataRole.UserRole) for row in range(table.rowCount())]


CASES = [  # (read model key, table attribute, stored table, audit table name)
    ("relapse", "relapses", Relapse, "relapse"),
    ("dmt", "dmts", DmtHistory, "dmt_history"),
    ("event", "events", AdverseEvent, "adverse_event"),
]


@pytest.mark.parametrize(("key", "attribute", "table", "table_name"), CASES)
def test_deleting_a_row_with_a_reason_hides_it_stores_the_reason_and_audits_it(
        qtbot, database, records, answer, key, attribute, table, table_name):
    view = view_as(qtbot, database, records)
    shown_table = getattr(view, attribute)
    row_id = records[key].id
    select(shown_table, row_id)
    button = view.delete_buttons[shown_table]
    assert button.isEnabled()
    dialogs = answer(REASON)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    assert len(dialogs) == 1 and dialogs[0].result() == VoidDialog.DialogCode.Accepted
    assert row_id not in listed_ids(shown_table)
    row = stored(database, table, row_id)
    assert row.deleted_at is not None and row.deleted_reason == REASON
    (entry,) = soft_deletes(database, records["patient"].id, table_name)
    assert entry.row_key == str(row_id) and entry.actor == "n.nurse"


def test_the_delete_key_deletes_the_selected_relapse(qtbot, database, records, answer):
    view = view_as(qtbot, database, records)
    view.show()
    select(view.relapses, records["relapse"].id)
    view.relapses.setFocus()
    answer(REASON)
    qtbot.keyClick(view.relapses, Qt.Key.Key_Delete)
    assert stored(database, Relapse, records["relapse"].id).deleted_reason == REASON
    assert view.relapses.rowCount() == 0


def test_a_voided_visit_stays_listed_greyed_and_marked_with_its_reason(qtbot, database, records, answer):
    view = view_as(qtbot, database, records)
    visit_id = records["first"].id
    row = select(view.visits, visit_id)
    answer(REASON)
    view.delete_buttons[view.visits].click()

    visit = stored(database, Visit, visit_id)
    assert visit.deleted_reason == REASON
    assert stored(database, AdverseEvent, records["event"].id).deleted_reason == REASON  # its events go with it
    assert [e.row_key for e in soft_deletes(database, records["patient"].id, "visit")] == [str(visit_id)]
    assert listed_ids(view.visits) == [visit_id, records["second"].id]  # still listed, in date order
    status = view.visits.item(row, view.visits.columnCount() - 1)
    assert status.text() == "Voided"
    assert REASON in status.toolTip()
    assert status.foreground().color().name() == "#8c8c8c"
    assert view.visits.item(1, view.visits.columnCount() - 1).text() != "Voided"
    assert records["event"].id not in listed_ids(view.events)
    # A voided visit does not open, and cannot be deleted again.
    opened = []
    view.open_visit.connect(opened.append)
    view._open_visit_row(row)
    assert opened == []
    select(view.visits, visit_id)
    assert not view.delete_buttons[view.visits].isEnabled()
    assert view.delete_buttons[view.visits].toolTip() == "This visit is already voided."
    # Other reads still leave it out.
    assert [r.visit.id for r in view.clinic.visit_records(records["patient"].id)] == [records["second"].id]


def test_cancel_writes_nothing(qtbot, database, records, answer):
    view = view_as(qtbot, database, records)
    before = Clinic(database).audit_entries(patient_id=records["patient"].id)
    select(view.dmts, records["dmt"].id)
    dialogs = answer(None)
    view.delete_buttons[view.dmts].click()
    assert dialogs[0].result() == VoidDialog.DialogCode.Rejected
    assert stored(database, DmtHistory, records["dmt"].id).deleted_at is None
    assert records["dmt"].id in listed_ids(view.dmts)
    assert Clinic(database).audit_entries(patient_id=records["patient"].id) == before


def test_an_empty_reason_is_refused_in_the_dialog_which_stays_open(qtbot, database, records, answer):
    view = view_as(qtbot, database, records)
    select(view.visits, records["second"].id)
    dialogs = answer("   ")
    assert view.delete_selected(view.visits) is False
    (dialog,) = dialogs
    assert dialog.isVisible() and dialog.result() != VoidDialog.DialogCode.Accepted
    assert dialog.message.isVisible() and "required" in dialog.message.text()
    assert stored(database, Visit, records["second"].id).deleted_at is None
    assert soft_deletes(database, records["patient"].id, "visit") == []
    # Typing a reason in the same dialog then deletes.
    dialog.reason.setPlainText(REASON)
    dialog.delete_button.click()
    assert dialog.result() == VoidDialog.DialogCode.Accepted
    assert stored(database, Visit, records["second"].id).deleted_reason == REASON
    dialog.close()


def test_a_nurse_may_not_void_a_signed_visit_and_is_told_so_in_the_dialog(qtbot, database, records, answer):
    neurologist = clinic_as(database, "d.neuro", Role.NEUROLOGIST)
    neurologist.sign_visit(records["second"].id, records["second"].version, password=TEST_PASSWORD)
    view = view_as(qtbot, database, records)
    select(view.visits, records["second"].id)
    (dialog,) = (answer(REASON), view.delete_selected(view.visits))[0]
    assert dialog.isVisible() and dialog.message.isVisible()
    assert Action.AMEND_SIGNED_VISIT.value in dialog.message.text()
    assert stored(database, Visit, records["second"].id).deleted_at is None
    dialog.close()


def test_a_record_changed_meanwhile_is_refused_as_stale(qtbot, database, records, answer):
    view = view_as(qtbot, database, records)
    select(view.relapses, records["relapse"].id)
    other = clinic_as(database, "d.neuro", Role.NEUROLOGIST)
    other.save_relapse(records["patient"].id, {"onset_date": "2019-05-02"}, relapse_id=records["relapse"].id,
                       expected_version=records["relapse"].version)
    (dialog,) = (answer(REASON), view.delete_selected(view.relapses))[0]
    assert dialog.isVisible() and dialog.message.text().startswith("Not deleted:")
    assert stored(database, Relapse, records["relapse"].id).deleted_at is None
    dialog.close()


def test_an_administrator_sees_every_delete_button_greyed_with_the_reason(qtbot, database, records, answer):
    view = view_as(qtbot, database, records, "a.admin", Role.ADMINISTRATOR)
    for table, key in ((view.visits, "second"), (view.relapses, "relapse"), (view.dmts, "dmt"),
                       (view.events, "event")):
        select(table, records[key].id)
        button = view.delete_buttons[table]
        assert not button.isEnabled()
        assert button.toolTip() == Action.DELETE_RECORD.value
    dialogs = answer(REASON)
    view.show()
    view.relapses.setFocus()
    qtbot.keyClick(view.relapses, Qt.Key.Key_Delete)  # the key is refused too: no dialog
    assert dialogs == []
    assert stored(database, Relapse, records["relapse"].id).deleted_at is None


def test_nothing_selected_greys_the_button_and_says_what_to_do(qtbot, database, records):
    view = view_as(qtbot, database, records)
    view.relapses.clearSelection()
    assert not view.delete_buttons[view.relapses].isEnabled()
    assert view.delete_buttons[view.relapses].toolTip() == "Select a relapse first."


def test_the_visit_editor_deletes_the_open_visit_and_goes_back_to_the_patient(
        qtbot, database, records, answer, message_boxes):
    window = MainWindow(clinic_as(database, "d.neuro", Role.NEUROLOGIST))
    qtbot.addWidget(window)
    window.show()
    window.open_patient(records["patient"].id)
    window.open_visit(records["first"].id)
    editor = window.visit_editor
    assert editor.delete_button.isEnabled()
    typed = editor.field_editor("dose_given").input
    typed.setFocus()
    qtbot.keyClicks(typed, "12")
    assert editor.dirty
    editor.write_draft()
    editor._wait_for_draft()
    assert editor.clinic.draft(records["patient"].id, records["first"].id) is not None
    answer(REASON)
    qtbot.mouseClick(editor.delete_button, Qt.MouseButton.LeftButton)

    assert stored(database, Visit, records["first"].id).deleted_reason == REASON
    # What was typed goes with the visit: no "unsaved visit" question, no draft left behind.
    assert [text for kind, text in message_boxes if kind == "question"] == []
    assert editor.clinic.draft(records["patient"].id, records["first"].id) is None
    assert window.pages.currentIndex() == window.PAGE_PATIENT
    row = select(window.patient_view.visits, records["first"].id)
    assert window.patient_view.visits.item(row, window.patient_view.visits.columnCount() - 1).text() == "Voided"


def test_the_visit_editor_greys_delete_for_a_role_that_may_not_and_for_a_new_visit(qtbot, database, records):
    window = MainWindow(clinic_as(database, "a.admin", Role.ADMINISTRATOR))
    qtbot.addWidget(window)
    window.open_patient(records["patient"].id)
    window.open_visit(records["first"].id)
    assert not window.visit_editor.delete_button.isEnabled()
    assert window.visit_editor.delete_button.toolTip() == Action.DELETE_RECORD.value

    nurse = MainWindow(clinic_as(database, "n.nurse", Role.NURSE))
    qtbot.addWidget(nurse)
    nurse.open_patient(records["patient"].id)
    nurse.start_visit(records["patient"].id)
    assert not nurse.visit_editor.delete_button.isEnabled()
    assert "Discard changes" in nurse.visit_editor.delete_button.toolTip()
