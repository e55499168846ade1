"""What the offline core reports to the command line and the window (Qt-free value types)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from leaddesk.errors import DatabaseUnavailableError


class ServerUnreachableError(DatabaseUnavailableError):
    """The replica's server cannot be reached; one line for the user, the journal untouched."""


@dataclass(frozen=True)
class ReplicaInfo:
    path: str  # the replica SQLite file
    server_url: str  # without password
    actor_name: str  # the person the replica is for
    created_at: datetime
    last_sync_at: datetime | None  # last successful pull (UTC, aware)
    pending_passes: int  # journal entries not yet sent
    open_conflicts: int


@dataclass(frozen=True)
class SyncReport:
    applied: int  # journal entries applied on the server this run
    already_applied: int  # entries the server already had (a replay)
    conflicts: int  # entries that became conflicts this run
    leads_changed: int  # leads pulled (changed, entered or left the view)
    full_refresh: bool  # a full pull was needed (older replica / server schema moved)

    def summary(self) -> str:
        """One line for the user: "3 passes sent, 1 conflict, 12 leads changed"."""
        sent = self.applied + self.already_applied
        parts = [
            f"{sent} pass{'es' if sent != 1 else ''} sent",
            f"{self.conflicts} conflict{'s' if self.conflicts != 1 else ''}",
            f"{self.leads_changed} lead{'s' if self.leads_changed != 1 else ''} changed",
        ]
        line = ", ".join(parts)
        return line + (" (full refresh)" if self.full_refresh else "")


@dataclass(frozen=True)
class ConflictSide:
    """What the server has now for one lead of a conflicting offline pass."""

    lead_id: int
    lead_name: str
    place: str  # the owner's name, or "Leads to be Assigned: <office or pass group>"
    changed_by: str | None  # who moved it last on the server (None: never moved)
    changed_at: datetime | None  # when (UTC, aware)
    seen_version: int | None  # the version the offline pass saw
    server_version: int | None  # the version on the server now (None: gone or out of view)


@dataclass(frozen=True)
class Conflict:
    """An offline pass the server did not apply, kept whole beside the server's side."""

    id: int
    journal_uuid: str
    passed_at: datetime  # when the pass was made offline (UTC, aware)
    actor_name: str
    method: str
    lead_names: tuple[str, ...]
    target_label: str
    note: str
    server_now: tuple[ConflictSide, ...]  # per lead: owner or bucket now, changed by, when
    reason: str  # the server's refusal, one line
