"""Each person's windows remembered on this computer: the main window's size, position and splitters.

The keys, their types and defaults are declared once in :mod:`pmsdesk.domain.settings`; here they are
stored with QSettings, grouped under the signed-in user's name, so the nurse at the bench and the
neurologist on the same computer each find the window as they left it. A first start (nothing stored
yet, or a screen that has since gone) fits the screen the window opens on: never larger than that
screen's available area, centred on it.

``PMSDESK_SETTINGS_DIR`` puts the settings file in another folder (the tests use it).
"""

from __future__ import annotations

import os
from urllib.parse import quote

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, QSettings, QSize, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMainWindow, QSplitter

from pmsdesk.domain.settings import (
    MAIN_WINDOW_MAXIMIZED,
    MAIN_WINDOW_POSITION,
    MAIN_WINDOW_SIZE,
    SPLITTER_SIZES,
    FlagSetting,
    NumbersSetting,
    fit_on_screen,
    splitter_key,
)

SETTINGS_DIR_VARIABLE = "PMSDESK_SETTINGS_DIR"
SETTINGS_FILE = "windows.ini"


def settings_store() -> QSettings:
    """This computer's window settings file (every user's, each in their own group)."""
    folder = os.environ.get(SETTINGS_DIR_VARIABLE)
    if folder:
        return QSettings(os.path.join(folder, SETTINGS_FILE), QSettings.Format.IniFormat)
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "pmsdesk", "windows")


class WindowSettings:
    """One user's window settings."""

    def __init__(self, username: str, store: QSettings | None = None):
        self.username = username
        self.store = store if store is not None else settings_store()
        self.group = f"users/{quote(username, safe='')}"

    def _key(self, key: str) -> str:
        return f"{self.group}/{key}"

    def get(self, setting: NumbersSetting | FlagSetting, key: str | None = None):
        return setting.parse(self.store.value(self._key(key or setting.key)))

    def set(self, setting: NumbersSetting | FlagSetting, value, key: str | None = None) -> None:
        self.store.setValue(self._key(key or setting.key), setting.text(value))

    # ----- the main window ------------------------------------------------------------------------
    def restore(self, window: QMainWindow) -> None:
        """Size and place ``window`` as this user left it, fitted to the screen it opens on (frame
        included: the fit is done again when the window is first shown and its frame is known)."""
        size = self.get(MAIN_WINDOW_SIZE)
        position = self.get(MAIN_WINDOW_POSITION)
        screen = None
        if position is not None:
            centre = QPoint(position[0] + size[0] // 2, position[1] + size[1] // 2)
            screen = QGuiApplication.screenAt(centre)
            if screen is None:  # that screen is not there any more: start afresh on this one
                position = None
        screen = screen or window.screen() or QGuiApplication.primaryScreen()
        _fit(window, size, position, screen.availableGeometry(), QSize(0, 0))
        if self.get(MAIN_WINDOW_MAXIMIZED):
            window.setWindowState(window.windowState() | Qt.WindowState.WindowMaximized)
        else:
            window.installEventFilter(_FitWithFrameOnFirstShow(window, size, position, screen.availableGeometry()))
        for splitter in self._splitters(window):
            sizes = self.get(SPLITTER_SIZES, splitter_key(splitter.objectName()))
            if sizes is not None and len(sizes) == splitter.count() and any(sizes):
                splitter.setSizes(list(sizes))

    def save(self, window: QMainWindow) -> None:
        maximized = window.isMaximized()
        geometry = window.normalGeometry() if maximized and window.normalGeometry().isValid() else None
        size = (geometry.width(), geometry.height()) if geometry else (window.width(), window.height())
        position = (geometry.x(), geometry.y()) if geometry else (window.x(), window.y())
        self.set(MAIN_WINDOW_SIZE, size)
        self.set(MAIN_WINDOW_POSITION, position)
        self.set(MAIN_WINDOW_MAXIMIZED, maximized)
        for splitter in self._splitters(window):
            shown = all(not splitter.widget(i).isHidden() for i in range(splitter.count()))
            if shown and any(splitter.sizes()):  # a pane hidden for now (the visit editor's full width) is not a choice
                self.set(SPLITTER_SIZES, tuple(splitter.sizes()), splitter_key(splitter.objectName()))
        self.store.sync()

    @staticmethod
    def _splitters(window: QMainWindow) -> list[QSplitter]:
        """The splitters to remember: those given a name (``setObjectName``)."""
        return [splitter for splitter in window.findChildren(QSplitter) if splitter.objectName()]


def _fit(window: QMainWindow, size: tuple[int, int], position: tuple[int, int] | None, area: QRect,
         frame: QSize) -> None:
    """Resize and move ``window`` so that, with a frame adding ``frame`` to its size, it fits ``area``."""
    wanted = (size[0] + frame.width(), size[1] + frame.height())
    x, y, width, height = fit_on_screen(wanted, position, (area.x(), area.y(), area.width(), area.height()))
    width, height = width - frame.width(), height - frame.height()
    least = window.minimumSizeHint()
    if least.width() > width or least.height() > height:
        # A screen smaller than the window's layout needs: the window still fits it (its content is
        # cut off at the edge rather than the window reaching past the screen).
        window.setMinimumSize(min(least.width(), width), min(least.height(), height))
    window.resize(width, height)
    window.move(x, y)


class _FitWithFrameOnFirstShow(QObject):
    """When the window is first shown its frame (title bar, borders) is known: fit the whole of it."""

    def __init__(self, window: QMainWindow, size, position, area: QRect):
        super().__init__(window)
        self.size, self.position, self.area = size, position, area

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.Show:
            watched.removeEventFilter(self)
            frame = watched.frameGeometry().size() - watched.geometry().size()
            if frame.width() > 0 or frame.height() > 0:
                _fit(watched, (watched.width(), watched.height()), self.position, self.area, frame)
            self.deleteLater()
        return False
