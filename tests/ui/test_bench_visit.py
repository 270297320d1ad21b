"""The bench workflow driven offscreen as a nurse would: today's list, keyboard only, the stopwatch,
earlier values with their warnings, adverse events, and a draft that survives a killed process."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import textwrap

import pytest
from PySide6.QtCore import Qt
from bench import passed_check
from people import BENCH_CHECKER, TEST_PASSWORD, ensure_registered
from PySide6.QtWidgets import QApplication

from pmsdesk.domain.permissions import Role
from pmsdesk.services.accounts import Accounts
from pmsdesk.services.clinic import Clinic
from pmsdesk.store.database import Database
from pmsdesk.ui.main_window import MainWindow

pytestmark = pytest.mark.usefixtures("qapp")

TODAY = dt.date(2026, 11, 20)
KEYSTROKES = 223  # a full treatment visit, keyboard only, in the bench's order: the safety check (11), the day's
# blood count it reads (27) and the second-person check (52: four ticks, the checker's name and password) included
PERFORMER = "bench-neurologist"  # registered to administer; a neurologist, who also enters the EDSS
PATIENT = {"clinic_id": "MS-7", "family_name": "Fictional", "given_names": "Robin", "birth_date": "1968-05-02",
           "sex": "female", "phenotype": "SPMS", "dominant_hand": "right"}
COURSE = {"agent": "it_methotrexate", "planned_dose": "12.5", "dose_unit": "mg", "interval_weeks_min": "8",
          "interval_weeks_max": "12", "start_date": "2026-11-16"}


class FakeClock:
    def __init__(self):
        self.now = 500.0

    def __call__(self) -> float:
        return self.now


class Keyboard:
    """Presses keys where the focus is, and counts them (a typed character is one keystroke)."""

    def __init__(self, qtbot, window):
        self.qtbot, self.window, self.count = qtbot, window, 0

    def _target(self):
        if QApplication.activeWindow() is not self.window:
            with self.qtbot.waitActive(self.window):
                self.window.activateWindow()
        return QApplication.focusWidget() or self.window

    def type(self, text: str) -> None:
        self.qtbot.keyClicks(self._target(), text)
        self.count += len(text)

    def press(self, key, modifier=Qt.KeyboardModifier.NoModifier, times: int = 1) -> None:
        for _ in range(times):
            self.qtbot.keyClick(self._target(), key, modifier)
            self.count += 1

    def field(self, text: str) -> None:
        """Type into the focused field and move on with Enter (a line) or Tab (a list or box)."""
        self.type(text)
        from PySide6.QtWidgets import QLineEdit
        self.press(Qt.Key.Key_Return if isinstance(QApplication.focusWidget(), QLineEdit) else Qt.Key.Key_Tab)


def open_window(qtbot, path, clock=None, actor=None) -> MainWindow:
    database = Database.open(str(path))
    window = MainWindow(Clinic(database, today=lambda: TODAY) if actor is None else
                        Clinic(database, actor=Accounts(database).sign_in(actor, TEST_PASSWORD), today=lambda: TODAY))
    if clock is not None:
        window.visit_editor.stopwatch.clock = clock
    qtbot.addWidget(window)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    return window


def focused_key(window) -> str:
    focus = QApplication.focusWidget()
    return next((key for form in window.visit_editor.forms for key, e in form.editors.items() if e.input is focus),
                focus.objectName())


def test_a_complete_treatment_visit_from_todays_list_with_the_keyboard_only(qtbot, db_path):
    setup = Clinic(Database.open(str(db_path)), today=lambda: TODAY)
    patient = setup.create_patient(PATIENT)
    course = setup.create_course(patient.id, COURSE)
    ensure_registered(setup.db, PERFORMER, Role.NEUROLOGIST, "administer", "Bench Neurologist")
    ensure_registered(setup.db, BENCH_CHECKER, Role.NEUROLOGIST, "check", "Bench Checker")
    setup.db.close()
    clock = FakeClock()
    window = open_window(qtbot, db_path, clock, actor=PERFORMER)  # signed in at the bench: examines and gives the dose
    today = window.today
    assert today.isVisible() and "1 due for treatment" in today.heading.text()
    row = [today.model.index(1, c).data() for c in range(today.model.columnCount())]
    assert row == ["Due", "FICTIONAL, Robin", "MS-7", "Intrathecal methotrexate", "2026-11-16 to 2026-12-14",
                   "none yet (due from the course start)", "1", "labs missing"]

    keys = Keyboard(qtbot, window)
    today.table.setFocus()
    keys.press(Qt.Key.Key_Return)
    editor = window.visit_editor
    assert window.pages.currentWidget() is editor
    field = editor.field_editor
    assert (field("kind").raw(), field("treatment_number").raw(), editor.course.currentData().id) == \
        ("treatment", "1", course.id)
    assert (field("dose_given").raw(), field("dose_unit").raw()) == ("12.5", "mg"), "dose defaults from the course"
    assert focused_key(window) == "safety_check.antithrombotic", "a treatment starts at the safety check"
    assert not field("dose_given").input.isEnabled(), "the dose waits for the check"

    # The pre-puncture safety check, then the day's blood count it reads.
    keys.field("N")  # no anticoagulant or antiplatelet medicine...
    keys.field("")  # ...so no hours since its last dose
    for _answer in range(4):  # pregnancy possible, active infection, methotrexate allergy, earlier neurotoxicity
        keys.field("N")
    assert focused_key(window) == "labs.sampled_on"
    for text in (TODAY.isoformat(), "250", "", "6.1", "1.8", "", "", ""):
        keys.field(text)  # sampled today, platelets, no INR (no warfarin), white cells, lymphocytes, no ALT,
        # creatinine or eGFR
    assert editor.safety_section.verdict.text() == "Passed: the dose may be recorded."
    assert field("dose_given").input.isEnabled()

    # The second person checks the dose the course proposes, then types their own name and password.
    assert QApplication.focusWidget() is editor.second_check.drug
    for _tick in ("drug", "dose", "route", "patient"):  # no lot to check for methotrexate without a batch
        keys.press(Qt.Key.Key_Space)
        keys.press(Qt.Key.Key_Tab)
    keys.type(BENCH_CHECKER)
    keys.press(Qt.Key.Key_Tab)
    keys.type(TEST_PASSWORD)
    keys.press(Qt.Key.Key_Tab)
    # The dose (as proposed, checked), the puncture and the observation, in the bench's order.
    assert focused_key(window) == "dose_given"
    keys.press(Qt.Key.Key_Tab, times=2)
    for text in ("5", ""):  # volume; no batch
        keys.field(text)
    for text in (PERFORMER, "", "10:05", "L", "L3", "A", "22", "1", "1", "S", "", "C", "5", "", ""):
        keys.field(text)  # performer, no assistant, time, position, level, needle, gauge, attempts, levels,
        # result, no opening pressure, CSF clear, removed, nothing sampled, no needle notes
    keys.type("No headache")
    keys.press(Qt.Key.Key_Tab)
    keys.field("11:10")
    assert focused_key(window) == "edss.edss"
    keys.field("4.0")
    for grade in "1132211" + "1":  # seven functional systems, then the ambulation score
        keys.field(grade)
    assert "3.5" in editor.computed.text() and "Differs from the clinician's 4.0" in editor.computed.text()
    keys.press(Qt.Key.Key_Tab)  # past "How was this computed?"
    assert focused_key(window) == "t25fw.trial1_s"

    keys.press(Qt.Key.Key_F5)  # the stopwatch times the trial the cursor is in
    assert editor.stopwatch.running and "T25FW trial 1" in editor.stopwatch.target.text()
    clock.now += 6.434
    editor.stopwatch.tick()
    assert editor.stopwatch.time.text() == "6.43 s"
    keys.press(Qt.Key.Key_F5)
    assert field("t25fw.trial1_s").raw() == "6.43" and focused_key(window) == "t25fw.trial2_s"
    keys.field("6.8")
    assert "mean <b>6.62 s</b>" in editor.means["t25fw"].text()
    keys.field("N")  # walking aid: None
    keys.press(Qt.Key.Key_Tab, times=3)  # more than two attempts, not completed, note: nothing to say
    assert focused_key(window) == "nhpt.dominant_trial1_s"
    keys.field("21.3")
    keys.field("20.9")
    keys.press(Qt.Key.Key_Return, times=2)  # the non-dominant hand could not do the test...
    keys.press(Qt.Key.Key_Tab)
    keys.field("U")  # ...Unable: physical limitation due to MS
    assert field("nhpt.nondominant_not_completed").raw() == "physical_ms"
    assert editor.means["nhpt_nondominant"].text() == "not completed"
    keys.press(Qt.Key.Key_Tab)  # no note needed for that reason
    assert focused_key(window) == "sdmt.score"
    keys.field("52")
    keys.field("O")  # oral
    keys.field("A")
    keys.press(Qt.Key.Key_Return)  # no six-minute walk today...
    keys.press(Qt.Key.Key_Tab, times=2)  # ...so no reason it was not completed either
    assert QApplication.focusWidget() is editor.adverse_events.quick_buttons[next(iter(editor.adverse_events.quick_buttons))]
    keys.press(Qt.Key.Key_Space)  # + Headache, then its grade
    keys.type("1")
    keys.press(Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)

    assert not editor.summary.isVisible(), editor.summary.text()
    assert not editor.dirty and editor.status.text().startswith("Saved")
    assert keys.count == KEYSTROKES, keys.count  # the README's figure ("Using it"), Enter on today's list to Ctrl+S
    record = window.clinic.visit_records(patient.id)[0]
    visit = record.visit
    assert (visit.kind, visit.course_id, visit.treatment_number, visit.dose_given, visit.dose_unit, visit.lp_level,
            visit.lp_attempts, visit.csf_removed_ml, visit.performed_by) == \
        ("treatment", course.id, 1, 12.5, "mg", "L3-L4", 1, 5.0, PERFORMER)
    assert (visit.lp_position, visit.lp_needle_type, visit.lp_needle_gauge, visit.lp_result, visit.csf_appearance,
            visit.puncture_time, visit.discharge_time, visit.dose_volume_ml) == (
        "lateral_decubitus", "atraumatic", "22G", "successful", "clear", "10:05", "11:10", 5.0)
    assert (record.safety_check.result, record.safety_check.antithrombotic) == ("passed", "none")
    check = record.dose_check
    assert (check.administered_by, check.checked_by, check.dose, check.route, check.patient_identity) == (
        PERFORMER, BENCH_CHECKER, 12.5, "intrathecal", True)
    assert editor.second_check.password.text() == "", "the checker's password does not stay on screen"
    edss = record.assessments["edss"]
    assert (edss.edss, edss.computed_edss, edss.fs_pyramidal, edss.ambulation) == (4.0, 3.5, 3, 1)
    t25fw = record.assessments["t25fw"]
    assert (t25fw.trial1_s, t25fw.trial2_s, t25fw.walking_aid) == (6.43, 6.8, "none")
    nhpt = record.assessments["nhpt"]
    assert (nhpt.dominant_trial1_s, nhpt.dominant_trial2_s, nhpt.nondominant_trial1_s,
            nhpt.nondominant_not_completed) == (21.3, 20.9, None, "physical_ms")
    assert (record.assessments["sdmt"].score, record.assessments["sdmt"].modality, record.assessments["sdmt"].form) \
        == (52, "oral", "A")
    [event] = record.adverse_events
    assert (event.term, event.onset_date, event.ctcae_grade, event.outcome) == \
        ("post_lp_headache", TODAY, 1, "ongoing")
    assert window.clinic.draft(patient.id, None) is None and window.clinic.draft(patient.id, visit.id) is None

    keys.press(Qt.Key.Key_F2)  # back to today's list
    assert window.pages.currentWidget() is window.welcome
    started = [today.model.index(r, 1).data() for r in range(today.model.rowCount()) if today.rows[r] is not None]
    assert started == ["FICTIONAL, Robin"] and "0 due for treatment, 1 visit under way" in today.heading.text()
    window.patient_view.show_patient(patient.id)
    assert window.patient_view.visits.item(0, 4).text() == "4.0 (computed 3.5)"
    window.close()
    window.clinic.db.close()


def test_the_stopwatch_stops_at_the_time_limit_and_records_nothing(qtbot, db_path):
    clock = FakeClock()
    window = open_window(qtbot, db_path, clock)
    patient = window.clinic.create_patient(PATIENT)
    window.open_patient(patient.id)
    window.new_visit()
    editor = window.visit_editor
    editor.field_editor("t25fw.trial1_s").input.setText("7.10")
    editor.field_editor("sdmt.score").input.setFocus()
    editor.stopwatch.toggle()  # the cursor is in no trial: the next empty one is timed
    assert "T25FW trial 2" in editor.stopwatch.target.text()
    clock.now += 180.2
    editor.stopwatch.tick()
    assert not editor.stopwatch.running
    assert "Stopped at the 180 s limit" in editor.stopwatch.target.text()
    assert editor.field_editor("t25fw.trial2_s").raw() == ""
    assert QApplication.focusWidget() is editor.field_editor("t25fw.not_completed").input
    editor.dirty = False
    window.close()
    window.clinic.db.close()


def history_clinic(db_path) -> tuple[int, int]:
    """A patient with a baseline and a treatment visit; the treatment left a headache still ongoing."""
    clinic = Clinic(Database.open(str(db_path)), today=lambda: TODAY)
    patient = clinic.create_patient(PATIENT)
    clinic.create_visit(patient.id, {"visit_date": "2026-01-12", "kind": "baseline", "edss.edss": "3.5",
                                     "t25fw.trial1_s": "6.2", "t25fw.trial2_s": "6.4", "sdmt.score": "50"})
    clinic.create_visit(patient.id, {
        "visit_date": "2026-09-14", "kind": "treatment", "dose_given": "12.5", "dose_unit": "mg",
        "edss.edss": "4.0", "t25fw.trial1_s": "6.5", "t25fw.trial2_s": "6.7", "sdmt.score": "48",
        "adverse_events": [{"term": "post_lp_headache", "onset_date": "2026-09-14", "ctcae_grade": "2",
                            "outcome": "ongoing"}]})
    [event] = clinic.adverse_events(patient.id)
    clinic.db.close()
    return patient.id, event.id


def test_earlier_values_beside_the_fields_and_a_warning_that_does_not_stop_the_save(qtbot, db_path):
    patient_id, _event_id = history_clinic(db_path)
    window = open_window(qtbot, db_path)
    window.start_visit(patient_id)
    editor = window.visit_editor
    labels = editor.earlier_labels
    assert labels["t25fw"].text() == "Last 6.60 s (2026-09-14) \u00b7 baseline 6.30 s (2026-01-12)"
    assert labels["edss"].text() == "Last 4.0 (2026-09-14) \u00b7 baseline 3.5 (2026-01-12)"
    assert labels["sdmt"].text() == "Last 48 correct (2026-09-14) \u00b7 baseline 50 correct (2026-01-12)"
    assert labels["nhpt_dominant"].text() == "No earlier value."

    for key, value in passed_check(TODAY).items():  # the safety check first: the dose waits for it
        editor.field_editor(key).set_value(value)
    editor.update_live_values()
    assert editor.field_editor("dose_given").input.isEnabled()
    for key, text in (("dose_given", "12.5"), ("dose_unit", "mg"), ("t25fw.trial1_s", "65"), ("t25fw.trial2_s", "6.6"),
                      ("edss.edss", "4.0")):
        editor.field_editor(key).input.setFocus()
        qtbot.keyClicks(editor.field_editor(key).input, text)
    assert "\u26a0 Check 35.80 s: more than double the last value" in labels["t25fw"].text()
    assert labels["t25fw"].warning and labels["edss"].warning is None
    assert editor.save(), editor.summary.text()  # an implausible value is a warning, not a refusal
    assert "1 value to double-check" in editor.status.text()
    assert labels["t25fw"].isVisible() and labels["t25fw"].warning
    stored = window.clinic.visit_records(patient_id)[-1].assessments["t25fw"]
    assert (stored.trial1_s, stored.trial2_s) == (65.0, 6.6)
    window.close()
    window.clinic.db.close()


def test_quick_pick_and_follow_up_of_an_open_adverse_event(qtbot, db_path):
    patient_id, event_id = history_clinic(db_path)
    window = open_window(qtbot, db_path)
    window.start_visit(patient_id)
    panel = window.visit_editor.adverse_events
    [(event, outcome, resolved, update)] = panel.follow_up_rows
    assert event.id == event_id and panel.follow_up_title.isVisible()
    outcome.setCurrentIndex(outcome.findData("recovered"))
    resolved.setText("2026-09-17")
    update.click()
    stored = next(e for e in window.clinic.adverse_events(patient_id) if e.id == event_id)
    assert (stored.outcome, stored.resolved_date, stored.ctcae_grade, stored.version) == \
        ("recovered", dt.date(2026, 9, 17), 2, 2)
    assert panel.follow_up_rows == [] and not panel.follow_up_title.isVisible()

    panel.quick_buttons[next(t for t in panel.quick_buttons if t.value == "back_pain")].click()
    assert panel.table.item(0, 0).text() == "Back pain" and f"onset {TODAY.isoformat()}" in panel.row_title.text()
    panel.related_procedure.setCurrentIndex(panel.related_procedure.findData("probable"))
    panel.related_drug.setCurrentIndex(panel.related_drug.findData("unlikely"))
    panel.serious.setChecked(True)
    assert [panel.table.item(0, c).text() for c in range(3)] == ["Back pain (serious)", "\u2014", "Probable"]
    for key, text in (("dose_given", "12.5"), ("dose_unit", "mg")):
        window.visit_editor.field_editor(key).input.setText(text)
    assert window.visit_editor.save(), window.visit_editor.summary.text()
    new_event = window.clinic.visit_records(patient_id)[-1].adverse_events[0]
    assert (new_event.term, new_event.onset_date, new_event.related_procedure, new_event.related_drug,
            new_event.serious, new_event.outcome) == ("back_pain", TODAY, "probable", "unlikely", True, "ongoing")
    window.close()
    window.clinic.db.close()



def test_removing_a_saved_adverse_event_asks_why_and_keeps_it_hidden(qtbot, db_path, monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    patient_id, _ = history_clinic(db_path)
    window = open_window(qtbot, db_path)
    window.start_visit(patient_id)
    editor = window.visit_editor
    panel = editor.adverse_events
    panel.quick_buttons[next(t for t in panel.quick_buttons if t.value == "fatigue")].click()
    for key, text in (("dose_given", "12.5"), ("dose_unit", "mg")):
        editor.field_editor(key).input.setText(text)
    assert editor.save(), editor.summary.text()
    [saved] = window.clinic.visit_records(patient_id)[-1].adverse_events

    answers = iter([("", False), ("entered for the wrong patient", True)])
    monkeypatch.setattr(QInputDialog, "getText", lambda *args, **kwargs: next(answers))
    panel.table.selectRow(0)
    panel.remove_current()
    assert panel.table.rowCount() == 1, "cancelled: nothing removed"
    panel.remove_current()
    assert panel.table.rowCount() == 0
    assert editor.save(), editor.summary.text()
    assert window.clinic.visit_records(patient_id)[-1].adverse_events == ()
    with window.clinic.db.reading() as session:
        from pmsdesk.store.tables import AdverseEvent

        from sqlalchemy import select

        from pmsdesk.store import audit

        hidden = session.scalar(select(AdverseEvent).where(AdverseEvent.id == saved.id)
                                .execution_options(**{audit.INCLUDE_DELETED: True}))
    assert hidden is not None and hidden.deleted_reason == "entered for the wrong patient"
    window.close()
    window.clinic.db.close()


CRASHING_NURSE = textwrap.dedent("""
    import sys, time
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication
    from pmsdesk.services.clinic import Clinic
    from pmsdesk.store.database import Database
    from pmsdesk.ui.main_window import MainWindow

    app = QApplication([])
    clinic = Clinic(Database.open(sys.argv[1]))
    window = MainWindow(clinic)
    window.show()
    patient_id = int(sys.argv[2])
    window.start_visit(patient_id)
    for key, text in (("sdmt.score", "47"), ("t25fw.trial1_s", "7.2"), ("lp_level", "L4-L5")):
        field = window.visit_editor.field_editor(key).input
        field.setFocus()
        QTest.keyClicks(field, text)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        app.processEvents()
        draft = clinic.draft(patient_id, None)
        if draft and draft[0].get("lp_level") == "L4-L5":
            print("ready", flush=True)
            break
        time.sleep(0.05)
    while True:  # still typing when the power goes
        app.processEvents()
        time.sleep(0.05)
""")


def test_a_draft_survives_a_killed_process_and_comes_back_in_a_new_window(qtbot, db_path, tmp_path):
    setup = Clinic(Database.open(str(db_path)), today=lambda: TODAY)
    patient = setup.create_patient(PATIENT)
    setup.db.close()
    script = tmp_path / "nurse.py"
    script.write_text(CRASHING_NURSE)
    process = subprocess.Popen([sys.executable, str(script), str(db_path), str(patient.id)],
                               stdout=subprocess.PIPE, text=True, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    try:
        assert process.stdout.readline().strip() == "ready"
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    assert process.returncode == -signal.SIGKILL

    window = open_window(qtbot, db_path)
    today = window.today
    unsaved = next(r for r, entry in enumerate(today.rows) if entry is not None and entry.visit is None)
    assert today.model.index(unsaved, 0).data() == "Unsaved"
    today.activate(unsaved)
    editor = window.visit_editor
    assert window.pages.currentWidget() is editor
    assert [editor.field_editor(k).raw() for k in ("sdmt.score", "t25fw.trial1_s", "lp_level")] == ["47", "7.2", "L4-L5"]
    assert editor.draft_note.isVisible() and "not saved" in editor.draft_note.text()
    assert editor.dirty

    editor.discard_changes()  # the patched question answers "Discard"
    assert editor.field_editor("sdmt.score").raw() == "" and not editor.draft_note.isVisible()
    assert window.clinic.draft(patient.id, None) is None
    window.close()
    window.clinic.db.close()
