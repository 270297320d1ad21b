"""Stored moments as people read them."""

from __future__ import annotations

import datetime as dt


def as_utc(moment: dt.datetime) -> dt.datetime:
    """A stored moment with its zone (SQLite hands back the stored UTC time without it)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def local_time(moment: dt.datetime) -> str:
    """A stored moment in this computer's time zone, to the minute: "2026-11-20 14:05"."""
    return f"{as_utc(moment).astimezone():%Y-%m-%d %H:%M}"


def local_clock(moment: dt.datetime) -> str:
    """A stored moment as a refusal or a table says when: "14:32 on 02 Dec 2026"."""
    return f"{as_utc(moment).astimezone():%H:%M on %d %b %Y}"
