"""Shared checks for names and email addresses typed by administrators."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from leaddesk.errors import InvalidInputError

# Deliberately simple: one @, something before it, a dotted domain after it, no spaces.
# Anything stricter rejects real addresses; this catches the typos that matter.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")

NAME_MAX = 200
EMAIL_MAX = 320
STATUS_NAME_MAX = 100


def clean_name(value: str | None, noun: str, max_length: int = NAME_MAX) -> str:
    text = " ".join((value or "").split())
    if not text:
        raise InvalidInputError(f"The {noun} name cannot be empty.")
    if len(text) > max_length:
        raise InvalidInputError(
            f"The {noun} name has {len(text)} characters; at most {max_length} are allowed."
        )
    if text.isdigit():
        # Lookups treat a bare number as an id, so a numeric name could never be found.
        raise InvalidInputError(f"The {noun} name cannot be only digits ('{text}').")
    return text


def is_email(value: str) -> bool:
    return bool(_EMAIL.match(value)) and len(value) <= EMAIL_MAX


def clean_email(value: str | None) -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidInputError("The email address cannot be empty.")
    if not is_email(text):
        raise InvalidInputError(f"'{text}' is not a valid email address.")
    return text


def require_unique(
    session: Session,
    column: object,
    value: str,
    message: str,
    *,
    id_column: object | None = None,
    except_id: int | None = None,
) -> None:
    """Names and emails are unique ignoring case, so 'Jane Doe' and 'jane doe' cannot both exist."""
    query = select(func.count()).where(func.lower(column) == value.lower())  # type: ignore[arg-type]
    if id_column is not None and except_id is not None:
        query = query.where(id_column != except_id)  # type: ignore[operator]
    if session.scalar(query):
        raise InvalidInputError(message)
