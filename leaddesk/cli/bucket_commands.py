"""``leaddesk buckets [--overdue]`` and ``leaddesk remind``: what waits, and for how long."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from leaddesk.cli.common import actor_of, common_options, opened, print_json
from leaddesk.notify.reminders import ReminderReport, queue_reminders
from leaddesk.reassignment.retry import write_with_retry
from leaddesk.store.models import utc_now
from leaddesk.store.queries import BucketLeads, LeadRow, visible_buckets
from leaddesk.store.waiting import duration_text, is_overdue, limit_text
from leaddesk.text_safety import one_line

REMIND_DESCRIPTION = """\
Queue one reminder email per bucket and period for the leads that waited longer than their
bucket's waiting limit, to the people who see the bucket (office managers, pass-group
members). A period is as long as the limit, counted from midnight UTC; running this again in
the same period queues nothing more. Then send them with 'leaddesk outbox send' (the window
queues and sends reminders on its own while it is open). For cron or Task Scheduler:
  leaddesk remind && leaddesk outbox send"""


def register(subparsers: argparse._SubParsersAction) -> None:
    acting = common_options(actor=True, json_output=True)
    buckets = subparsers.add_parser(
        "buckets", parents=[acting], help="the Leads to be Assigned you can see"
    )
    buckets.add_argument(
        "--overdue",
        action="store_true",
        help="only leads that waited longer than their bucket's waiting limit",
    )
    buckets.set_defaults(handler=run_buckets)

    remind = subparsers.add_parser(
        "remind",
        parents=[common_options(json_output=True)],
        help="queue reminders of leads waiting over their limit",
        description=REMIND_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    remind.set_defaults(handler=run_remind)


@dataclass(frozen=True)
class _Waiting:
    lead: LeadRow
    waited: timedelta
    overdue: bool

    def as_json(self) -> dict[str, object]:
        return {
            **self.lead.as_json(),
            "waited_minutes": int(self.waited.total_seconds() // 60),
            "overdue": self.overdue,
        }


def _waiting(bucket: BucketLeads, overdue_only: bool, now: datetime) -> list[_Waiting]:
    rows = [
        _Waiting(
            lead,
            now - lead.updated_at,
            is_overdue(lead.updated_at, bucket.waiting_limit_minutes, now),
        )
        for lead in bucket.leads
    ]
    return [row for row in rows if row.overdue or not overdue_only]


def run_buckets(args: argparse.Namespace) -> int:
    with opened(args) as database, database.read() as session:
        actor = actor_of(session, args)
        buckets = visible_buckets(session, actor)
    now = utc_now()
    shown = [
        (bucket, _waiting(bucket, args.overdue, now))
        for bucket in buckets
        if not args.overdue or bucket.waiting_limit_minutes is not None
    ]
    if args.overdue:
        shown = [(bucket, leads) for bucket, leads in shown if leads]
    if args.json:
        print_json(
            [
                {
                    "kind": bucket.kind,
                    "id": bucket.id,
                    "name": bucket.name,
                    "waiting_limit_minutes": bucket.waiting_limit_minutes,
                    "leads": [row.as_json() for row in leads],
                }
                for bucket, leads in shown
            ]
        )
        return 0
    if not buckets:
        print(
            f"{actor.name} sees no Leads to be Assigned buckets "
            "(office managers see their office's, pass-group members their group's)."
        )
        return 0
    if args.overdue and not shown:
        print(f"No lead waits longer than its bucket's limit in the buckets {actor.name} sees.")
        return 0
    for bucket, leads in shown:
        kind = "Office" if bucket.kind == "office" else "Pass group"
        limit = (
            f"; {sum(row.overdue for row in leads)} over the "
            f"{limit_text(bucket.waiting_limit_minutes)} limit"
            if bucket.waiting_limit_minutes is not None
            else ""
        )
        what = "overdue" if args.overdue else "to be assigned"
        print(f"{kind}: {one_line(bucket.name)} — {len(leads)} lead(s) {what}{limit}")
        for row in leads:
            lead = row.lead
            name, company, status = (one_line(v) for v in (lead.name, lead.company, lead.status))
            flag = "  OVERDUE" if row.overdue else ""
            print(
                f"  {lead.id:>8}  {name}  ({company}, {status})  "
                f"waited {duration_text(row.waited)}{flag}"
            )
    return 0


def run_remind(args: argparse.Namespace) -> int:
    def work(session: Session) -> ReminderReport:
        return queue_reminders(session)

    with opened(args) as database:
        report = write_with_retry(database, work)
    if args.json:
        print_json({"overdue_buckets": report.overdue_buckets, "queued": report.queued})
    elif not report.overdue_buckets:
        print("No bucket has leads waiting longer than its limit; no reminder queued.")
    else:
        print(
            f"{report.overdue_buckets} bucket(s) with overdue leads; {report.queued} reminder "
            "email(s) queued (none when this period's are queued already). Send them with "
            "'leaddesk outbox send'."
        )
    return 0
