"""Making a replica, telling whether a file is one, and finding this computer's replica of a
server for a person."""

from __future__ import annotations

from leaddesk.offline.types import ReplicaInfo


def create_replica(server_url: str, replica_path: str, *, actor: str | None) -> ReplicaInfo:
    raise NotImplementedError("lands in the next commits of branch offline")


def replica_info(replica_path: str) -> ReplicaInfo | None:
    raise NotImplementedError("lands in the next commits of branch offline")


def find_replica(server_url: str, actor: str | None) -> str | None:
    raise NotImplementedError("lands in the next commits of branch offline")


def server_reachable(server_url: str, *, timeout_s: float = 3.0) -> bool:
    raise NotImplementedError("lands in the next commits of branch offline")
