"""Offline passes the server refused: listing them and resolving them."""

from __future__ import annotations

from leaddesk.offline.types import Conflict


def list_conflicts(replica_path: str) -> list[Conflict]:
    raise NotImplementedError("lands in the next commits of branch offline")


def resolve_conflict(replica_path: str, conflict_id: int, *, pass_again: bool) -> str:
    raise NotImplementedError("lands in the next commits of branch offline")
