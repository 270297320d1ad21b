"""Clinic-wide settings an administrator may change, each declared once with its default and range.

They are stored in the database (table ``setting``) so every workstation of the clinic follows them.
The window settings at the end are not the clinic's: they are one person's, on one computer.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WholeNumberSetting:
    key: str
    label: str
    unit: str
    default: int
    minimum: int
    maximum: int

    def parse(self, text: str | None) -> int:
        """The stored text as a number; a missing or unreadable value falls back to the default."""
        try:
            value = int(text) if text is not None else self.default
        except ValueError:
            return self.default
        return value if self.minimum <= value <= self.maximum else self.default

    def problem(self, raw: object) -> str | None:
        """Why ``raw`` cannot be stored, or None when it can."""
        allowed = f"enter a whole number from {self.minimum} to {self.maximum} {self.unit}"
        try:
            value = int(str(raw).strip())
        except ValueError:
            return f"{self.label}: \u201c{raw}\u201d is not allowed; {allowed}."
        if not self.minimum <= value <= self.maximum:
            return f"{self.label}: {value} is not allowed; {allowed}."
        return None


LOCK_AFTER_MINUTES = WholeNumberSetting("lock_after_minutes", "Lock the screen after", "minutes without use",
                                        default=10, minimum=1, maximum=240)
BACKUP_KEEP_DAYS = WholeNumberSetting("backup_keep_days", "Keep automatic backups for", "days",
                                      default=14, minimum=1, maximum=3650)

ADMIN_SETTINGS = (LOCK_AFTER_MINUTES, BACKUP_KEEP_DAYS)


# ----- one person's windows on this computer ---------------------------------------------------------
# Not the clinic's: each user's own window size, position and splitter positions, kept on this
# computer (pmsdesk.ui.window_settings stores them with QSettings, under the user name). Declared once
# here, each with its type and default; a stored value that is missing or unreadable gives the default.


@dataclass(frozen=True)
class NumbersSetting:
    """A few whole numbers (a size, a position, splitter sizes), stored as text like "1366,768"."""

    key: str
    label: str
    count: int | None  # how many numbers; None: any number of them, at least one
    default: tuple[int, ...] | None
    minimum: int | None = None

    def parse(self, text: object) -> tuple[int, ...] | None:
        if isinstance(text, (list, tuple)):  # QSettings may hand back "1366,768" as a list of strings
            text = ",".join(str(part) for part in text)
        try:
            numbers = tuple(int(part) for part in str(text).split(",")) if text not in (None, "") else None
        except ValueError:
            return self.default
        if numbers is None or (self.count is not None and len(numbers) != self.count):
            return self.default
        if self.minimum is not None and any(number < self.minimum for number in numbers):
            return self.default
        return numbers

    def text(self, value: tuple[int, ...]) -> str:
        return ",".join(str(int(number)) for number in value)


@dataclass(frozen=True)
class FlagSetting:
    key: str
    label: str
    default: bool

    def parse(self, text: object) -> bool:
        if isinstance(text, bool):
            return text
        return {"true": True, "false": False}.get(str(text).strip().lower(), self.default)

    def text(self, value: bool) -> str:
        return "true" if value else "false"


MAIN_WINDOW_SIZE = NumbersSetting("main_window/size", "Main window size (width, height)", 2, (1366, 768), minimum=1)
MAIN_WINDOW_POSITION = NumbersSetting("main_window/position", "Main window position (left, top)", 2, None)
MAIN_WINDOW_MAXIMIZED = FlagSetting("main_window/maximized", "Main window maximised", False)
SPLITTER_SIZES = NumbersSetting("splitters", "Splitter sizes, one setting per named splitter", None, None, minimum=0)

WINDOW_SETTINGS = (MAIN_WINDOW_SIZE, MAIN_WINDOW_POSITION, MAIN_WINDOW_MAXIMIZED, SPLITTER_SIZES)


def splitter_key(name: str) -> str:
    """The key of one splitter's sizes (``splitters/<objectName>``)."""
    return f"{SPLITTER_SIZES.key}/{name}"


def fit_on_screen(size: tuple[int, int], position: tuple[int, int] | None,
                  available: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    """(left, top, width, height) of a window of ``size`` wanted at ``position`` on a screen whose
    available area is ``available`` (left, top, width, height): never larger than that area; kept where it
    was when it still fits there, else moved inside; centred when it has no position yet."""
    left, top, area_width, area_height = available
    width, height = min(size[0], area_width), min(size[1], area_height)
    if position is None:
        x, y = left + (area_width - width) // 2, top + (area_height - height) // 2
    else:
        x = min(max(position[0], left), left + area_width - width)
        y = min(max(position[1], top), top + area_height - height)
    return x, y, width, height
