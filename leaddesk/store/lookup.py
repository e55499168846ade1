"""Finding users, offices, pass groups, statuses and leads by what people type.

A name must match exactly (ignoring case), or be an id, or for users an email address:
LeadDesk never acts on a guess. When nothing matches, the refusal suggests what the person
may have meant: names that contain what was typed as a whole word start ("Maria" ->
"Maria Manager"), and close spellings ("Maria Manger" -> "Maria Manager").
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from leaddesk.errors import InvalidInputError, NotFoundError
from leaddesk.store.models import Lead, Office, PassGroup, Status, User

# How alike two names must be (difflib's ratio, 0..1) to be offered as a spelling fix. At
# 0.75, "Maria Manger"/"Maria Manager" (0.96) and "LEED"/"LEAD" (0.75) qualify, while
# unrelated names of similar length ("John Smith"/"Jane Doe", 0.33) do not.
SPELLING_CUTOFF = 0.75
# At most this many names are listed; more are counted.
MAX_LISTED = 5


def suggest_names(typed: str, names: Iterable[str]) -> list[str]:
    """Names that ``typed`` may have meant, best first (case is ignored).

    Names in which a word starts with what was typed come first (a partial name), then
    close spellings of the whole name or of one of its words.
    """
    wanted = typed.strip().lower()
    if not wanted:
        return []
    known = list(dict.fromkeys(names))
    partial = [name for name in known if _starts_a_word(wanted, name.lower())]
    scored: list[tuple[float, str]] = []
    for name in known:
        if name in partial:
            continue
        lowered = name.lower()
        score = max(
            difflib.SequenceMatcher(None, wanted, candidate).ratio()
            for candidate in (lowered, *lowered.split())
        )
        if score >= SPELLING_CUTOFF:
            scored.append((score, name))
    scored.sort(key=lambda pair: -pair[0])  # stable: equal scores keep the given order
    return partial + [name for _score, name in scored]


def _starts_a_word(wanted: str, name: str) -> bool:
    start = name.find(wanted)
    while start != -1:
        if start == 0 or not name[start - 1].isalnum():
            return True
        start = name.find(wanted, start + 1)
    return False


def unknown_name_message(
    noun: str, typed: str, names: Iterable[str], *, called: str = "called"
) -> str:
    """ "There is no user called 'X'." and, when there are any, the names they may have meant."""
    text = typed.strip()
    return _with_suggestions(f"There is no {noun} {called} '{text}'.", suggest_names(text, names))


def _with_suggestions(message: str, suggestions: list[str]) -> str:
    hint = suggestion_hint(suggestions)
    if not hint:
        return message
    if len(suggestions) == 1:
        return f"{message} {hint[0].upper()}{hint[1:]}"
    return f"{message} {hint[0].upper()}{hint[1:]}: type it in full."


def suggestion_hint(suggestions: list[str]) -> str:
    """ "did you mean 'X'?", "it could be 'A' or 'B'", or "" for no suggestion."""
    if not suggestions:
        return ""
    if len(suggestions) == 1:
        return f"did you mean '{suggestions[0]}'?"
    quoted = [f"'{name}'" for name in suggestions[:MAX_LISTED]]
    more = len(suggestions) - MAX_LISTED
    if more > 0:
        return "it could be " + ", ".join(quoted) + f" and {more:,} more"
    return "it could be " + ", ".join(quoted[:-1]) + f" or {quoted[-1]}"


def _suggest_emails(typed: str, emails: Iterable[str]) -> list[str]:
    # Addresses mostly share their domain, which would make every one look alike: the part
    # before the @ and the domain must each be close on their own.
    local, _, domain = typed.lower().partition("@")
    found = []
    for email in emails:
        their_local, _, their_domain = email.lower().partition("@")
        if suggest_names(local, [their_local]) and suggest_names(domain, [their_domain]):
            found.append(email)
    return found


def find_user(session: Session, name_email_or_id: str | int) -> User:
    """A user by display name, email address or id (names and emails ignore case)."""
    text = str(name_email_or_id).strip()
    if not text:
        raise InvalidInputError("No user name was given.")
    if text.isdigit():
        user = session.get(User, int(text))
        if user is not None:
            return user
    lowered = text.lower()
    matches = list(
        session.scalars(
            select(User)
            .where((func.lower(User.name) == lowered) | (func.lower(User.email) == lowered))
            .order_by(User.name)
        )
    )
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        listed = ", ".join(f"{user.name} <{user.email}>" for user in matches)
        raise InvalidInputError(
            f"'{text}' matches more than one user ({listed}); use the email address."
        )
    # Only on a miss are all names read, to suggest the ones meant.
    rows = session.execute(select(User.name, User.email).order_by(User.name)).all()
    if "@" in text:
        emails = _suggest_emails(text, [email for _name, email in rows])
        raise NotFoundError(
            _with_suggestions(f"There is no user with the email address '{text}'.", emails)
        )
    raise NotFoundError(unknown_name_message("user", text, [name for name, _email in rows]))


def _find_named(session: Session, model: type, noun: str, name_or_id: str | int) -> object:
    text = str(name_or_id).strip()
    if not text:
        raise InvalidInputError(f"No {noun} name was given.")
    if text.isdigit():
        row = session.get(model, int(text))
        if row is not None:
            return row
    name_column = model.name  # type: ignore[attr-defined]
    row = session.scalars(select(model).where(func.lower(name_column) == text.lower())).first()
    if row is None:
        order = (model.position, model.id) if model is Status else (name_column,)  # type: ignore[attr-defined]
        names = session.scalars(select(name_column).order_by(*order))
        raise NotFoundError(unknown_name_message(noun, text, names))
    return row


def find_office(session: Session, name_or_id: str | int) -> Office:
    return _find_named(session, Office, "office", name_or_id)  # type: ignore[return-value]


def find_group(session: Session, name_or_id: str | int) -> PassGroup:
    return _find_named(session, PassGroup, "pass group", name_or_id)  # type: ignore[return-value]


def find_status(session: Session, name_or_id: str | int) -> Status:
    return _find_named(session, Status, "status", name_or_id)  # type: ignore[return-value]


def find_lead(session: Session, lead_id: int | str) -> Lead:
    text = str(lead_id).strip()
    if not text.isdigit():
        raise InvalidInputError(f"'{text}' is not a lead id (a whole number).")
    lead = session.get(Lead, int(text))
    if lead is None:
        raise NotFoundError(f"There is no lead with id {text}.")
    return lead
