"""The concurrency storm: several processes doing random passes, assignments, undos,
offboardings, activations and right changes on the same few dozen leads, on SQLite and
PostgreSQL; then the invariants are checked and several senders deliver the outbox.

Seeded and bounded: WORKERS processes x OPERATIONS operations each (see
``tests/helpers/storm_worker.py``); the seeds are fixed, so a failure names a seed that
can be run again (the interleaving between processes is up to the machine, the choices
are not).
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import threading
from collections import Counter, defaultdict

import pytest
from sqlalchemy import func, insert, select

from leaddesk.notify.sender import send_queued
from leaddesk.store.database import Database, open_database
from leaddesk.store.models import (
    Lead,
    ManagerRight,
    OfficeMember,
    OutboxMessage,
    PassBatch,
    PassGroupMember,
    PassHistory,
    User,
    utc_now,
)
from tests.helpers.demo_names import status_id, user_id
from tests.helpers.smtp_server import running_smtp_server

WORKERS = 4
OPERATIONS = 150
SEED = 20261128
EXTRA_USERS = 6
SENDERS = 3

pytestmark = pytest.mark.slow


def _add_storm_people(database: Database) -> None:
    """Six more people Maria manages, with five leads each: more owners to pass between."""
    maria = user_id(database, "Maria Manager")
    lead_status = status_id(database, "LEAD")
    now = utc_now()
    with database.write() as session:
        for number in range(1, EXTRA_USERS + 1):
            user = User(name=f"Storm User {number}", email=f"storm{number}@example.com")
            session.add(user)
            session.flush()
            session.add(ManagerRight(manager_id=maria, user_id=user.id))
            session.execute(
                insert(Lead),
                [
                    {
                        "name": f"Storm lead {number}.{index}",
                        "status_id": lead_status,
                        "owner_id": user.id,
                        "version": 1,
                        "created_at": now,
                        "updated_at": now,
                    }
                    for index in range(5)
                ],
            )


def _run_workers(db_url: str, repo_root) -> Counter[str]:
    worker = [sys.executable, "-m", "tests.helpers.storm_worker", db_url]
    children = [
        subprocess.Popen(
            [*worker, str(SEED + number), str(OPERATIONS)],
            cwd=repo_root,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for number in range(WORKERS)
    ]
    outcomes: Counter[str] = Counter()
    for child in children:
        out, err = child.communicate(timeout=300)
        assert child.returncode == 0, f"a storm worker failed:\n{err}"
        outcomes.update(json.loads(out.strip().splitlines()[-1]))
    return outcomes


def _place(row) -> tuple[int | None, int | None, int | None]:
    return row[0], row[1], row[2]


def _check_invariants(database: Database) -> int:
    """Returns how many moves the history holds."""
    with database.read() as session:
        leads = {
            lead.id: lead
            for lead in session.scalars(select(Lead))
        }  # fmt: skip
        history = list(session.scalars(select(PassHistory).order_by(PassHistory.id)))
        inactive = set(session.scalars(select(User.id).where(User.active.is_(False))))
        batches = {batch.id: batch for batch in session.scalars(select(PassBatch))}
        outbox = list(session.scalars(select(OutboxMessage)))
        managers = set(
            session.execute(
                select(OfficeMember.office_id, OfficeMember.user_id).where(
                    OfficeMember.is_office_manager.is_(True)
                )
            )
        )
        members = set(session.execute(select(PassGroupMember.group_id, PassGroupMember.user_id)))

    by_lead: dict[int, list[PassHistory]] = defaultdict(list)
    for row in history:
        by_lead[row.lead_id].append(row)
    for lead in leads.values():
        place = (lead.owner_id, lead.bucket_office_id, lead.bucket_group_id)
        # Exactly one place.
        assert sum(value is not None for value in place) == 1, lead.id
        # No lead with an inactive owner.
        assert lead.owner_id not in inactive, (lead.id, lead.owner_id)
        # One history row per move: every move bumps the version once.
        moves = by_lead[lead.id]
        assert [row.to_version for row in moves] == list(range(2, lead.version + 1)), lead.id
        for earlier, later in itertools.pairwise(moves):
            assert (earlier.to_owner_id, earlier.to_office_id, earlier.to_group_id) == (
                later.from_owner_id,
                later.from_office_id,
                later.from_group_id,
            ), lead.id
        if moves:
            last = moves[-1]
            assert (last.to_owner_id, last.to_office_id, last.to_group_id) == place, lead.id
    # No move to where the lead already was.
    for row in history:
        assert (row.from_owner_id, row.from_office_id, row.from_group_id) != (
            row.to_owner_id,
            row.to_office_id,
            row.to_group_id,
        ), row.id

    # Outbox rows match batches: one per recipient per batch; owners get exactly their leads.
    per_batch: dict[int, list[PassHistory]] = defaultdict(list)
    for row in history:
        per_batch[row.batch_id].append(row)
    queued: dict[int, dict[int, OutboxMessage]] = defaultdict(dict)
    for message in outbox:
        assert message.recipient_id not in queued[message.batch_id], message.id
        queued[message.batch_id][message.recipient_id] = message
    for batch_id, batch in batches.items():
        rows = per_batch[batch_id]
        assert batch.lead_count == len(rows) > 0, batch_id
        owners = Counter(row.to_owner_id for row in rows if row.to_owner_id is not None)
        owners.pop(batch.actor_id, None)
        sent_to_owners = {
            recipient: message.lead_count
            for recipient, message in queued[batch_id].items()
            if message.kind == "owner"
        }
        assert sent_to_owners == dict(owners), batch_id
        for recipient, message in queued[batch_id].items():
            if message.kind == "bucket":
                assert (message.office_id, recipient) in managers or (
                    message.group_id,
                    recipient,
                ) in members, message.id
    return len(history)


def _send_with_several_senders(database_url: str, expected: int) -> None:
    with running_smtp_server() as smtp:
        smtp.handler.data_delay = 0.002  # the senders really overlap
        errors: list[BaseException] = []

        def sender(number: int) -> None:
            database = open_database(database_url)
            try:
                send_queued(database, smtp.settings(), None, sender_id=f"storm-{number}")
            except BaseException as exc:  # reported to the test thread
                errors.append(exc)
            finally:
                database.dispose()

        threads = [threading.Thread(target=sender, args=(n,)) for n in range(SENDERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not errors, errors
        ids = [message["Message-ID"] for message in smtp.handler.messages()]
    assert len(ids) == len(set(ids)) == expected


def test_storm_keeps_every_invariant(database, db_url, repo_root):
    _add_storm_people(database)
    outcomes = _run_workers(db_url, repo_root)
    done = sum(n for key, n in outcomes.items() if key.endswith(":done"))
    assert sum(outcomes.values()) == WORKERS * OPERATIONS
    print(f"storm on {database.url.get_backend_name()}: {dict(sorted(outcomes.items()))}")
    # The storm must really exercise the rules, not be refused wholesale.
    assert done >= WORKERS * OPERATIONS // 4, outcomes
    moves = _check_invariants(database)
    assert moves > 0
    with database.read() as session:
        queued = session.scalar(select(func.count()).select_from(OutboxMessage))
    _send_with_several_senders(db_url, queued)
    with database.read() as session:
        assert set(session.scalars(select(OutboxMessage.status))) <= {"sent"}
