"""``leaddesk db info``: the database in use, and the settings and keyring entries LeadDesk
uses on this computer. Passwords are never read out: a keyring entry is only said to be
there or not."""

from __future__ import annotations

import argparse
import os

from leaddesk.cli.common import print_json
from leaddesk.errors import LeadDeskError
from leaddesk.local_files import window_settings_location
from leaddesk.notify.smtp_settings import KEYRING_SMTP_SERVICE, SmtpSettingsStore
from leaddesk.store.database import DB_ENV_VAR, KEYRING_DB_SERVICE, keyring_account, resolve_url
from leaddesk.store.database_info import DatabaseInfo, database_info
from leaddesk.system_keyring import system_keyring


def run_info(args: argparse.Namespace) -> int:
    db = getattr(args, "db", None)
    url = resolve_url(db)
    info = database_info(db)
    chosen_by = "--db" if db else (f"${DB_ENV_VAR}" if os.environ.get(DB_ENV_VAR) else "default")
    email_store = SmtpSettingsStore()
    try:
        smtp = email_store.load()
        smtp_problem = ""
    except LeadDeskError as exc:
        smtp, smtp_problem = None, str(exc)
    entries = []
    if url.get_backend_name() == "postgresql":
        entries.append(_entry(KEYRING_DB_SERVICE, keyring_account(url), "the database password"))
    if smtp is not None and smtp.user:
        entries.append(_entry(KEYRING_SMTP_SERVICE, smtp.keyring_account, "the SMTP password"))
    if args.json:
        print_json(
            {
                "database": {**info.as_json(), "chosen_by": chosen_by},
                "settings": {
                    "window": window_settings_location(),
                    "email": str(email_store.path),
                    "email_exists": email_store.path.is_file(),
                },
                "keyring": entries,
            }
        )
        return 0
    _print_database(info, chosen_by)
    print()
    print("Settings")
    print(f"  window     {window_settings_location()}")
    exists = "" if email_store.path.is_file() else " (not saved yet)"
    print(f"  email      {email_store.path}{exists}")
    if smtp_problem:
        print(f"             {smtp_problem}")
    print()
    print("Keyring entries (service / account; passwords are never shown)")
    if not entries:
        print(
            "  none used: a SQLite file has no password, and the email settings name no SMTP user"
        )
    for entry in entries:
        print(f"  {entry['service']} / {entry['account']}: {entry['state']}")
    return 0


def _print_database(info: DatabaseInfo, chosen_by: str) -> None:
    kind = "SQLite file" if info.backend == "sqlite" else "PostgreSQL server"
    source = {
        "--db": "given with --db",
        "default": "the default per-user file",
    }.get(chosen_by, f"from {chosen_by}")
    print("Database")
    print(f"  location   {info.location}")
    print(f"  kind       {kind}, {source}")
    if not info.exists:
        print("  state      does not exist yet (LeadDesk creates it on first use; 'leaddesk demo'")
        print("             fills it with demo data)")
        return
    print(f"  schema     {info.schema_state}")
    if info.size_bytes is not None:
        print(f"  size       {_size(info.size_bytes)}")
    if info.counts:
        c = info.counts
        print(
            f"  contents   {c['users']:,} users ({c['active_users']:,} active), "
            f"{c['leads']:,} leads, {c['pass_batches']:,} pass batches"
        )
        waiting = ", ".join(f"{n:,} {status}" for status, n in sorted(info.outbox.items()))
        print(f"  outbox     {waiting or 'empty'}")


def _entry(service: str, account: str, what: str) -> dict[str, str]:
    keyring = system_keyring()
    try:
        stored = keyring.get_password(service, account) is not None
        state = f"{what} is stored" if stored else f"no password stored ({what})"
    except keyring.errors.KeyringError as exc:
        state = f"the keyring cannot be read: {exc}"
    return {"service": service, "account": account, "state": state}


def _size(size: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:,} {unit}" if unit == "bytes" else f"{size:,.1f} {unit}"
        size /= 1024  # type: ignore[assignment]
    return f"{size:,} bytes"
