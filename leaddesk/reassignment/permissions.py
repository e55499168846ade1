"""Who may pass what to whom. Pure reads; the controller enforces them.

- An actor may pass leads from and to the users they have manager rights over (an admin
  over everyone). Inactive users are never targets.
- Office buckets are visible to that office's office managers, pass-group buckets to that
  group's members (admins see every bucket).
- From a bucket, a lead may be assigned to the actor, to any active member of that office or
  pass group, or to a user the actor manages.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from leaddesk.errors import NotFoundError, PermissionDeniedError
from leaddesk.store.models import (
    ManagerRight,
    Office,
    OfficeMember,
    PassGroup,
    PassGroupMember,
    User,
)


def get_actor(session: Session, actor_id: int) -> User:
    actor = session.get(User, actor_id)
    if actor is None:
        raise NotFoundError(f"There is no user with id {actor_id}.")
    if not actor.active:
        raise PermissionDeniedError(f"{actor.name} is inactive and cannot pass leads.")
    return actor


def managed_user_ids(session: Session, actor: User) -> set[int]:
    """Ids of the users whose leads ``actor`` may see and pass (every user for an admin)."""
    if actor.is_admin:
        return set(session.scalars(select(User.id)))
    return set(
        session.scalars(select(ManagerRight.user_id).where(ManagerRight.manager_id == actor.id))
    )


def can_manage(session: Session, actor: User, user_id: int) -> bool:
    if actor.is_admin:
        return True
    right = session.get(ManagerRight, (actor.id, user_id))
    return right is not None


def visible_office_ids(session: Session, actor: User) -> set[int]:
    """Offices whose Leads to be Assigned bucket the actor sees."""
    if actor.is_admin:
        return set(session.scalars(select(Office.id)))
    return set(
        session.scalars(
            select(OfficeMember.office_id).where(
                OfficeMember.user_id == actor.id, OfficeMember.is_office_manager.is_(True)
            )
        )
    )


def visible_group_ids(session: Session, actor: User) -> set[int]:
    """Pass groups whose Leads to be Assigned bucket the actor sees."""
    if actor.is_admin:
        return set(session.scalars(select(PassGroup.id)))
    return set(
        session.scalars(select(PassGroupMember.group_id).where(PassGroupMember.user_id == actor.id))
    )


def bucket_member_ids(
    session: Session, *, office_id: int | None = None, group_id: int | None = None
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
    return set(session.scalars(query))


def require_active_target(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFoundError(f"There is no user with id {user_id}.")
    if not user.active:
        raise PermissionDeniedError(f"{user.name} is inactive and cannot receive leads.")
    return user


def no_right_message(actor: User, user: User) -> str:
    return (
        f"{actor.name} has no manager right over {user.name}. "
        "That has to be set first (Tools > Administration > Manager rights)."
    )
