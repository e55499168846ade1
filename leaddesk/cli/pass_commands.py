"""``leaddesk leads|pass|buckets|assign|history|passes|undo``: the controller from the shell."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from leaddesk.cli.common import actor_of, common_options, opened, print_json, print_table
from leaddesk.errors import InvalidInputError, ReadOnlyDatabaseError
from leaddesk.store.database import READ_ONLY_PASSES, Database
from leaddesk.store.lookup import find_group, find_lead, find_office, find_status, find_user
from leaddesk.store.queries import lead_history, visible_leads
from leaddesk.text_safety import one_line

# The controller, its rules and the undo rules load inside the commands that use them:
# `leaddesk leads` starts without them (tests/test_cli_structure.py).
if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from leaddesk.reassignment.requests import PassResult
    from leaddesk.reassignment.undo_rules import PassSummary

# What a write returns: a pass result, or (for undo --last) the result with what was undone.
Written = TypeVar("Written")

PASS_DESCRIPTION = """\
Pass leads to a new owner, or into the Leads to be Assigned bucket of an office or a pass
group. Say what to pass (--lead, or --user with an optional --status) and where to
(--to-user, --to-office or --to-group). All the leads move as one batch, in one
transaction: all of them or none. Each new owner gets one email with the note."""

PASS_EXAMPLES = """\
examples:
  one lead (repeat --lead for more):
    leaddesk pass --as "Maria Manager" --lead 12 --to-user "Jane Doe" --note "Call her Monday"
  every lead of a user:
    leaddesk pass --as "Maria Manager" --user "John Smith" --to-user "Jane Doe" --note "John left"
  only the OPPORTUNITY leads of a user:
    leaddesk pass --as "Maria Manager" --user "Jane Doe" --status OPPORTUNITY --to-user "Sam Field"
  into an office's or a pass group's Leads to be Assigned bucket:
    leaddesk pass --as "Maria Manager" --lead 12 --to-office "Downtown Office"
    leaddesk pass --as "Maria Manager" --user "John Smith" --to-group "Inbound Team"

You may pass from and to the users you have manager rights over. Names ignore case; a
user may also be given by email or id. Your recent passes: leaddesk passes --as NAME;
undo the last one: leaddesk undo --as NAME --last."""


def register(subparsers: argparse._SubParsersAction) -> None:
    acting = common_options(actor=True, json_output=True)
    listing = common_options(actor=True, json_output=True, table=True)

    leads = subparsers.add_parser("leads", parents=[listing], help="the leads you can see")
    leads.add_argument("--owner", metavar="NAME", help="only this owner's leads")
    leads.add_argument("--status", metavar="NAME", help="only leads in this status")
    leads.set_defaults(handler=run_leads)

    passing = subparsers.add_parser(
        "pass",
        parents=[acting],
        help="pass leads to a user, office or pass group",
        description=PASS_DESCRIPTION,
        epilog=PASS_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    source = passing.add_argument_group("what to pass (one of)").add_mutually_exclusive_group(
        required=True
    )
    source.add_argument(
        "--lead",
        type=int,
        action="append",
        metavar="ID",
        help="this lead (its id, as 'leaddesk leads' shows it); repeat for several leads",
    )
    source.add_argument("--user", metavar="NAME", help="every lead this user owns")
    passing.add_argument(
        "--status",
        metavar="NAME",
        help="with --user: only the user's leads in this status (for example OPPORTUNITY)",
    )
    target = passing.add_argument_group("where to (one of)").add_mutually_exclusive_group(
        required=True
    )
    target.add_argument("--to-user", metavar="NAME", help="the new owner")
    target.add_argument(
        "--to-office",
        metavar="NAME",
        help="the office's Leads to be Assigned bucket; its office managers assign them",
    )
    target.add_argument(
        "--to-group",
        metavar="NAME",
        help="the pass group's Leads to be Assigned bucket; its members assign them",
    )
    passing.add_argument(
        "--note",
        default="",
        metavar="TEXT",
        help="added to every lead passed and sent in the email (up to 4,000 characters)",
    )
    passing.set_defaults(handler=run_pass)

    assign = subparsers.add_parser(
        "assign",
        parents=[acting],
        help="assign a bucket's lead to a user, or all by the rule",
    )
    which = assign.add_mutually_exclusive_group(required=True)
    which.add_argument("--lead", type=int, metavar="ID", help="this lead (with --to-user)")
    which.add_argument("--bucket", metavar="NAME", help="an office or pass group (with --auto)")
    assign.add_argument("--to-user", metavar="NAME")
    assign.add_argument(
        "--auto", action="store_true", help="all waiting leads of --bucket by the bucket's rule"
    )
    assign.add_argument(
        "--dry-run", action="store_true", help="with --auto: show the plan, change nothing"
    )
    assign.add_argument("--note", default="", metavar="TEXT")
    # Which options go together is checked in run_assign; a mismatch is a usage error.
    assign.set_defaults(handler=run_assign, usage_error=assign.error)

    history = subparsers.add_parser(
        "history",
        parents=[common_options(actor=True, json_output=True, table=True)],
        help="the pass history of a lead you may see",
    )
    history.add_argument("--lead", type=int, required=True, metavar="ID")
    history.set_defaults(handler=run_history)

    passes = subparsers.add_parser(
        "passes",
        parents=[listing],
        help="your recent passes and whether each can be undone",
        description="Your recent passes (batches), newest first: when, how many leads, from "
        "where, to where, the note, and whether it can be undone now (or why not).",
    )
    passes.add_argument(
        "--limit", type=int, default=20, metavar="N", help="show at most N passes (default 20)"
    )
    passes.set_defaults(handler=run_passes)

    undo = subparsers.add_parser(
        "undo",
        parents=[acting],
        help="undo a pass batch",
        description="Put the leads of one of your passes back where they were, as long as "
        "none of them changed since. 'leaddesk passes' lists your passes.",
    )
    which = undo.add_mutually_exclusive_group(required=True)
    which.add_argument("--batch", type=int, metavar="ID", help="this pass (batch id)")
    which.add_argument(
        "--last", action="store_true", help="your most recent pass that has not been undone"
    )
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
        wide=args.wide,
    )
    print(f"{len(rows):,} lead(s).")
    return 0


def run_pass(args: argparse.Namespace) -> int:
    from leaddesk.reassignment.controller import pass_leads
    from leaddesk.reassignment.requests import LeadRef, PassMethod, Selection, Target

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
    from leaddesk.cli.assign_by_rule import run_assign_by_rule
    from leaddesk.reassignment.controller import assign_from_bucket
    from leaddesk.reassignment.requests import LeadRef

    if args.bucket is not None:
        if not args.auto or args.to_user:
            args.usage_error(
                "with --bucket, say --auto (assign by the bucket's rule); to give one lead to "
                "a user, use --lead ID --to-user NAME"
            )
        return run_assign_by_rule(args)
    if not args.to_user or args.auto or args.dry_run:
        args.usage_error("--lead needs --to-user NAME (--auto and --dry-run go with --bucket)")

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
    from leaddesk.reassignment.controller import undo_batch
    from leaddesk.reassignment.undo_rules import undo_offer

    def work(session: Session) -> tuple[PassSummary | None, int, PassResult]:
        actor = actor_of(session, args)
        offer = undo_offer(session, actor_id=actor.id) if args.last else None
        if args.last and offer is None:
            raise InvalidInputError(f"{actor.name} has no pass to undo.")
        batch_id = offer.batch_id if offer is not None else args.batch
        return offer, batch_id, undo_batch(session, actor_id=actor.id, batch_id=batch_id)

    with opened(args) as database:
        offer, batch_id, result = _write_pass(database, work)
    if offer is not None and not args.json:
        print(f"Undid pass {batch_id} ({offer.description()}, {offer.when:%Y-%m-%d %H:%M} UTC).")
    _report(args, result, "returned", undone=batch_id)
    return 0


def _write_pass(database: Database, work: Callable[[Session], Written]) -> Written:
    """Passes, assignments and undos: refused in one line on a read-only database."""
    from leaddesk.reassignment.retry import write_with_retry

    if database.read_only:
        raise ReadOnlyDatabaseError(READ_ONLY_PASSES)
    return write_with_retry(database, work)


def run_passes(args: argparse.Namespace) -> int:
    from leaddesk.reassignment.undo_rules import recent_passes

    if args.limit < 1:
        raise InvalidInputError("--limit must be 1 or more.")
    with opened(args) as database, database.read() as session:
        actor = actor_of(session, args)
        rows = recent_passes(session, actor_id=actor.id, limit=args.limit)
    if args.json:
        print_json([row.as_json() for row in rows])
        return 0
    if not rows:
        print(f"{actor.name} has made no passes yet.")
        return 0
    print_table(
        ["BATCH", "WHEN (UTC)", "LEADS", "FROM", "TO", "NOTE", "UNDO"],
        [
            [
                r.batch_id,
                r.when.strftime("%Y-%m-%d %H:%M"),
                r.lead_count,
                ", ".join(r.from_places),
                ", ".join(r.to_places),
                r.note,
                "yes" if r.undoable else f"no: {r.refusal}",
            ]
            for r in rows
        ],
        wide=args.wide,
    )
    return 0


def _report(
    args: argparse.Namespace, result: PassResult, verb: str, *, undone: int | None = None
) -> None:
    if args.json:
        extra = {} if undone is None else {"undone_batch_id": undone}
        print_json(
            {
                **extra,
                "batch_id": result.batch_id,
                "moved": result.moved,
                "target": result.target_name,
                "target_kind": result.target.kind.value,
                "notifications_queued": result.notifications,
                "auto_assigned": result.auto_assigned,
            }
        )
        return
    noun = "lead" if result.moved == 1 else "leads"
    auto = (
        f"; {result.auto_assigned:,} assigned at once by the bucket's rule"
        if result.auto_assigned
        else ""
    )
    print(
        f"{result.moved:,} {noun} {verb} to {result.target_name} (batch {result.batch_id}, "
        f"{result.notifications} notification(s) queued){auto}."
    )


def run_history(args: argparse.Namespace) -> int:
    from leaddesk.reassignment.permissions import require_visible_lead

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
                r.actor_label,
                r.from_place,
                r.to_place,
                r.note,
                r.undone_by or "",
            ]
            for r in rows
        ],
        wide=args.wide,
    )
    return 0
