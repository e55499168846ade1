"""``sync``: push the journal through the controller on the server, then pull what changed."""

from __future__ import annotations

from leaddesk.offline.types import SyncReport


def sync_replica(replica_path: str) -> SyncReport:
    raise NotImplementedError("lands in the next commits of branch offline")
