"""The language of the interface: which one, and installing its translations.

pmsdesk's own strings are translated in ``resources/translations/pmsdesk_<code>.ts`` (Qt Linguist
sources, regenerated from the code by ``scripts/update-translations``) and compiled to ``.qm``
beside them; Qt's own strings (dialog buttons, a line edit's context menu) come from the qtbase
translations shipped with PySide6. English is the source language: its file holds only the plural
forms ("1 visit", "2 visits" from one ``%n visit(s)``), as Qt's plural handling expects.

The language is chosen once, when pmsdesk starts: ``--language``, which is then remembered on this
workstation (every user of the computer shares it: the sign-in window is shown before anyone is
known), else the one remembered, else the system's when pmsdesk has a translation for it, else
English. View › Language changes the remembered one for the next start. Hebrew lays the whole
interface out right to left.

The codes are read by the command line without loading Qt, so Qt is imported inside the functions.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

LANGUAGES = {"en": "English", "he": "עברית (Hebrew)", "nb": "Norsk bokmål (Norwegian Bokmål)"}
SOURCE_LANGUAGE = "en"
LANGUAGE_KEY = "workstation/language"  # in the window settings file, outside every user's group

log = logging.getLogger("pmsdesk.ui.languages")
FIRST_STRONG_ISOLATE, POP_DIRECTIONAL_ISOLATE = "\u2068", "\u2069"


def translation_file(code: str):
    """Path of pmsdesk's compiled translation for ``code``."""
    from pmsdesk.resources import resource_path

    return resource_path("translations", f"pmsdesk_{code}.qm")


def system_language() -> str:
    """The first of the system's preferred languages that pmsdesk has, else English."""
    from PySide6.QtCore import QLocale

    for tag in QLocale.system().uiLanguages():
        wanted = QLocale(tag).language()  # "no", "nb" and "nb-NO" are all Norwegian Bokmål to Qt
        for code in LANGUAGES:
            if QLocale(code).language() == wanted:
                return code
    return SOURCE_LANGUAGE


def choose_language(option: str | None, store=None) -> str:
    """The language to start in: ``option`` (one of :data:`LANGUAGES`, remembered for the next start),
    else the remembered one, else the system's. ``store`` is the window settings' QSettings (the tests
    give their own)."""
    from pmsdesk.ui.window_settings import settings_store

    store = store if store is not None else settings_store()
    if option:
        remember_language(option, store)
        return option
    remembered = store.value(LANGUAGE_KEY)
    return remembered if remembered in LANGUAGES else system_language()


def remember_language(code: str, store) -> None:
    """Start in ``code`` from now on, on this workstation (``store``: the window settings' QSettings)."""
    store.setValue(LANGUAGE_KEY, code)
    store.sync()


def running_language() -> str:
    """The language the interface was started in (English when none was installed)."""
    from PySide6.QtCore import QLocale

    running = QLocale().language()
    return next((code for code in LANGUAGES if QLocale(code).language() == running), SOURCE_LANGUAGE)


@dataclass
class InstalledLanguage:
    """The translators installed for ``code``; :meth:`remove` goes back to the untranslated source."""

    code: str
    translators: list = field(default_factory=list)

    def remove(self) -> None:
        from PySide6.QtCore import QCoreApplication, QLocale, Qt
        from PySide6.QtGui import QGuiApplication

        for translator in self.translators:
            QCoreApplication.removeTranslator(translator)
        self.translators.clear()
        QLocale.setDefault(QLocale.system())
        QGuiApplication.setLayoutDirection(Qt.LayoutDirection.LeftToRight)


def install_language(code: str) -> InstalledLanguage:
    """Translate the running application into ``code`` (one of :data:`LANGUAGES`): Qt's own strings,
    pmsdesk's, the locale that dates and numbers follow, and the layout direction. Widgets made
    afterwards are in that language; call it before the first window."""
    from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator
    from PySide6.QtGui import QGuiApplication

    app = QCoreApplication.instance()
    system = QLocale.system()
    # The system's own locale when it is in this language (its region's date order and separators),
    # else the language's default region. English on a system with no language set (the C locale of
    # servers and tests) keeps that locale: dates and numbers as pmsdesk showed them untranslated.
    same = system.language() in (QLocale(code).language(),
                                 QLocale.Language.C if code == SOURCE_LANGUAGE else None)
    locale = system if same else QLocale(code)
    installed = InstalledLanguage(code)
    qt_folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    qt_own = QTranslator(app)
    if qt_own.load(locale, "qtbase", "_", qt_folder):
        installed.translators.append(qt_own)
    elif code != SOURCE_LANGUAGE:  # Qt ships no Norwegian Bokmål: its buttons stay English
        log.info("Qt has no translation of its own strings for %s", code)
    ours = QTranslator(app)
    if ours.load(str(translation_file(code))):
        installed.translators.append(ours)
    else:
        log.warning("pmsdesk's translation %s is missing: the installation is incomplete", translation_file(code))
    for translator in installed.translators:
        QCoreApplication.installTranslator(translator)
    QLocale.setDefault(locale)
    QGuiApplication.setLayoutDirection(locale.textDirection())  # Hebrew: every window mirrors
    return installed


def isolated(text: str) -> str:
    """``text`` kept in its own direction inside a right-to-left sentence or table cell (Unicode
    bidi isolates; left to right it is returned as it is). Without it a Hebrew cell showed the
    interval "8–11" as "11–8", "2026-11-20 to 2026-12-11" with its dates swapped, and a path's
    leading "/" at its far end."""
    from PySide6.QtGui import QGuiApplication

    if not text or not QGuiApplication.isRightToLeft():
        return text
    return f"{FIRST_STRONG_ISOLATE}{text}{POP_DIRECTIONAL_ISOLATE}"
