"""The per-user window settings, declared once: typed parsing with defaults, and fitting a window on a screen."""

from __future__ import annotations

from pmsdesk.domain.settings import (
    MAIN_WINDOW_MAXIMIZED,
    MAIN_WINDOW_POSITION,
    MAIN_WINDOW_SIZE,
    SPLITTER_SIZES,
    WINDOW_SETTINGS,
    fit_on_screen,
    splitter_key,
)


def test_each_window_setting_has_one_key_and_a_typed_default():
    assert len({setting.key for setting in WINDOW_SETTINGS}) == len(WINDOW_SETTINGS)
    assert MAIN_WINDOW_SIZE.default == (1366, 768) and MAIN_WINDOW_POSITION.default is None
    assert MAIN_WINDOW_MAXIMIZED.default is False and splitter_key("main_splitter") == "splitters/main_splitter"


def test_stored_text_is_parsed_and_anything_unreadable_gives_the_default():
    assert MAIN_WINDOW_SIZE.parse("700,500") == (700, 500)
    assert MAIN_WINDOW_SIZE.parse(["700", "500"]) == (700, 500)  # how QSettings may return it
    for bad in (None, "", "wide", "700", "700,500,1", "0,500", "-5,10"):
        assert MAIN_WINDOW_SIZE.parse(bad) == (1366, 768), bad
    assert MAIN_WINDOW_POSITION.parse("-1200,40") == (-1200, 40)  # a screen left of the main one
    assert SPLITTER_SIZES.parse("380,986") == (380, 986) and SPLITTER_SIZES.parse("1,x") is None
    assert MAIN_WINDOW_MAXIMIZED.parse("true") is True and MAIN_WINDOW_MAXIMIZED.parse("perhaps") is False
    assert MAIN_WINDOW_SIZE.parse(MAIN_WINDOW_SIZE.text((640, 480))) == (640, 480)


def test_a_window_is_never_larger_than_the_screen_and_stays_on_it():
    screen = (0, 0, 1280, 720)
    assert fit_on_screen((1366, 768), None, screen) == (0, 0, 1280, 720)
    assert fit_on_screen((800, 600), None, screen) == (240, 60, 800, 600)  # first start: centred
    assert fit_on_screen((800, 600), (100, 50), screen) == (100, 50, 800, 600)  # where it was
    assert fit_on_screen((800, 600), (900, 500), screen) == (480, 120, 800, 600)  # moved back inside
    assert fit_on_screen((800, 600), (-2000, 10), (-1920, 0, 1920, 1080)) == (-1920, 10, 800, 600)
