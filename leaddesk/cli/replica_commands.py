"""``leaddesk replica create``, ``leaddesk sync`` and ``leaddesk conflicts``: offline work."""

from __future__ import annotations

import argparse

from leaddesk.cli.common import common_options, print_json, print_table
from leaddesk.errors import InvalidInputError


def register(subparsers: argparse._SubParsersAction) -> None:
    replica = subparsers.add_parser("replica", help="keep a copy of a server for offline work")
    actions = replica.add_subparsers(dest="replica_action", metavar="ACTION", required=True)
    create = actions.add_parser(
        "create",
        parents=[common_options(actor=True, json_output=True)],
        help="copy what you see on a server into a new file",
        description=(
            "Copy the leads you may see on a shared server (with their history and notes, and "
            "the people, offices, pass groups and statuses they need) into a new SQLite file. "
            "Work on it with --db FILE as on any database; 'leaddesk sync --db FILE' sends "
            "your passes and fetches what changed. The file remembers the server's address "
            "without the password (that stays in the keyring)."
        ),
    )
    create.add_argument("--server", metavar="URL", required=True, help="the server's URL")
    create.set_defaults(handler=run_create)

    sync = subparsers.add_parser(
        "sync",
        parents=[common_options(json_output=True)],
        help="send offline passes, then fetch what changed",
    )
    sync.set_defaults(handler=run_sync)

    conflicts = subparsers.add_parser(
        "conflicts",
        parents=[common_options(json_output=True, table=True)],
        help="offline passes the server did not apply",
        description="Without an action, list the open conflicts; 'resolve ID' closes one.",
    )
    conflicts.set_defaults(handler=run_conflicts)
    conflict_actions = conflicts.add_subparsers(
        dest="conflicts_action", metavar="ACTION", required=False
    )
    resolve = conflict_actions.add_parser(
        "resolve",
        parents=[common_options()],
        help="pass the leads again on the server, or drop the offline pass",
    )
    resolve.add_argument("id", type=int, metavar="ID", help="the conflict's id")
    choice = resolve.add_mutually_exclusive_group(required=True)
    choice.add_argument(
        "--pass-again",
        action="store_true",
        help="pass the leads again as they are on the server now (a new pass, the note kept)",
    )
    choice.add_argument(
        "--drop", action="store_true", help="close it; the server keeps what it has"
    )
    resolve.set_defaults(handler=run_resolve)


def _replica_path(args: argparse.Namespace) -> str:
    path = getattr(args, "db", None)
    if not path or "://" in path:
        raise InvalidInputError("Name the offline copy with --db FILE.")
    return str(path)


def run_create(args: argparse.Namespace) -> int:
    from leaddesk.offline import create_replica

    info = create_replica(args.server, _replica_path(args), actor=getattr(args, "actor", None))
    if args.json:
        print_json(
            {"path": info.path, "server_url": info.server_url, "actor_name": info.actor_name}
        )
        return 0
    print(f"Made an offline copy of {info.server_url} for {info.actor_name} at {info.path}.")
    return 0


def run_sync(args: argparse.Namespace) -> int:
    from leaddesk.offline import sync_replica

    report = sync_replica(_replica_path(args))
    if args.json:
        print_json(
            {
                "applied": report.applied,
                "already_applied": report.already_applied,
                "conflicts": report.conflicts,
                "leads_changed": report.leads_changed,
                "full_refresh": report.full_refresh,
            }
        )
        return 0
    hint = " (see 'leaddesk conflicts')" if report.conflicts else ""
    print(f"Synced: {report.summary()}{hint}.")
    return 0


def run_conflicts(args: argparse.Namespace) -> int:
    from leaddesk.offline import list_conflicts

    found = list_conflicts(_replica_path(args))
    if args.json:
        print_json([conflict_json(conflict) for conflict in found])
        return 0
    if not found:
        print("No open conflicts.")
        return 0
    rows = [
        [
            c.id,
            c.passed_at.strftime("%Y-%m-%d %H:%M"),
            ", ".join(c.lead_names),
            c.target_label,
            c.note,
            "; ".join(_side_text(side) for side in c.server_now),
        ]
        for c in found
    ]
    headers = ["ID", "Passed (UTC)", "Leads", "To", "Note", "On the server now"]
    print_table(headers, rows, wide=args.wide)
    return 0


def _side_text(side: object) -> str:
    from leaddesk.offline import ConflictSide

    assert isinstance(side, ConflictSide)
    if side.server_version is None:
        return f"{side.lead_name}: no longer in your view"
    by = f" by {side.changed_by}" if side.changed_by else ""
    when = f" {side.changed_at.strftime('%Y-%m-%d %H:%M')}" if side.changed_at else ""
    return f"{side.lead_name}: {side.place}{by}{when}"


def conflict_json(conflict: object) -> dict[str, object]:
    from dataclasses import asdict

    data = asdict(conflict)  # type: ignore[call-overload]
    data["lead_names"] = list(data["lead_names"])
    return data


def run_resolve(args: argparse.Namespace) -> int:
    from leaddesk.offline import resolve_conflict

    print(resolve_conflict(_replica_path(args), args.id, pass_again=args.pass_again))
    return 0
