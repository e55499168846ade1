"""Reads on the GUI thread fail politely: one sentence for the person, never a traceback."""

from __future__ import annotations

import logging

from sqlalchemy.exc import SQLAlchemyError

from leaddesk.errors import LeadDeskError

log = logging.getLogger(__name__)

# What a read from the window may raise and the window must turn into a message.
READ_ERRORS = (LeadDeskError, SQLAlchemyError)


def error_text(exc: BaseException) -> str:
    if isinstance(exc, LeadDeskError):
        return str(exc)
    log.error("database error while reading: %r", exc)
    first = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return f"The database reported an error: {first[0] if first else type(exc).__name__}"
