"""Datetimes as Hub Santé writes them: `YYYY-MM-DDThh:mm:ss±hh:mm`, no fraction, no `Z`."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

HUB_DATETIME_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[\-+]\d{2}:\d{2}$")

_SECONDS_PER_HOUR = 3600
_SECONDS_PER_MINUTE = 60


def format_hub_datetime(moment: datetime) -> str:
    """Write an aware datetime in the Hub's format, dropping any fraction of a second.

    A zero offset is written `-00:00`, as the RC-DE specification asks for UTC.
    """
    offset = moment.utcoffset()
    if offset is None:
        raise ValueError("Hub Santé datetimes need a time zone (naive datetime given)")
    total = int(offset.total_seconds())
    if total % _SECONDS_PER_MINUTE or offset != timedelta(seconds=total):
        raise ValueError(f"offset {offset} is not a whole number of minutes")
    sign = "-" if total <= 0 else "+"
    hours, rest = divmod(abs(total), _SECONDS_PER_HOUR)
    return f"{moment.strftime('%Y-%m-%dT%H:%M:%S')}{sign}{hours:02d}:{rest // _SECONDS_PER_MINUTE:02d}"


def parse_hub_datetime(text: str) -> datetime:
    """Read a Hub datetime into an aware datetime; anything else (`Z`, fraction, no offset) is a ValueError."""
    if not HUB_DATETIME_PATTERN.fullmatch(text):
        raise ValueError(f"not a Hub Santé datetime (YYYY-MM-DDThh:mm:ss±hh:mm): {text!r}")
    return datetime.fromisoformat(text)
