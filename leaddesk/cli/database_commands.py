"""``leaddesk db upgrade|password|info`` and ``leaddesk demo``."""

from __future__ import annotations

import argparse
import getpass

from leaddesk.about import require_keyring
from leaddesk.admin.reset import reset_to_demo
from leaddesk.cli.common import common_options, opened, print_json
from leaddesk.cli.db_info import run_info
from leaddesk.errors import DatabaseUnavailableError, InvalidInputError
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
    info = db_sub.add_parser(
        "info",
        parents=[common_options(json_output=True)],
        help="where the database is, its schema, contents and size; settings and keyring",
    )
    info.set_defaults(handler=run_info)

    demo = subparsers.add_parser(
        "demo", parents=[common_options(actor=True, json_output=True)], help="create demo data"
    )
    demo.add_argument("--users", type=int, default=0, metavar="N", help="generated users to add")
    demo.add_argument("--leads", type=int, default=0, metavar="N", help="generated leads to add")
    demo.add_argument("--seed", type=int, default=1, metavar="S", help="random seed")
    demo.add_argument(
        "--reset",
        action="store_true",
        help="replace everything with the demo data: allowed at once when the database holds "
        "only demo data; otherwise an administrator (--as) must type its name (--confirm)",
    )
    demo.add_argument(
        "--confirm", metavar="NAME", help="with --reset: the database's name, typed back"
    )
    demo.add_argument(
        "--force-without-backup",
        metavar="NAME",
        help="with --reset on PostgreSQL: the database's name; LeadDesk cannot copy it first",
    )
    demo.set_defaults(handler=run_demo)


def run_upgrade(args: argparse.Namespace) -> int:
    with opened(args) as database:
        print(f"{database.display_url}: schema at revision {stored_revision(database)}")
    return 0


def run_password(args: argparse.Namespace) -> int:
    url = resolve_url(getattr(args, "db", None))
    if url.get_backend_name() == "sqlite":
        raise InvalidInputError("A SQLite file has no password.")
    require_keyring()  # before asking for a password that could not be kept
    secret = getpass.getpass(f"Password for {url.username}@{url.host}/{url.database}: ")
    if not secret:
        raise InvalidInputError("No password was entered; nothing was stored.")
    import keyring.errors  # only here: the other db commands need no keyring

    try:
        store_db_password(url, secret)
    except keyring.errors.KeyringError as exc:
        raise DatabaseUnavailableError(
            f"The system keyring is not available ({exc}); the password was not stored."
        ) from exc
    open_database(getattr(args, "db", None)).dispose()
    print("Password stored in the OS keyring; the connection works.")
    return 0


def run_demo(args: argparse.Namespace) -> int:
    if not args.reset and (args.confirm or args.force_without_backup):
        raise InvalidInputError("--confirm and --force-without-backup go with --reset.")
    with opened(args) as database:
        if args.reset:
            reset = reset_to_demo(
                database,
                actor=getattr(args, "actor", None),
                confirm=args.confirm,
                force_without_backup=args.force_without_backup,
            )
            if not args.json:
                kept = f"; the old file is kept at {reset.backup}" if reset.backup else ""
                print(
                    f"Removed {reset.removed_users:,} user(s) and {reset.removed_leads:,} "
                    f"lead(s){kept}."
                )
        summary = create_demo(database, users=args.users, leads=args.leads, seed=args.seed)
        if args.json:
            print_json({"users": summary.users, "leads": summary.leads, "created": summary.created})
        else:
            state = "created" if summary.created or args.reset else "already present"
            print(
                f"Demo data {state} in {database.display_url}: "
                f"{summary.users:,} users, {summary.leads:,} leads."
            )
    return 0
