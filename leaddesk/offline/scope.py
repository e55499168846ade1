"""What one person may see on the server, as conditions on its tables (the rules of
``store/queries.py`` and ``reassignment/permissions.py``, applied to a whole copy).

Pulling through the person's own login puts the server's row-level security under these
queries too; the conditions make a copy by an owner login (which RLS lets through) hold
exactly the same.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import ColumnElement, select, text, true
from sqlalchemy.orm import Session

from leaddesk.reassignment import permissions
from leaddesk.store.models import (
    Lead,
    ManagerRight,
    OfficeMember,
    PassGroupMember,
    User,
)


def lead_scope(actor: User) -> ColumnElement[bool]:
    """The leads the person sees: their own, their managed users', and their buckets'."""
    if actor.is_admin:
        return true()
    managed = select(ManagerRight.user_id).where(ManagerRight.manager_id == actor.id)
    offices = select(OfficeMember.office_id).where(
        OfficeMember.user_id == actor.id, OfficeMember.is_office_manager.is_(True)
    )
    groups = select(PassGroupMember.group_id).where(PassGroupMember.user_id == actor.id)
    return (
        (Lead.owner_id == actor.id)
        | Lead.owner_id.in_(managed)
        | Lead.bucket_office_id.in_(offices)
        | Lead.bucket_group_id.in_(groups)
    )


def view_digest(session: Session, actor: User) -> str:
    """A fingerprint of the view's edges (rights, buckets): when it changes, pull whole."""
    parts = [
        "admin" if actor.is_admin else "person",
        sorted(permissions.managed_user_ids(session, actor)) if not actor.is_admin else [],
        sorted(permissions.visible_office_ids(session, actor)),
        sorted(permissions.visible_group_ids(session, actor)),
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def written_since(xmin: int, snapshot: str) -> ColumnElement[bool]:
    """Leads written by transactions the earlier snapshot did not see (PostgreSQL)."""
    return (Lead.change_seq >= xmin) & text(
        "NOT pg_visible_in_snapshot(leads.change_seq::text::xid8, CAST(:snap AS pg_snapshot))"
    ).bindparams(snap=snapshot)
