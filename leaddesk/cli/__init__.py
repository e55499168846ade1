"""``leaddesk``: the command line and the window's entry point.

Without a subcommand it opens the window; each subcommand goes through the same controller
and rules as the window. Errors print one line and exit non-zero; no traceback.

A command's module (and what it imports) loads only when that command runs: the arguments are
read once against light placeholder parsers to learn the command, then again with the real
parsers of that command's module. ``COMMANDS`` lets ``leaddesk --help`` list every command
without importing any of them.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from typing import NamedTuple, NoReturn

from leaddesk.errors import LeadDeskError
from leaddesk.startup import end_startup, pause_collection
from leaddesk.text_safety import one_line


class Command(NamedTuple):
    name: str
    module: str  # under leaddesk.cli; its register(subparsers) adds the real parser
    help: str


# One row per top-level command, in --help order. Adding a command to a module's register()
# means adding its row here (tests/test_cli_structure.py compares the two).
COMMANDS: tuple[Command, ...] = (
    Command("db", "database_commands", "database maintenance"),
    Command("demo", "database_commands", "create demo data"),
    Command("leads", "pass_commands", "the leads you can see"),
    Command("pass", "pass_commands", "pass leads to a user, office or pass group"),
    Command("assign", "pass_commands", "assign a bucket's lead to a user, or all by the rule"),
    Command("history", "pass_commands", "the pass history of a lead you may see"),
    Command("passes", "pass_commands", "your recent passes and whether each can be undone"),
    Command("undo", "pass_commands", "undo a pass batch"),
    Command("buckets", "bucket_commands", "the Leads to be Assigned you can see"),
    Command("remind", "bucket_commands", "queue reminders of leads waiting over their limit"),
    Command(
        "report", "report_commands", "passes per week, waiting times, workload: table, CSV or PNG"
    ),
    Command("outbox", "outbox_commands", "queued email notifications: list (default), send, retry"),
    Command("users", "admin_commands", "list users (admins only)"),
    Command("user", "admin_commands", "add, change or deactivate a user (admins only)"),
    Command("rights", "admin_commands", "manager rights (admins only)"),
    Command("office", "admin_commands", "offices and their members (admins only)"),
    Command("group", "admin_commands", "pass groups and their members (admins only)"),
    Command("status", "admin_commands", "the status list (admins only)"),
    Command("audit", "admin_commands", "the administration audit log (admins only)"),
    Command("server", "server_commands", "set up a shared PostgreSQL server"),
    Command("replica", "replica_commands", "keep a copy of a server for offline work"),
    Command("sync", "replica_commands", "send offline passes, then fetch what changed"),
    Command("conflicts", "replica_commands", "offline passes the server did not apply"),
    Command("import", "data_commands", "import leads or users from a CSV file"),
    Command("export", "data_commands", "export leads or pass history to CSV"),
    Command(
        "about",
        "about_commands",
        "the version, Python, Qt, database and keyring in use",
    ),
)


class OneLineErrorParser(argparse.ArgumentParser):
    """Usage mistakes get one line like every other error (exit 2, argparse's convention)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


class VersionAction(argparse.Action):
    """``--version``, read from the package metadata only when asked (not on every start)."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, help=kwargs.get("help"))  # type: ignore[arg-type]

    def __call__(self, parser: argparse.ArgumentParser, *_args: object) -> None:
        from leaddesk.about import app_version

        print(f"LeadDesk {app_version()}")
        parser.exit(0)


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser with the real subparsers of ``command``'s module and placeholders for the
    rest (enough to list them in --help and to recognise them)."""
    parser = OneLineErrorParser(
        prog="leaddesk",
        description="Pass leads between people. Without a command, opens the LeadDesk window.",
    )
    parser.add_argument("--version", action=VersionAction, help="print the version and exit")
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
    chosen_module = next((c.module for c in COMMANDS if c.name == command), None)
    registered = False
    for entry in COMMANDS:
        if entry.module != chosen_module:
            # No help of its own: "leaddesk CMD --help" is answered by the real parser.
            subparsers.add_parser(entry.name, help=entry.help, add_help=False)
        elif not registered:
            # register() adds every command of its module at once, at its first row.
            importlib.import_module(f"leaddesk.cli.{entry.module}").register(subparsers)
            registered = True
    return parser


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    argv = sys.argv[1:] if argv is None else list(argv)
    chosen, _ = build_parser().parse_known_args(argv)
    return build_parser(chosen.command).parse_args(argv)


def run() -> NoReturn:
    """The ``leaddesk`` program: ``main`` as a whole process."""
    pause_collection()
    sys.exit(main())


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_arguments(argv)
    try:
        if args.command is None:
            from leaddesk.ui.shell.launch import run_window

            return run_window(db=args.db, actor=args.actor, screenshot=args.screenshot)
        end_startup()
        return int(args.handler(args) or 0)
    except LeadDeskError as exc:
        # Messages quote what was typed or stored: one line, no terminal control codes.
        print(f"leaddesk: error: {one_line(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("leaddesk: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader of the output went away (``leaddesk leads | head``): stop quietly, as
        # other tools do, and keep Python from failing again on flushing stdout at exit.
        _send_stdout_nowhere()
        return SIGPIPE_EXIT
    except OSError as exc:
        print(f"leaddesk: error: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:
        # SQLAlchemy is looked up only here so that --help and usage errors never import it.
        from sqlalchemy.exc import SQLAlchemyError

        # A driver error from a raw cursor (COPY, executemany) is a database error too.
        is_driver_error = type(exc).__module__.startswith("psycopg")
        if not isinstance(exc, SQLAlchemyError) and not is_driver_error:
            raise
        first_line = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        print(f"leaddesk: database error: {one_line(first_line)}", file=sys.stderr)
        return 1


# What a shell reports for a program stopped by SIGPIPE (128 + 13).
SIGPIPE_EXIT = 141


def _send_stdout_nowhere() -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no real stdout (an embedding, a test's capture)
        pass
    finally:
        os.close(devnull)


if __name__ == "__main__":
    run()
