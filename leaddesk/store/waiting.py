"""Waiting-time limits of buckets: reading and writing a limit, how long a lead waited.

A lead waits in a bucket from its last change (``updated_at``: the pass that put it there;
the Leads to be Assigned tab shows the same time as *Waiting since*). It is overdue once it
waited longer than its bucket's limit. Shared by the window, the command line and the
reminders; no writes here.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from leaddesk.errors import InvalidInputError

# The longest limit accepted: a limit is about hours and days, not months.
MAX_LIMIT_MINUTES = 60 * 24 * 90
_PART = re.compile(r"(\d+)\s*(min|d|h|m)(?![a-z])")
_UNIT_MINUTES = {"d": 24 * 60, "h": 60, "m": 1, "min": 1}


def parse_limit(text: str) -> int | None:
    """Minutes from what people type (``4h``, ``90m``, ``1h30m``, ``2d``), or ``none``."""
    cleaned = text.strip().lower()
    if cleaned in ("none", "off", "no"):
        return None
    parts = _PART.findall(cleaned)
    if not parts or _PART.sub("", cleaned).strip():
        raise InvalidInputError(
            f"Unknown waiting limit '{text}'; write it like 4h, 90m, 1h30m or 2d, or none."
        )
    minutes = sum(int(number) * _UNIT_MINUTES[unit] for number, unit in parts)
    if not 0 < minutes <= MAX_LIMIT_MINUTES:
        raise InvalidInputError(
            f"A waiting limit is between 1 minute and {MAX_LIMIT_MINUTES // (24 * 60)} days; "
            f"'{text}' is not."
        )
    return minutes


def duration_text(delta: timedelta) -> str:
    """``3 d 4 h``, ``5 h 12 min``, ``45 min``: the two largest units, for people."""
    minutes = max(int(delta.total_seconds() // 60), 0)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {mins} min" if mins else f"{hours} h"
    return f"{mins} min"


def limit_text(minutes: int | None) -> str:
    return "none" if minutes is None else duration_text(timedelta(minutes=minutes))


def is_overdue(waiting_since: datetime, limit_minutes: int | None, now: datetime) -> bool:
    return limit_minutes is not None and now - waiting_since > timedelta(minutes=limit_minutes)
