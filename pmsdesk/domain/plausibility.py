"""Typing guards: a change between two visits far larger than a real one would be.

These are pmsdesk's own plausibility guards, not published clinical rules: they exist to catch a
mistyped value (65 s typed for 6.5 s) while the patient is still there, and only ever warn. Each
measure declares its guard in the assessment registry; the thresholds are deliberately wide,
several times the meaningful-change thresholds of spec 4.1, so a real worsening seldom trips them:

- timed tests (T25FW mean, 9HPT mean of a hand) and the six-minute walk: the value more than
  doubles or falls to less than half;
- EDSS: a jump of 2 steps (2.0 points) or more in either direction;
- SDMT: a change of more than 15 points in either direction.
"""

from __future__ import annotations

from pmsdesk.domain.assessments import REGISTRY


def implausible_change(measure: str, previous: float | int, current: float | int) -> str | None:
    """Why ``current`` looks mistyped given ``previous`` (a short sentence), or None when plausible,
    unguarded, or the measure is not (or no longer) registered."""
    if not REGISTRY.has_measure(measure):
        return None
    return REGISTRY.measure(measure).implausible(previous, current)
