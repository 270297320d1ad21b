"""Sign-in, the screen lock, sign-off and amendments, the administrator's dialog, the audit viewer,
and two app instances saving the same visit, driven offscreen on real windows."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QInputDialog, QLineEdit

from pmsdesk.domain.settings import LOCK_AFTER_MINUTES
from pmsdesk.services.accounts import Accounts
from pmsdesk.services.clinic import Clinic
from pmsdesk.store.database import Database
from pmsdesk.ui.audit_viewer import AuditDialog, entry_cells
from pmsdesk.ui.main_window import MainWindow
from pmsdesk.ui.sign_in import FirstAdministratorDialog, SignInDialog
from pmsdesk.ui.signoff import SignatureDialog
from pmsdesk.ui.users_dialog import NewUserDialog, UsersDialog

pytestmark = pytest.mark.usefixtures("qapp")

TODAY = dt.date(2026, 11, 20)
PATIENT = {"clinic_id": "MS-0001", "family_name": "Example", "given_names": "Alex", "birth_date": "1970-03-14",
           "sex": "female", "phenotype": "SPMS"}

PASSWORDS = {"a.admin": "administrator password", "n.nurse": "nurse's own password",
             "d.neuro": "neurologist password"}
VISIT = {"visit_date": "2026-03-02", "kind": "assessment", "t25fw.trial1_s": "7.5", "t25fw.trial2_s": "7.7"}


@pytest.fixture
def clinic_file(db_path):
    """A clinic with an administrator, a nurse, a neurologist, a patient and a visit the nurse recorded."""
    db = Database.open(str(db_path))
    admin = Accounts(db).create_first_administrator("a.admin", "Ada Admin", PASSWORDS["a.admin"])
    Accounts(db, admin).create_user("n.nurse", "Nina Nurse", "nurse", PASSWORDS["n.nurse"])
    Accounts(db, admin).create_user("d.neuro", "Dr Dana Neuro", "neurologist", PASSWORDS["d.neuro"])
    nurse = Clinic(db, actor=Accounts(db).sign_in("n.nurse", PASSWORDS["n.nurse"]), today=lambda: TODAY)
    patient = nurse.create_patient(PATIENT)
    visit = nurse.create_visit(patient.id, VISIT)
    db.close()
    return db_path, visit.visit.id


@pytest.fixture
def open_as(qtbot, clinic_file):
    """A main window of its own (its own Database, as a second app instance would), signed in as someone."""
    path, _ = clinic_file
    opened = []

    def open_(username: str) -> MainWindow:
        db = Database.open(str(path))
        opened.append(db)
        actor = Accounts(db).sign_in(username, PASSWORDS[username])
        window = MainWindow(Clinic(db, actor=actor, today=lambda: TODAY))
        qtbot.addWidget(window)
        window.show()
        return window

    yield open_
    for db in opened:
        db.close()


def type_over(qtbot, window: MainWindow, key: str, text: str) -> None:
    line = window.visit_editor.field_editor(key).input
    line.setFocus()
    line.selectAll()
    qtbot.keyClicks(line, text)
    line.editingFinished.emit()


def test_the_second_instance_saving_the_same_visit_is_refused_and_keeps_what_was_typed(open_as, clinic_file,
                                                                                        qtbot, message_boxes):
    _, visit_id = clinic_file
    first, second = open_as("n.nurse"), open_as("d.neuro")
    for window in (first, second):
        window.open_visit(visit_id)
    type_over(qtbot, first, "t25fw.trial1_s", "8.1")
    assert first.visit_editor.save()
    type_over(qtbot, second, "t25fw.trial1_s", "9.9")
    assert not second.visit_editor.save()

    assert [kind for kind, _ in message_boxes] == ["warning"]
    assert "changed by someone else" in message_boxes[0][1] and "Your entries are still on the screen" in message_boxes[0][1]
    assert second.visit_editor.field_editor("t25fw.trial1_s").raw() == "9.9" and second.visit_editor.dirty
    assert second.clinic.visit_record(visit_id).assessments["t25fw"].trial1_s == 8.1


def test_the_screen_locks_when_idle_and_only_the_same_persons_password_unlocks(open_as, clinic_file, qtbot):
    _, visit_id = clinic_file
    window = open_as("n.nurse")
    lock = window.screen_lock
    assert lock.idle.interval() == LOCK_AFTER_MINUTES.default * 60_000 and lock.idle.isActive()
    window.open_visit(visit_id)
    type_over(qtbot, window, "t25fw.trial1_s", "8.4")

    lock.idle.timeout.emit()  # ten idle minutes, without waiting for them
    assert lock.locked and window.centralWidget().isHidden() and window.menuBar().isHidden()
    assert not window.findChild(QAction, "action_new_patient").isEnabled()

    qtbot.keyClicks(lock.password, PASSWORDS["d.neuro"])
    lock.unlock()
    assert lock.locked and "only they can unlock" in lock.message.text() and lock.password.text() == ""

    qtbot.keyClicks(lock.password, PASSWORDS["n.nurse"])
    lock.unlock()
    assert not lock.locked and window.centralWidget().isVisible()
    assert window.findChild(QAction, "action_new_patient").isEnabled()
    assert window.visit_editor.field_editor("t25fw.trial1_s").raw() == "8.4" and window.visit_editor.dirty


def test_the_idle_time_follows_the_clinic_setting(open_as):
    admin = open_as("a.admin")
    admin.clinic.set_setting(LOCK_AFTER_MINUTES.key, "3")
    assert open_as("n.nurse").screen_lock.idle.interval() == 3 * 60_000


def test_a_neurologist_signs_then_amends_with_a_reason(open_as, clinic_file, monkeypatch):
    _, visit_id = clinic_file
    nurse_window = open_as("n.nurse")
    nurse_window.open_visit(visit_id)
    bar = nurse_window.visit_editor.signoff
    assert not bar.sign_button.isEnabled() and "only a neurologist may sign" in bar.sign_button.toolTip()
    assert not nurse_window.visit_editor.edss_form.isEnabled()  # the EDSS is the neurologist's

    window = open_as("d.neuro")
    editor = window.visit_editor
    window.open_visit(visit_id)
    assert editor.edss_form.isEnabled()

    def type_the_password_and_sign(dialog):  # the signature dialog, answered as the neurologist would
        dialog.password.setText(PASSWORDS["d.neuro"])
        dialog.sign_button.click()
        return dialog.result()

    monkeypatch.setattr(SignatureDialog, "exec", type_the_password_and_sign)
    editor.signoff.sign_button.click()
    assert editor.record.visit.status == "signed" and editor.signoff.read_only
    assert not editor.assessment_forms["t25fw"].isEnabled() and not editor.save_button.isEnabled()
    assert editor.status.text() == "Signed \u2013 read-only" and editor.signoff.amend_button.isVisibleTo(window)
    assert editor.save() is False  # Ctrl+S on a signed visit does nothing

    monkeypatch.setattr(QInputDialog, "getMultiLineText", lambda *args, **kwargs: ("Trial 1 misread", True))
    editor.signoff.amend_button.click()
    assert editor.assessment_forms["t25fw"].isEnabled() and editor.status.text() == "Amending (reason: Trial 1 misread)"
    editor.field_editor("t25fw.trial1_s").input.setText("7.6")
    assert editor.save()
    # the amendment voided the signature: the visit awaits a new one
    assert not editor.signoff.signed and editor.record.assessments["t25fw"].trial1_s == 7.6
    assert editor.signoff.sign_button.isVisibleTo(window)
    sign, amendment = window.clinic.visit_history(visit_id)
    assert sign.kind.value == "sign"
    assert (amendment.reason, amendment.actor_name, amendment.changes["t25fw.trial1_s"]) == (
        "Trial 1 misread", "Dr Dana Neuro", (7.5, 7.6))


def test_the_audit_viewer_shows_who_what_and_why(open_as, clinic_file):
    _, visit_id = clinic_file
    window = open_as("d.neuro")
    record = window.clinic.visit_record(visit_id)
    window.clinic.delete_visit(visit_id, record.visit.version, "Entered twice")
    dialog = AuditDialog("Audit", window.clinic.audit_entries(visit_id=visit_id))
    rows = dialog.trail.shown_rows()
    created, *_, deleted = rows
    assert created[1:4] == ("Nina Nurse (n.nurse)", "Created", "Visit 1") and "visit_date: 2026-03-02" in created[4]
    assert deleted[1:4] == ("Dr Dana Neuro (d.neuro)", "Deleted (kept, hidden)", "Visit 1")
    assert "deleted_reason: \u2013 \u2192 Entered twice" in deleted[4] and deleted[5] == "Entered twice"
    assert entry_cells(window.clinic.audit_entries(visit_id=visit_id)[0])[0].startswith("20")
    dialog.trail.filter.setText("entered TWICE dana")  # every word, in any column, in any case
    assert dialog.trail.shown_rows() == [deleted]


def test_sign_in_dialogs(database):
    first = FirstAdministratorDialog(Accounts(database))
    first.username.setText("a.admin")
    first.full_name.setText("Ada Admin")
    first.password.setText("short")
    first.repeated.setText("short")
    first.accept()
    assert first.actor is None and "at least 10 characters" in first.message.text()
    first.password.setText(PASSWORDS["a.admin"])
    first.repeated.setText(PASSWORDS["a.admin"])
    first.accept()
    assert first.actor.name == "a.admin" and first.result()

    dialog = SignInDialog(Accounts(database))
    dialog.username.setText("a.admin")
    dialog.password.setText("not the password")
    dialog.accept()
    assert dialog.actor is None and "not right" in dialog.message.text() and dialog.password.text() == ""
    dialog.password.setText(PASSWORDS["a.admin"])
    dialog.accept()
    assert dialog.actor.full_name == "Ada Admin"


def test_the_administrator_creates_users_and_sets_the_clinic_settings(open_as, message_boxes):
    window = open_as("a.admin")
    assert window.findChild(QAction, "action_users").isEnabled()
    assert not open_as("n.nurse").findChild(QAction, "action_users").isEnabled()
    dialog = UsersDialog(window.clinic)
    assert dialog.table.rowCount() == 3
    new = NewUserDialog(dialog.accounts)
    new.username.setText("s.nurse")
    new.full_name.setText("Sam Nurse")
    new.password.setText("x")
    new.accept()
    assert "at least 10 characters" in new.message.text()
    new.password.setText("a good long password")
    new.accept()
    dialog.refresh()
    assert [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())] == [
        "a.admin", "d.neuro", "n.nurse", "s.nurse"]
    dialog.setting_boxes[LOCK_AFTER_MINUTES.key].setValue(5)
    dialog.save_settings()
    assert window.clinic.setting(LOCK_AFTER_MINUTES.key) == "5"
    assert message_boxes[-1][0] == "information"
    assert new.password.echoMode() == QLineEdit.EchoMode.Password


def test_someone_else_signs_in_at_the_lock_and_the_first_persons_typing_is_kept_as_their_draft(
        open_as, clinic_file, qtbot):
    from pmsdesk.domain.settings import MAIN_WINDOW_SIZE
    from pmsdesk.ui.window_settings import WindowSettings

    _, visit_id = clinic_file
    window = open_as("n.nurse")
    window.resize(1366, 768)
    lock = window.screen_lock
    assert lock.someone_else.isVisibleTo(window) is False  # the lock is hidden: nothing of it shows
    window.open_visit(visit_id)
    type_over(qtbot, window, "t25fw.trial1_s", "8.8")
    type_over(qtbot, window, "t25fw.trial2_s", "9.1")
    assert window.visit_editor.dirty

    lock.lock()
    assert lock.someone_else.isVisible() and not lock.other.isVisible()
    qtbot.mouseClick(lock.someone_else, Qt.MouseButton.LeftButton)
    assert lock.other.isVisible() and window.focusWidget() is lock.other_username
    qtbot.keyClicks(lock.other_username, "d.neuro")
    qtbot.keyClicks(lock.other_password, "wrong password")
    lock.sign_in_other()
    assert lock.locked and "not right" in lock.message.text() and window.clinic.actor.name == "n.nurse"
    qtbot.wait(50)  # the layout is redone on the event loop, as on screen
    for label in (lock.heading, lock.message, lock.other_note):  # wrapped, never cut off
        assert label.wordWrap() and label.width() <= window.width()
        assert label.height() >= label.heightForWidth(label.width())

    qtbot.keyClicks(lock.other_password, PASSWORDS["d.neuro"])
    qtbot.keyClick(lock.other_password, Qt.Key.Key_Return)
    assert not lock.locked and window.centralWidget().isVisible()
    assert window.clinic.actor.name == "d.neuro" and window.clinic.db.actor.name == "d.neuro"
    assert window.window_settings.username == "d.neuro" and "Dr Dana Neuro" in window.statusBar().currentMessage()
    assert "Dr Dana Neuro is signed in" in lock.heading.text() and lock.password.placeholderText() == "Password of d.neuro"
    assert window.pages.currentIndex() == window.PAGE_WELCOME and not window.visit_editor.dirty
    assert WindowSettings("n.nurse").get(MAIN_WINDOW_SIZE) == (1366, 768)  # the nurse's window as she left it

    record = window.clinic.visit_record(visit_id)
    draft, _ = window.clinic.draft(record.visit.patient_id, visit_id)  # written before the hand-over
    assert (draft["t25fw.trial1_s"], draft["t25fw.trial2_s"]) == ("8.8", "9.1")
    assert record.assessments["t25fw"].trial1_s == 7.5  # nothing was saved under anyone's name
    # The window now works as the neurologist: what they may do is enabled, what the nurse could not is too.
    assert window.findChild(QAction, "action_new_patient").isEnabled()
    assert not window.findChild(QAction, "action_users").isEnabled()
    entries = window.clinic.audit_entries()
    assert entries[-1].kind.value == "sign_in" and entries[-1].actor_name == "Dr Dana Neuro"

    # The nurse signs in again at the next lock and opens the visit: her typing is back.
    lock.lock()
    lock.someone_else.click()
    lock.other_username.setText("n.nurse")
    lock.other_password.setText(PASSWORDS["n.nurse"])
    lock.sign_in_other()
    assert window.clinic.actor.name == "n.nurse"
    window.open_visit(visit_id)
    editor = window.visit_editor
    assert editor.field_editor("t25fw.trial1_s").raw() == "8.8" and editor.field_editor("t25fw.trial2_s").raw() == "9.1"
    assert editor.dirty and editor.draft_note.isVisibleTo(window)
