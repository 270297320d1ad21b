"""Clinic-wide settings an administrator may change, each declared once with its default and range.

They are stored in the database (table ``setting``) so every workstation of the clinic follows them.
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
