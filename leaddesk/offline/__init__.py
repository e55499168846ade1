"""Offline field offices: a local replica of what one person sees on a server, a journal of
the passes made on it, and sync (push the journal through the controller on the server,
then pull what changed). Qt-free; the window and the command line call these."""

from leaddesk.offline.conflicts import list_conflicts, resolve_conflict
from leaddesk.offline.replica import create_replica, find_replica, replica_info, server_reachable
from leaddesk.offline.sync import sync_replica
from leaddesk.offline.types import (
    Conflict,
    ConflictSide,
    ReplicaInfo,
    ServerUnreachableError,
    SyncReport,
)

__all__ = [
    "Conflict",
    "ConflictSide",
    "ReplicaInfo",
    "ServerUnreachableError",
    "SyncReport",
    "create_replica",
    "find_replica",
    "list_conflicts",
    "replica_info",
    "resolve_conflict",
    "server_reachable",
    "sync_replica",
]
