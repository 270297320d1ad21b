"""Each person's main window comes back as they left it (size, position, splitter), and a first start,
or a size stored on a bigger screen, fits the screen the window opens on."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QSplitter

from pmsdesk.domain.settings import MAIN_WINDOW_POSITION, MAIN_WINDOW_SIZE
from pmsdesk.services.accounts import Accounts
from pmsdesk.services.clinic import Clinic
from pmsdesk.store.database import Database
from pmsdesk.ui.main_window import MainWindow
from pmsdesk.ui.window_settings import WindowSettings

pytestmark = pytest.mark.usefixtures("qapp")

TODAY = dt.date(2026, 11, 20)
PASSWORDS = {"n.nurse": "nurse's own password", "d.neuro": "neurologist password"}


@pytest.fixture
def store(tmp_path):
    return QSettings(str(tmp_path / "windows.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def open_as(qtbot, db_path, store):
    db = Database.open(str(db_path))
    admin = Accounts(db).create_first_administrator("a.admin", "Ada Admin", "administrator password")
    Accounts(db, admin).create_user("n.nurse", "Nina Nurse", "nurse", PASSWORDS["n.nurse"])
    Accounts(db, admin).create_user("d.neuro", "Dr Dana Neuro", "neurologist", PASSWORDS["d.neuro"])

    def open_(username: str) -> MainWindow:
        actor = Accounts(db).sign_in(username, PASSWORDS[username])
        window = MainWindow(Clinic(db, actor=actor, today=lambda: TODAY), window_settings=WindowSettings(username, store))
        qtbot.addWidget(window)
        window.show()
        return window

    yield open_
    db.close()


def available():
    return QGuiApplication.primaryScreen().availableGeometry()


def splitter_of(window: MainWindow) -> QSplitter:
    return window.findChild(QSplitter, "main_splitter")


def fits(window, area) -> bool:
    """The whole window, frame included, is on the screen's available area."""
    return area.contains(window.frameGeometry())


def test_a_first_start_fits_the_screen_and_is_centred(open_as):
    window = open_as("n.nurse")
    area = available()
    assert fits(window, area)
    assert window.frameGeometry().width() <= area.width() and window.frameGeometry().height() <= area.height()
    assert window.height() == min(MAIN_WINDOW_SIZE.default[1], area.height() - frame(window).height())
    centre = window.frameGeometry().center()
    assert abs(centre.x() - area.center().x()) <= 2 and abs(centre.y() - area.center().y()) <= 2


def frame(window):
    return window.frameGeometry().size() - window.geometry().size()


def test_size_position_and_splitter_are_remembered_for_each_user(open_as, store):
    nurse = open_as("n.nurse")
    first_start = (nurse.width(), nurse.height())
    nurse.resize(nurse.width(), 600)  # the offscreen test screen is 800 wide: the height and place differ
    nurse.move(0, 40)
    nurse.close()
    assert store.value("users/n.nurse/splitters/main_splitter") == ",".join(map(str, splitter_of(nurse).sizes()))

    neurologist = open_as("d.neuro")  # someone else on the same computer: their own, first, window
    assert (neurologist.width(), neurologist.height()) == first_start
    neurologist.resize(neurologist.width(), 650)
    neurologist.close()

    again = open_as("n.nurse")
    assert again.height() == 600 and (again.x(), again.y()) == (0, 40) and fits(again, available())
    neurologist = open_as("d.neuro")
    assert neurologist.height() == 650
    assert store.value("users/n.nurse/main_window/size") == f"{again.width()},600"


def test_a_size_stored_on_a_bigger_screen_is_never_larger_than_this_one(open_as, store):
    settings = WindowSettings("n.nurse", store)
    settings.set(MAIN_WINDOW_SIZE, (4000, 3000))
    settings.set(MAIN_WINDOW_POSITION, (10, 10))
    window = open_as("n.nurse")
    area = available()
    assert window.frameGeometry().size() == area.size() and fits(window, area)


def test_a_position_on_a_screen_that_is_gone_starts_afresh_on_this_one(open_as, store):
    settings = WindowSettings("n.nurse", store)
    settings.set(MAIN_WINDOW_SIZE, (1000, 620))
    settings.set(MAIN_WINDOW_POSITION, (5000, 4000))  # a second monitor, unplugged since
    window = open_as("n.nurse")
    area = available()
    assert window.height() == 620 and fits(window, area)
    assert abs(window.frameGeometry().center().y() - area.center().y()) <= 2  # centred afresh


def test_unreadable_stored_values_fall_back_to_the_defaults(open_as, store):
    store.setValue("users/n.nurse/main_window/size", "wide")
    store.setValue("users/n.nurse/splitters/main_splitter", "1,2,3")  # not this splitter's shape
    window = open_as("n.nurse")
    area = available()
    assert window.height() == min(768, area.height() - frame(window).height()) and fits(window, area)
    assert len(splitter_of(window).sizes()) == 2 and all(size > 0 for size in splitter_of(window).sizes())


def test_named_splitters_are_remembered_per_user(qtbot, store):
    """On the 800-pixel test screen the main window's splitter cannot move (its pages need the width),
    so the same code is shown on a small window of the same kind."""
    from PySide6.QtWidgets import QLabel, QMainWindow

    def window_for(username: str):
        window = QMainWindow()
        splitter = QSplitter()
        splitter.setObjectName("main_splitter")
        splitter.addWidget(QLabel("list"))
        splitter.addWidget(QLabel("page"))
        window.setCentralWidget(splitter)
        qtbot.addWidget(window)
        WindowSettings(username, store).restore(window)
        window.resize(600, 400)
        window.show()
        return window, splitter

    nurse, splitter = window_for("n.nurse")
    first = splitter.sizes()
    splitter.setSizes([420, sum(first) - 420])
    chosen = splitter.sizes()
    assert chosen != first
    WindowSettings("n.nurse", store).save(nurse)
    _, other = window_for("d.neuro")
    assert other.sizes() == first
    _, again = window_for("n.nurse")
    assert again.sizes() == chosen
