"""Placeholder until the window lands (issue 3)."""

from __future__ import annotations

from leaddesk.errors import LeadDeskError


def run_window(*, db: str | None, actor: str | None, screenshot: str | None) -> int:
    raise LeadDeskError(
        "The LeadDesk window is not built yet; use the subcommands (leaddesk --help)."
    )
