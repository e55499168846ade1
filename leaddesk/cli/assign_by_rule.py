"""``leaddesk assign --bucket NAME --auto [--dry-run] [--note TEXT]``: every waiting lead of
a bucket by the bucket's rule, previewed (``--dry-run``) or applied as one batch."""

from __future__ import annotations

import argparse

from sqlalchemy.orm import Session

from leaddesk.cli.common import actor_of, opened, print_json, print_table
from leaddesk.reassignment.retry import write_with_retry
from leaddesk.reassignment.rule_assign import RuleAssignResult, assign_by_plan
from leaddesk.reassignment.rule_plan import AssignmentPlan, bucket_of_place, plan_by_rule


def _plan(session: Session, args: argparse.Namespace) -> tuple[int, AssignmentPlan]:
    actor = actor_of(session, args)
    bucket = bucket_of_place(session, args.bucket)
    return actor.id, plan_by_rule(session, actor_id=actor.id, bucket=bucket)


def run_assign_by_rule(args: argparse.Namespace) -> int:
    if args.dry_run:
        with opened(args) as database, database.read() as session:
            _print_plan(args, _plan(session, args)[1])
        return 0

    def work(session: Session) -> tuple[AssignmentPlan, RuleAssignResult]:
        # Planned and applied in one transaction: exactly what a dry run of this moment
        # would have printed.
        actor_id, plan = _plan(session, args)
        return plan, assign_by_plan(session, actor_id=actor_id, plan=plan, note=args.note)

    with opened(args) as database:
        plan, result = write_with_retry(database, work)
    if args.json:
        print_json(
            {
                "batch_id": result.batch_id,
                "moved": result.moved,
                "bucket": result.bucket_name,
                "per_person": dict(result.counts),
                "notifications_queued": result.notifications,
            }
        )
        return 0
    shares = ", ".join(f"{name} {count:,}" for name, count in result.counts)
    print(
        f"{result.moved:,} lead(s) of {result.bucket_name} assigned by "
        f"{plan.rule.label} (batch {result.batch_id}): {shares}; "
        f"{result.notifications} notification(s) queued."
    )
    return 0


def _print_plan(args: argparse.Namespace, plan: AssignmentPlan) -> None:
    names = plan.members
    if args.json:
        print_json(
            {
                "bucket": plan.bucket_name,
                "rule": plan.rule.label,
                "per_person": dict(plan.counts()),
                "leads": [
                    {"id": lead.lead_id, "name": lead.lead_name, "to": names[lead.user_id]}
                    for lead in plan.leads
                ],
            }
        )
        return
    print(
        f"Dry run: {len(plan.leads):,} lead(s) of {plan.bucket_name} would be assigned by "
        f"{plan.rule.label}; nothing changed."
    )
    print_table(["PERSON", "LEADS"], [[name, count] for name, count in plan.counts()])
    print()
    print_table(
        ["LEAD", "NAME", "TO"],
        [[lead.lead_id, lead.lead_name, names[lead.user_id]] for lead in plan.leads],
    )
