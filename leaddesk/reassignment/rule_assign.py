"""Applying an assignment plan: all of a bucket's planned leads in one batch.

One batch (one note, one email per new owner, undone together), a fixed number of
statements for any number of leads, and the round-robin cursor moved in the same
transaction. A plan is applied exactly as previewed or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from leaddesk.errors import ConflictError
from leaddesk.reassignment import permissions
from leaddesk.reassignment.batches import clean_note, finish_batch, new_batch
from leaddesk.reassignment.moves import move_leads_by_plan
from leaddesk.reassignment.requests import PassMethod, Target
from leaddesk.reassignment.rule_plan import AssignmentPlan, available_members, plan_by_rule
from leaddesk.store.bucket_rules import BucketKey, in_bucket, rule_row
from leaddesk.store.models import BucketRule, Lead, PassBatch, User, utc_now


@dataclass(frozen=True)
class RuleAssignResult:
    batch_id: int
    moved: int
    notifications: int
    counts: list[tuple[str, int]]
    bucket_name: str


def assign_all_by_rule(
    session: Session, *, actor_id: int, bucket: BucketKey, note: str = ""
) -> RuleAssignResult:
    """Plan and apply in one go (the command line without --dry-run)."""
    note = clean_note(note)
    plan = plan_by_rule(session, actor_id=actor_id, bucket=bucket)
    return assign_by_plan(session, actor_id=actor_id, plan=plan, note=note)


def assign_by_plan(
    session: Session,
    *,
    actor_id: int,
    plan: AssignmentPlan,
    note: str = "",
    method: PassMethod = PassMethod.RULE_ASSIGN,
    add_notes: bool = True,
) -> RuleAssignResult:
    """Apply a plan made by :func:`plan_by_rule`; a changed bucket is a conflict."""
    note = clean_note(note)
    actor = permissions.get_actor(session, actor_id)
    rule = rule_row(session, plan.bucket)
    if (
        rule is None
        or rule.rule != plan.rule.value
        or (rule.last_assigned_user_id != plan.cursor_before)
    ):
        raise ConflictError(
            f"The assignment of {plan.bucket_name} changed since the preview (its rule, or "
            "someone else assigned from it); nothing was assigned. Look at the preview again."
        )
    receivers = {lead.user_id for lead in plan.leads}
    active = session.scalar(
        select(func.count()).where(User.id.in_(receivers), User.active.is_(True))
    )
    if active != len(receivers):
        raise ConflictError(
            f"Someone in the plan for {plan.bucket_name} was deactivated meanwhile; nothing "
            "was assigned. Look at the preview again."
        )
    now = utc_now()
    batch = new_batch(session, actor, method, note, None, now)
    moved = move_leads_by_plan(
        session,
        plan=[(lead.lead_id, lead.version, lead.user_id) for lead in plan.leads],
        bucket_condition=in_bucket(plan.bucket),
        batch_id=batch.id,
        now=now,
    )
    if moved != len(plan.leads):
        raise ConflictError(
            f"{len(plan.leads) - moved} of the {len(plan.leads)} planned leads of "
            f"{plan.bucket_name} were changed by someone else meanwhile; nothing was "
            "assigned. Look at the preview again."
        )
    rule.last_assigned_user_id = plan.cursor_after
    target = (
        Target.office(plan.bucket.office_id)
        if plan.bucket.office_id is not None
        else Target.group(plan.bucket.group_id)  # type: ignore[arg-type]
    )
    result = finish_batch(
        session, actor, batch, moved, target, plan.bucket_name, now, add_notes=add_notes
    )
    return RuleAssignResult(
        batch_id=batch.id,
        moved=moved,
        notifications=result.notifications,
        counts=plan.counts(),
        bucket_name=plan.bucket_name,
    )


@dataclass(frozen=True)
class Arrivals:
    """What automatic assignment did after one pass."""

    assigned: int = 0
    notifications: int = 0  # queued for the new owners


def assign_arrivals(session: Session, *, actor_id: int, batch_id: int) -> Arrivals:
    """Assign what ``batch_id`` brought into buckets with automatic assignment.

    Called in the transaction of the pass (or import) right after its leads moved and
    before its emails are queued: each such bucket's arrivals become one batch of their own
    (history shows both steps; undo takes back the assignment first), and the new owners get
    one email each, with the pass's note. The pass's emails then tell watchers only of
    leads still waiting, so nothing is queued only to be taken back (ordinary server logins
    may not delete outbox rows). Where no member is available the leads simply wait.
    """
    arrivals = session.execute(
        select(Lead.bucket_office_id, Lead.bucket_group_id)
        .join(
            BucketRule,
            or_(
                BucketRule.office_id == Lead.bucket_office_id,
                BucketRule.group_id == Lead.bucket_group_id,
            ),
        )
        .where(Lead.last_batch_id == batch_id, BucketRule.auto.is_(True))
        .distinct()
    ).all()
    if not arrivals:
        return Arrivals()
    first = session.get(PassBatch, batch_id)
    assert first is not None
    now = utc_now()
    assigned = notifications = 0
    for office_id, group_id in arrivals:
        bucket = BucketKey(office_id=office_id, group_id=group_id)
        if not available_members(session, bucket, now):
            continue
        plan = plan_by_rule(
            session, actor_id=actor_id, bucket=bucket, now=now, arrived_in_batch=batch_id
        )
        result = assign_by_plan(
            session,
            actor_id=actor_id,
            plan=plan,
            note=first.note,
            method=PassMethod.AUTO_ASSIGN,
            add_notes=False,
        )
        assigned += result.moved
        notifications += result.notifications
    return Arrivals(assigned=assigned, notifications=notifications)
