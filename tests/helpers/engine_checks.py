"""Checks shared by the reassignment-engine tests: refusals change nothing, passes leave the
promised history, notes and outbox rows behind."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from leaddesk.admin.bucket_rules import set_bucket_rule
from leaddesk.store.bucket_rules import AssignRule, BucketKey
from leaddesk.store.database import Database
from leaddesk.store.models import (
    Lead,
    LeadNote,
    ManagerRight,
    OutboxMessage,
    PassBatch,
    PassHistory,
    User,
    utc_now,
)
from tests.helpers.demo_names import group_id, snapshot, status_id, user_id


def full_snapshot(database: Database) -> dict[str, object]:
    """``demo_names.snapshot`` plus notes and batches, which a refusal must not leave either."""
    state = snapshot(database)
    with database.read() as session:
        state["notes"] = session.scalar(select(func.count()).select_from(LeadNote))
        state["batches"] = session.scalar(select(func.count()).select_from(PassBatch))
        state["undone"] = sorted(
            session.execute(
                select(PassBatch.id, PassBatch.undone_by_id).where(
                    PassBatch.undone_by_id.is_not(None)
                )
            ).all()
        )
    return state


def assert_refused(
    database: Database,
    error: type[Exception],
    call: Callable[[Session], Any],
    match: str | None = None,
) -> pytest.ExceptionInfo[Exception]:
    """``call`` inside a write transaction raises ``error`` and the data is unchanged."""
    before = full_snapshot(database)
    with pytest.raises(error, match=match) as info, database.write() as session:
        call(session)
    assert full_snapshot(database) == before
    return info


def batch_rows(database: Database, batch_id: int) -> dict[str, list[Any]]:
    """History, notes and outbox rows of one batch, ordered for comparison."""
    with database.read() as session:
        return {
            "history": list(
                session.scalars(
                    select(PassHistory)
                    .where(PassHistory.batch_id == batch_id)
                    .order_by(PassHistory.lead_id)
                )
            ),
            "notes": list(
                session.scalars(
                    select(LeadNote).where(LeadNote.batch_id == batch_id).order_by(LeadNote.lead_id)
                )
            ),
            "outbox": list(
                session.scalars(
                    select(OutboxMessage)
                    .where(OutboxMessage.batch_id == batch_id)
                    .order_by(OutboxMessage.recipient_id)
                )
            ),
            "batch": [session.get(PassBatch, batch_id)],
        }


def lead_state(database: Database, lead_id: int) -> Lead:
    with database.read() as session:
        lead = session.get(Lead, lead_id)
        assert lead is not None
        return lead


def set_active(database: Database, name: str, active: bool) -> None:
    with database.write() as session:
        session.scalars(select(User).where(User.name == name)).one().active = active


def grant_right(database: Database, manager: str, user: str) -> None:
    with database.write() as session:
        session.add(
            ManagerRight(manager_id=user_id(database, manager), user_id=user_id(database, user))
        )


def add_user_with_leads(database: Database, name: str, leads: int, manager: str) -> int:
    """A new user managed by ``manager`` who owns ``leads`` fresh leads (one executemany)."""
    lead_status = status_id(database, "LEAD")
    manager_id = user_id(database, manager)
    now = utc_now()
    with database.write() as session:
        user = User(name=name, email=name.lower().replace(" ", ".") + "@example.com")
        session.add(user)
        session.flush()
        session.add(ManagerRight(manager_id=manager_id, user_id=user.id))
        if leads:
            session.execute(
                insert(Lead),
                [
                    {
                        "name": f"{name} lead {index}",
                        "company": "Bulk Co",
                        "status_id": lead_status,
                        "owner_id": user.id,
                        "version": 1,
                        "created_at": now,
                        "updated_at": now,
                    }
                    for index in range(leads)
                ],
            )
        return user.id


def pass_all_leads(
    database: Database,
    source: str,
    *,
    to_user: str | None = None,
    to_group: str | None = None,
    actor: str = "Maria Manager",
    note: str = "",
) -> int:
    """``actor`` passes every lead of ``source`` to a user or a pass group; the batch id."""
    from leaddesk.reassignment.controller import pass_leads
    from leaddesk.reassignment.requests import PassMethod, Selection, Target

    target = (
        Target.user(user_id(database, to_user))
        if to_user is not None
        else Target.group(group_id(database, to_group or "Inbound Team"))
    )
    with database.write() as session:
        return pass_leads(
            session,
            actor_id=user_id(database, actor),
            selection=Selection.all_of_user(user_id(database, source)),
            target=target,
            note=note,
            method=PassMethod.COMMAND_LINE,
        ).batch_id


def set_rule(database: Database, bucket: BucketKey, rule: AssignRule, auto: bool = False) -> None:
    """Set a bucket's assignment rule as Ada Admin (the administrator of the demo data)."""
    with database.write() as session:
        set_bucket_rule(session, user_id(database, "Ada Admin"), bucket, rule=rule, auto=auto)
