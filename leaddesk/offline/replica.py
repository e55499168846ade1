"""Making a replica, telling whether a file is one, and finding this computer's replica of a
server for a person."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from leaddesk.errors import InvalidInputError
from leaddesk.offline.pull import begin_snapshot, read_server, record_pull, write_replica
from leaddesk.offline.registry import candidates, register_replica
from leaddesk.offline.server_link import (
    connect_server,
    is_server_reachable,
    reaching,
    require_known_schema,
    server_actor,
    server_url_of,
    snapshot_session,
)
from leaddesk.offline.types import ReplicaInfo
from leaddesk.store import replica_marker
from leaddesk.store.database import Database, display_url, open_database, resolve_url
from leaddesk.store.models import JournalEntry, ReplicaState, SyncConflict


def create_replica(server_url: str, replica_path: str, *, actor: str | None) -> ReplicaInfo:
    """Copy what the person sees on the server into a new SQLite file, read through their
    own login (the server's row-level security applies) and the same rules as a query."""
    url = server_url_of(server_url)  # what the copy remembers: no password
    path = Path(replica_path).expanduser().absolute()
    if path.exists() and path.stat().st_size > 0:
        raise InvalidInputError(
            f"{path} already exists; choose a new file for the copy (a replica is brought up "
            f"to date with 'leaddesk sync --db {path}')."
        )
    # A password typed into the URL is used for this connection only; later syncs take it
    # from the keyring ('leaddesk db password').
    server = connect_server(resolve_url(server_url))
    try:
        with reaching(url):
            revision = require_known_schema(server)
            with snapshot_session(server) as session:
                snapshot = begin_snapshot(session)
                person = server_actor(session, actor)
                picture = read_server(
                    session, actor=person, snapshot=snapshot, revision=revision, state=None
                )
                person_id, person_name = person.id, person.name
    finally:
        server.dispose()
    remembered = display_url(url)
    try:
        replica = open_database(str(path))
        try:
            with replica.write() as session:
                state = ReplicaState(
                    id=1,
                    server_url=remembered,
                    actor_id=person_id,
                    actor_name=person_name,
                    replica_format=0,
                    server_revision=revision,
                )
                session.add(state)
                write_replica(session, picture, settled_batches=())
                record_pull(session, state, picture)
        finally:
            replica_marker.forget(replica.engine)
            replica.dispose()
    except BaseException:
        # Half a copy is no copy: it must not be mistaken for one later.
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        raise
    register_replica(remembered, person_name, str(path))
    info = replica_info(str(path))
    assert info is not None
    return info


@contextmanager
def open_replica(replica_path: str) -> Iterator[Database]:
    """An existing replica (upgraded to this LeadDesk's schema); one clear line otherwise."""
    path = Path(replica_path).expanduser().absolute()
    if not path.is_file():
        raise InvalidInputError(f"There is no file {path}.")
    database = open_database(str(path))
    try:
        with database.read() as session:
            if session.scalar(select(func.count()).select_from(ReplicaState)) != 1:
                raise InvalidInputError(
                    f"{path} is not an offline copy of a server; make one with "
                    "'leaddesk replica create --server URL --db FILE'."
                )
        yield database
    finally:
        database.dispose()


def replica_info(replica_path: str) -> ReplicaInfo | None:
    """What a replica is and how it stands; None for a file that is not a replica."""
    path = Path(replica_path).expanduser().absolute()
    if not path.is_file():
        return None
    try:
        with open_replica(str(path)) as database, database.read() as session:
            return _info(session, str(path))
    except InvalidInputError as exc:
        if "is not an offline copy" in str(exc):
            return None
        raise


def _info(session: Session, path: str) -> ReplicaInfo:
    state = session.execute(select(ReplicaState)).scalar_one()
    pending = session.scalar(
        select(func.count()).select_from(JournalEntry).where(JournalEntry.state == "pending")
    )
    conflicts = session.scalar(
        select(func.count()).select_from(SyncConflict).where(SyncConflict.resolved_at.is_(None))
    )
    return ReplicaInfo(
        path=path,
        server_url=state.server_url,
        actor_name=state.actor_name,
        created_at=aware(state.created_at),
        last_sync_at=aware(state.last_sync_at) if state.last_sync_at else None,
        pending_passes=int(pending or 0),
        open_conflicts=int(conflicts or 0),
    )


def aware(moment: datetime) -> datetime:
    """Stored times are naive UTC; callers get them with their zone."""
    return moment.replace(tzinfo=UTC)


def find_replica(server_url: str, actor: str | None) -> str | None:
    """The replica of that server and person on this computer, or None."""
    try:
        wanted = display_url(server_url_of(server_url))
    except InvalidInputError:
        return None
    found = [path for path in candidates(wanted, actor) if Path(path).is_file()]
    # Without a name, only an unambiguous copy is the person's.
    if len(found) != 1 and actor is None:
        return None
    return found[-1] if found else None


def server_reachable(server_url: str, *, timeout_s: float = 3.0) -> bool:
    try:
        url = server_url_of(server_url)
    except InvalidInputError:
        return False
    return is_server_reachable(url, timeout_s)
