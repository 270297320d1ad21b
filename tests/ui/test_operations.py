"""One way to run an operation: for each role, every refusal met from the main actions is on the screen
(a dialog's own message line, or a message box), never only on stderr; what a role may not do is
greyed out with the reason; a fault is shown plainly and logged without patient data."""

from __future__ import annotations

import datetime as dt
import logging
import sys

import pytest
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox

from pmsdesk.domain.permissions import Action
from pmsdesk.domain.refusals import Refusal
from pmsdesk.logs import LOG_DIR_VARIABLE, configure_logging
from pmsdesk.services.accounts import Accounts
from pmsdesk.services.clinic import Clinic
from pmsdesk.store.database import Database
from pmsdesk.ui import operations
from pmsdesk.ui.main_window import MainWindow
from pmsdesk.ui.operations import guarded, install_excepthook
from pmsdesk.ui.signoff import SignatureDialog
from pmsdesk.ui.users_dialog import NewUserDialog, UsersDialog
from pmsdesk.ui.window_settings import WindowSettings

pytestmark = pytest.mark.usefixtures("qapp")

TODAY = dt.date(2026, 11, 20)
PASSWORDS = {"a.admin": "administrator password", "n.nurse": "nurse's own password",
             "d.neuro": "neurologist password"}
PATIENT = {"clinic_id": "MS-0001", "family_name": "Quillfeather", "given_names": "Ottoline",
           "birth_date": "1966-07-21", "sex": "female", "phenotype": "PPMS"}
NEW_PATIENT = {"clinic_id": "MS-0002", "family_name": "Fictional", "given_names": "Robin",
               "birth_date": "1968-05-02", "sex": "female", "phenotype": "SPMS"}
VISIT = {"visit_date": "2026-03-02", "kind": "assessment", "t25fw.trial1_s": "7.5", "t25fw.trial2_s": "7.7"}


@pytest.fixture
def clinic_file(db_path):
    db = Database.open(str(db_path))
    admin = Accounts(db).create_first_administrator("a.admin", "Ada Admin", PASSWORDS["a.admin"])
    Accounts(db, admin).create_user("n.nurse", "Nina Nurse", "nurse", PASSWORDS["n.nurse"])
    Accounts(db, admin).create_user("d.neuro", "Dr Dana Neuro", "neurologist", PASSWORDS["d.neuro"])
    nurse = Clinic(db, actor=Accounts(db).sign_in("n.nurse", PASSWORDS["n.nurse"]), today=lambda: TODAY)
    patient = nurse.create_patient(PATIENT)
    visit = nurse.create_visit(patient.id, VISIT)
    db.close()
    return db_path, patient.id, visit.visit.id


@pytest.fixture
def open_as(qtbot, clinic_file, tmp_path):
    """A main window of its own (its own Database, as another workstation would have), signed in."""
    path, _, _ = clinic_file
    opened = []

    def open_(username: str) -> MainWindow:
        db = Database.open(str(path))
        opened.append(db)
        actor = Accounts(db).sign_in(username, PASSWORDS[username])
        settings = WindowSettings(username, QSettings(str(tmp_path / "windows.ini"), QSettings.Format.IniFormat))
        window = MainWindow(Clinic(db, actor=actor, today=lambda: TODAY), window_settings=settings)
        qtbot.addWidget(window)
        window.show()
        return window

    yield open_
    for db in opened:
        db.close()


def on_next_modal_dialog(work):
    """Run ``work(dialog)`` on the next modal dialog once it is open, then close it; its results are
    appended to the returned list."""
    results = []

    def look() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(10, look)
            return
        results.append(work(dialog))
        if dialog.isVisible():
            dialog.reject()

    QTimer.singleShot(0, look)
    return results


def press_save(dialog) -> None:
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save).click()


def no_traceback(capfd) -> None:
    err = capfd.readouterr().err
    assert "Traceback" not in err and "PermissionDenied" not in err, err


def action(window: MainWindow, name: str) -> QAction:
    found = window.findChild(QAction, name)
    assert found is not None, name
    return found


# ----- what each role may not do is greyed out, with the reason --------------------------------------
@pytest.mark.parametrize("username, refused", [
    ("n.nurse", {"action_export": Action.EXPORT, "action_users": Action.MANAGE_USERS,
                 "action_review_desk": Action.SIGN_VISIT, "action_clinic_audit": Action.READ_AUDIT_TRAIL}),
    ("d.neuro", {"action_users": Action.MANAGE_USERS, "action_clinic_audit": Action.READ_AUDIT_TRAIL}),
    ("a.admin", {"action_new_patient": Action.RECORD, "action_import": Action.RECORD,
                 "action_day_summaries": Action.REPORT, "action_new_visit": Action.RECORD,
                 "action_edit_patient": Action.RECORD, "action_archive": Action.RECORD,
                 "action_review_desk": Action.SIGN_VISIT}),
])
def test_actions_a_role_may_not_use_are_greyed_out_and_say_why(open_as, clinic_file, username, refused):
    _, patient_id, _ = clinic_file
    window = open_as(username)
    window.open_patient(patient_id)
    named = {a.objectName(): a for a in window.findChildren(QAction) if a.objectName().startswith("action_")}
    for name, menu_action in named.items():
        if name in refused:
            assert not menu_action.isEnabled(), name
            assert menu_action.statusTip() == menu_action.toolTip() == refused[name].value, name
        elif name != "action_lock":
            assert menu_action.isEnabled(), f"{name} should be usable by {username}"
    if "action_new_visit" in refused:  # the patient view's own buttons follow the same rule
        view = window.patient_view
        for button in (view.new_visit_button, view.edit_button, view.archive_button):
            assert not button.isEnabled() and button.toolTip() == Action.RECORD.value


def test_patient_actions_wait_for_a_patient_and_say_so(open_as):
    window = open_as("n.nurse")
    new_visit = action(window, "action_new_visit")
    assert not new_visit.isEnabled() and new_visit.statusTip() == "Open a patient first."
    assert action(window, "action_new_patient").isEnabled() and action(window, "action_new_patient").statusTip() == ""


# ----- administrator ----------------------------------------------------------------------------------
def test_an_administrator_saving_a_new_patient_sees_the_refusal_in_the_dialog(open_as, message_boxes, capfd):
    window = open_as("a.admin")

    def save(dialog):
        dialog.form.set_values(NEW_PATIENT)
        press_save(dialog)
        return dialog.isVisible(), dialog.summary.isVisible(), dialog.summary.text()

    seen = on_next_modal_dialog(save)
    window.new_patient()  # the menu action is greyed out; the dialog still refuses on its own
    [(still_open, message_shown, text)] = seen
    assert still_open and message_shown
    assert text.startswith("Not saved: Not allowed: Ada Admin (Administrator) may not do this.")
    assert Action.RECORD.value in text
    assert window.clinic.patient_count() == 1 and message_boxes == []
    no_traceback(capfd)


def test_an_administrator_saving_a_visit_is_told_why_not(open_as, clinic_file, message_boxes, capfd):
    _, _, visit_id = clinic_file
    window = open_as("a.admin")
    window.open_visit(visit_id)
    editor = window.visit_editor
    assert not editor.save_button.isEnabled() and editor.save_button.toolTip() == Action.RECORD.value
    assert not editor.edss_form.isEnabled() and editor.edss_form.toolTip() == Action.EDIT_EDSS.value
    # The visit is read-only for an administrator, and the editor says so where the status stands.
    assert editor.status.text() == "Read-only: your role may not change visits"
    assert not editor.field_editor("t25fw.trial1_s").input.isEnabled()
    assert editor.save() is False  # Ctrl+S changes nothing
    assert message_boxes == []
    assert window.clinic.visit_record(visit_id).assessments["t25fw"].trial1_s == 7.5
    no_traceback(capfd)


def test_an_administrator_creating_a_user_with_a_short_password_sees_why(open_as, message_boxes, capfd):
    window = open_as("a.admin")
    dialog = NewUserDialog(UsersDialog(window.clinic).accounts)
    dialog.username.setText("s.nurse")
    dialog.full_name.setText("Sam Nurse")
    dialog.password.setText("short")
    dialog.accept()
    assert dialog.message.isVisibleTo(dialog) and "at least 10 characters" in dialog.message.text()
    assert message_boxes == []
    no_traceback(capfd)


def test_an_export_that_cannot_be_written_says_so(open_as, tmp_path, message_boxes):
    from pmsdesk.ui.exchange import ExportDialog

    window = open_as("a.admin")
    dialog = ExportDialog(window.clinic, window)
    dialog.format.setCurrentIndex(dialog.format.findData("fhir"))
    dialog.path.setText(str(tmp_path / "no such folder" / "bundle.json"))
    dialog.export()
    dialog.operation.wait()  # the export runs on the background worker
    [(kind, text)] = message_boxes
    assert kind == "warning" and text.startswith("Export: Nothing was exported:")


# ----- nurse ------------------------------------------------------------------------------------------
def test_a_nurse_sees_why_the_edss_and_the_signature_are_not_hers(open_as, clinic_file):
    _, _, visit_id = clinic_file
    window = open_as("n.nurse")
    window.open_visit(visit_id)
    editor = window.visit_editor
    assert not editor.edss_form.isEnabled()
    assert editor.edss_form.toolTip() == editor.edss_form.statusTip() == Action.EDIT_EDSS.value
    assert editor.field_editor("t25fw.trial1_s").input.isEnabled() and editor.save_button.isEnabled() and editor.save_button.toolTip() == ""
    sign = editor.signoff.sign_button
    assert not sign.isEnabled() and sign.toolTip() == Action.SIGN_VISIT.value


def test_a_nurse_editing_details_changed_on_another_workstation_is_told_in_the_dialog(
        open_as, clinic_file, message_boxes, capfd):
    _, patient_id, _ = clinic_file
    nurse, neurologist = open_as("n.nurse"), open_as("d.neuro")
    nurse.open_patient(patient_id)
    neurologist.clinic.update_patient(patient_id, neurologist.clinic.patient(patient_id).version,
                                      {**PATIENT, "phenotype": "SPMS"})

    def save(dialog):
        dialog.form.editor("given_names").input.setText("Ottilie")
        press_save(dialog)
        return dialog.isVisible(), dialog.summary.text()

    seen = on_next_modal_dialog(save)
    action(nurse, "action_edit_patient").trigger()
    [(still_open, text)] = seen
    assert still_open and "changed by someone else" in text and text.startswith("Not saved:")
    assert nurse.clinic.patient(patient_id).given_names == "Ottoline" and message_boxes == []
    no_traceback(capfd)


def test_a_nurse_archiving_a_patient_changed_elsewhere_gets_a_message(open_as, clinic_file, message_boxes,
                                                                      monkeypatch, capfd):
    _, patient_id, _ = clinic_file
    nurse, neurologist = open_as("n.nurse"), open_as("d.neuro")
    nurse.open_patient(patient_id)
    neurologist.clinic.update_patient(patient_id, neurologist.clinic.patient(patient_id).version,
                                      {**PATIENT, "phenotype": "SPMS"})
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    action(nurse, "action_archive").trigger()
    [(kind, text)] = message_boxes
    assert kind == "warning" and text.startswith("Patient not archived: This patient was changed by someone else")
    assert not nurse.clinic.patient(patient_id).archived
    no_traceback(capfd)


# ----- neurologist ------------------------------------------------------------------------------------
def test_a_neurologist_signing_a_visit_changed_elsewhere_gets_a_message(open_as, clinic_file, message_boxes, capfd,
                                                                        monkeypatch):
    _, _, visit_id = clinic_file
    nurse, neurologist = open_as("n.nurse"), open_as("d.neuro")
    neurologist.open_visit(visit_id)
    record = nurse.clinic.visit_record(visit_id)
    nurse.clinic.update_visit(visit_id, record.visit.version, {**record.form_values(), "t25fw.trial1_s": "7.6"})
    said = []

    def type_the_password_and_sign(dialog):  # the refusal stays in the signature dialog, which stays open
        dialog.password.setText(PASSWORDS["d.neuro"])
        dialog.sign_button.click()
        said.append(dialog.message.text())
        return dialog.result()

    monkeypatch.setattr(SignatureDialog, "exec", type_the_password_and_sign)
    neurologist.visit_editor.signoff.sign_button.click()
    assert message_boxes == [] and said[0].startswith("This visit was changed by someone else")
    assert neurologist.clinic.visit_record(visit_id).visit.status != "signed"
    no_traceback(capfd)


def test_loading_the_demo_into_a_clinic_with_patients_is_refused_on_screen(open_as, qtbot, message_boxes, capfd):
    window = open_as("d.neuro")
    window.load_demo()
    qtbot.waitUntil(lambda: window.demo_fill.outcome is not None, timeout=10000)
    assert window.demo_fill.outcome.refusal is not None
    [(kind, text)] = message_boxes
    assert kind == "warning" and text.startswith("Demo clinic not loaded: this database already holds 1 patient")
    assert window.clinic.patient_count() == 1
    no_traceback(capfd)


# ----- faults: shown plainly, logged without patient data ---------------------------------------------
@pytest.fixture
def log_file(tmp_path, monkeypatch):
    monkeypatch.setenv(LOG_DIR_VARIABLE, str(tmp_path / "logs"))
    path = configure_logging("INFO")
    yield path
    logger = logging.getLogger("pmsdesk")
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
        handler.close()


def _fail_with_the_patients_name(name: str):
    raise RuntimeError(f"could not handle {name}")


def test_a_fault_in_an_action_is_shown_plainly_and_logged_without_the_patients_name(
        open_as, clinic_file, log_file, message_boxes, monkeypatch):
    _, patient_id, _ = clinic_file
    window = open_as("n.nurse")
    window.open_patient(patient_id)
    monkeypatch.setattr(window.clinic, "set_archived",
                        lambda *args: _fail_with_the_patients_name(PATIENT["family_name"]))
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    action(window, "action_archive").trigger()
    [(kind, text)] = message_boxes
    assert kind == "critical" and text.startswith("Something went wrong: Something went wrong while archiving "
                                                  "the patient, and it was not finished.")
    assert "details are in the log" in text and str(log_file) in text
    logged = log_file.read_text()
    assert "unexpected error while archiving the patient: builtins.RuntimeError" in logged
    assert "in _fail_with_the_patients_name" in logged
    assert PATIENT["family_name"] not in logged and PATIENT["given_names"] not in logged


def test_the_excepthook_shows_a_dialog_and_logs_without_patient_data(log_file, message_boxes, monkeypatch):
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # put back after the test
    hook = install_excepthook()
    assert sys.excepthook is hook
    try:
        _fail_with_the_patients_name(PATIENT["given_names"])
    except RuntimeError as error:
        sys.excepthook(type(error), error, error.__traceback__)
    [(kind, text)] = message_boxes
    assert kind == "critical" and "Something went wrong" in text and "details are in the log" in text
    logged = log_file.read_text()
    assert "builtins.RuntimeError" in logged and "_fail_with_the_patients_name" in logged
    assert PATIENT["given_names"] not in logged and "could not handle" not in logged


@pytest.mark.qt_no_exception_capture
def test_a_slot_that_raises_reaches_the_excepthook_and_a_refusal_there_is_shown_as_one(qtbot, message_boxes,
                                                                                       monkeypatch, log_file):
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    install_excepthook()

    class NotThatWay(Refusal):
        pass

    def slot():
        raise NotThatWay("Choose a patient first.")

    QTimer.singleShot(0, slot)
    qtbot.waitUntil(lambda: bool(message_boxes), timeout=2000)
    assert message_boxes == [("warning", f"{operations.REFUSED_TITLE}: Choose a patient first.")]


def test_guarded_lets_nothing_escape_and_says_what_became_of_the_block(message_boxes, log_file):
    with guarded(None, "doing nothing") as done:
        pass
    assert done and done.ok
    with guarded(None, "refusing", on_refusal=lambda refusal: message_boxes.append(("beside", str(refusal)))) as r:
        raise Refusal("No.")
    assert not r and r.refusal is not None and message_boxes == [("beside", "No.")]
    with guarded(None, "dividing") as failed:
        1 / 0  # noqa: B018
    assert not failed and isinstance(failed.error, ZeroDivisionError)
    assert message_boxes[-1][0] == "critical"
