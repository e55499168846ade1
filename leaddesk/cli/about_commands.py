"""``leaddesk about``: the version, Python, Qt, the database it would use, and the keyring."""

from __future__ import annotations

import argparse

from leaddesk.about import about_facts, facts_as_dict
from leaddesk.cli.common import common_options, print_json
from leaddesk.store.database import display_url, resolve_url


def register(subparsers: argparse._SubParsersAction) -> None:
    about = subparsers.add_parser(
        "about",
        parents=[common_options(json_output=True)],
        help="the version, Python, Qt, database and keyring in use",
    )
    about.set_defaults(handler=run_about)


def run_about(args: argparse.Namespace) -> int:
    # The database it would use, named without opening it (and without a password).
    facts = about_facts(display_url(resolve_url(getattr(args, "db", None))))
    if args.json:
        print_json(facts_as_dict(facts))
        return 0
    print(f"LeadDesk {facts.version}{' (installed build)' if facts.frozen else ''}")
    print(f"Python   {facts.python}")
    print(f"Qt       {facts.qt} (PySide6)")
    print(f"Database {facts.database}")
    print(f"Keyring  {facts.keyring}")
    return 0
