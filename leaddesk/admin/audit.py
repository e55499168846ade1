"""The admin gate and the audit log: who changed what, when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from leaddesk.errors import NotFoundError, PermissionDeniedError
from leaddesk.server.changes import announce_administration
from leaddesk.store.models import AuditEntry, User, utc_now
from leaddesk.store.queries import login_label, other_login


def require_admin(session: Session, actor_id: int) -> User:
    """The acting user, if they are an active administrator; otherwise a clear refusal."""
    actor = session.get(User, actor_id)
    if actor is None:
        raise NotFoundError(f"There is no user with id {actor_id}.")
    if not actor.active:
        raise PermissionDeniedError(f"{actor.name} is inactive and cannot sign in.")
    if not actor.is_admin:
        raise PermissionDeniedError(
            f"Only administrators can do this; {actor.name} is not an administrator."
        )
    return actor


def record(session: Session, actor: User, action: str, detail: str) -> AuditEntry:
    """Write one audit entry in the caller's transaction (so it commits with the change)."""
    entry = AuditEntry(actor_id=actor.id, action=action, detail=detail, created_at=utc_now())
    session.add(entry)
    session.flush()
    # Every administrative change writes one entry, so this is where open windows hear of it.
    announce_administration(session)
    return entry


@dataclass(frozen=True)
class AuditRow:
    id: int
    when: datetime
    actor: str
    action: str
    detail: str
    login: str | None = None  # the login behind the entry when not the actor's own

    @property
    def actor_label(self) -> str:
        return login_label(self.actor, self.login)

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "when": self.when.isoformat(timespec="seconds"),
            "actor": self.actor,
            "action": self.action,
            "detail": self.detail,
            "login": self.login,
        }


def audit_entries(
    session: Session, actor_id: int, *, limit: int = 500, action_prefix: str | None = None
) -> list[AuditRow]:
    """The newest audit entries first; admins only (the log names people and changes)."""
    require_admin(session, actor_id)
    query = (
        select(
            AuditEntry.id,
            AuditEntry.created_at,
            User.name,
            AuditEntry.action,
            AuditEntry.detail,
            AuditEntry.db_login,
            User.db_login,
        )
        .outerjoin(User, User.id == AuditEntry.actor_id)
        .order_by(AuditEntry.id.desc())
        .limit(limit)
    )
    if action_prefix:
        query = query.where(AuditEntry.action.startswith(action_prefix))
    return [
        AuditRow(
            id=i,
            when=when,
            actor=name or "(system)",
            action=action,
            detail=detail,
            login=other_login(login, person_login),
        )
        for i, when, name, action, detail, login, person_login in session.execute(query)
    ]
