"""The time LeadDesk stores: apart from the models so the window can use it before
SQLAlchemy is loaded (the Leads to be Assigned tab counts waited time with it)."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    """Naive UTC, the one time format stored on both SQLite and PostgreSQL."""
    return datetime.now(UTC).replace(tzinfo=None)
