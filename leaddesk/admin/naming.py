"""Adding and renaming the named things of an office's set-up (offices, pass groups,
statuses): one place for the rules every name follows and the audit line every change
writes."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy.orm import Session

from leaddesk.admin.audit import record
from leaddesk.admin.validation import NAME_MAX, clean_name, require_unique
from leaddesk.errors import InvalidInputError
from leaddesk.store.models import User

Named = TypeVar("Named")


def with_article(noun: str) -> str:
    return f"{'an' if noun[0] in 'aeiou' else 'a'} {noun}"


def checked_new_name(
    session: Session, model: type[Any], name: str, noun: str, max_length: int = NAME_MAX
) -> str:
    """The cleaned name, refused when empty, too long, all digits or already taken."""
    name = clean_name(name, noun, max_length)
    require_unique(
        session, model.name, name, f"There is already {with_article(noun)} called '{name}'."
    )
    return name


def add_named(
    session: Session, actor: User, model: type[Named], *, name: str, noun: str, action: str
) -> Named:
    """Create a row that has nothing but a name (an office, a pass group)."""
    name = checked_new_name(session, model, name, noun)
    row = model(name=name)  # type: ignore[call-arg]
    session.add(row)
    session.flush()
    record(session, actor, action, f"Added {noun} {name}.")
    return row


def rename_named(
    session: Session,
    actor: User,
    row: Any,
    *,
    name: str,
    noun: str,
    action: str,
    max_length: int = NAME_MAX,
) -> None:
    name = clean_name(name, noun, max_length)
    if name == row.name:
        raise InvalidInputError(f"The {noun} is already called '{name}'.")
    model = type(row)
    require_unique(
        session,
        model.name,
        name,
        f"There is already {with_article(noun)} called '{name}'.",
        id_column=model.id,
        except_id=row.id,
    )
    old = row.name
    row.name = name
    session.flush()
    record(session, actor, action, f"Renamed {noun} {old} to {name}.")
