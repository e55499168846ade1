"""What every subcommand shares: the --db/--as/--json options, opening the database,
resolving the actor, printing results, and turning errors into one line and an exit code."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from leaddesk.errors import InvalidInputError, PermissionDeniedError
from leaddesk.store.database import Database, open_database
from leaddesk.store.lookup import find_user
from leaddesk.store.models import User
from leaddesk.text_safety import one_line

Handler = Callable[[argparse.Namespace], int]


def common_options(*, actor: bool = False, json_output: bool = False) -> argparse.ArgumentParser:
    """A parent parser; SUPPRESS lets ``leaddesk --db X cmd`` and ``leaddesk cmd --db X`` agree."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--db",
        metavar="URL",
        default=argparse.SUPPRESS,
        help="SQLAlchemy URL or SQLite file path (default: $LEADDESK_DB or the per-user file)",
    )
    if actor:
        parent.add_argument(
            "--as",
            dest="actor",
            metavar="NAME",
            default=argparse.SUPPRESS,
            help="the signed-in user who acts (name, email or id); required",
        )
    if json_output:
        parent.add_argument("--json", action="store_true", help="machine-readable output")
    return parent


@contextmanager
def opened(args: argparse.Namespace) -> Iterator[Database]:
    database = open_database(getattr(args, "db", None))
    if database.created:
        print(
            f"leaddesk: created a new LeadDesk database at {database.display_url}", file=sys.stderr
        )
    try:
        yield database
    finally:
        database.dispose()


def actor_of(session: Session, args: argparse.Namespace) -> User:
    name = getattr(args, "actor", None)
    if not name:
        raise InvalidInputError("Say who acts with --as NAME.")
    actor = find_user(session, name)
    if not actor.active:
        raise PermissionDeniedError(f"{actor.name} is inactive and cannot sign in.")
    return actor


def print_json(data: object) -> None:
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")


def print_table(headers: list[str], rows: list[list[object]]) -> None:
    """A plain aligned table; wide cells are cut so a row stays on one line."""
    cells = [[_cell(value) for value in row] for row in rows]
    widths = [len(header) for header in headers]
    for row in cells:
        for index, value in enumerate(row):
            widths[index] = max(widths[index], len(value))
    print("  ".join(header.ljust(widths[i]) for i, header in enumerate(headers)).rstrip())
    print("  ".join("-" * width for width in widths))
    for row in cells:
        print("  ".join(value.ljust(widths[i]) for i, value in enumerate(row)).rstrip())


def _cell(value: object) -> str:
    text = one_line(value)
    return text if len(text) <= 48 else text[:47] + "…"
