"""Clinic-wide settings an administrator may change, each declared once with its default and range.

They are stored in the database (table ``setting``) so every workstation of the clinic follows them.
The window settings at the end are not the clinic's: they are one person's, on one computer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pmsdesk.domain.assessments.labs import LAB_LABELS, LAB_UNITS
from pmsdesk.domain.procedure_safety import (
    ABN_2018,
    CHECK_LOCALLY,
    HOLD_HOURS_DEFAULTS,
    NCT02644044,
    REFERENCE_RANGE_DEFAULTS,
    REFERENCE_RANGE_SOURCE,
    Thresholds,
)


@dataclass(frozen=True)
class WholeNumberSetting:
    key: str
    label: str
    unit: str
    default: int
    minimum: int
    maximum: int
    source: str = ""  # where the default comes from (shown beside the setting where it is changed)

    @staticmethod
    def _number(text: str) -> int:
        return int(text)

    def parse(self, text: str | None) -> int:
        """The stored text as a number; a missing or unreadable value falls back to the default."""
        try:
            value = self._number(text) if text is not None else self.default
        except ValueError:
            return self.default
        return value if self.minimum <= value <= self.maximum else self.default

    def text(self, raw: object) -> str:
        """``raw`` as it is stored: the number, written plainly ("1,2" becomes "1.2")."""
        value = self._number(str(raw).strip())
        return str(value) if isinstance(value, int) else f"{value:g}"

    def problem(self, raw: object) -> str | None:
        """Why ``raw`` cannot be stored, or None when it can."""
        unit = f" {self.unit}" if self.unit else ""
        allowed = f"enter {self.kind_of_number} from {self.minimum:g} to {self.maximum:g}{unit}"
        try:
            value = self._number(str(raw).strip())
        except ValueError:
            return f"{self.label}: \u201c{raw}\u201d is not allowed; {allowed}."
        if not self.minimum <= value <= self.maximum:
            shown = value if isinstance(value, int) else f"{value:g}"
            return f"{self.label}: {shown} is not allowed; {allowed}."
        return None

    kind_of_number = "a whole number"


@dataclass(frozen=True)
class DecimalSetting(WholeNumberSetting):
    """A setting that may have decimals (an INR of 1.4, a count of 0.8 x10^9/L)."""

    default: float
    minimum: float
    maximum: float
    kind_of_number = "a number"

    @staticmethod
    def _number(text: str) -> float:
        return float(text.replace(",", "."))


LOCK_AFTER_MINUTES = WholeNumberSetting("lock_after_minutes", "Lock the screen after", "minutes without use",
                                        default=10, minimum=1, maximum=240)
BACKUP_KEEP_DAYS = WholeNumberSetting("backup_keep_days", "Keep automatic backups for", "days",
                                      default=14, minimum=1, maximum=3650)

# ----- the pre-puncture safety check (pmsdesk.domain.procedure_safety: the rules and their sources) -----
# Defaults are the sources' values; a clinic may set its own. Hold times are per medicine, in hours.
PLATELETS_MIN = DecimalSetting("safety/platelets_min", "Lowest platelet count for a puncture", "x10^9/L",
                               default=50.0, minimum=10.0, maximum=200.0, source=CHECK_LOCALLY)
INR_MAX = DecimalSetting("safety/inr_max", "Highest INR on the day (warfarin)", "", default=1.4, minimum=1.0,
                         maximum=2.0, source=ABN_2018)
WBC_MIN = DecimalSetting("safety/wbc_min", "Lowest white cell count (methotrexate)", "x10^9/L", default=4.0,
                         minimum=1.0, maximum=10.0, source=NCT02644044)
LYMPHOCYTES_MIN = DecimalSetting("safety/lymphocytes_min", "Lowest lymphocyte count (methotrexate)", "x10^9/L",
                                 default=0.8, minimum=0.1, maximum=4.0, source=NCT02644044)
LAB_MAX_AGE_DAYS = WholeNumberSetting(
    "safety/lab_max_age_days", "Laboratory values accepted for the check up to", "days old", default=28,
    minimum=0, maximum=365, source="no published schedule for intrathecal methotrexate in MS (systemic "
    "methotrexate is monitored every 1-2 weeks after a change, Specialist Pharmacy Service): set locally")


HOLD_HOURS = {drug: WholeNumberSetting(f"safety/hold_hours/{drug.value}", f"Stop {drug.label} before a puncture",
                                       "hours", default=hours, minimum=0, maximum=24 * 30, source=ABN_2018)
              for drug, hours in HOLD_HOURS_DEFAULTS.items()}
# The laboratory's reference range of each value (low, high), named beside a value outside it in the check.
LAB_REFERENCE_RANGES = {key: tuple(DecimalSetting(f"labs/reference/{key}/{end}", f"{LAB_LABELS[key]}: {end} "
                                                  "end of the reference range", LAB_UNITS[key], default=bound,
                                                  minimum=0.0, maximum=5000.0, source=REFERENCE_RANGE_SOURCE)
                                   for end, bound in zip(("low", "high"), bounds))
                        for key, bounds in REFERENCE_RANGE_DEFAULTS.items()}
SAFETY_SETTINGS = (PLATELETS_MIN, INR_MAX, WBC_MIN, LYMPHOCYTES_MIN, LAB_MAX_AGE_DAYS, *HOLD_HOURS.values())
REFERENCE_SETTINGS = tuple(end for ends in LAB_REFERENCE_RANGES.values() for end in ends)


def safety_thresholds(stored: Mapping[str, str]) -> Thresholds:
    """The check's thresholds and the labs' reference ranges from the clinic's stored settings (key ->
    text), defaults where unset."""
    def value(setting: WholeNumberSetting):
        return setting.parse(stored.get(setting.key))

    return Thresholds(hold_hours={drug: value(setting) for drug, setting in HOLD_HOURS.items()},
                      platelets_min=value(PLATELETS_MIN), inr_max=value(INR_MAX), wbc_min=value(WBC_MIN),
                      lymphocytes_min=value(LYMPHOCYTES_MIN), lab_max_age_days=value(LAB_MAX_AGE_DAYS),
                      reference_ranges={key: (value(low), value(high))
                                        for key, (low, high) in LAB_REFERENCE_RANGES.items()})


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
