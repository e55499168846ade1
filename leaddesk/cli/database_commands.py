"""``leaddesk db upgrade``, ``leaddesk db password`` and ``leaddesk demo``."""

from __future__ import annotations

import argparse
import getpass

from leaddesk.cli.common import common_options, opened, print_json
from leaddesk.errors import InvalidInputError
from leaddesk.store.database import open_database, resolve_url, store_db_password
from leaddesk.store.demo import create_demo
from leaddesk.store.migrate import stored_revision


def register(subparsers: argparse._SubParsersAction) -> None:
    db = subparsers.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    upgrade = db_sub.add_parser(
        "upgrade", parents=[common_options()], help="migrate the schema to the newest version"
    )
    upgrade.set_defaults(handler=run_upgrade)
    password = db_sub.add_parser(
        "password",
        parents=[common_options()],
        help="store the database password in the OS keyring (asked for, never echoed)",
    )
    password.set_defaults(handler=run_password)

    demo = subparsers.add_parser(
        "demo", parents=[common_options(json_output=True)], help="create demo data"
    )
    demo.add_argument("--users", type=int, default=0, metavar="N", help="generated users to add")
    demo.add_argument("--leads", type=int, default=0, metavar="N", help="generated leads to add")
    demo.add_argument("--seed", type=int, default=1, metavar="S", help="random seed")
    demo.add_argument("--reset", action="store_true", help="delete all data first")
    demo.set_defaults(handler=run_demo)


def run_upgrade(args: argparse.Namespace) -> int:
    with opened(args) as database:
        print(f"{database.display_url}: schema at revision {stored_revision(database)}")
    return 0


def run_password(args: argparse.Namespace) -> int:
    url = resolve_url(getattr(args, "db", None))
    if url.get_backend_name() == "sqlite":
        raise InvalidInputError("A SQLite file has no password.")
    secret = getpass.getpass(f"Password for {url.username}@{url.host}/{url.database}: ")
    if not secret:
        raise InvalidInputError("No password was entered; nothing was stored.")
    store_db_password(url, secret)
    open_database(getattr(args, "db", None)).dispose()
    print("Password stored in the OS keyring; the connection works.")
    return 0


def run_demo(args: argparse.Namespace) -> int:
    with opened(args) as database:
        summary = create_demo(
            database, users=args.users, leads=args.leads, seed=args.seed, reset=args.reset
        )
        if args.json:
            print_json({"users": summary.users, "leads": summary.leads, "created": summary.created})
        else:
            state = "created" if summary.created else "already present"
            print(
                f"Demo data {state} in {database.display_url}: "
                f"{summary.users:,} users, {summary.leads:,} leads."
            )
    return 0
