"""``leaddesk outbox``: the queued notifications."""

from __future__ import annotations

import argparse

from sqlalchemy import select

from leaddesk.cli.common import common_options, opened, print_json, print_table
from leaddesk.notify.messages import render
from leaddesk.store.models import OutboxMessage


def register(subparsers: argparse._SubParsersAction) -> None:
    outbox = subparsers.add_parser(
        "outbox", parents=[common_options(json_output=True)], help="queued email notifications"
    )
    outbox.add_argument("--status", choices=["queued", "sending", "sent", "failed"], default=None)
    outbox.set_defaults(handler=run_outbox)


def run_outbox(args: argparse.Namespace) -> int:
    with opened(args) as database, database.read() as session:
        query = select(OutboxMessage).order_by(OutboxMessage.id)
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
                }
                for message, text in rendered
            ]
        )
        return 0
    if not rendered:
        print("The outbox is empty.")
        return 0
    print_table(
        ["ID", "BATCH", "TO", "SUBJECT", "STATUS", "LAST ERROR"],
        [
            [m.id, m.batch_id, m.recipient_email, t.subject, m.status, m.last_error or ""]
            for m, t in rendered
        ],
    )
    return 0
