"""Who acts: on a server, the connected login; on a SQLite file, whoever ``--as`` names.

On PostgreSQL a person connects with their own login and that login's linked user is the
actor; naming anyone else is refused. A login that owns the database (or a superuser) is
the set-up and scripting login: it may act as anyone, and the database records the login
beside the person acted as (``db_login`` on batches and audit entries).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from leaddesk.errors import InvalidInputError, PermissionDeniedError
from leaddesk.store.lookup import find_user
from leaddesk.store.models import User
from leaddesk.store.replica_marker import replica_person

_LOGIN_QUERY = text(
    "SELECT current_user::text, r.rolsuper OR pg_has_role(current_user, d.datdba, 'MEMBER')"
    " FROM pg_roles AS r, pg_database AS d"
    " WHERE r.rolname = current_user AND d.datname = current_database()"
)


@dataclass(frozen=True)
class ConnectedLogin:
    """The PostgreSQL login of a session and whether it may act for anyone."""

    name: str
    owns_database: bool
    user: User | None  # the LeadDesk user linked to this login, if any


def connected_login(session: Session) -> ConnectedLogin | None:
    """The connected login on PostgreSQL; None on a SQLite file (no logins there)."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    name, owns = session.execute(_LOGIN_QUERY).one()
    user = session.scalars(select(User).where(User.db_login == name)).first()
    return ConnectedLogin(name=name, owns_database=bool(owns), user=user)


def needs_sign_in(session: Session) -> bool:
    """Whether the window asks who signs in: on a SQLite file, and for an unlinked owner
    login on a server (an ordinary login is its linked user, no list)."""
    login = connected_login(session)
    if login is None:
        return replica_person(session) is None  # a replica is one person's copy
    return login.owns_database and login.user is None


def resolve_actor(session: Session, requested: str | None) -> User:
    """The acting user for a command or the window, refusing what the login may not do."""
    login = connected_login(session)
    replica = replica_person(session) if login is None else None
    if replica is not None:
        actor = _replica_actor(session, replica.actor_id, requested)
    elif login is None or login.owns_database:
        if requested:
            actor = find_user(session, requested)
        elif login is not None and login.user is not None:
            actor = login.user
        else:
            raise InvalidInputError("Say who acts with --as NAME.")
    else:
        if login.user is None:
            raise PermissionDeniedError(
                f"The login {login.name} is not linked to a LeadDesk user; ask an administrator "
                f"to link it (leaddesk user set NAME --db-login {login.name})."
            )
        actor = login.user
        if requested:
            named = find_user(session, requested)
            if named.id != actor.id:
                raise PermissionDeniedError(
                    f"You are connected as login {login.name} ({actor.name}) and cannot act "
                    f"as {named.name}."
                )
    if not actor.active:
        raise PermissionDeniedError(f"{actor.name} is inactive and cannot sign in.")
    return actor


def _replica_actor(session: Session, actor_id: int, requested: str | None) -> User:
    """A replica is one person's offline copy: its passes are replayed as that person."""
    actor = session.get(User, actor_id)
    if actor is None:
        raise PermissionDeniedError(
            "This offline copy does not hold its own person any more; make a new copy "
            "with 'leaddesk replica create'."
        )
    if requested:
        named = find_user(session, requested)
        if named.id != actor.id:
            raise PermissionDeniedError(
                f"This is {actor.name}'s offline copy and cannot act as {named.name}."
            )
    return actor
