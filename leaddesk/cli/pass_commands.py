"""``leaddesk leads|pass|buckets|assign|history|undo``: the controller from the shell."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from sqlalchemy.orm import Session

from leaddesk.cli.common import actor_of, common_options, opened, print_json, print_table
from leaddesk.errors import InvalidInputError, ReadOnlyDatabaseError
from leaddesk.reassignment.controller import assign_from_bucket, pass_leads, undo_batch
from leaddesk.reassignment.permissions import require_visible_lead
from leaddesk.reassignment.requests import LeadRef, PassMethod, PassResult, Selection, Target
from leaddesk.reassignment.retry import write_with_retry
from leaddesk.store.database import READ_ONLY_PASSES, Database
from leaddesk.store.lookup import find_group, find_lead, find_office, find_status, find_user
from leaddesk.store.queries import lead_history, visible_buckets, visible_leads
from leaddesk.text_safety import one_line


def register(subparsers: argparse._SubParsersAction) -> None:
    acting = common_options(actor=True, json_output=True)

    leads = subparsers.add_parser("leads", parents=[acting], help="the leads you can see")
    leads.add_argument("--owner", metavar="NAME", help="only this owner's leads")
    leads.add_argument("--status", metavar="NAME", help="only leads in this status")
    leads.set_defaults(handler=run_leads)

    passing = subparsers.add_parser(
        "pass", parents=[acting], help="pass leads to a user, office or pass group"
    )
    source = passing.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--lead", type=int, action="append", metavar="ID", help="a lead (repeatable)"
    )
    source.add_argument("--user", metavar="NAME", help="all leads of this user")
    passing.add_argument("--status", metavar="NAME", help="with --user: only leads in this status")
    target = passing.add_mutually_exclusive_group(required=True)
    target.add_argument("--to-user", metavar="NAME")
    target.add_argument("--to-office", metavar="NAME")
    target.add_argument("--to-group", metavar="NAME")
    passing.add_argument("--note", default="", metavar="TEXT", help="note added to every lead")
    passing.set_defaults(handler=run_pass)

    buckets = subparsers.add_parser(
        "buckets", parents=[acting], help="the Leads to be Assigned you can see"
    )
    buckets.set_defaults(handler=run_buckets)

    assign = subparsers.add_parser(
        "assign", parents=[acting], help="assign a lead from a bucket to a user"
    )
    assign.add_argument("--lead", type=int, required=True, metavar="ID")
    assign.add_argument("--to-user", required=True, metavar="NAME")
    assign.add_argument("--note", default="", metavar="TEXT")
    assign.set_defaults(handler=run_assign)

    history = subparsers.add_parser(
        "history", parents=[acting], help="the pass history of a lead you may see"
    )
    history.add_argument("--lead", type=int, required=True, metavar="ID")
    history.set_defaults(handler=run_history)

    undo = subparsers.add_parser("undo", parents=[acting], help="undo a pass batch")
    undo.add_argument("--batch", type=int, required=True, metavar="ID")
    undo.set_defaults(handler=run_undo)


def run_leads(args: argparse.Namespace) -> int:
    with opened(args) as database, database.read() as session:
        actor = actor_of(session, args)
        owner_id = find_user(session, args.owner).id if args.owner else None
        status_id = find_status(session, args.status).id if args.status else None
        rows = visible_leads(session, actor, owner_id=owner_id, status_id=status_id)
    if args.json:
        print_json([row.as_json() for row in rows])
        return 0
    if not rows:
        print(f"No leads visible to {actor.name} match.")
        return 0
    print_table(
        ["ID", "LEAD", "COMPANY", "STATUS", "OWNER", "CHANGED"],
        [
            [r.id, r.name, r.company, r.status, r.owner, r.updated_at.strftime("%Y-%m-%d %H:%M")]
            for r in rows
        ],
    )
    print(f"{len(rows):,} lead(s).")
    return 0


def run_pass(args: argparse.Namespace) -> int:
    def work(session: Session) -> PassResult:
        actor = actor_of(session, args)
        if args.lead:
            if args.status:
                raise InvalidInputError("--status goes with --user, not with --lead.")
            # No versions: the controller pins the ones it checks, in this transaction.
            selection = Selection.of_leads([LeadRef(lead_id) for lead_id in args.lead])
        else:
            user = find_user(session, args.user)
            if args.status:
                selection = Selection.status_of_user(user.id, find_status(session, args.status).id)
            else:
                selection = Selection.all_of_user(user.id)
        if args.to_user:
            target = Target.user(find_user(session, args.to_user).id)
        elif args.to_office:
            target = Target.office(find_office(session, args.to_office).id)
        else:
            target = Target.group(find_group(session, args.to_group).id)
        return pass_leads(
            session,
            actor_id=actor.id,
            selection=selection,
            target=target,
            note=args.note,
            method=PassMethod.COMMAND_LINE,
        )

    with opened(args) as database:
        result = _write_pass(database, work)
    _report(args, result, "passed")
    return 0


def run_assign(args: argparse.Namespace) -> int:
    def work(session: Session) -> PassResult:
        actor = actor_of(session, args)
        lead = find_lead(session, args.lead)
        user = find_user(session, args.to_user)
        return assign_from_bucket(
            session,
            actor_id=actor.id,
            leads=[LeadRef(lead.id, lead.version)],
            user_id=user.id,
            note=args.note,
        )

    with opened(args) as database:
        result = _write_pass(database, work)
    _report(args, result, "assigned")
    return 0


def run_undo(args: argparse.Namespace) -> int:
    def work(session: Session) -> PassResult:
        actor = actor_of(session, args)
        return undo_batch(session, actor_id=actor.id, batch_id=args.batch)

    with opened(args) as database:
        result = _write_pass(database, work)
    _report(args, result, "returned")
    return 0


def _write_pass(database: Database, work: Callable[[Session], PassResult]) -> PassResult:
    """Passes, assignments and undos: refused in one line on a read-only database."""
    if database.read_only:
        raise ReadOnlyDatabaseError(READ_ONLY_PASSES)
    return write_with_retry(database, work)


def _report(args: argparse.Namespace, result: PassResult, verb: str) -> None:
    if args.json:
        print_json(
            {
                "batch_id": result.batch_id,
                "moved": result.moved,
                "target": result.target_name,
                "target_kind": result.target.kind.value,
                "notifications_queued": result.notifications,
            }
        )
        return
    noun = "lead" if result.moved == 1 else "leads"
    print(
        f"{result.moved:,} {noun} {verb} to {result.target_name} (batch {result.batch_id}, "
        f"{result.notifications} notification(s) queued)."
    )


def run_buckets(args: argparse.Namespace) -> int:
    with opened(args) as database, database.read() as session:
        actor = actor_of(session, args)
        buckets = visible_buckets(session, actor)
    if args.json:
        print_json(
            [
                {
                    "kind": bucket.kind,
                    "id": bucket.id,
                    "name": bucket.name,
                    "leads": [lead.as_json() for lead in bucket.leads],
                }
                for bucket in buckets
            ]
        )
        return 0
    if not buckets:
        print(
            f"{actor.name} sees no Leads to be Assigned buckets "
            "(office managers see their office's, pass-group members their group's)."
        )
        return 0
    for bucket in buckets:
        kind = "Office" if bucket.kind == "office" else "Pass group"
        print(f"{kind}: {one_line(bucket.name)} — {len(bucket.leads)} lead(s) to be assigned")
        for lead in bucket.leads:
            name, company, status = (one_line(v) for v in (lead.name, lead.company, lead.status))
            print(f"  {lead.id:>8}  {name}  ({company}, {status})")
    return 0


def run_history(args: argparse.Namespace) -> int:
    with opened(args) as database, database.read() as session:
        actor = actor_of(session, args)
        lead = find_lead(session, args.lead)
        require_visible_lead(session, actor, lead)
        rows = lead_history(session, lead.id)
        name = one_line(lead.name)
    if args.json:
        print_json([row.as_json() for row in rows])
        return 0
    if not rows:
        print(f"Lead {args.lead} ({name}) has never been passed.")
        return 0
    print(f"Pass history of lead {args.lead} ({name}), newest first:")
    print_table(
        ["BATCH", "WHEN (UTC)", "BY", "FROM", "TO", "NOTE", "UNDONE BY"],
        [
            [
                r.batch_id,
                r.when.strftime("%Y-%m-%d %H:%M"),
                r.actor,
                r.from_place,
                r.to_place,
                r.note,
                r.undone_by or "",
            ]
            for r in rows
        ],
    )
    return 0
