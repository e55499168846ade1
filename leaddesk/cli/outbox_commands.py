"""``leaddesk outbox``: list the queued notifications, send them, retry failed ones.

``leaddesk outbox`` alone lists; ``send`` and ``retry`` are optional actions under it.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from sqlalchemy import select

from leaddesk.cli.common import actor_of, common_options, opened, print_json, print_table
from leaddesk.notify.messages import render
from leaddesk.notify.sender import new_sender_id, retry_failed, send_queued
from leaddesk.notify.smtp_settings import Security, SmtpSettings, SmtpSettingsStore, get_password
from leaddesk.store.models import OutboxMessage


def register(subparsers: argparse._SubParsersAction) -> None:
    outbox = subparsers.add_parser(
        "outbox",
        parents=[common_options(actor=True, json_output=True, table=True)],
        help="queued email notifications: list (default), send, retry",
        description=(
            "Without an action, list the outbox with status and last error: your own emails, "
            "or every email for an administrator."
        ),
    )
    outbox.add_argument("--status", choices=["queued", "sending", "sent", "failed"], default=None)
    outbox.set_defaults(handler=run_outbox)
    actions = outbox.add_subparsers(dest="outbox_action", metavar="ACTION", required=False)

    send = actions.add_parser(
        "send",
        parents=[common_options()],
        help="send the queued emails now",
        description=(
            "Send the queued emails over SMTP. Flags override the stored email settings; the "
            "password comes from the system keyring, or a prompt when run in a terminal."
        ),
    )
    send.add_argument("--smtp-host", metavar="HOST", default=None)
    send.add_argument("--smtp-port", metavar="PORT", type=int, default=None)
    send.add_argument(
        "--smtp-security", choices=[s.value for s in Security], default=None, help="default: none"
    )
    send.add_argument("--smtp-user", metavar="USER", default=None, help="log in as this user")
    send.add_argument(
        "--smtp-ca-file", metavar="PEM", default=None, help="extra CA certificates to trust"
    )
    send.add_argument("--from", dest="from_address", metavar="ADDR", default=None)
    send.add_argument("--limit", type=int, default=500, help="send at most this many (default 500)")
    send.set_defaults(handler=run_send)

    retry = actions.add_parser(
        "retry",
        parents=[common_options()],
        help="queue failed emails again",
        description="Queue failed emails again: all of them, or only the given ids.",
    )
    retry.add_argument(
        "--id", dest="ids", metavar="N", type=int, action="append", default=None,
        help="an outbox id (repeat for more); default: every failed email",
    )  # fmt: skip
    retry.set_defaults(handler=run_retry)


def settings_from_args(args: argparse.Namespace, store: SmtpSettingsStore) -> SmtpSettings:
    """The stored settings with this command's flags on top."""
    return (
        store.load()
        .with_overrides(
            host=args.smtp_host,
            port=args.smtp_port,
            security=args.smtp_security,
            user=args.smtp_user,
            from_address=args.from_address,
            ca_file=args.smtp_ca_file,
        )
        .validated()
    )


def password_for(settings: SmtpSettings) -> str | None:
    password = get_password(settings)
    # Prompt only a person at a terminal; a scheduled job must not hang on a prompt.
    if settings.user and not password and sys.stdin is not None and sys.stdin.isatty():
        password = getpass.getpass(f"SMTP password for {settings.keyring_account}: ") or None
    return password


def run_send(args: argparse.Namespace) -> int:
    settings = settings_from_args(args, SmtpSettingsStore())
    password = password_for(settings)
    with opened(args) as database:
        # A person asked to send now: every queued email is tried, whatever its backoff.
        report = send_queued(
            database,
            settings,
            password,
            sender_id=new_sender_id(),
            limit=max(args.limit, 1),
            ignore_backoff=True,
        )
    print(report.summary(limit=max(args.limit, 1)))
    if report.retried or report.failed:
        print(f"leaddesk: last email error: {report.last_error}", file=sys.stderr)
        return 1
    return 0


def run_retry(args: argparse.Namespace) -> int:
    with opened(args) as database:
        count = retry_failed(database, args.ids)
    noun = "email" if count == 1 else "emails"
    print(f"{count} failed {noun} queued again.")
    return 0


def run_outbox(args: argparse.Namespace) -> int:
    with opened(args) as database, database.read() as session:
        actor = actor_of(session, args)
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        if not actor.is_admin:
            query = query.where(OutboxMessage.recipient_id == actor.id)
        if args.status:
            query = query.where(OutboxMessage.status == args.status)
        messages = list(session.scalars(query))
        rendered = [(message, render(session, message)) for message in messages]
    if args.json:
        print_json(
            [
                {
                    "id": message.id,
                    "batch_id": message.batch_id,
                    "recipient": message.recipient_email,
                    "kind": message.kind,
                    "lead_count": message.lead_count,
                    "subject": text.subject,
                    "body": text.text,
                    "status": message.status,
                    "attempts": message.attempts,
                    "last_error": message.last_error,
                    "next_attempt_at": message.next_attempt_at,
                    "sent_at": message.sent_at,
                }
                for message, text in rendered
            ]
        )
        return 0
    if not rendered:
        print("The outbox is empty." if actor.is_admin else "The outbox holds no emails to you.")
        return 0
    print_table(
        ["ID", "BATCH", "TO", "SUBJECT", "STATUS", "TRIES", "LAST ERROR"],
        [
            [
                m.id,
                m.batch_id if m.batch_id is not None else "-",
                m.recipient_email,
                t.subject,
                m.status,
                m.attempts,
                m.last_error or "",
            ]
            for m, t in rendered
        ],
        wide=args.wide,
    )
    return 0
