"""Stored moments as people read them."""

from __future__ import annotations

import datetime as dt


def local_time(moment: dt.datetime) -> str:
    """A stored moment in this computer's time zone, to the minute."""
    if moment.tzinfo is None:  # SQLite hands back the stored UTC time without its zone
        moment = moment.replace(tzinfo=dt.UTC)
    return f"{moment.astimezone():%Y-%m-%d %H:%M}"
