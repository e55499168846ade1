"""``leaddesk server setup``: make a PostgreSQL database safe to share by an office."""

from __future__ import annotations

import argparse

from leaddesk.cli.common import common_options, print_json
from leaddesk.server.setup import planned_sql, set_up_server
from leaddesk.store.database import open_database


def register(subparsers: argparse._SubParsersAction) -> None:
    server = subparsers.add_parser("server", help="set up a shared PostgreSQL server")
    server_sub = server.add_subparsers(dest="server_command", metavar="ACTION", required=True)
    setup = server_sub.add_parser(
        "setup",
        parents=[common_options(json_output=True)],
        help="migrate, then create roles, grants, row-level security and helper functions "
        "(as the database owner; safe to run again)",
    )
    setup.add_argument(
        "--dry-run", action="store_true", help="print the SQL it would run and change nothing"
    )
    setup.set_defaults(handler=run_setup)


def run_setup(args: argparse.Namespace) -> int:
    database = open_database(getattr(args, "db", None), migrate=False)
    try:
        if args.dry_run:
            print("\n".join(planned_sql(database)))
            return 0
        report = set_up_server(database)
    finally:
        database.dispose()
    if args.json:
        print_json(
            {
                "migrated_from": report.migrated_from,
                "statements": report.statements,
                "tables": report.tables,
                "logins": list(report.logins),
            }
        )
        return 0
    migrated = f"schema migrated from {report.migrated_from}; " if report.migrated_from else ""
    logins = ", ".join(report.logins) or "none yet"
    print(
        f"Server set up: {migrated}row-level security on {report.tables} tables, roles "
        f"leaddesk_user and leaddesk_admin; linked logins: {logins}."
    )
    return 0
