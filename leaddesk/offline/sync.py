"""``sync``: push the journal through the controller on the server, then pull what changed.

Both halves are safe to cut at any point: the push settles each entry on the replica right
after the server answers (and the server knows entries it applied by their UUID), and the
pull writes the replica in one transaction from one server snapshot. The next sync picks up
where the last one stopped.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from leaddesk.offline.pull import begin_snapshot, read_server, record_pull, write_replica
from leaddesk.offline.push import (
    PushCounts,
    forget_local_batches,
    push_journal,
    settled_local_work,
)
from leaddesk.offline.replica import open_replica
from leaddesk.offline.server_link import (
    connect_server,
    reaching,
    require_known_schema,
    server_actor,
    snapshot_session,
)
from leaddesk.offline.types import SyncReport
from leaddesk.store.database import Database
from leaddesk.store.models import JournalEntry, ReplicaState

SYNC_ROUNDS = 3


def sync_replica(replica_path: str) -> SyncReport:
    """Push the journal, then pull; raises ServerUnreachableError with the journal kept."""
    with open_replica(replica_path) as replica:
        with replica.read() as session:
            server_url = session.execute(select(ReplicaState.server_url)).scalar_one()
            waiting = session.scalar(
                select(func.count())
                .select_from(JournalEntry)
                .where(JournalEntry.state == "pending")
            )
        url = make_url(server_url)
        server = connect_server(url)
        try:
            with reaching(url, int(waiting or 0)):
                revision = require_known_schema(server)
                counts = PushCounts()
                pulled = None
                # A pass made on the copy while this sync ran is sent in another round.
                for _round in range(SYNC_ROUNDS):
                    counts = counts.plus(push_journal(replica, server))
                    pulled = pull_into(replica, server, revision)
                    if pulled is not None:
                        break
                changed, full = pulled if pulled is not None else (0, False)
        finally:
            server.dispose()
    return SyncReport(
        applied=counts.applied,
        already_applied=counts.already_applied,
        conflicts=counts.conflicts,
        leads_changed=changed,
        full_refresh=full,
    )


def pull_into(replica: Database, server: Database, revision: str) -> tuple[int, bool] | None:
    """Pull what changed since the last pull (or everything, when the copy needs it);
    (leads changed, whether it was a full pull), or None when a pass was made on the copy
    meanwhile: its rows must not be overwritten by the server's before it is sent."""
    local_batches, local_leads = settled_local_work(replica)
    with replica.read() as session:
        state = session.execute(select(ReplicaState)).scalar_one()
        session.expunge(state)
    with snapshot_session(server) as session:
        snapshot = begin_snapshot(session)
        actor = server_actor(session, state.actor_name, expected_id=state.actor_id)
        picture = read_server(
            session,
            actor=actor,
            snapshot=snapshot,
            revision=revision,
            state=state,
            refetch=local_leads,
        )
    with replica.write() as session:
        # Under the write lock: no pass can be added while the pull is written.
        if session.scalar(select(JournalEntry.id).where(JournalEntry.state == "pending")):
            return None
        current = session.execute(select(ReplicaState)).scalar_one()
        changed = write_replica(session, picture, settled_batches=local_batches)
        forget_local_batches(session, local_batches)
        record_pull(session, current, picture)
    return changed, picture.full
