"""Offboarding: pass every lead of a leaving user on, then deactivate them, in one step.

Runs inside the caller's transaction: the pass (history, notes, one notification per
recipient) and the deactivation commit together or not at all. The leads move through
:func:`leaddesk.reassignment.controller.pass_leads`, the only code that changes ownership.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from leaddesk.admin.audit import record, require_admin
from leaddesk.admin.users import check_can_deactivate, get_user, owned_lead_count
from leaddesk.errors import InvalidInputError
from leaddesk.reassignment.controller import pass_leads
from leaddesk.reassignment.requests import PassMethod, PassResult, Selection, Target, TargetKind
from leaddesk.server import logins


@dataclass(frozen=True)
class OffboardResult:
    user_id: int
    user_name: str
    pass_result: PassResult | None  # None when the user owned no leads

    @property
    def moved(self) -> int:
        return self.pass_result.moved if self.pass_result else 0


def offboard_user(
    session: Session,
    *,
    actor_id: int,
    user_id: int,
    target: Target | None,
    note: str = "",
) -> OffboardResult:
    """Pass all of ``user_id``'s leads to ``target`` with ``note`` and deactivate them.

    Admins only. A user who owns leads needs a target; one who owns none is simply
    deactivated. Inactive users can never be a target (the controller refuses them).
    """
    actor = require_admin(session, actor_id)
    # Held until commit: a pass to them in flight finishes first and its leads are counted
    # and passed on; a pass that comes later waits and then finds them inactive.
    user = get_user(session, user_id, lock=True)
    check_can_deactivate(session, actor, user)
    if target is not None and target.kind is TargetKind.USER and target.id == user.id:
        raise InvalidInputError(f"{user.name} is leaving; choose someone else to take their leads.")
    owned = owned_lead_count(session, user.id)
    result: PassResult | None = None
    if owned:
        if target is None:
            raise InvalidInputError(
                f"{user.name} still owns {owned:,} lead(s). Choose where their leads go "
                "(a user, office or pass group) before deactivating them."
            )
        result = pass_leads(
            session,
            actor_id=actor.id,
            selection=Selection.all_of_user(user.id),
            target=target,
            note=note,
            method=PassMethod.OFFBOARD,
        )
    user.active = False
    session.flush()
    logins.sync_user_login(session, user)
    where = (
        f" and passed {result.moved:,} lead(s) to {result.target_name} (pass {result.batch_id})"
        if result
        else ""
    )
    record(session, actor, "user.offboard", f"Deactivated {user.name}{where}.")
    return OffboardResult(user_id=user.id, user_name=user.name, pass_result=result)
