"""``leaddesk office|group set NAME --assign RULE [--auto]`` and the away period of
``leaddesk user set``: how a bucket is assigned, and who is skipped while away."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from leaddesk.admin.audit import require_admin
from leaddesk.admin.bucket_rules import set_away, set_bucket_rule, set_waiting_limit
from leaddesk.cli.common import actor_of, opened, print_json
from leaddesk.errors import InvalidInputError
from leaddesk.reassignment.retry import write_with_retry
from leaddesk.store.bucket_rules import AssignRule, BucketKey
from leaddesk.store.lookup import find_group, find_office
from leaddesk.store.waiting import limit_text, parse_limit


def add_set_parser(
    parent: argparse._SubParsersAction, kind: str, acting: argparse.ArgumentParser
) -> None:
    """``office set`` / ``group set``: the bucket's assignment rule and waiting limit."""
    noun = "office" if kind == "office" else "pass group"
    parser = parent.add_parser(
        "set",
        parents=[acting],
        help=f"how the {noun}'s Leads to be Assigned are assigned, and how long they may wait",
    )
    parser.add_argument(kind, metavar=kind.upper())
    parser.add_argument(
        "--assign",
        choices=[rule.label for rule in AssignRule],
        help="manual (by hand), round-robin over active members, or least-loaded",
    )
    parser.add_argument(
        "--auto",
        action=argparse.BooleanOptionalAction,
        default=False,
        help="with --assign: assign each lead by the rule as it arrives in the bucket",
    )
    parser.add_argument(
        "--waiting-limit",
        metavar="TIME",
        help="leads waiting longer are overdue and reminded (4h, 90m, 2d; none to remove)",
    )
    parser.set_defaults(handler=run_set_rule, bucket_kind=kind, usage_error=parser.error)


def run_set_rule(args: argparse.Namespace) -> int:
    if args.assign is None and args.waiting_limit is None:
        args.usage_error("say --assign RULE, --waiting-limit TIME, or both")
    if args.auto and args.assign is None:
        args.usage_error("--auto goes with --assign round-robin|least-loaded")
    rule = AssignRule.parse(args.assign) if args.assign is not None else None
    limit = parse_limit(args.waiting_limit) if args.waiting_limit is not None else None

    def work(session: Session) -> str:
        actor = actor_of(session, args)
        require_admin(session, actor.id)
        if args.bucket_kind == "office":
            place = find_office(session, args.office)
            bucket = BucketKey(office_id=place.id)
        else:
            place = find_group(session, args.group)
            bucket = BucketKey(group_id=place.id)
        parts = []
        if rule is not None:
            set_bucket_rule(session, actor.id, bucket, rule=rule, auto=args.auto)
            parts.append(f"{rule.label}, automatic on arrival" if args.auto else rule.label)
        if args.waiting_limit is not None:
            set_waiting_limit(session, actor.id, bucket, limit)
            parts.append(f"waiting limit {limit_text(limit)}")
        return f"Leads to be Assigned of {place.name}: {'; '.join(parts)}."

    with opened(args) as database:
        message = write_with_retry(database, work)
    if args.json:
        print_json({"ok": True, "message": message})
    else:
        print(message)
    return 0


def add_away_options(parser: argparse.ArgumentParser) -> None:
    """``user set`` options for an away period (local time, or with an explicit offset)."""
    parser.add_argument("--away-from", metavar="WHEN", help="away from (YYYY-MM-DD [HH:MM])")
    parser.add_argument("--away-until", metavar="WHEN", help="back at (YYYY-MM-DD [HH:MM])")
    parser.add_argument("--not-away", action="store_true", help="clear the away period")


def wants_away_change(args: argparse.Namespace) -> bool:
    return bool(args.away_from or args.away_until or args.not_away)


def apply_away(session: Session, actor_id: int, user_id: int, args: argparse.Namespace) -> str:
    """Apply ``--away-from/--away-until/--not-away``; returns a sentence for the output."""
    if args.not_away and (args.away_from or args.away_until):
        raise InvalidInputError("Use --not-away alone, or --away-from/--away-until.")
    start = None if args.not_away else parse_when(args.away_from, "--away-from")
    end = None if args.not_away else parse_when(args.away_until, "--away-until")
    set_away(session, actor_id, user_id, away_from=start, away_until=end)
    if start is None and end is None:
        return "not away"
    return (
        f"away from {f'{start:%Y-%m-%d %H:%M}' if start else 'now'} "
        f"until {f'{end:%Y-%m-%d %H:%M}' if end else 'further notice'} (UTC)"
    )


def parse_when(text: str | None, option: str) -> datetime | None:
    """A date or date and time as typed; without an offset it is local time. Stored as UTC."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInputError(
            f"{option} '{text}' is not a date; write it as YYYY-MM-DD or YYYY-MM-DD HH:MM."
        ) from None
    return moment.astimezone(UTC).replace(tzinfo=None)
