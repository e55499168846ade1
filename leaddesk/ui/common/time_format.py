"""How stored times (naive UTC) read on screen: the user's local time, minutes precision."""

from __future__ import annotations

from datetime import UTC, datetime


def local_time(when: datetime | None) -> str:
    if when is None:
        return ""
    aware = when if when.tzinfo is not None else when.replace(tzinfo=UTC)
    return aware.astimezone().strftime("%Y-%m-%d %H:%M")
