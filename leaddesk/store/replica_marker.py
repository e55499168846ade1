"""Whether a database is a replica (an offline copy of a server, for one person).

A replica is an ordinary SQLite file with one row in ``replica_state``. The controller asks
on every pass (a replica journals its passes and queues no email) and the sign-in asks who
acts, so the answer is remembered per engine: a file does not become a replica, or stop
being one, while it is open (``create_replica`` forgets what its own engine remembered).
"""

from __future__ import annotations

from dataclasses import dataclass
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from sqlalchemy.pool import Pool

from leaddesk.store.models import ReplicaState


@dataclass(frozen=True)
class ReplicaPerson:
    actor_id: int
    actor_name: str
    server_url: str  # without password


# Keyed by the connection pool, which a write session's engine (execution options) shares
# with the engine it was made from.
_known: WeakKeyDictionary[Pool, ReplicaPerson | None] = WeakKeyDictionary()


def replica_person(session: Session) -> ReplicaPerson | None:
    """The person a replica belongs to; None on any database that is not a replica."""
    bind = session.get_bind()
    if bind.dialect.name != "sqlite":
        return None
    engine = bind if isinstance(bind, Engine) else bind.engine
    if engine.pool not in _known:
        row = session.execute(
            select(ReplicaState.actor_id, ReplicaState.actor_name, ReplicaState.server_url)
        ).first()
        _known[engine.pool] = ReplicaPerson(*row) if row is not None else None
    return _known[engine.pool]


def prime(engine: Engine) -> None:
    """Learn it on opening a file, so no pass pays for the question (one small query)."""
    with Session(engine) as session:
        replica_person(session)


def forget(engine: Engine) -> None:
    _known.pop(engine.pool, None)
