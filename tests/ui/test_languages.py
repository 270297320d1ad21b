"""The interface in Hebrew, Norwegian Bokmål and English: translated menus, sign-in and Today, the
whole window mirrored in Hebrew and still worked by keyboard, and translation files up to date with
the code."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from string import Formatter

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMenu
from sample_data import TODAY

from pmsdesk.resources import resource_path
from pmsdesk.services.accounts import MIN_PASSWORD_LENGTH, Accounts
from pmsdesk.services.clinic import Clinic
from pmsdesk.ui.languages import LANGUAGE_KEY, LANGUAGES, choose_language, install_language, system_language
from pmsdesk.ui.main_window import MainWindow
from pmsdesk.ui.sign_in import FirstAdministratorDialog, SignInDialog
from pmsdesk.ui.window_settings import WindowSettings

pytestmark = pytest.mark.usefixtures("qapp")

ROOT = Path(__file__).resolve().parents[2]
COURSE = {"agent": "it_methotrexate", "planned_dose": "12.5", "dose_unit": "mg", "interval_weeks_min": "8",
          "interval_weeks_max": "12", "start_date": "2026-11-16"}

# What a person sees: the menu titles, the sign-in window's title, labels and buttons, Today's
# column headings (after the status column) and the heading's words.
SEEN = {
    "he": {
        "direction": Qt.LayoutDirection.RightToLeft,
        "menus": ["&קובץ", "&מטופל", "&תצוגה", "&בטיחות", "ע&זרה"],
        "sign_in": ("כניסה ל-pmsdesk", ["שם משתמש", "סיסמה"], ["כניסה", "ביטול"]),
        "columns": ["מטופל", "מזהה", "טיפול", "חלון זמנים"],
        "heading": ("היום, יום שישי 20 נובמבר 2026", "מטופל אחד ממתין לטיפול", "0 ביקורים בתהליך"),
    },
    "nb": {
        "direction": Qt.LayoutDirection.LeftToRight,
        "menus": ["&Fil", "&Pasient", "&Vis", "&Sikkerhet", "&Hjelp"],
        "sign_in": ("Logg på pmsdesk", ["Brukernavn", "Passord"], ["Logg på", "Avbryt"]),
        "columns": ["Pasient", "ID", "Behandling", "Tidsvindu"],
        "heading": ("I dag, fredag 20 november 2026", "1 skal ha behandling", "0 besøk er i gang"),
    },
    "en": {
        "direction": Qt.LayoutDirection.LeftToRight,
        "menus": ["&File", "&Patient", "&View", "&Safety", "&Help"],
        "sign_in": ("Sign in to pmsdesk", ["User name", "Password"], ["Sign in", "Cancel"]),
        "columns": ["Patient", "Identifier", "Treatment", "Window"],
        "heading": ("Today, Friday 20 November 2026", "1 due for treatment", "0 visits under way"),
    },
}


@pytest.fixture
def language(request):
    """Install the language given by the test's parameter; afterwards back to the session's English."""
    installed = install_language(request.param)
    yield request.param
    installed.remove()


@pytest.fixture
def due_clinic(clinic, patient):
    """A clinic with one patient due for treatment today."""
    clinic.create_course(patient.id, COURSE)
    return clinic


def open_window(qtbot, clinic: Clinic) -> MainWindow:
    window = MainWindow(clinic)
    qtbot.addWidget(window)
    with qtbot.waitActive(window):  # keyboard shortcuts only reach the active window
        window.show()
        window.activateWindow()
    return window


@pytest.mark.parametrize("language", list(SEEN), indirect=True)
def test_the_main_window_and_today_in_each_language(qtbot, language, due_clinic):
    seen = SEEN[language]
    window = open_window(qtbot, due_clinic)
    assert QGuiApplication.layoutDirection() == seen["direction"] == window.layoutDirection()
    assert window.today.table.layoutDirection() == seen["direction"]
    assert [action.text() for action in window.menuBar().actions()] == seen["menus"]
    model = window.today.model
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(1, 5)] == seen["columns"]
    day, due, started = seen["heading"]
    heading = window.today.heading.text()
    assert heading.startswith(day) and due in heading and started in heading, heading


@pytest.mark.parametrize("language", list(SEEN), indirect=True)
def test_the_sign_in_window_in_each_language(qtbot, language, database):
    title, labels, buttons = SEEN[language]["sign_in"]
    dialog = SignInDialog(Accounts(database))
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == title and dialog.layoutDirection() == SEEN[language]["direction"]
    assert [dialog.form.labelForField(field).text() for field in (dialog.username, dialog.password)] == labels
    box = dialog.findChild(QDialogButtonBox)
    ok, cancel = QDialogButtonBox.StandardButton.Ok, QDialogButtonBox.StandardButton.Cancel
    assert [box.button(ok).text(), box.button(cancel).text()] == buttons


@pytest.mark.parametrize("language", ["he"], indirect=True)
def test_qts_own_strings_come_from_its_hebrew_translation(qtbot, language):
    save, cancel = QDialogButtonBox.StandardButton.Save, QDialogButtonBox.StandardButton.Cancel
    box = QDialogButtonBox(save | cancel)
    qtbot.addWidget(box)
    assert [box.button(save).text(), box.button(cancel).text()] == ["שמור", "ביטול"]


@pytest.mark.parametrize("language", ["he"], indirect=True)
def test_the_first_administrator_form_counts_in_hebrew(qtbot, language, database):
    dialog = FirstAdministratorDialog(Accounts(database))
    qtbot.addWidget(dialog)
    assert dialog.form.labelForField(dialog.password).text() == f"סיסמה ({MIN_PASSWORD_LENGTH} תווים לפחות)"


@pytest.mark.parametrize("language", ["he"], indirect=True)
def test_right_to_left_the_today_table_and_the_menus_work_by_keyboard(qtbot, language, due_clinic):
    window = open_window(qtbot, due_clinic)
    qtbot.keyClick(window, Qt.Key.Key_F2)  # Today, from anywhere
    table = window.today.table
    assert window.pages.currentIndex() == window.PAGE_WELCOME and table.hasFocus()
    # The first patient is selected (the section heading above it cannot be)
    assert [index.row() for index in table.selectionModel().selectedRows()] == [table.currentIndex().row()] == [1]
    # Right to left, the right arrow goes back towards the start of the row (column 0 is on the right).
    qtbot.keyClick(table, Qt.Key.Key_Left)
    assert table.currentIndex().column() == 1
    qtbot.keyClick(table, Qt.Key.Key_Right)
    assert table.currentIndex().column() == 0

    # Alt and the menu's Hebrew letter opens it; the left arrow goes to the next menu in reading order.
    bar = window.menuBar()
    qtbot.keyClick(window, Qt.Key(ord("ק")), Qt.KeyboardModifier.AltModifier)
    file_menu = QApplication.activePopupWidget()
    assert isinstance(file_menu, QMenu) and file_menu.title() == "&קובץ"
    qtbot.keyClick(file_menu, Qt.Key.Key_Left)
    assert bar.activeAction().text() == "&מטופל"
    qtbot.keyClick(QApplication.activePopupWidget(), Qt.Key.Key_Escape)
    qtbot.keyClick(QApplication.activePopupWidget() or bar, Qt.Key.Key_Escape)

    qtbot.keyClick(table, Qt.Key.Key_Return)  # the due treatment's visit starts
    assert window.pages.currentIndex() == window.PAGE_VISIT
    assert window.visit_editor.back_button.text() == "→ חזרה למטופל"


@pytest.mark.parametrize("language", list(SEEN), indirect=True)
def test_an_empty_clinics_welcome_text_is_shown_whole(qtbot, language, database):
    """On a 1366x768 screen; it was cut to its first line (in every language)."""
    window = open_window(qtbot, Clinic(database, today=lambda: TODAY))
    text = window.welcome.text
    assert text.isVisible() and "DEMO-" in text.text()
    assert text.height() >= text.heightForWidth(text.width()) > text.fontMetrics().height() * 1.5


@pytest.mark.parametrize("language", list(SEEN), indirect=True)
def test_within_each_menu_every_alt_letter_differs(qtbot, language, clinic):
    """Two actions of a menu with the same Alt letter would need the letter pressed twice."""
    window = MainWindow(clinic)
    qtbot.addWidget(window)
    menus = [window.menuBar()] + [action.menu() for action in window.findChildren(QAction) if action.menu()]
    for menu in menus:
        texts = [action.text() for action in menu.actions() if "&" in action.text()]
        letters = [text[text.index("&") + 1].lower() for text in texts]
        assert len(set(letters)) == len(letters), texts


@pytest.mark.parametrize("language", ["he"], indirect=True)
def test_view_language_remembers_the_choice_for_the_next_start(qtbot, language, clinic, tmp_path):
    store = QSettings(str(tmp_path / "windows.ini"), QSettings.Format.IniFormat)
    window = MainWindow(clinic, window_settings=WindowSettings(clinic.actor.name, store))
    qtbot.addWidget(window)
    assert [window.findChild(QAction, f"action_language_{code}").isChecked() for code in LANGUAGES] == [
        code == "he" for code in LANGUAGES]
    window.findChild(QAction, "action_language_nb").trigger()
    assert store.value(LANGUAGE_KEY) == "nb" and choose_language(None, store) == "nb"
    assert window.statusBar().currentMessage().startswith("מהפעם הבאה pmsdesk ייפתח בשפה")
    assert window.menuBar().actions()[0].text() == "&קובץ"  # this window stays in Hebrew


def test_the_language_is_the_option_then_the_remembered_one_then_the_systems(tmp_path):
    store = QSettings(str(tmp_path / "windows.ini"), QSettings.Format.IniFormat)
    assert choose_language(None, store) == system_language()
    assert choose_language("he", store) == "he"
    assert store.value(LANGUAGE_KEY) == "he"
    assert choose_language(None, QSettings(str(tmp_path / "windows.ini"), QSettings.Format.IniFormat)) == "he"
    store.setValue(LANGUAGE_KEY, "xx")  # a language pmsdesk no longer has
    assert choose_language(None, store) == system_language()


def test_pmsdesk_language_starts_in_it_and_remembers_it(tmp_path):
    """The real command: the first window (a new clinic's first-administrator form) in Hebrew; the
    next start without --language is Hebrew again; --language en goes back."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PMSDESK_SETTINGS_DIR": str(tmp_path / "settings")}

    def first_window(*language: str) -> str:
        done = subprocess.run([sys.executable, "-m", "pmsdesk", "--exit-after-first-window", *language,
                               "--database", str(tmp_path / "clinic.sqlite3")],
                              env=env, capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stderr
        return done.stdout

    hebrew = "first window painted: FirstAdministratorDialog 'ברוכים הבאים ל-pmsdesk: מנהל המערכת הראשון'"
    assert first_window("--language", "he").startswith(hebrew)
    assert first_window().startswith(hebrew)
    assert "'Welcome to pmsdesk: the first administrator'" in first_window("--language", "en")


def test_the_command_line_takes_a_language_and_refuses_others():
    from pmsdesk.cli import build_parser

    assert build_parser().parse_args(["--language", "nb"]).language == "nb"
    assert build_parser().parse_args([]).language is None
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--language", "de"])


# ----- the translation files --------------------------------------------------------------------
def test_the_translations_are_up_to_date_with_the_code_and_finished():
    """lupdate and lrelease run on a copy: a string added or changed in the code without its
    translation, or a .qm not rebuilt from its .ts, fails here."""
    checked = subprocess.run([sys.executable, str(ROOT / "scripts" / "update-translations"), "--check"],
                             capture_output=True, text=True, timeout=120)
    assert checked.returncode == 0, checked.stderr


@pytest.mark.parametrize("code", list(LANGUAGES))
def test_each_translation_keeps_the_placeholders_of_its_source(code):
    """A translation that drops or renames a {field} would fail at run time with a KeyError. Of the
    plural forms the singular may say "one" in words; the others show the number (%n)."""
    def fields(text: str) -> set[str]:
        return {name for _, name, _, _ in Formatter().parse(text) if name}

    wrong = []
    for message in ET.parse(resource_path("translations", f"pmsdesk_{code}.ts")).getroot().iter("message"):
        source = message.find("source").text
        translation = message.find("translation")
        forms = [form.text for form in translation.findall("numerusform")] or [translation.text]
        if any(fields(form) != fields(source) for form in forms) or ("%n" in source and "%n" not in forms[-1]):
            wrong.append((source, forms))
    assert wrong == []


@pytest.mark.parametrize("language", ["he"], indirect=True)
def test_right_to_left_the_patient_list_selects_by_keyboard(qtbot, language, due_clinic):
    """QTableView.selectRow selected nothing right to left; every list selects with ui.table_models.select_row."""
    window = open_window(qtbot, due_clinic)
    patients = window.patient_list
    patients.search.setFocus()
    qtbot.keyClick(patients.search, Qt.Key.Key_Down)  # from the search to the first patient
    assert patients.table.hasFocus()
    assert [index.row() for index in patients.table.selectionModel().selectedRows()] == [0]
