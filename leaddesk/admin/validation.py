"""Shared checks for names and email addresses typed by administrators."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from leaddesk.errors import InvalidInputError
from leaddesk.text_safety import EMAIL_MAX, clean_email, clean_one_line, is_email

NAME_MAX = 200
STATUS_NAME_MAX = 100


def clean_name(value: str | None, noun: str, max_length: int = NAME_MAX) -> str:
    text = clean_one_line(value)
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


__all__ = ["EMAIL_MAX", "NAME_MAX", "clean_email", "clean_name", "is_email", "require_unique"]


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
