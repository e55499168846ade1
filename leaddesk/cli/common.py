"""What every subcommand shares: the --db/--as/--json options, opening the database,
resolving the actor, printing results, and turning errors into one line and an exit code."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import textwrap
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from leaddesk.server.identity import resolve_actor
from leaddesk.store.database import Database, open_database
from leaddesk.store.models import User
from leaddesk.text_safety import one_line

Handler = Callable[[argparse.Namespace], int]


def common_options(
    *, actor: bool = False, json_output: bool = False, table: bool = False
) -> argparse.ArgumentParser:
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
            help="the user who acts (name, email or id); on a server, your login's user",
        )
    if json_output:
        parent.add_argument("--json", action="store_true", help="machine-readable output")
    if table:
        parent.add_argument(
            "--wide",
            action="store_true",
            help="show long cells whole on one line instead of wrapping them to the terminal",
        )
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
    """The acting user: ``--as`` on a SQLite file; on a server, the connected login's user."""
    return resolve_actor(session, getattr(args, "actor", None))


def print_json(data: object) -> None:
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")


def print_table(headers: list[str], rows: list[list[object]], *, wide: bool = False) -> None:
    """An aligned table that fits the terminal: long cells wrap inside their column, never cut.

    ``wide`` keeps every cell whole on one line, however long (for wide screens and grep).
    """
    cells = [[_cell(value) for value in row] for row in rows]
    widths = [len(header) for header in headers]
    for row in cells:
        for index, value in enumerate(row):
            widths[index] = max(widths[index], len(value))
    if not wide:
        longest_words = [
            max([len(word) for row in cells for word in row[i].split()] or [0])
            for i in range(len(headers))
        ]
        widths = _fit(widths, headers, longest_words, shutil.get_terminal_size().columns)
    print("  ".join(header.ljust(widths[i]) for i, header in enumerate(headers)).rstrip())
    print("  ".join("-" * width for width in widths))
    for row in cells:
        if wide:
            print("  ".join(value.ljust(widths[i]) for i, value in enumerate(row)).rstrip())
            continue
        wrapped = [_wrap(value, widths[i]) for i, value in enumerate(row)]
        for line in range(max(len(parts) for parts in wrapped)):
            parts = [part[line] if line < len(part) else "" for part in wrapped]
            print("  ".join(p.ljust(widths[i]) for i, p in enumerate(parts)).rstrip())


# Columns up to this wide (ids, dates, counts) keep their width while longer ones can wrap;
# no column is narrowed below MIN_COLUMN, its header, or its longest word (an email address)
# up to LONG_WORD, so wrapped text stays readable.
SHORT_COLUMN = 20
MIN_COLUMN = 10
LONG_WORD = 32


def _fit(widths: list[int], headers: list[str], longest_words: list[int], total: int) -> list[int]:
    """Narrow the widest columns until the row fits ``total`` characters: long columns
    first, short ones only if that is not enough, none below its floor."""
    widths = list(widths)
    gaps = 2 * (len(widths) - 1)
    for keep_short in (True, False):
        floors = [
            width
            if keep_short and width <= SHORT_COLUMN
            else min(width, max(len(header), MIN_COLUMN, min(word, LONG_WORD)))
            for width, header, word in zip(widths, headers, longest_words, strict=True)
        ]
        while sum(widths) + gaps > total:
            index = max(range(len(widths)), key=lambda i: widths[i] - floors[i])
            if widths[index] <= floors[index]:
                break
            widths[index] -= 1
    return widths


def _wrap(text: str, width: int) -> list[str]:
    if len(text) <= width:
        return [text]
    return textwrap.wrap(text, width, break_on_hyphens=False) or [""]


def _cell(value: object) -> str:
    # One line, no terminal control codes; long cells are wrapped by the table, not cut.
    return " ".join(one_line(value).split())
