"""Typing guards: a change between two visits far larger than a real one would be.

These are pmsdesk's own plausibility guards, not published clinical rules: they exist to catch a
mistyped value (65 s typed for 6.5 s) while the patient is still there, and only ever warn. The
thresholds are deliberately wide, several times the meaningful-change thresholds of spec 4.1, so a
real worsening seldom trips them:

- timed tests (T25FW mean, 9HPT mean of a hand) and the six-minute walk: the value more than
  doubles or falls to less than half;
- EDSS: a jump of 2 steps (2.0 points) or more in either direction;
- SDMT: a change of more than 15 points in either direction.
"""

from __future__ import annotations

from decimal import Decimal

from pmsdesk.domain.scoring.change import exact

RATIO_MEASURES = ("t25fw", "nhpt_dominant", "nhpt_nondominant", "six_minute_walk")
TIMED_RATIO_LIMIT = Decimal(2)
EDSS_JUMP_LIMIT = Decimal("2.0")
SDMT_CHANGE_LIMIT = Decimal(15)


def implausible_change(measure: str, previous: float | int, current: float | int) -> str | None:
    """Why ``current`` looks mistyped given ``previous`` (a short sentence), or None when plausible."""
    before, now = exact(previous), exact(current)
    if measure in RATIO_MEASURES:
        if before <= 0 or now <= 0:
            return None
        if now > before * TIMED_RATIO_LIMIT:
            return "more than double the last value"
        if now * TIMED_RATIO_LIMIT < before:
            return "less than half the last value"
        return None
    if measure == "edss":
        if abs(now - before) >= EDSS_JUMP_LIMIT:
            return f"{abs(now - before):.1f} points from the last value"
        return None
    if measure == "sdmt":
        if abs(now - before) > SDMT_CHANGE_LIMIT:
            return f"{abs(now - before):.0f} points from the last value"
        return None
    raise ValueError(f"no plausibility guard for {measure!r}")
