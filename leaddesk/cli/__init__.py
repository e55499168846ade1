"""``leaddesk``: the command line and the window's entry point.

Without a subcommand it opens the window; each subcommand goes through the same controller
and rules as the window. Errors print one line and exit non-zero; no traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import NoReturn

from sqlalchemy.exc import SQLAlchemyError

from leaddesk.errors import LeadDeskError


class OneLineErrorParser(argparse.ArgumentParser):
    """Usage mistakes get one line like every other error (exit 2, argparse's convention)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    from leaddesk.cli import (
        admin_commands,
        data_commands,
        database_commands,
        outbox_commands,
        pass_commands,
    )

    parser = OneLineErrorParser(
        prog="leaddesk",
        description="Pass leads between people. Without a command, opens the LeadDesk window.",
    )
    parser.add_argument(
        "--db", metavar="URL", default=None, help="SQLAlchemy URL or SQLite file path"
    )
    parser.add_argument(
        "--as", dest="actor", metavar="NAME", default=None, help="sign in as this user"
    )
    parser.add_argument(
        "--screenshot",
        metavar="FILE",
        default=None,
        help="render the main window offscreen to a PNG file and exit",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in (
        database_commands,
        pass_commands,
        outbox_commands,
        admin_commands,
        data_commands,
    ):
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command is None:
            from leaddesk.ui.shell.launch import run_window

            return run_window(db=args.db, actor=args.actor, screenshot=args.screenshot)
        return int(args.handler(args) or 0)
    except LeadDeskError as exc:
        print(f"leaddesk: error: {exc}", file=sys.stderr)
        return 1
    except SQLAlchemyError as exc:
        first_line = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        print(f"leaddesk: database error: {first_line}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("leaddesk: interrupted", file=sys.stderr)
        return 130
    except OSError as exc:
        print(f"leaddesk: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
