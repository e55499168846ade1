"""Typed errors that every front door (window, command line) turns into a clear message.

Every error raised on purpose by LeadDesk derives from :class:`LeadDeskError`; its ``str()``
is a complete sentence meant for the person at the screen.
"""

from __future__ import annotations


class LeadDeskError(Exception):
    """A refusal the user can understand and act on; nothing was changed."""


class NotFoundError(LeadDeskError):
    """A user, lead, office, pass group, status or batch that does not exist."""


class InvalidInputError(LeadDeskError):
    """The request itself is malformed: empty selection, note too long, same target, ..."""


class PermissionDeniedError(LeadDeskError):
    """The actor lacks the right (manager right, bucket visibility, admin) for this."""


class ConflictError(LeadDeskError):
    """Someone changed the leads since the actor looked at them."""

    def __init__(self, message: str, lead_ids: list[int] | None = None) -> None:
        super().__init__(message)
        self.lead_ids = sorted(lead_ids or [])


class DatabaseUnavailableError(LeadDeskError):
    """The database cannot be reached or opened."""


class DatabaseBusyError(LeadDeskError):
    """The database kept refusing the transaction (deadlocks, lock timeouts); nothing changed."""


class ReadOnlyDatabaseError(LeadDeskError):
    """The database may be read but not changed (a read-only file or a SELECT-only login)."""
