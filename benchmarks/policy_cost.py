"""The cost of the server policies: the bulk pass as an ordinary login vs the owner login.

Used by ``bulk_pass.py`` (``--login-runs``; ``--only-login`` to run just this part). Every
run passes all leads of one user on a fresh copy of a set-up database (``leaddesk server
setup``, Maria Manager linked to the login ``bench_maria``), three ways:

- owner: the owner login (a superuser here), which the policies let through;
- login: ``bench_maria``, an ordinary login, every statement under row-level security;
- login, policies off: the same login with row-level security disabled on the tables (the
  grants stay), which shows what the policies themselves cost.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable

from sqlalchemy import text
from sqlalchemy.engine import make_url

from leaddesk.server.policies import disable_statements
from leaddesk.server.setup import set_up_server
from leaddesk.store.database import Database, open_database

LOGIN = "bench_maria"
WAYS = ("owner", "login", "login, policies off")


def prepare_template(admin_sql: Callable[[str], None], template: Database) -> None:
    """Set up the template as a server with Maria linked to the bench login."""
    admin_sql(
        f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{LOGIN}') "
        f"THEN CREATE ROLE {LOGIN} LOGIN; END IF; END $$"
    )
    set_up_server(template)
    with template.write() as session:
        session.execute(
            text("UPDATE users SET db_login = :login WHERE name = 'Maria Manager'"),
            {"login": LOGIN},
        )
        session.execute(text("SELECT leaddesk_sync_login(:login)"), {"login": LOGIN})


def as_login(database: Database) -> Database:
    url = make_url(database.url.render_as_string(hide_password=False)).set(username=LOGIN)
    return open_database(url.render_as_string(hide_password=False), migrate=False)


def run_once(
    way: str,
    owner_database: Database,
    timed_pass: Callable[[Database], float],
) -> float:
    if way == "login, policies off":
        with owner_database.write() as session:
            for statement in disable_statements():
                session.execute(text(statement))
    if way == "owner":
        return timed_pass(owner_database)
    login_database = as_login(owner_database)
    try:
        return timed_pass(login_database)
    finally:
        login_database.dispose()


def report(times: dict[str, list[float]], leads: int) -> float:
    """Print the table; returns login / owner (medians)."""
    medians = {way: statistics.median(measured) for way, measured in times.items()}
    owner = medians["owner"]
    print(
        f"\nPostgreSQL, {leads:,} leads passed under the server policies "
        f"(median seconds, {len(times['owner'])} runs each):"
    )
    print("| login                         | seconds | vs owner |")
    print("|-------------------------------|--------:|---------:|")
    for way in WAYS:
        label = {
            "owner": "owner login",
            "login": f"ordinary login ({LOGIN})",
            "login, policies off": "ordinary login, policies off",
        }[way]
        print(f"| {label:<29} | {medians[way]:>7.3f} | {medians[way] / owner:>8.2f} |")
    return medians["login"] / owner
