"""Adding, renaming and (de)activating users; the admin flag."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from leaddesk.admin.audit import record, require_admin
from leaddesk.admin.validation import clean_email, clean_name, require_unique
from leaddesk.errors import InvalidInputError, NotFoundError
from leaddesk.server import logins
from leaddesk.store.models import Lead, Office, OfficeMember, Status, User, utc_now


@dataclass(frozen=True)
class UserRow:
    id: int
    name: str
    email: str
    is_admin: bool
    active: bool
    lead_count: int
    offices: tuple[str, ...] = ()
    db_login: str | None = None
    away_from: datetime | None = None
    away_until: datetime | None = None

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "name": self.name,
            "email": self.email,
            "is_admin": self.is_admin,
            "active": self.active,
            "lead_count": self.lead_count,
            "offices": list(self.offices),
            "db_login": self.db_login,
            "away_from": self.away_from.isoformat() if self.away_from else None,
            "away_until": self.away_until.isoformat() if self.away_until else None,
        }


def list_users(session: Session, actor_id: int) -> list[UserRow]:
    """Every user, active first, with how many leads each owns."""
    require_admin(session, actor_id)
    counts = dict(
        session.execute(
            select(Lead.owner_id, func.count(Lead.id))
            .where(Lead.owner_id.is_not(None))
            .group_by(Lead.owner_id)
        ).all()
    )
    offices: dict[int, list[str]] = {}
    for user_id, office_name in session.execute(
        select(OfficeMember.user_id, Office.name)
        .join(Office, Office.id == OfficeMember.office_id)
        .order_by(Office.name)
    ):
        offices.setdefault(user_id, []).append(office_name)
    users = session.scalars(select(User).order_by(User.active.desc(), User.name))
    return [
        UserRow(
            id=u.id,
            name=u.name,
            email=u.email,
            is_admin=u.is_admin,
            active=u.active,
            lead_count=counts.get(u.id, 0),
            offices=tuple(offices.get(u.id, ())),
            db_login=u.db_login,
            away_from=u.away_from,
            away_until=u.away_until,
        )
        for u in users
    ]


def get_user(session: Session, user_id: int, *, lock: bool = False) -> User:
    """The user; with ``lock`` their row is held (``FOR NO KEY UPDATE``) until commit, so a
    pass that checked them active (``FOR SHARE``) finishes first, or waits and sees the
    change. Foreign-key checks (``FOR KEY SHARE``) are not blocked by it."""
    user = session.get(
        User, user_id, with_for_update={"key_share": True} if lock else None, populate_existing=lock
    )
    if user is None:
        raise NotFoundError(f"There is no user with id {user_id}.")
    return user


def add_user(
    session: Session,
    actor_id: int,
    *,
    name: str,
    email: str,
    is_admin: bool = False,
    db_login: str | None = None,
    login_password: str | None = None,
) -> User:
    """Add a user; on a server, optionally linked to a login (created when a password is
    given)."""
    actor = require_admin(session, actor_id)
    name = clean_name(name, "user")
    email = clean_email(email)
    require_unique(session, User.name, name, f"There is already a user called '{name}'.")
    require_unique(session, User.email, email, f"The email address {email} is already in use.")
    require_unique(session, User.email, name, f"'{name}' is already another user's email address.")
    require_unique(session, User.name, email, f"'{email}' is already another user's name.")
    login = _checked_new_login(session, db_login, login_password)
    user = User(
        name=name,
        email=email,
        is_admin=is_admin,
        active=True,
        created_at=utc_now(),
        db_login=login,
    )
    session.add(user)
    session.flush()
    linked = f", login {login}" if login else ""
    record(
        session,
        actor,
        "user.add",
        f"Added user {name} <{email}>{' as administrator' if is_admin else ''}{linked}.",
    )
    logins.sync_login(session, login)
    return user


def _checked_new_login(
    session: Session, db_login: str | None, password: str | None, user_id: int | None = None
) -> str | None:
    """The cleaned login to link (creating it when a password is given), or None."""
    if db_login is None:
        if password is not None:
            raise InvalidInputError("A new login needs its name (--db-login).")
        return None
    logins.require_server(session)
    login = logins.clean_login(db_login)
    require_unique(
        session,
        User.db_login,
        login,
        f"The login {login} is already linked to another user.",
        id_column=User.id if user_id is not None else None,
        except_id=user_id,
    )
    if password is not None:
        logins.create_login(session, login, password)
    return login


def update_user(
    session: Session,
    actor_id: int,
    user_id: int,
    *,
    name: str | None = None,
    email: str | None = None,
    is_admin: bool | None = None,
    active: bool | None = None,
    db_login: str | None = None,
    login_password: str | None = None,
) -> User:
    """Change any of name, email, admin flag, active flag, login; only what is given changes.

    ``db_login=""`` unlinks the login. On a server the login's roles and LOGIN/NOLOGIN
    follow the user (deactivated: NOLOGIN).

    Deactivating here is refused while the user owns leads: use
    :func:`leaddesk.reassignment.offboarding.offboard_user` to pass them on first.
    """
    actor = require_admin(session, actor_id)
    # Locked before anything is read about them: a deactivation counts the leads a pass in
    # flight is giving them only once that pass committed.
    user = get_user(session, user_id, lock=True)
    changes: list[str] = []
    if name is not None:
        name = clean_name(name, "user")
        if name != user.name:
            require_unique(
                session,
                User.name,
                name,
                f"There is already a user called '{name}'.",
                id_column=User.id,
                except_id=user.id,
            )
            changes.append(f"renamed {user.name} to {name}")
            user.name = name
    if email is not None:
        email = clean_email(email)
        if email != user.email:
            require_unique(
                session,
                User.email,
                email,
                f"The email address {email} is already in use.",
                id_column=User.id,
                except_id=user.id,
            )
            changes.append(f"email {user.email} -> {email}")
            user.email = email
    if is_admin is not None and is_admin != user.is_admin:
        if not is_admin:
            _require_other_admin(session, user, "remove the administrator right of")
        changes.append("made administrator" if is_admin else "administrator right removed")
        user.is_admin = is_admin
    if active is not None and active != user.active:
        if active:
            changes.append("activated")
        else:
            check_can_deactivate(session, actor, user)
            owned = owned_lead_count(session, user.id)
            if owned:
                raise InvalidInputError(
                    f"{user.name} still owns {owned:,} lead(s). Choose where their leads go "
                    "(a user, office or pass group) and deactivate them with offboarding."
                )
            changes.append("deactivated")
        user.active = active
    previous_login = user.db_login
    if db_login is not None or login_password is not None:
        wanted = db_login if db_login is not None else user.db_login
        new_login = _checked_new_login(session, wanted, login_password, user.id) if wanted else None
        if new_login != previous_login:
            changes.append(f"login {new_login}" if new_login else "login unlinked")
            user.db_login = new_login
        elif login_password is not None:
            changes.append(f"login {new_login} created")
    if not changes:
        return user
    session.flush()
    record(session, actor, "user.update", f"User {user.name}: {'; '.join(changes)}.")
    if previous_login != user.db_login:
        logins.sync_login(session, previous_login)
    logins.sync_login(session, user.db_login)
    return user


def deactivate_user(session: Session, actor_id: int, user_id: int) -> User:
    """Deactivate a user who owns no leads (others go through offboarding)."""
    return update_user(session, actor_id, user_id, active=False)


def activate_user(session: Session, actor_id: int, user_id: int) -> User:
    return update_user(session, actor_id, user_id, active=True)


def owned_lead_count(session: Session, user_id: int) -> int:
    return session.scalar(select(func.count()).where(Lead.owner_id == user_id)) or 0


def check_can_deactivate(session: Session, actor: User, user: User) -> None:
    """The rules every deactivation obeys, with or without offboarding."""
    if not user.active:
        raise InvalidInputError(f"{user.name} is already inactive.")
    if user.id == actor.id:
        raise InvalidInputError("You cannot deactivate yourself; ask another administrator.")
    if user.is_admin:
        _require_other_admin(session, user, "deactivate")


def _require_other_admin(session: Session, user: User, verb: str) -> None:
    others = session.scalar(
        select(func.count()).where(
            User.is_admin.is_(True), User.active.is_(True), User.id != user.id
        )
    )
    if not others:
        raise InvalidInputError(
            f"Cannot {verb} {user.name}: they are the last active administrator."
        )


DEFAULT_STATUSES = (("LEAD", False), ("OPPORTUNITY", False), ("WON", True), ("NO SALE/LOST", True))


def create_first_admin(session: Session, *, name: str, email: str) -> User:
    """Set up an empty database: its first user, an administrator, and (if there are none)
    the usual statuses. Refused once any user exists: from then on admins add people."""
    if session.scalar(select(func.count()).select_from(User)):
        raise InvalidInputError(
            "This database already has users; say who acts with --as NAME (an administrator)."
        )
    name = clean_name(name, "user")
    email = clean_email(email)
    user = User(name=name, email=email, is_admin=True, active=True, created_at=utc_now())
    session.add(user)
    session.flush()
    added = []
    if not session.scalar(select(func.count()).select_from(Status)):
        for position, (status_name, closed) in enumerate(DEFAULT_STATUSES):
            session.add(Status(name=status_name, position=position, is_closed=closed))
            added.append(status_name)
        session.flush()
    statuses = f" and the statuses {', '.join(added)}" if added else ""
    record(
        session, user, "user.first_admin", f"Set up the database with {name} <{email}>{statuses}."
    )
    return user
