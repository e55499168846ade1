"""Who may pass what to whom. Pure reads; the controller enforces them.

- An actor may pass leads from and to the users they have manager rights over (an admin
  over everyone). Inactive users are never targets.
- Office buckets are visible to that office's office managers, pass-group buckets to that
  group's members (admins see every bucket).
- From a bucket, a lead may be assigned to the actor, to any active member of that office or
  pass group, or to a user the actor manages.

Checks must hold until the pass commits. With ``lock=True`` (the write paths) each read takes
a shared row lock (``FOR SHARE``) on what it checked: the actor's and the target's user rows,
the manager-right rows, the bucket memberships. Deactivating a user, revoking a right or
changing a membership writes those rows, so it waits for a pass that relied on them, and a
pass waits for such a change and then reads its committed result (READ COMMITTED reads the
newest row once the lock is granted). Lock order: users, then rights and memberships, then
leads. SQLite ignores ``FOR SHARE``; its single writer already serializes the two.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, false, literal_column, or_, select, true, union_all
from sqlalchemy.orm import Session

from leaddesk.errors import NotFoundError, PermissionDeniedError
from leaddesk.reassignment.drop_rules import inactive_target_message
from leaddesk.store.models import (
    Lead,
    ManagerRight,
    Office,
    OfficeMember,
    PassBatch,
    PassGroup,
    PassGroupMember,
    PassHistory,
    User,
)

# How many administrators a refusal names; more would be a list nobody reads.
ASKED_ADMINISTRATORS = 3

_SHARE = {"read": True}


def _shared(query: Select, lock: bool) -> Select:  # type: ignore[type-arg]
    return query.with_for_update(read=True) if lock else query


def signed_in_user(session: Session, actor_id: int) -> User:
    """The person reading (exports, reports): they exist and may still sign in."""
    actor = session.get(User, actor_id)
    if actor is None:
        raise NotFoundError(f"There is no user with id {actor_id}.")
    if not actor.active:
        raise PermissionDeniedError(f"{actor.name} is inactive and cannot sign in.")
    return actor


def history_visible_to(session: Session, actor: User) -> ColumnElement[bool]:
    """History rows (joined with their batch) the actor may read: passes they made, and
    moves from or to users they manage or buckets they watch (everything for an admin)."""
    if actor.is_admin:
        return true()
    managed = select(ManagerRight.user_id).where(ManagerRight.manager_id == actor.id)
    offices = sorted(visible_office_ids(session, actor))
    groups = sorted(visible_group_ids(session, actor))
    return or_(
        PassBatch.actor_id == actor.id,
        PassHistory.from_owner_id.in_(managed),
        PassHistory.to_owner_id.in_(managed),
        PassHistory.from_office_id.in_(offices) if offices else false(),
        PassHistory.to_office_id.in_(offices) if offices else false(),
        PassHistory.from_group_id.in_(groups) if groups else false(),
        PassHistory.to_group_id.in_(groups) if groups else false(),
    )


def get_actor(
    session: Session, actor_id: int, *, lock: bool = False, also: Collection[int | None] = ()
) -> User:
    """The acting user, who must exist and be active.

    ``also`` names the other users the caller will look at (a pass's target and source):
    they are read in the same statement (and, with ``lock``, share-locked with the actor), so
    later ``session.get`` calls for them cost no round trip.
    """
    others = {user_id for user_id in also if user_id is not None}
    if lock or others:
        load_users(session, {actor_id, *others}, lock=lock)
    actor = session.get(User, actor_id)
    if actor is None:
        raise NotFoundError(f"There is no user with id {actor_id}.")
    if not actor.active:
        raise PermissionDeniedError(f"{actor.name} is inactive and cannot pass leads.")
    return actor


def load_users(session: Session, user_ids: Collection[int], *, lock: bool = False) -> None:
    """Read these users into the session in one statement; with ``lock`` each row is
    share-locked and re-read as it is now (a pass waits for a change that holds them)."""
    query = select(User).where(User.id.in_(sorted(set(user_ids))))
    if lock:
        query = query.with_for_update(read=True).execution_options(populate_existing=True)
    # The session's identity map holds objects weakly: kept here, later ``session.get``
    # calls for these users are answered from it for the rest of the session.
    session.info.setdefault("leaddesk_loaded_users", []).extend(session.scalars(query))


@dataclass(frozen=True)
class Rights:
    """What one read found the actor may do (an administrator may do everything)."""

    admin: bool
    managed: frozenset[int] = frozenset()
    offices: frozenset[int] = frozenset()
    groups: frozenset[int] = frozenset()

    def manages(self, user_id: int) -> bool:
        return self.admin or user_id in self.managed

    def sees_office(self, office_id: int) -> bool:
        return self.admin or office_id in self.offices

    def sees_group(self, group_id: int) -> bool:
        return self.admin or group_id in self.groups


def rights_of(
    session: Session,
    actor: User,
    *,
    users: Collection[int] = (),
    offices: bool = False,
    groups: bool = False,
    lock: bool = False,
) -> Rights:
    """The actor's manager rights over ``users`` and, when asked, the offices and pass groups
    whose buckets they see, in one statement (none for an administrator, or when nothing is
    asked). With ``lock`` the rows found stay as they are until commit, as with
    :func:`managed_among`, :func:`visible_office_ids` and :func:`visible_group_ids`."""
    if actor.is_admin:
        return Rights(admin=True)
    parts: list[Select] = []  # type: ignore[type-arg]
    if users:
        parts.append(
            select(literal_column("'user'").label("kind"), ManagerRight.user_id.label("id")).where(
                ManagerRight.manager_id == actor.id, ManagerRight.user_id.in_(sorted(set(users)))
            )
        )
    if offices:
        parts.append(
            select(
                literal_column("'office'").label("kind"), OfficeMember.office_id.label("id")
            ).where(OfficeMember.user_id == actor.id, OfficeMember.is_office_manager.is_(True))
        )
    if groups:
        parts.append(
            select(
                literal_column("'group'").label("kind"), PassGroupMember.group_id.label("id")
            ).where(PassGroupMember.user_id == actor.id)
        )
    if not parts:
        return Rights(admin=False)
    if len(parts) == 1:
        query = _shared(parts[0], lock)
    else:
        # PostgreSQL takes FOR SHARE inside a UNION's arms only as subqueries.
        arms = [_shared(part, lock).subquery() for part in parts]
        query = union_all(*(select(arm.c.kind, arm.c.id) for arm in arms))  # type: ignore[assignment]
    found: dict[str, set[int]] = {"user": set(), "office": set(), "group": set()}
    for kind, found_id in session.execute(query):
        found[kind].add(found_id)
    return Rights(
        admin=False,
        managed=frozenset(found["user"]),
        offices=frozenset(found["office"]),
        groups=frozenset(found["group"]),
    )


def managed_user_ids(session: Session, actor: User) -> set[int]:
    """Ids of the users whose leads ``actor`` may see and pass (every user for an admin)."""
    if actor.is_admin:
        return set(session.scalars(select(User.id)))
    return set(
        session.scalars(select(ManagerRight.user_id).where(ManagerRight.manager_id == actor.id))
    )


def managed_among(
    session: Session, actor: User, user_ids: Collection[int], *, lock: bool = False
) -> set[int]:
    """Which of ``user_ids`` the actor manages, in one statement; with ``lock`` the right
    rows found stay as they are until commit."""
    if actor.is_admin or not user_ids:
        return set(user_ids)
    query = select(ManagerRight.user_id).where(
        ManagerRight.manager_id == actor.id, ManagerRight.user_id.in_(sorted(user_ids))
    )
    return set(session.scalars(_shared(query, lock)))


def can_manage(session: Session, actor: User, user_id: int, *, lock: bool = False) -> bool:
    return user_id in managed_among(session, actor, {user_id}, lock=lock)


def visible_office_ids(session: Session, actor: User, *, lock: bool = False) -> set[int]:
    """Offices whose Leads to be Assigned bucket the actor sees."""
    if actor.is_admin:
        return set(session.scalars(select(Office.id)))
    query = select(OfficeMember.office_id).where(
        OfficeMember.user_id == actor.id, OfficeMember.is_office_manager.is_(True)
    )
    return set(session.scalars(_shared(query, lock)))


def visible_group_ids(session: Session, actor: User, *, lock: bool = False) -> set[int]:
    """Pass groups whose Leads to be Assigned bucket the actor sees."""
    if actor.is_admin:
        return set(session.scalars(select(PassGroup.id)))
    query = select(PassGroupMember.group_id).where(PassGroupMember.user_id == actor.id)
    return set(session.scalars(_shared(query, lock)))


def bucket_member_ids(
    session: Session,
    *,
    office_id: int | None = None,
    group_id: int | None = None,
    lock: bool = False,
) -> set[int]:
    """Active members of an office or pass group: who a bucket's lead may be assigned to."""
    if office_id is not None:
        query = (
            select(OfficeMember.user_id)
            .join(User, User.id == OfficeMember.user_id)
            .where(OfficeMember.office_id == office_id, User.active.is_(True))
        )
    elif group_id is not None:
        query = (
            select(PassGroupMember.user_id)
            .join(User, User.id == PassGroupMember.user_id)
            .where(PassGroupMember.group_id == group_id, User.active.is_(True))
        )
    else:
        return set()
    # Locks the membership rows only; the users' active flags are held by the target lock.
    if lock:
        member = OfficeMember if office_id is not None else PassGroupMember
        query = query.with_for_update(read=True, of=member)
    return set(session.scalars(query))


def require_active_target(session: Session, user_id: int, *, lock: bool = False) -> User:
    """The target user, who must exist and be active. A target read (and locked) already
    with the actor (``get_actor(..., also=...)``) is taken from the session, no round trip."""
    user = session.get(
        User, user_id, with_for_update=_SHARE if lock else None, populate_existing=lock
    )
    if user is None:
        raise NotFoundError(f"There is no user with id {user_id}.")
    if not user.active:
        raise PermissionDeniedError(inactive_target_message(user.name))
    return user


def administrator_names(session: Session, limit: int = 3) -> list[str]:
    """Active administrators by name, the people who can give a manager right."""
    query = select(User.name).where(User.is_admin.is_(True), User.active.is_(True))
    return list(session.scalars(query.order_by(User.name).limit(limit)))


def how_to_get_right(session: Session, actor: User, manager: User, user: User | None) -> str:
    """Where ``actor`` can go so that ``manager`` may manage ``user`` (or anyone, for None).

    An administrator is given the exact menu and command; anyone else the administrators to
    ask, by name.
    """
    if actor.is_admin:
        whom = f'--user "{user.name}"' if user is not None else "--user NAME"
        return (
            "Give it in Tools > Administration… > Manager rights, or run: "
            f'leaddesk rights grant --as "{actor.name}" --manager "{manager.name}" {whom}'
        )
    admins = administrator_names(session, limit=ASKED_ADMINISTRATORS + 1)
    if not admins:
        return "Only an administrator can give it; this database has no active administrator."
    named = admins[:ASKED_ADMINISTRATORS]
    listed = named[0] if len(named) == 1 else ", ".join(named[:-1]) + f" or {named[-1]}"
    if len(admins) > ASKED_ADMINISTRATORS:
        listed += " or another administrator"
    return f"Only an administrator can give it. Ask {listed}."


def nobody_to_manage_advice(session: Session, actor_id: int) -> str:
    """For the actor's empty Lead Management tree: why it is empty and who can change that."""
    actor = get_actor(session, actor_id)
    return (
        "You have no manager right over anyone yet, so there are no leads here to pass. "
        "A manager right lets you see someone's leads and pass them on. "
        + how_to_get_right(session, actor, actor, None)
    )


def no_right_message(session: Session, actor: User, user: User) -> str:
    return f"{actor.name} has no manager right over {user.name}. " + how_to_get_right(
        session, actor, actor, user
    )


def may_see_lead(session: Session, actor: User, lead: Lead) -> bool:
    """Its owner, whoever manages the owner, whoever sees the bucket it waits in, admins."""
    if actor.is_admin:
        return True
    if lead.owner_id is not None:
        return lead.owner_id == actor.id or can_manage(session, actor, lead.owner_id)
    if lead.bucket_office_id is not None:
        return lead.bucket_office_id in visible_office_ids(session, actor)
    return lead.bucket_group_id in visible_group_ids(session, actor)


def require_visible_lead(session: Session, actor: User, lead: Lead) -> None:
    """History and notes of a lead are shown only to those who may see the lead."""
    if not may_see_lead(session, actor, lead):
        raise PermissionDeniedError(f"{actor.name} may not see lead {lead.id}.")
