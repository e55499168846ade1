"""Telling open windows what changed: NOTIFY on a server, ``PRAGMA data_version`` on a file.

A pass, assignment, undo or administrative change announces what it touched (owners,
buckets, leads; or "administration") with ``NOTIFY leaddesk_changes`` in its own transaction,
so listeners hear of it exactly when it commits and never for a rolled-back change. The
payload carries ids only. A SQLite file has no NOTIFY; a watcher polls ``data_version``,
which changes when another connection commits, and reports "something changed".

Both watchers run a thread of their own and call back from it; the window hands the call
over to its GUI thread.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import Text, column, func, select, text
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import TextualSelect

from leaddesk.server.policies import NOTIFY_CHANNEL

# NOTIFY payloads must stay under 8000 bytes; a bigger pass names its places, not its leads.
MAX_LEADS_NAMED = 200


@dataclass(frozen=True)
class Changes:
    """What a committed change touched. ``leads`` None: any lead of the places named."""

    owners: frozenset[int] = field(default_factory=frozenset)
    offices: frozenset[int] = field(default_factory=frozenset)
    groups: frozenset[int] = field(default_factory=frozenset)
    leads: frozenset[int] | None = field(default_factory=frozenset)
    administration: bool = False
    everything: bool = False  # from a watcher that cannot say what (SQLite)

    def to_payload(self) -> str:
        return json.dumps(
            {
                "owners": sorted(self.owners),
                "offices": sorted(self.offices),
                "groups": sorted(self.groups),
                "leads": None if self.leads is None else sorted(self.leads),
                "administration": self.administration,
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_payload(cls, payload: str) -> Changes:
        try:
            data = json.loads(payload)
            leads = data.get("leads")
            return cls(
                owners=frozenset(data.get("owners", ())),
                offices=frozenset(data.get("offices", ())),
                groups=frozenset(data.get("groups", ())),
                leads=None if leads is None else frozenset(leads),
                administration=bool(data.get("administration", False)),
            )
        except (ValueError, TypeError, AttributeError):
            # Not ours (someone NOTIFYing by hand): reload everything rather than miss it.
            return cls(everything=True)

    def merged(self, other: Changes) -> Changes:
        """Both changes in one (a window coalesces what it hears in a short while)."""
        leads = None if self.leads is None or other.leads is None else self.leads | other.leads
        return Changes(
            owners=self.owners | other.owners,
            offices=self.offices | other.offices,
            groups=self.groups | other.groups,
            leads=leads,
            administration=self.administration or other.administration,
            everything=self.everything or other.everything,
        )

    @property
    def touches_owners(self) -> bool:
        return self.everything or self.administration or bool(self.owners)

    @property
    def touches_buckets(self) -> bool:
        return self.everything or self.administration or bool(self.offices or self.groups)

    def touches_lead(self, lead_id: int) -> bool:
        return self.everything or self.leads is None or lead_id in self.leads


# The notice of one or more batches, built and sent by the server in one round trip: the
# places their leads left and reached, and their leads when there are few (the payload of
# Changes.to_payload). The history is read once: each read of it under the server's
# policies checks its leads are visible, which costs a scan of the person's leads.
_PLACES = (
    "ARRAY(SELECT DISTINCT place FROM moved, LATERAL (VALUES (moved.from_{0}),"
    " (moved.to_{0})) AS p(place) WHERE place IS NOT NULL ORDER BY place)"
)
_ANNOUNCE_BATCH = text(
    "WITH moved AS MATERIALIZED (SELECT lead_id, from_owner_id, to_owner_id,"
    " from_office_id, to_office_id, from_group_id, to_group_id FROM pass_history"
    " WHERE batch_id = ANY(CAST(:batches AS integer[])))"
    " SELECT pg_notify(:channel, json_build_object("
    f"'owners', {_PLACES.format('owner_id')},"
    f" 'offices', {_PLACES.format('office_id')},"
    f" 'groups', {_PLACES.format('group_id')},"
    " 'leads', CASE WHEN (SELECT count(*) FROM moved) <= :named"
    " THEN ARRAY(SELECT DISTINCT lead_id FROM moved ORDER BY lead_id) END,"
    " 'administration', false)::text)"
)


def announce(session: Session, changes: Changes) -> None:
    """NOTIFY listeners when the caller's transaction commits (PostgreSQL only)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    session.execute(
        select(func.pg_notify(NOTIFY_CHANNEL, changes.to_payload()))  # type: ignore[arg-type]
    )


def batch_notice(batch_ids: Sequence[int]) -> TextualSelect:
    """The SELECT that builds and sends one notice of these passes, assignments or undos
    (PostgreSQL): a subquery of the statement that closes the batches (reassignment.batches)."""
    return _ANNOUNCE_BATCH.bindparams(
        channel=NOTIFY_CHANNEL, batches=sorted(batch_ids), named=MAX_LEADS_NAMED
    ).columns(column("pg_notify", Text))


def announce_administration(session: Session) -> None:
    announce(session, Changes(administration=True))


Callback = Callable[[Changes], None]


class ChangeListener:
    """A thread that LISTENs on its own PostgreSQL connection and calls back per NOTIFY."""

    def __init__(self, url: URL, on_changes: Callback, *, poll_seconds: float = 0.5) -> None:
        import psycopg  # the driver we ship; imported here so SQLite users never load it

        self._connection = psycopg.connect(
            **_psycopg_arguments(url), autocommit=True, application_name="LeadDesk listener"
        )
        self._connection.execute(f"LISTEN {NOTIFY_CHANNEL}")
        self._on_changes = on_changes
        self._poll_seconds = poll_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="leaddesk-listener", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                for notice in self._connection.notifies(timeout=self._poll_seconds):
                    self._on_changes(Changes.from_payload(notice.payload))
        except Exception:  # the connection dropped or closed: listening ends with it
            if not self._stop.is_set():
                self._on_changes(Changes(everything=True))

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5 * self._poll_seconds + 5)
        self._connection.close()


def _psycopg_arguments(url: URL) -> dict[str, object]:
    arguments: dict[str, object] = {
        "host": url.host or "localhost",
        "port": url.port or 5432,
        "dbname": url.database,
        "user": url.username,
        "connect_timeout": 10,
    }
    if url.password is not None:
        arguments["password"] = url.password
    arguments.update({str(k): v for k, v in url.query.items()})
    return arguments


class DataVersionWatcher:
    """A thread that notices other connections' commits to a SQLite file."""

    def __init__(self, path: str, on_changes: Callback, *, poll_seconds: float = 0.25) -> None:
        self._connection = sqlite3.connect(path, check_same_thread=False)
        self._on_changes = on_changes
        self._poll_seconds = poll_seconds
        self._version = self._read_version()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="leaddesk-watcher", daemon=True)
        self._thread.start()

    def _read_version(self) -> int:
        # data_version changes when another connection commits; our own commits do not
        # count, and this connection never writes.
        return int(self._connection.execute("PRAGMA data_version").fetchone()[0])

    def _run(self) -> None:
        while not self._stop.wait(self._poll_seconds):
            try:
                version = self._read_version()
            except sqlite3.Error:
                continue
            if version != self._version:
                self._version = version
                self._on_changes(Changes(everything=True))

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._connection.close()


def watch_changes(url: URL, on_changes: Callback) -> ChangeListener | DataVersionWatcher:
    """The right watcher for a database: NOTIFY on PostgreSQL, data_version on SQLite."""
    if url.get_backend_name() == "sqlite":
        return DataVersionWatcher(url.database or "", on_changes)
    return ChangeListener(url, on_changes)


__all__ = [
    "ChangeListener",
    "Changes",
    "DataVersionWatcher",
    "announce",
    "announce_administration",
    "batch_notice",
    "watch_changes",
]
