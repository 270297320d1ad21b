"""The review desk (F3), driven offscreen on a real main window: the neurologist's queue, opening a
visit with Enter, signing several at once with one changed meanwhile, the editor's "Signed by", and
the visit's history as readable lines."""

from __future__ import annotations

import datetime as dt
import itertools
import time

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QLabel, QRadioButton

from pmsdesk.services import clinic as clinic_module
from pmsdesk.services.accounts import Accounts
from pmsdesk.services.clinic import Clinic
from pmsdesk.store import audit
from pmsdesk.store.database import Database
from pmsdesk.ui import audit_viewer
from pmsdesk.ui.main_window import MainWindow
from pmsdesk.ui.signoff import SignatureDialog

pytestmark = pytest.mark.usefixtures("qapp")

TODAY = dt.date(2026, 11, 20)
PASSWORDS = {"a.admin": "administrator password", "n.nurse": "nurse's own password",
             "d.neuro": "neurologist password"}
PATIENT = {"clinic_id": "MS-0001", "family_name": "Example", "given_names": "Alex", "birth_date": "1970-03-14",
           "sex": "female", "phenotype": "SPMS"}
WALK = {"kind": "assessment", "t25fw.trial1_s": "7.5", "t25fw.trial2_s": "7.7"}


@pytest.fixture
def answer_signature(monkeypatch):
    """The signature dialog answered as a person would: the meaning chosen, each password typed in turn
    and Sign pressed until one is taken. Returns the list the dialog is put in when it is shown, with
    the refusals it showed in ``dialog.typed_messages``."""
    def answer(passwords, meaning="reviewed_and_approved"):
        shown = []

        def exec_(dialog):
            shown.append(dialog)
            dialog.typed_messages = []
            dialog.findChild(QRadioButton, f"meaning_{meaning}").setChecked(True)
            for password in passwords:
                dialog.password.setText(password)
                dialog.sign_button.click()
                if dialog.result() == QDialog.DialogCode.Accepted:
                    break
                dialog.typed_messages.append(dialog.message.text())
            return dialog.result()

        monkeypatch.setattr(SignatureDialog, "exec", exec_)
        return shown

    return answer


@pytest.fixture
def local_berlin(monkeypatch):
    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def clock(monkeypatch):
    """Each audited transaction one minute after the one before, from 13:04:30 UTC (14:04 in Berlin)."""
    ticks = (dt.datetime(2026, 11, 20, 13, 4, 30, tzinfo=dt.UTC) + dt.timedelta(minutes=n) for n in itertools.count())
    monkeypatch.setattr(audit, "_now", lambda: next(ticks).isoformat(timespec="microseconds"))


@pytest.fixture
def clinic_of(db_path):
    db = Database.open(str(db_path))
    admin = Accounts(db).create_first_administrator("a.admin", "Ada Admin", PASSWORDS["a.admin"])
    Accounts(db, admin).create_user("n.nurse", "Nina Nurse", "nurse", PASSWORDS["n.nurse"])
    Accounts(db, admin).create_user("d.neuro", "Dr Dana Neuro", "neurologist", PASSWORDS["d.neuro"])

    def clinic(username: str) -> Clinic:
        return Clinic(db, actor=Accounts(db).sign_in(username, PASSWORDS[username]), today=lambda: TODAY)

    yield clinic
    db.close()


@pytest.fixture
def window_of(qtbot, clinic_of):
    def open_(username: str) -> MainWindow:
        window = MainWindow(clinic_of(username))
        qtbot.addWidget(window)
        window.resize(1366, 768)
        window.show()
        return window

    return open_


def three_visits(nurse: Clinic) -> list[int]:
    patient = nurse.create_patient(PATIENT)
    other = nurse.create_patient({**PATIENT, "clinic_id": "MS-0002", "family_name": "Brown", "given_names": "Bea"})
    late = nurse.create_visit(patient.id, {**WALK, "visit_date": "2026-11-19"})
    early = nurse.create_visit(other.id, {**WALK, "visit_date": "2026-10-01"})
    middle = nurse.create_visit(patient.id, {**WALK, "visit_date": "2026-11-02"})
    return [early.visit.id, middle.visit.id, late.visit.id]


def table_rows(window: MainWindow) -> list[list[str]]:
    table = window.review_desk.table
    return [[table.item(r, c).text() for c in range(4)] for r in range(table.rowCount())]


def test_f3_lists_the_visits_to_sign_oldest_first_and_enter_opens_one(window_of, clinic_of, qtbot):
    ids = three_visits(clinic_of("n.nurse"))
    nurse = window_of("n.nurse")
    assert not nurse.findChild(QAction, "action_review_desk").isEnabled()
    assert "only a neurologist may sign" in nurse.findChild(QAction, "action_review_desk").toolTip()

    window = window_of("d.neuro")
    action = window.findChild(QAction, "action_review_desk")
    assert action.isEnabled() and action.shortcut().toString() == "F3"
    action.trigger()
    assert window.pages.currentWidget() is window.review_desk
    assert window.review_desk.heading.text() == "3 visits waiting for a signature"
    assert table_rows(window) == [
        ["2026-10-01", "BROWN, Bea", "Assessment only", "Nina Nurse"],
        ["2026-11-02", "EXAMPLE, Alex", "Assessment only", "Nina Nurse"],
        ["2026-11-19", "EXAMPLE, Alex", "Assessment only", "Nina Nurse"],
    ]
    assert window.review_desk.table.item(0, 4).text() == "T25FW 7.60"

    table = window.review_desk.table
    table.setCurrentCell(1, 0)
    qtbot.keyClick(table, Qt.Key.Key_Return)
    assert window.pages.currentWidget() is window.visit_editor
    assert window.visit_editor.record.visit.id == ids[1]


def test_signing_several_signs_the_others_when_one_changed_meanwhile(window_of, clinic_of, answer_signature,
                                                                      message_boxes):
    nurse = clinic_of("n.nurse")
    ids = three_visits(nurse)
    window = window_of("d.neuro")
    window.show_review_desk()
    desk = window.review_desk
    desk.table.selectAll()
    assert desk.sign_button.isEnabled()

    changed = nurse.visit_record(ids[1])  # the nurse corrects a trial after the desk was read
    nurse.update_visit(ids[1], changed.visit.version, {**changed.form_values(), "t25fw.trial1_s": "7.9"})
    shown = answer_signature(["not my password, surely", PASSWORDS["d.neuro"]])
    desk.sign_button.click()
    (dialog,) = shown
    # one dialog for the batch: it named the three visits and the meaning; the wrong password kept it open
    assert dialog.windowTitle() == "Sign 3 visits" and dialog.meaning.short_label == "Reviewed and approved"
    assert dialog.typed_messages == ["That is not your password: nothing was signed. Signing needs the password "
                                     "of the person signed in."]

    statuses = [window.clinic.visit_record(visit_id).visit.status for visit_id in ids]
    assert statuses == ["signed", "draft", "signed"]
    assert desk.outcome.text().startswith("Signed 2 visits.\nNot signed: 2026-11-02 EXAMPLE, Alex \u2013 This visit "
                                          "was changed by someone else")
    assert [kind for kind, _ in message_boxes] == ["warning"] and "Not signed: 2026-11-02" in message_boxes[0][1]
    assert table_rows(window) == [["2026-11-02", "EXAMPLE, Alex", "Assessment only", "Nina Nurse"]]


def test_the_editor_says_who_signed_and_the_history_reads_like_a_record(window_of, clinic_of, local_berlin,
                                                                         clock, monkeypatch, answer_signature):
    nurse = clinic_of("n.nurse")
    visit_id = nurse.create_visit(nurse.create_patient(PATIENT).id, {**WALK, "visit_date": "2026-03-02"}).visit.id
    window = window_of("d.neuro")
    window.open_visit(visit_id)
    bar = window.visit_editor.signoff
    assert bar.signed_label.isHidden()
    monkeypatch.setattr(clinic_module, "utcnow", lambda: dt.datetime(2026, 11, 20, 13, 6, 59, 999, tzinfo=dt.UTC))
    shown = answer_signature([PASSWORDS["d.neuro"]], meaning="performed")
    bar.sign_button.click()  # the visit row keeps 13:06:59 UTC: 14:06 in Berlin, to the minute
    (dialog,) = shown
    assert dialog.windowTitle() == "Sign visit" and "Dr Dana Neuro" in dialog.findChild(QLabel).text()
    assert bar.signed_label.text() == "Signed by Dr Dana Neuro on 2026-11-20 14:06 \u2013 Performed and recorded"
    assert bar.signed_label.isVisibleTo(window)
    assert window.visit_editor.minimumSizeHint().width() <= 1366 and window.width() <= 1366

    shown = []
    monkeypatch.setattr(audit_viewer.HistoryDialog, "exec", lambda dialog: shown.append(dialog.texts()))
    bar.history_button.click()
    assert shown == [[
        # sign-ins and the patient take the clock's first minutes; the visit's own entries follow
        "2026-11-20 14:06 \u00b7 Nina Nurse \u00b7 Recorded the visit (Assessment only, 2026-03-02)",
        "2026-11-20 14:06 \u00b7 Nina Nurse \u00b7 Recorded Timed 25-foot walk: T25FW trial 1 7.50 s, "
        "T25FW trial 2 7.70 s",
        "2026-11-20 14:08 \u00b7 Dr Dana Neuro \u00b7 Signed the visit",
    ]]


def test_the_desk_fits_a_laptop_screen_with_a_long_warning(window_of, clinic_of, qtbot):
    neurologist = clinic_of("d.neuro")
    patient = neurologist.create_patient(PATIENT)
    neurologist.create_visit(patient.id, {"visit_date": "2026-11-20", "kind": "assessment", "edss.edss": "6.5",
                                          **{f"edss.fs_{fs}": "0" for fs in (
                                              "pyramidal", "cerebellar", "brainstem", "sensory", "bowel_bladder",
                                              "visual", "cerebral")}, "edss.ambulation": "0", **WALK})
    window = window_of("d.neuro")
    window.show_review_desk()
    desk = window.review_desk
    assert "differs from the step computed" in desk.table.item(0, 5).text()
    qtbot.wait(10)
    assert window.width() <= 1366 and window.height() <= 768
    for widget in (desk.table, desk.sign_button, desk.open_button):
        corner = widget.mapTo(window, widget.rect().bottomRight())
        assert widget.isVisible() and corner.x() <= window.width() and corner.y() <= window.height()
