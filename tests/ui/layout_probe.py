"""Drive every main screen and dialog at 1366x768 with long texts and print what does not fit, as JSON.

Run in its own process by tests/ui/test_layout.py, on an offscreen screen of 1366x768
(``QT_QPA_PLATFORM=offscreen:configfile=laptop-screen.json``), so the rest of the suite keeps its screen.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QApplication,
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QStyle,
    QStyleOptionComboBox,
    QTableView,
    QTreeView,
    QWidget,
)

from pmsdesk.domain.fields import (
    ADVERSE_EVENT_FIELDS,
    COURSE_FIELDS,
    DMT_FIELDS,
    PATIENT_FIELDS,
    RELAPSE_FIELDS,
    Kind,
)
from pmsdesk.domain.permissions import Actor
from pmsdesk.domain.validation import Problem, ValidationFailed
from pmsdesk.exchange.template import template_header
from pmsdesk.services.accounts import Accounts, SignInRefused
from pmsdesk.services.clinic import Clinic
from pmsdesk.services.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, fill_demo_clinic
from pmsdesk.store.database import Database
from pmsdesk.ui.audit_viewer import AuditDialog, HistoryDialog
from pmsdesk.ui.clinic_audit import ClinicAuditDialog
from pmsdesk.ui.dialogs import RecordDialog
from pmsdesk.ui.exchange import ExportDialog, ImportDialog, ImportStartDialog
from pmsdesk.ui.main_window import MainWindow
from pmsdesk.ui.printing import PeriodDialog
from pmsdesk.ui.register import EntryDialog, RegisterDialog
from pmsdesk.ui.sign_in import FirstAdministratorDialog, SignInDialog
from pmsdesk.ui.signoff import SignatureDialog
from pmsdesk.ui.users_dialog import NewUserDialog, UsersDialog
from pmsdesk.ui.void_dialog import VoidDialog

LONG_FAMILY = "Vandenberghe-Oosterhuis-Kowalczyk de la Fuente"  # 60 characters with the given names
LONG_GIVEN = "Maria-Magdalena Anneke"
HEBREW_FAMILY = "\u05d1\u05df-\u05d3\u05d5\u05d3 \u05d0\u05d1\u05e8\u05de\u05d5\u05d1\u05d9\u05e5 \u05e8\u05d5\u05d6\u05e0\u05d8\u05dc-\u05e9\u05e4\u05d9\u05e8\u05d0"  # noqa: E501
HEBREW_GIVEN = "\u05e9\u05e8\u05d4-\u05de\u05e8\u05d9\u05dd \u05d0\u05e1\u05ea\u05e8"
LONG_TEXT = ("Intrathecal methotrexate 12.5 mg per protocol ITMTX-2026, extension arm B, second cycle after "
             "the dose was held for a platelet count below the threshold")
LONG_MESSAGE = "this value is not allowed; enter a date from 1900-01-01 to today, as YYYY-MM-DD."
LONG_REASON = ("Entered twice: the nurse recorded this treatment visit on the bench laptop and again on the ward "
               "computer after the network came back; the second copy is kept, and this one is deleted. ") * 3
LONG_HISTORY_LINE = ("2026-11-20 14:08 · Dr Maria-Magdalena Vandenberghe-Oosterhuis · Amended T25FW "
                     "trial 1: 7.50 s → 7.60 s · Reason: " + LONG_REASON)
LOCKED_MESSAGE = ("This account is locked after 10 wrong passwords in a row, until 2026-11-20 14:35 (in 15 "
                  "minutes); an administrator can unlock it sooner.")


def _inside_scroll_area(widget: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractScrollArea) and parent.viewport().isAncestorOf(widget):
            return True
        parent = parent.parentWidget()
    return False


def _shown_width(box: QWidget) -> int:
    """How many pixels of text the box shows: a combo box's text field, a line edit's text area."""
    if isinstance(box, QComboBox):
        option = QStyleOptionComboBox()
        box.initStyleOption(option)
        return box.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option,
                                          QStyle.SubControl.SC_ComboBoxEditField, box).width()
    margins = box.textMargins()
    frame = box.style().pixelMetric(QStyle.PixelMetric.PM_DefaultFrameWidth) if box.hasFrame() else 0
    return box.contentsRect().width() - margins.left() - margins.right() - 2 * frame - 4  # QLineEdit's own margin


def _combo_problems(box: QComboBox, page: str) -> list[str]:
    """The whole text of every choice is reachable: the chosen one in the closed box, or (a long FS
    grade, elided there) as the first line of its tooltip; each one in the open list."""
    found = []
    chosen = box.currentText()
    needed = box.fontMetrics().horizontalAdvance(chosen)
    if _shown_width(box) < needed and box.toolTip().split("\n")[0] != chosen:
        found.append(f"{page}: QComboBox {box.objectName()} shows {_shown_width(box)} px of \u201c{chosen}\u201d, "
                     f"which needs {needed} px, and its tooltip does not hold it")
    box.showPopup()
    settle()
    view = box.view()
    widest = max((view.fontMetrics().horizontalAdvance(box.itemText(i)) for i in range(box.count())), default=0)
    if view.viewport().width() < widest:
        found.append(f"{page}: QComboBox {box.objectName()}'s open list is {view.viewport().width()} px wide, its "
                     f"longest choice needs {widest} px")
    box.hidePopup()
    return found


def _header_problems(header: QHeaderView, page: str) -> list[str]:
    """Every column heading is seen whole, or elided with the whole text on hover."""
    found = []
    model, margin = header.model(), header.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMargin, None, header)
    for section in range(header.count()):
        if header.isSectionHidden(section):
            continue
        text = str(model.headerData(section, Qt.Orientation.Horizontal) or "")
        needed = header.fontMetrics().horizontalAdvance(text) + 2 * margin
        tooltip = model.headerData(section, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
        if header.sectionSize(section) < needed and tooltip != text:
            found.append(f"{page}: the heading \u201c{text}\u201d of {header.parentWidget().objectName() or 'a table'} "
                         f"is {header.sectionSize(section)} px wide, its text needs {needed} px")
    return found


def _sideways_problems(area: QAbstractScrollArea, page: str) -> list[str]:
    """A scroll area (a table too) never scrolls sideways: a cut column or field would be out of sight."""
    bar, width = area.horizontalScrollBar(), area.viewport().width()
    beyond = bar.maximum() if bar.isVisibleTo(area) else 0
    header = area.horizontalHeader() if isinstance(area, QTableView) else \
        area.header() if isinstance(area, QTreeView) else None
    if header is not None and not header.isHidden():
        beyond = max(beyond, header.length() - width)  # columns cut without a bar too
    if beyond <= 0:
        return []
    return [f"{page}: {type(area).__name__} {area.objectName() or ''} scrolls sideways, {beyond} px beyond its "
            f"{width} px"]


def problems_on(window: QWidget, page: str) -> list[str]:
    shots = os.environ.get("PMSDESK_LAYOUT_SHOTS")  # a folder: each page is also saved as a PNG to look at
    if shots:
        window.grab().save(os.path.join(shots, page.replace(" ", "-") + ".png"))
    found = []
    screen = window.screen().availableGeometry()
    frame = window.frameGeometry()
    if not screen.contains(frame):
        found.append(f"{page}: window {frame.width()}x{frame.height()} at {frame.x()},{frame.y()} is not inside "
                     f"the screen {screen.width()}x{screen.height()}")
    inside = QRect(QPoint(0, 0), window.size())
    for widget in window.findChildren(QWidget):
        if not widget.isVisibleTo(window) or widget.width() == 0 or _inside_scroll_area(widget):
            continue
        rect = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
        if not inside.contains(rect):
            found.append(f"{page}: {type(widget).__name__} {widget.objectName() or ''} at {rect.x()},{rect.y()} "
                         f"{rect.width()}x{rect.height()} reaches outside the window")
    for label in window.findChildren(QLabel):  # a wrapped message given fewer lines than its text needs
        if (label.isVisibleTo(window) and label.wordWrap() and label.text() and label.width() > 0
                and label.heightForWidth(label.width()) > label.height() + 2):
            found.append(f"{page}: QLabel {label.objectName()} \u201c{label.text()[:40]}\u2026\u201d is "
                         f"{label.height()} px high, its text needs {label.heightForWidth(label.width())} px")
    for area in window.findChildren(QAbstractScrollArea):
        if area.isVisibleTo(window) and area.width() > 0:
            found += _sideways_problems(area, page)
    for box in window.findChildren(QComboBox):
        if box.isVisibleTo(window):
            found += _combo_problems(box, page)
    for header in window.findChildren(QHeaderView):
        if header.isVisibleTo(window) and header.orientation() is Qt.Orientation.Horizontal:
            found += _header_problems(header, page)
    for box in window.findChildren(QLineEdit):
        if not box.isVisibleTo(window) or isinstance(box.parentWidget(), QComboBox):
            continue
        # a value of up to 24 characters (a date, a dose, a name) and the placeholder are seen whole;
        # longer free text scrolls in its box
        shown = box.text()[:24] if box.text() else box.placeholderText()
        needed = box.fontMetrics().horizontalAdvance(shown or "0000")
        if _shown_width(box) < needed:
            found.append(f"{page}: QLineEdit {box.objectName()} shows {_shown_width(box)} px of "
                         f"\u201c{shown}\u201d, which needs {needed} px")
    return found


def settle() -> None:
    for _ in range(10):
        QApplication.processEvents()


def probe(dialog: QWidget, page: str) -> list[str]:
    """Show ``dialog`` (not modal: the probe goes on), look at it, close it."""
    dialog.show()
    settle()
    found = problems_on(dialog, page)
    dialog.close()
    return found


def longest_values(fields) -> dict[str, object]:
    """The longest realistic value of each field: the longest choice, the largest number, a long text."""
    values: dict[str, object] = {}
    for field in fields:
        if field.kind is Kind.CHOICE:
            values[field.name] = max(field.choices, key=lambda member: len(member.label)).value
        elif field.kind is Kind.DATE:
            values[field.name] = "2026-11-20"
        elif field.kind in (Kind.INTEGER, Kind.DECIMAL):
            values[field.name] = field.maximum
        elif field.kind is Kind.FLAG:
            values[field.name] = True
        else:
            values[field.name] = LONG_TEXT[:field.max_length or 200]
    return values


def record_dialog(title: str, fields, parent: QWidget) -> RecordDialog:
    """A record dialog holding the longest values, refused with a message under every field."""
    dialog = RecordDialog(title, fields, lambda raw: None, values=longest_values(fields), parent=parent)
    dialog.show_refusal(ValidationFailed([Problem(field.name, f"{field.label}: {LONG_MESSAGE}") for field in fields]))
    return dialog


def probe_dialogs(window: MainWindow, clinic: Clinic, database: Database, patient_id: int) -> list[str]:
    """Every dialog of ours (not the system's file chooser) with the longest texts it holds."""
    found = []
    for title, fields in (("Patient details", PATIENT_FIELDS), ("Treatment course", COURSE_FIELDS),
                          ("Relapse", RELAPSE_FIELDS), ("Disease-modifying therapy", DMT_FIELDS),
                          ("Adverse event", ADVERSE_EVENT_FIELDS)):
        found += probe(record_dialog(title, fields, window), f"dialog {title.lower()}")
    void = VoidDialog("visit", "this visit of 2026-11-20", lambda reason: None, window)
    void.reason.setPlainText(LONG_REASON)
    void.show_refusal(ValidationFailed([Problem("reason", LONG_MESSAGE)]))
    found += probe(void, "dialog delete a visit with a 500-character reason")

    admin = Accounts(database).sign_in("demo-admin", "demo-clinic")
    signing_in = SignInDialog(Accounts(database), window)
    signing_in.show_hint("Demo clinic: sign in as demo-nurse, demo-neurologist or demo-admin, password demo-clinic.")
    signing_in.username.setText(LONG_GIVEN.lower().replace(" ", "."))
    signing_in.refuse("The user name or the password is not right. Check Caps Lock and try again. " * 2)
    found += probe(signing_in, "dialog sign in with a refusal")
    first_admin = FirstAdministratorDialog(Accounts(database), window)
    first_admin.full_name.setText(f"{LONG_GIVEN} {LONG_FAMILY}")
    first_admin.refuse("The two passwords differ; type the same password twice.")
    found += probe(first_admin, "dialog first administrator")

    administrator = Clinic(database, actor=admin)
    found += probe(UsersDialog(administrator, window), "dialog users and settings")
    found += probe(NewUserDialog(administrator.accounts(), window), "dialog new user")
    found += probe(ClinicAuditDialog(administrator, window), "dialog clinic audit trail")
    found += probe(AuditDialog("Audit trail", clinic.audit_entries(patient_id=patient_id), window),
                   "dialog audit trail of a patient")
    visit_id = clinic.visits(patient_id)[-1].id
    found += probe(HistoryDialog("History", clinic.visit_history_lines(visit_id) + [LONG_HISTORY_LINE], window),
                   "dialog visit history")
    found += probe(RegisterDialog(administrator, window), "dialog intrathecal register")
    entry = EntryDialog(administrator, window)
    entry.show_refusal(ValidationFailed([Problem("expires_on", LONG_MESSAGE), Problem("trained_on", LONG_MESSAGE)]))
    found += probe(entry, "dialog new register entry with a refusal")
    found += probe(ExportDialog(administrator, window), "dialog export the clinic")
    found += probe(ImportStartDialog(window), "dialog import start")
    template = Path(tempfile.mkdtemp()) / "visits from the old spreadsheet.csv"
    template.write_text(",".join([*template_header(), "A column from the old spreadsheet with a long name"]) + "\n",
                        encoding="utf-8")
    found += probe(ImportDialog(clinic, template, window), "dialog import a file")
    found += probe(PeriodDialog(dt.date(2026, 11, 20), window), "dialog visit summaries of a period")
    found += probe(SignatureDialog(window, Accounts(database).sign_in("demo-neurologist", "demo-clinic"),
                                   [f"2026-11-20 {LONG_FAMILY.upper()}, {LONG_GIVEN} – Treatment"] * 14,
                                   lambda meaning, password: None), "dialog sign 14 visits")

    locked = MainWindow(administrator)  # a person signed in: the lock screen is theirs
    locked.show()
    locked.screen_lock.lock()
    locked.screen_lock._refused(SignInRefused(LOCKED_MESSAGE))
    locked.screen_lock.show_other_sign_in()
    settle()
    found += problems_on(locked, "lock screen with a refusal and sign in as someone else")
    locked.close()
    return found


def main() -> None:
    app = QApplication.instance() or QApplication(sys.argv)  # noqa: F841 - kept for the whole run
    database = Database.open(tempfile.mkdtemp() + "/layout.sqlite3")
    clinic = Clinic(database)
    fill_demo_clinic(clinic, patients=3)  # no demo neurologist yet: the latest visits stay unsigned, editable
    first = clinic.find_patients()[0]
    stored = clinic.patient(first.id)
    values = {name: getattr(stored, name) for name in ("clinic_id", "birth_date", "sex", "phenotype",
                                                       "dominant_hand", "education_years", "onset_year")}
    clinic.update_patient(first.id, stored.version, {**values, "family_name": LONG_FAMILY, "given_names": LONG_GIVEN,
                                                     "notes": "Long note. " * 50})
    second = clinic.find_patients()[1]  # a long right-to-left name beside the long left-to-right one
    stored = clinic.patient(second.id)
    clinic.update_patient(second.id, stored.version, {
        **{name: getattr(stored, name) for name in ("clinic_id", "birth_date", "sex", "phenotype", "dominant_hand",
                                                    "education_years", "onset_year")},
        "family_name": HEBREW_FAMILY, "given_names": HEBREW_GIVEN})
    window = MainWindow(clinic)
    window.show()
    found: list[str] = []
    settle()
    found += problems_on(window, "today")
    window.patient_view.show_patient(second.id)
    window.pages.setCurrentWidget(window.patient_view)
    settle()
    found += problems_on(window, "patient view with a Hebrew name")
    window.patient_view.show_patient(first.id)
    window.pages.setCurrentWidget(window.patient_view)
    settle()
    found += problems_on(window, "patient view")
    clinic.create_visit(first.id, {"visit_date": "2020-06-02", "kind": "assessment", "adverse_events": [
        {"term": "post_lp_headache", "onset_date": "2020-06-02", "ctcae_grade": "2", "outcome": "ongoing"}]})
    editor = window.visit_editor
    window.open_visit(clinic.visits(first.id)[-1].id)  # as the app opens it: the editor gets the whole width
    fields = {key: field_editor.field for form in editor.forms for key, field_editor in form.editors.items()}
    editor._show_problems(ValidationFailed([Problem(key, f"{field.label}: this value is not allowed; enter a number "
                                                         "from 0 to 180 s with at most 2 decimal places.")
                                            for key, field in fields.items()]))
    settle()
    found += problems_on(window, "visit editor with a message on every field")
    editor.summary.hide()
    for form in editor.forms:
        form.show_problems({})
    events = editor.adverse_events  # the longest outcome and relatedness, and an earlier event to follow up
    events.set_events([{**longest_values(ADVERSE_EVENT_FIELDS), "term": "post_lp_headache", "ctcae_grade": 2},
                       {**longest_values(ADVERSE_EVENT_FIELDS), "term": "neurotoxicity", "ctcae_grade": 4,
                        "outcome": "ongoing", "serious": True}])
    outcome, resolved = events.follow_up_rows[0][1:3]
    outcome.setCurrentIndex(outcome.findData("recovered_with_sequelae"))
    resolved.setText("2026-11-20")
    settle()
    found += problems_on(window, "visit editor with adverse events")
    opened = clinic.visit_record(editor.record.visit.id).visit
    accounts = Accounts(database, actor=Actor.system("layout probe"))  # beside the demo staff's accounts, which
    for username, full_name, role in DEMO_ACCOUNTS:                     # make create_demo_accounts a no-op
        accounts.create_user(username, full_name, role, DEMO_PASSWORD)
    neurologist = Accounts(database).sign_in("demo-neurologist", "demo-clinic")
    Clinic(database, actor=neurologist).sign_visit(opened.id, opened.version, password="demo-clinic")
    window.open_visit(opened.id)
    editor.signoff.amendment_reason = "The second T25FW trial was typed from the wrong line of the paper form. " * 7
    editor.signoff.show_state()
    settle()
    assert editor.status.text().startswith("Amending (reason: The second"), editor.status.text()
    found += problems_on(window, "visit editor amending with a 500-character reason")
    window.show_overview()
    window.overview.wait_loaded()
    settle()
    found += problems_on(window, "clinic overview")
    window.show_trajectory(first.id)
    settle()
    found += problems_on(window, "trajectory")
    window.show_review_desk()
    settle()
    found += problems_on(window, "review desk")
    found += probe_dialogs(window, clinic, database, first.id)
    print(json.dumps({"screen": [window.screen().availableGeometry().width(),
                                 window.screen().availableGeometry().height()], "problems": found}))


if __name__ == "__main__":
    main()
