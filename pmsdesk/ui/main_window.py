"""The main window: the patient list on the left; today's list, the patient or a visit on the right."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from pmsdesk import __version__
from pmsdesk.domain.naming import patient_display_name
from pmsdesk.domain.fields import COURSE_FIELDS, DMT_FIELDS, PATIENT_FIELDS, RELAPSE_FIELDS
from pmsdesk.domain.permissions import Action
from pmsdesk.services.clinic import Clinic, row_values
from pmsdesk.services.demo import DEMO_SETTING
from pmsdesk.ui.audit_viewer import AuditDialog
from pmsdesk.ui.course_template import attach_template_summary
from pmsdesk.ui.dialogs import RecordDialog
from pmsdesk.ui.languages import LANGUAGES, isolated, remember_language, running_language
from pmsdesk.ui.operations import guarded
from pmsdesk.ui.overview import ClinicOverview
from pmsdesk.ui.patient_list import PatientList
from pmsdesk.ui.patient_view import PatientView
from pmsdesk.ui.permissions import allow
from pmsdesk.ui.review_desk import ReviewDesk
from pmsdesk.ui.register import RegisterDialog
from pmsdesk.ui.safety_settings import SafetySettingsDialog
from pmsdesk.ui.screen_lock import ScreenLock
from pmsdesk.ui.today import TodayList
from pmsdesk.ui.users_dialog import UsersDialog
from pmsdesk.ui.visit_editor import VisitEditor
from pmsdesk.ui.window_settings import WindowSettings


class WelcomePage(QWidget):
    """What the right side shows when no patient is open: today's list, or on an empty database an
    offer of the demo clinic."""

    def __init__(self, today: TodayList, parent: QWidget | None = None):
        super().__init__(parent)
        self.today = today
        self.empty_state = QWidget()
        self.heading = QLabel()
        self.heading.setObjectName("welcome_heading")
        self.heading.setStyleSheet("font-size: 16pt; font-weight: bold;")
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.new_patient = QPushButton(self.tr("New patient\u2026  (Ctrl+N)"))
        self.load_demo = QPushButton(self.tr("Load the demo clinic (30 fictional patients)"))
        self.load_demo.setObjectName("load_demo")
        layout = QVBoxLayout(self.empty_state)
        layout.addStretch(1)
        layout.addWidget(self.heading, 0, Qt.AlignmentFlag.AlignHCenter)
        # The wrapped text takes the page's width, its lines centred: added with an alignment, its
        # height was not fitted to the wrapping and all but its first line were cut off.
        self.text.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.text)
        for button in (self.new_patient, self.load_demo):
            layout.addWidget(button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)
        page = QVBoxLayout(self)
        page.addWidget(self.empty_state)
        page.addWidget(today)

    def show_state(self, patient_count: int, *, refresh_today: bool = True) -> None:
        empty = patient_count == 0
        self.heading.setText(self.tr("This database has no patients yet") if empty else self.tr("Choose a patient"))
        self.text.setText(
            self.tr("Add your first patient, or load the demo clinic to look around: it fills this database "
                    "with clearly fictional patients (identifiers {demo}), so use a separate database for "
                    "real records.").format(demo=isolated("DEMO-\u2026"))  # right to left it read "…-DEMO"
            if empty else
            self.tr("Search the list on the left by name or identifier (Ctrl+F), arrow down, and press Enter.")
        )
        self.load_demo.setVisible(empty)
        self.empty_state.setVisible(empty)
        self.today.setVisible(not empty)
        if not empty and refresh_today:
            self.today.refresh()


class MainWindow(QMainWindow):
    PAGE_WELCOME, PAGE_PATIENT, PAGE_VISIT = range(3)

    def __init__(self, clinic: Clinic, *, window_settings: WindowSettings | None = None):
        super().__init__()
        self.clinic = clinic
        self.window_settings = window_settings or WindowSettings(clinic.actor.name)
        self._needs: dict[QAction, Action] = {}  # what each menu action needs the role to allow
        self.patient_list = PatientList(clinic)
        self.today = TodayList(clinic)
        self.welcome = WelcomePage(self.today)
        self.patient_view = PatientView(clinic)
        self.visit_editor = VisitEditor(clinic)
        self.pages = QStackedWidget()
        for page in (self.welcome, self.patient_view, self.visit_editor):
            self.pages.addWidget(page)
        self.overview = ClinicOverview(clinic)
        self.PAGE_OVERVIEW = self.pages.addWidget(self.overview)
        self.review_desk = ReviewDesk(clinic)  # the neurologist's visits waiting for a signature (F3)
        self.PAGE_REVIEW = self.pages.addWidget(self.review_desk)
        self.review_desk.open_visit.connect(self.open_visit_from_desk)
        self.trajectory = None  # made on first use: pyqtgraph is slow to import
        self.visit_from_desk = False  # the open visit came from the review desk: Back returns there
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setObjectName("main_splitter")  # named: its position is remembered per user
        splitter.addWidget(self.patient_list)
        # At 150 % or 200 % text size a page larger than the screen scrolls rather than forcing the window
        # past the screen's edge
        pages_area = QScrollArea()
        pages_area.setWidgetResizable(True)
        pages_area.setFrameShape(QScrollArea.Shape.NoFrame)
        pages_area.setWidget(self.pages)
        self.pages.currentChanged.connect(self._size_by_current_page)
        self._size_by_current_page(self.pages.currentIndex())
        splitter.addWidget(pages_area)
        splitter.setSizes([380, 986])
        splitter.setStretchFactor(1, 1)
        self.setCentralWidget(splitter)

        self.patient_list.opened.connect(self.open_patient)
        self.welcome.new_patient.clicked.connect(self.new_patient)
        self.welcome.load_demo.clicked.connect(self.load_demo)
        self.today.open_visit.connect(self.open_visit)
        self.today.start_treatment.connect(self.start_visit)
        self.today.continue_new_visit.connect(self.start_visit)
        view = self.patient_view
        view.open_visit.connect(self.open_visit)
        view.new_visit.connect(self.new_visit)
        view.edit_patient.connect(self.edit_patient)
        view.new_course.connect(lambda: self.edit_course(None))
        view.edit_course.connect(self.edit_course)
        view.toggle_archive.connect(self.toggle_archive)
        view.edit_relapse.connect(self.edit_relapse)
        view.edit_dmt.connect(self.edit_dmt)
        view.show_trajectory.connect(self.show_trajectory)
        view.changed.connect(self.refresh)  # a record was deleted: the patient list may show it
        self.overview.open_trajectory.connect(self.show_trajectory)
        self.visit_editor.closed.connect(self.back_from_visit)
        # a save changes one line of the list (its visit count and last visit): that line is read again
        self.visit_editor.saved.connect(lambda _id: self.patient_list.patient_changed(self.visit_editor.patient.id))

        self.screen_lock = ScreenLock(self, clinic, hand_over=self.hand_over)
        self.screen_lock.switched.connect(self.refresh)
        self._build_menus()
        self._show_who()
        self.refresh()
        self.window_settings.restore(self)  # this user's size and splitters, fitted to this screen

    def _show_who(self) -> None:
        actor = self.clinic.actor
        name = isolated(actor.display_name)
        who = self.tr("{name} ({role})").format(name=name, role=isolated(actor.role.label)) if actor.role else name
        self.statusBar().showMessage(self.tr("Database: {location} \u00b7 {who}").format(
            location=isolated(str(self.clinic.location)), who=isolated(who)))

    def hand_over(self, actor) -> None:
        """Someone else signed in at the screen lock: what the first person typed into a visit is kept
        as its draft (written before anything changes), their window settings are saved, and the
        window then works as ``actor`` with ``actor``'s window settings, back on today's list."""
        self.visit_editor.keep_draft_now()
        self.window_settings.save(self)
        self.clinic.change_actor(actor)
        self.window_settings = WindowSettings(actor.name, self.window_settings.store)
        if self.isMaximized():
            self.showNormal()
        self.window_settings.restore(self)
        self._show_page(self.PAGE_WELCOME)
        self._show_who()

    # ----- menus ------------------------------------------------------------------------------
    def _action(self, menu, text: str, slot, shortcut=None, name: str | None = None,
                needs: Action | None = None) -> QAction:
        action = QAction(text, self)
        if needs is not None:
            self._needs[action] = needs
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        if name:
            action.setObjectName(name)
        menu.addAction(action)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(self.tr("&File"))
        file_menu.setToolTipsVisible(True)  # a greyed-out action says why
        self._action(file_menu, self.tr("&New patient\u2026"), self.new_patient, QKeySequence.StandardKey.New,
                     "action_new_patient", needs=Action.RECORD)
        self._action(file_menu, self.tr("Load the &demo clinic\u2026"), self.load_demo)
        file_menu.addSeparator()
        self._action(file_menu, self.tr("Visit &summaries of a day\u2026"), self.save_day_summaries,
                     name="action_day_summaries")
        self._action(file_menu, self.tr("&Import visits or an archive\u2026"), self.import_file,
                     name="action_import", needs=Action.RECORD)
        self._action(file_menu, self.tr("Save import &template\u2026"), self.save_import_template,
                     name="action_import_template")
        self._action(file_menu, self.tr("E&xport the clinic\u2026"), self.export_clinic, name="action_export",
                     needs=Action.EXPORT)
        file_menu.addSeparator()
        self._action(file_menu, self.tr("&Quit"), self.close, QKeySequence.StandardKey.Quit)
        patient_menu = bar.addMenu(self.tr("&Patient"))
        patient_menu.setToolTipsVisible(True)
        record = Action.RECORD
        self.patient_actions = [
            self._action(patient_menu, self.tr("New &visit"), self.new_visit, "Ctrl+Shift+V", "action_new_visit",
                         needs=record),
            self._action(patient_menu, self.tr("&Edit details\u2026"), self.edit_patient, "Ctrl+E",
                         "action_edit_patient", needs=record),
            self._action(patient_menu, self.tr("New treatment &course\u2026"), lambda: self.edit_course(None),
                         needs=record),
            self._action(patient_menu, self.tr("Add &relapse\u2026"), lambda: self.edit_relapse(None), needs=record),
            self._action(patient_menu, self.tr("Add &therapy\u2026"), lambda: self.edit_dmt(None), needs=record),
            self._action(patient_menu, self.tr("&Archive or restore"), self.toggle_archive, name="action_archive",
                         needs=record),
            self._action(patient_menu, self.tr("Audit tra&il\u2026"), self.show_patient_audit,
                         name="action_patient_audit"),
        ]
        view_menu = bar.addMenu(self.tr("&View"))
        view_menu.setToolTipsVisible(True)
        self._action(view_menu, self.tr("&Today"), self.show_today, "F2", "action_today")
        self._action(view_menu, self.tr("&Find patient"), self.focus_search, QKeySequence.StandardKey.Find)
        self._action(view_menu, self.tr("Visits to &sign"), self.show_review_desk, "F3", "action_review_desk",
                     needs=Action.SIGN_VISIT)
        self._action(view_menu, self.tr("Clinic &overview"), self.show_overview, "Ctrl+Shift+O", "action_overview")
        self._action(view_menu, self.tr("Patient t&rajectory"), lambda: self.show_trajectory(), "Ctrl+T",
                     "action_trajectory")
        view_menu.addSeparator()
        language_menu = view_menu.addMenu(self.tr("&Language"))
        languages = QActionGroup(self)  # one checked: the language pmsdesk runs in
        for code, name in LANGUAGES.items():
            action = self._action(language_menu, name, lambda _checked=False, code=code: self.choose_language(code),
                                  name=f"action_language_{code}")
            action.setCheckable(True)
            action.setChecked(code == running_language())
            languages.addAction(action)
        safety_menu = bar.addMenu(self.tr("&Safety"))
        self._action(safety_menu, self.tr("&Lock screen"), self.screen_lock.lock, "Ctrl+L", "action_lock")
        safety_menu.setToolTipsVisible(True)
        self._action(safety_menu, self.tr("&Users and settings\u2026"), self.manage_users, name="action_users",
                     needs=Action.MANAGE_USERS)
        self._action(safety_menu, self.tr("Intrathecal &register\u2026"), self.show_register,
                     name="action_register")
        self._action(safety_menu, self.tr("Safety check &thresholds\u2026"),
                     lambda: SafetySettingsDialog(self.clinic, self).exec(), name="action_safety_settings")
        self._action(safety_menu, self.tr("Clinic &audit trail\u2026"), self.show_clinic_audit, "Ctrl+Shift+A",
                     "action_clinic_audit", needs=Action.READ_AUDIT_TRAIL)
        help_menu = bar.addMenu(self.tr("&Help"))
        self._action(help_menu, self.tr("&About pmsdesk"), self.about)
        # Printing clinical reports is the nurses' and neurologists' (Action.REPORT).
        self._needs.setdefault(self.findChild(QAction, "action_day_summaries"), Action.REPORT)

    # ----- navigation -------------------------------------------------------------------------
    def refresh(self) -> None:
        demo = self.clinic.setting(DEMO_SETTING) == "true"
        self.setWindowTitle(self.tr("pmsdesk \u2013 DEMO CLINIC (fictional patients)") if demo else "pmsdesk")
        self.patient_list.refresh()
        count = self.clinic.patient_count()
        # Today's list is read when it is on screen (and again each time it is shown), not behind another page.
        self.welcome.show_state(count, refresh_today=self.pages.currentIndex() == self.PAGE_WELCOME)
        has_patient = self.patient_view.patient is not None and self.pages.currentIndex() != self.PAGE_WELCOME
        self.apply_permissions(has_patient)

    def apply_permissions(self, has_patient: bool) -> None:
        """What the signed-in person may use, in one place: each action and button is enabled from the
        role (pmsdesk.domain.permissions) and, when greyed out, says why."""
        actor, open_first = self.clinic.actor, self.tr("Open a patient first.")
        for action, needs in self._needs.items():
            allow(action, actor, needs, also=has_patient or action not in self.patient_actions, otherwise=open_first)
        for action in self.patient_actions:
            if action not in self._needs:
                action.setEnabled(has_patient)
        view = self.patient_view
        for widget in (self.welcome.new_patient, view.new_visit_button, view.edit_button, view.archive_button):
            allow(widget, actor, Action.RECORD)

    def choose_language(self, code: str) -> None:
        """Remember ``code`` on this workstation; pmsdesk starts in it from the next time (the windows
        open now keep theirs)."""
        remember_language(code, self.window_settings.store)
        self.statusBar().showMessage(
            self.tr("pmsdesk starts in {language} from the next time it opens.").format(
                language=isolated(LANGUAGES[code])), 10000)

    def _leave_visit(self) -> bool:
        return self.pages.currentIndex() != self.PAGE_VISIT or self.visit_editor.confirm_leave()

    def focus_search(self) -> None:
        self.patient_list.search.setFocus()
        self.patient_list.search.selectAll()

    def open_patient(self, patient_id: int) -> None:
        if not self._leave_visit():
            return
        self.patient_view.show_patient(patient_id)
        self._show_page(self.PAGE_PATIENT)
        self.patient_view.visits.setFocus()
        self.apply_permissions(True)  # opening a patient reads that patient only: the list and Today stay as they are

    def back_to_patient(self) -> None:
        self.open_patient(self.patient_view.patient.id)

    def back_from_visit(self) -> None:
        """Back from the visit editor: to the review desk when the visit was opened there, else to its patient."""
        if self.visit_from_desk:
            self.show_review_desk()
        else:
            self.back_to_patient()

    def _visit_opened_from(self, desk: bool) -> None:
        self.visit_from_desk = desk
        self.visit_editor.back_button.setText(self.tr("\u2190 Back to visits to sign") if desk
                                              else self.tr("\u2190 Back to patient"))

    def _size_by_current_page(self, current: int) -> None:
        """The pages' stack is as large as its current page needs, not as its largest page: the others are ignored."""
        for index in range(self.pages.count()):
            policy = QSizePolicy.Policy.Preferred if index == current else QSizePolicy.Policy.Ignored
            self.pages.widget(index).setSizePolicy(policy, policy)

    def _show_page(self, page: int) -> None:
        # The visit editor gets the whole width: at the bench the nurse works on one patient.
        # So do the trajectory and the overview: wide figures and tables.
        self.patient_list.setVisible(page in (self.PAGE_WELCOME, self.PAGE_PATIENT))
        self.pages.setCurrentIndex(page)

    def show_today(self) -> None:
        if not self._leave_visit():
            return
        self._show_page(self.PAGE_WELCOME)
        self.refresh()
        self.today.table.setFocus()

    def show_review_desk(self) -> None:
        if not self.clinic.actor.may(Action.SIGN_VISIT) or not self._leave_visit():
            return
        self.review_desk.refresh()
        self._show_page(self.PAGE_REVIEW)
        self.review_desk.table.setFocus()

    def show_overview(self) -> None:
        if not self._leave_visit():
            return
        self.overview.refresh()
        self._show_page(self.PAGE_OVERVIEW)
        self.overview.table.setFocus()

    def show_trajectory(self, patient_id: int | None = None) -> None:
        """The trajectory of ``patient_id``, or of the patient on screen."""
        if (patient_id is None and self.patient_view.patient is None) or not self._leave_visit():
            return
        if self.trajectory is None:
            from pmsdesk.ui.trajectory import TrajectoryView

            self.trajectory = TrajectoryView(self.clinic)
            self.trajectory.open_visit.connect(self.open_visit)
            self.trajectory.closed.connect(self.back_to_patient)
            self.pages.addWidget(self.trajectory)
        patient_id = self.patient_view.patient.id if patient_id is None else patient_id
        if self.patient_view.patient is None or self.patient_view.patient.id != patient_id:
            self.patient_view.show_patient(patient_id)  # "Patient" goes back to this patient
        self.trajectory.show_patient(patient_id)
        self._show_page(self.pages.indexOf(self.trajectory))

    def open_visit_from_desk(self, visit_id: int) -> None:
        self.open_visit(visit_id)
        self._visit_opened_from(desk=True)

    def open_visit(self, visit_id: int) -> None:
        self._visit_opened_from(desk=False)
        self.visit_editor.open_visit(visit_id)
        patient_id = self.visit_editor.patient.id
        if self.patient_view.patient is None or self.patient_view.patient.id != patient_id:
            self.patient_view.show_patient(patient_id)  # "Back to patient" returns to this visit's patient
        self._show_page(self.PAGE_VISIT)

    def new_visit(self) -> None:
        patient = self.patient_view.patient
        if patient is not None:
            self.start_visit(patient.id)

    def start_visit(self, patient_id: int, course_id: int | None = None) -> None:
        """A new visit (a treatment of ``course_id`` when started from today's list)."""
        if not self._leave_visit():
            return
        self.patient_view.show_patient(patient_id)
        self._visit_opened_from(desk=False)
        self.visit_editor.start_new(patient_id, course_id)
        self._show_page(self.PAGE_VISIT)
        # A treatment from today's list starts at the safety check (the dose waits for it); else the date.
        editor = self.visit_editor
        first = editor.safety_section.first_input if course_id is not None else editor.field_editor("visit_date").input
        first.setFocus()

    # ----- records ----------------------------------------------------------------------------
    def new_patient(self) -> None:
        if not self._leave_visit():
            return
        dialog = RecordDialog(self.tr("New patient"), PATIENT_FIELDS, self.clinic.create_patient, parent=self)
        if dialog.exec():
            self.open_patient(dialog.result_record.id)
            self.refresh()  # the list shows the new patient

    def edit_patient(self) -> None:
        patient = self.patient_view.patient
        if patient is None:
            return
        dialog = RecordDialog(
            self.tr("Patient details"), PATIENT_FIELDS,
            lambda raw: self.clinic.update_patient(patient.id, patient.version, raw),
            values=row_values(patient, PATIENT_FIELDS), parent=self,
        )
        if dialog.exec():
            self.open_patient(patient.id)
            self.refresh()  # the list shows the patient's new name or identifier

    def edit_course(self, course_id: int | None) -> None:
        patient = self.patient_view.patient
        if patient is None:
            return
        course = next((c for c in self.clinic.courses(patient.id) if c.id == course_id), None)
        if course is None:
            save = lambda raw: self.clinic.create_course(patient.id, raw)  # noqa: E731
        else:
            save = lambda raw: self.clinic.update_course(course.id, course.version, raw)  # noqa: E731
        values = row_values(course, COURSE_FIELDS) if course else {}
        dialog = RecordDialog(self.tr("Treatment course"), COURSE_FIELDS, save, values=values, parent=self)
        attach_template_summary(dialog.form)
        if dialog.exec():
            self.patient_view.show_patient(patient.id)

    def _edit_history_row(self, title, fields, rows, row_id, save) -> None:
        patient = self.patient_view.patient
        if patient is None:
            return
        row = next((r for r in rows(patient.id) if r.id == row_id), None)
        values = row_values(row, fields) if row else {}
        dialog = RecordDialog(
            title, fields,
            lambda raw: save(patient.id, raw, row.id if row else None, row.version if row else None),
            values=values, parent=self,
        )
        if dialog.exec():
            self.patient_view.show_patient(patient.id)

    def edit_relapse(self, relapse_id: int | None) -> None:
        self._edit_history_row(
            self.tr("Relapse"), RELAPSE_FIELDS, self.clinic.relapses, relapse_id,
            lambda pid, raw, rid, version: self.clinic.save_relapse(pid, raw, relapse_id=rid, expected_version=version),
        )

    def edit_dmt(self, dmt_id: int | None) -> None:
        self._edit_history_row(
            self.tr("Disease-modifying therapy"), DMT_FIELDS, self.clinic.dmt_history, dmt_id,
            lambda pid, raw, rid, version: self.clinic.save_dmt(pid, raw, dmt_id=rid, expected_version=version),
        )

    def toggle_archive(self) -> None:
        patient = self.patient_view.patient
        if patient is None:
            return
        name = patient_display_name(patient.family_name, patient.given_names)
        # Whole sentences for each way, so that a translation need not build them from a verb. What
        # the guard is doing stays English: it goes to the log.
        if patient.archived:
            title, question = self.tr("Restore patient"), self.tr("Restore {name}?").format(name=name)
            doing, not_done = "restoring the patient", self.tr("Patient not restored")
        else:
            title = self.tr("Archive patient")
            question = self.tr("Archive {name}? Archived patients are hidden from the list; "
                               "nothing is deleted.").format(name=name)
            doing, not_done = "archiving the patient", self.tr("Patient not archived")
        if QMessageBox.question(self, title, question) != QMessageBox.StandardButton.Yes:
            return
        with guarded(self, doing, title=not_done):
            self.clinic.set_archived(patient.id, patient.version, not patient.archived)
        self.patient_view.show_patient(patient.id)
        self.refresh()

    def load_demo(self) -> None:
        """Fill an empty database with the demo clinic on the background worker (the service refuses a
        database that has patients; the refusal is shown)."""
        from pmsdesk.ui.demo import fill_demo_in_background

        self.demo_fill = fill_demo_in_background(self.clinic, self, on_done=self._demo_loaded)

    def _demo_loaded(self, summary) -> None:
        self.refresh()
        self.statusBar().showMessage(self.tr("Demo clinic loaded: {patients} fictional patients, {visits} visits.")
                                     .format(patients=summary.patients, visits=summary.visits), 10000)

    def import_file(self) -> None:
        from pmsdesk.ui.exchange import ask_and_import

        if ask_and_import(self, self.clinic):
            self.refresh()

    def save_import_template(self) -> None:
        from pmsdesk.ui.exchange import save_import_template

        path = save_import_template(self)
        if path is not None:
            self.statusBar().showMessage(self.tr("Import template saved to {path}").format(path=path), 10000)

    def export_clinic(self) -> None:
        from pmsdesk.ui.exchange import ExportDialog

        ExportDialog(self.clinic, self).exec()

    def save_day_summaries(self) -> None:
        """Every visit of a day (or a period) in one PDF, with progress and Cancel."""
        from pmsdesk.ui.printing import ask_and_save_period_summaries

        path = ask_and_save_period_summaries(self, self.clinic)
        if path is not None:
            self.statusBar().showMessage(self.tr("Visit summaries saved to {path}").format(path=path), 10000)

    def show_patient_audit(self) -> None:
        patient = self.patient_view.patient
        if patient is None:
            return
        with guarded(self, "reading the audit trail", title="Audit trail") as read:
            entries = self.clinic.audit_entries(patient_id=patient.id)
        if read:
            name = patient_display_name(patient.family_name, patient.given_names)
            AuditDialog(self.tr("Audit trail of {name}").format(name=name), entries, self).exec()

    def show_clinic_audit(self) -> None:
        """Every entry of the clinic's audit trail, filtered, for those allowed to read it (administrators)."""
        if not self.clinic.actor.may(Action.READ_AUDIT_TRAIL):
            return
        from pmsdesk.ui.clinic_audit import ClinicAuditDialog

        ClinicAuditDialog(self.clinic, self).exec()

    def show_register(self) -> None:
        RegisterDialog(self.clinic, self).exec()

    def manage_users(self) -> None:
        UsersDialog(self.clinic, self).exec()
        self.screen_lock.reload_setting()

    def about(self) -> None:
        QMessageBox.about(
            self, self.tr("About pmsdesk"),
            self.tr("pmsdesk {version}\n\nRecords intrathecal treatment visits for progressive MS.\n"
                    "Database: {location}\n\n"
                    "Computed values (EDSS steps, change flags) are aids to the clinician's judgement.")
            .format(version=__version__, location=self.clinic.location),
        )

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt API
        if self._leave_visit():
            self.window_settings.save(self)
            event.accept()
        else:
            event.ignore()
