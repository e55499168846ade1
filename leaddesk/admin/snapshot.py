"""Everything the administration window shows, read in one session."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from leaddesk.admin.audit import AuditRow, audit_entries, require_admin
from leaddesk.admin.groups import GroupRow, list_groups
from leaddesk.admin.offices import OfficeRow, list_offices
from leaddesk.admin.rights import RightRow, list_rights
from leaddesk.admin.statuses import StatusRow, list_statuses
from leaddesk.admin.users import UserRow, list_users

AUDIT_ROWS_SHOWN = 300


@dataclass(frozen=True)
class AdminSnapshot:
    users: list[UserRow]
    rights: list[RightRow]
    offices: list[OfficeRow]
    groups: list[GroupRow]
    statuses: list[StatusRow]
    audit: list[AuditRow]

    def managed_by(self, manager_id: int) -> set[int]:
        return {r.user_id for r in self.rights if r.manager_id == manager_id}

    def active_users(self) -> list[UserRow]:
        return [u for u in self.users if u.active]


def load_snapshot(session: Session, actor_id: int) -> AdminSnapshot:
    """Admins only (each reader checks)."""
    # Held for the whole read: the session keeps only weak references, and each reader's
    # own check would otherwise fetch the actor again (a round trip each, five in all).
    _actor = require_admin(session, actor_id)
    return AdminSnapshot(
        users=list_users(session, actor_id),
        rights=list_rights(session, actor_id),
        offices=list_offices(session, actor_id),
        groups=list_groups(session, actor_id),
        statuses=list_statuses(session, actor_id),
        audit=audit_entries(session, actor_id, limit=AUDIT_ROWS_SHOWN),
    )
