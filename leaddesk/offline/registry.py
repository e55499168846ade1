"""Which replicas this computer holds: a small JSON list in the per-user data folder, so the
window can find the copy of a server it cannot reach (URLs without passwords only)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from leaddesk.store.database import APP_NAME


def registry_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, APP_NAME)) / "replicas.json"


def registered() -> list[dict[str, str]]:
    try:
        entries = json.loads(registry_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return (
        [entry for entry in entries if isinstance(entry, dict)] if isinstance(entries, list) else []
    )


def register_replica(server_url: str, actor_name: str, path: str) -> None:
    """Remember a replica (the newest for a server and person wins)."""
    entries = [
        entry
        for entry in registered()
        if entry.get("path") != path
        and not (entry.get("server_url") == server_url and entry.get("actor_name") == actor_name)
    ]
    entries.append({"server_url": server_url, "actor_name": actor_name, "path": path})
    target = registry_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    # Written aside and renamed: a crash never leaves half a list.
    temporary = target.with_suffix(".tmp")
    temporary.write_text(json.dumps(entries, indent=2), encoding="utf-8")
    os.replace(temporary, target)


def candidates(server_url: str, actor_name: str | None) -> list[str]:
    """Paths of the replicas of this server (for this person, when named)."""
    wanted = actor_name.casefold() if actor_name else None
    return [
        entry["path"]
        for entry in registered()
        if entry.get("server_url") == server_url
        and (wanted is None or str(entry.get("actor_name", "")).casefold() == wanted)
        and "path" in entry
    ]
