"""What every report shares: who asks, and the shapes a report is shown in (a table for
the screen and CSV, a chart for the window and PNG), so the window and the command line
cannot tell two different stories."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from leaddesk.errors import InvalidInputError
from leaddesk.reassignment import permissions
from leaddesk.store.models import User, utc_now

# Without --since, the reports over time look back this far.
DEFAULT_WEEKS_BACK = 12


def report_actor(session: Session, actor_id: int) -> User:
    return permissions.signed_in_user(session, actor_id)


def default_since(now: datetime | None = None) -> datetime:
    """Midnight (UTC) twelve weeks ago."""
    day = (now or utc_now()).replace(hour=0, minute=0, second=0, microsecond=0)
    return day - timedelta(weeks=DEFAULT_WEEKS_BACK)


def parse_since(text: str, now: datetime | None = None) -> datetime:
    """``2026-11-01`` or ``2026-11-01T08:30`` (UTC); not in the future."""
    try:
        since = datetime.fromisoformat(text.strip().replace(" ", "T"))
    except ValueError as exc:
        raise InvalidInputError(
            f"'{text}' is not a date; use YYYY-MM-DD or YYYY-MM-DDTHH:MM (UTC)."
        ) from exc
    if since.tzinfo is not None:
        since = since.astimezone(UTC).replace(tzinfo=None)
    if since > (now or utc_now()):
        raise InvalidInputError(f"--since {text} is in the future; give a date up to today.")
    return since


@dataclass(frozen=True)
class ReportTable:
    """Rows as shown and exported: numbers stay numbers (a spreadsheet can sum them)."""

    title: str
    headers: list[str]
    rows: list[list[object]]


@dataclass(frozen=True)
class ChartSeries:
    """One colour of a chart. ``colour`` names where the colour comes from: ("status",
    position) takes the status's colour, ("series", index) the chart palette's."""

    name: str
    colour: tuple[str, int]


@dataclass(frozen=True)
class ChartRow:
    label: str
    values: tuple[float, ...]  # one per series, stacked left to right
    end_label: str  # written after the bar
    tooltip: str


@dataclass(frozen=True)
class ChartData:
    """A horizontal stacked bar chart: one bar per row, one segment per series."""

    title: str
    series: tuple[ChartSeries, ...]
    rows: tuple[ChartRow, ...]
    empty_text: str
    notes: tuple[str, ...] = field(default=())

    def largest(self) -> float:
        return max((sum(row.values) for row in self.rows), default=0.0)


def hours(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 3600, 2)


def duration_text(seconds: float | None) -> str:
    """A wait for people: minutes under two hours, hours under two days, then days."""
    if seconds is None:
        return "—"
    if seconds < 2 * 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"
