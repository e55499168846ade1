"""Manager rights: "A may manage B" — see B's leads and pass leads from and to B.

"Manages all of an office" grants a right over every member the office has now; members who
join later are added with :func:`grant_office` again (the schema stores person-to-person
rights only, which is what the pass rules read).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from leaddesk.admin.audit import record, require_admin
from leaddesk.admin.users import get_user
from leaddesk.errors import InvalidInputError, NotFoundError
from leaddesk.store.models import ManagerRight, Office, OfficeMember, User


@dataclass(frozen=True)
class RightRow:
    manager_id: int
    manager: str
    user_id: int
    user: str

    def as_json(self) -> dict[str, object]:
        return {"manager": self.manager, "user": self.user}


def list_rights(
    session: Session, actor_id: int, *, manager_id: int | None = None
) -> list[RightRow]:
    require_admin(session, actor_id)
    manager, managed = aliased(User), aliased(User)
    query = (
        select(manager.id, manager.name, managed.id, managed.name)
        .select_from(ManagerRight)
        .join(manager, manager.id == ManagerRight.manager_id)
        .join(managed, managed.id == ManagerRight.user_id)
        .order_by(manager.name, managed.name)
    )
    if manager_id is not None:
        query = query.where(ManagerRight.manager_id == manager_id)
    return [RightRow(*row) for row in session.execute(query)]


def managed_ids(session: Session, actor_id: int, manager_id: int) -> set[int]:
    require_admin(session, actor_id)
    return set(
        session.scalars(select(ManagerRight.user_id).where(ManagerRight.manager_id == manager_id))
    )


def grant_right(session: Session, actor_id: int, *, manager_id: int, user_id: int) -> None:
    actor = require_admin(session, actor_id)
    manager, user = _active_pair(session, manager_id, user_id)
    already = InvalidInputError(f"{manager.name} already manages {user.name}.")
    if session.get(ManagerRight, (manager.id, user.id)) is not None:
        raise already
    try:
        # Two administrators granting the same right at once (PostgreSQL): the second
        # waits for the first and then hits the key; that is "already", not a crash.
        with session.begin_nested():
            session.add(ManagerRight(manager_id=manager.id, user_id=user.id))
    except IntegrityError:
        raise already from None
    record(session, actor, "right.grant", f"{manager.name} may now manage {user.name}.")


def revoke_right(session: Session, actor_id: int, *, manager_id: int, user_id: int) -> None:
    actor = require_admin(session, actor_id)
    manager, user = get_user(session, manager_id), get_user(session, user_id)
    right = session.get(ManagerRight, (manager.id, user.id))
    if right is None:
        raise InvalidInputError(f"{manager.name} does not manage {user.name}; nothing to revoke.")
    session.delete(right)
    session.flush()
    record(session, actor, "right.revoke", f"{manager.name} may no longer manage {user.name}.")


def grant_office(session: Session, actor_id: int, *, manager_id: int, office_id: int) -> int:
    """Let ``manager`` manage every active member of the office; returns rights added."""
    actor = require_admin(session, actor_id)
    manager = _active(session, manager_id, "manage anyone")
    office = _office(session, office_id)
    new_ids = list(
        session.scalars(
            select(OfficeMember.user_id)
            .join(User, User.id == OfficeMember.user_id)
            .where(
                OfficeMember.office_id == office.id,
                User.active.is_(True),
                OfficeMember.user_id.not_in(
                    select(ManagerRight.user_id).where(ManagerRight.manager_id == manager.id)
                ),
            )
        )
    )
    if new_ids:
        try:
            with session.begin_nested():  # see grant_right: a concurrent grant is "already"
                session.execute(
                    insert(ManagerRight),
                    [{"manager_id": manager.id, "user_id": uid} for uid in new_ids],
                )
        except IntegrityError:
            raise InvalidInputError(
                f"Someone else changed {manager.name}'s rights meanwhile; nothing was granted. "
                "Try again."
            ) from None
    record(
        session,
        actor,
        "right.grant_office",
        f"{manager.name} may now manage all of {office.name} ({len(new_ids)} new right(s)).",
    )
    return len(new_ids)


def revoke_office(session: Session, actor_id: int, *, manager_id: int, office_id: int) -> int:
    """Remove ``manager``'s rights over every member of the office; returns rights removed."""
    actor = require_admin(session, actor_id)
    manager = get_user(session, manager_id)
    office = _office(session, office_id)
    members = select(OfficeMember.user_id).where(OfficeMember.office_id == office.id)
    removed = session.execute(
        delete(ManagerRight)
        .where(ManagerRight.manager_id == manager.id, ManagerRight.user_id.in_(members))
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    record(
        session,
        actor,
        "right.revoke_office",
        f"{manager.name} may no longer manage the members of {office.name} "
        f"({removed} right(s) removed).",
    )
    return int(removed or 0)


def _office(session: Session, office_id: int) -> Office:
    office = session.get(Office, office_id)
    if office is None:
        raise NotFoundError(f"There is no office with id {office_id}.")
    return office


def _active(session: Session, user_id: int, what: str) -> User:
    user = get_user(session, user_id)
    if not user.active:
        raise InvalidInputError(f"{user.name} is inactive and cannot {what}.")
    return user


def _active_pair(session: Session, manager_id: int, user_id: int) -> tuple[User, User]:
    manager = _active(session, manager_id, "manage anyone")
    user = _active(session, user_id, "be managed")
    return manager, user
