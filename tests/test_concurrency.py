"""Two connections passing the same leads at once, on PostgreSQL (SQLite serialises writers).

The first pass holds its transaction open until the second one is seen waiting for the row
lock in ``pg_stat_activity``; only then does the first commit. That makes the interleaving
deterministic: the second has already read the lead at the old version, passed its checks,
and must now lose in the UPDATE itself.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from leaddesk.errors import ConflictError, InvalidInputError
from leaddesk.reassignment.controller import pass_leads
from leaddesk.reassignment.requests import LeadRef, Selection, Target
from leaddesk.store.database import Database
from leaddesk.store.models import OutboxMessage, PassBatch, PassHistory
from tests.helpers.demo_names import leads_of, user_id
from tests.helpers.interleave import in_thread, lock_waiters, wait_until

pytestmark = pytest.mark.parametrize("backend", ["postgresql"])


def _history_count(database: Database, lead_id: int) -> int:
    with database.read() as session:
        return session.scalar(
            select(func.count()).select_from(PassHistory).where(PassHistory.lead_id == lead_id)
        )


def test_second_pass_of_the_same_lead_version_waits_then_conflicts(engines):
    first, second, watcher = engines
    maria, jane, sam = (user_id(first, n) for n in ("Maria Manager", "Jane Doe", "Sam Field"))
    lead = leads_of(first, "John Smith")[0]
    seen = Selection.of_leads([LeadRef(lead.id, lead.version)])

    def second_pass() -> object:
        with second.write() as session:
            return pass_leads(session, actor_id=maria, selection=seen, target=Target.user(jane))

    with first.write() as session:
        winner = pass_leads(session, actor_id=maria, selection=seen, target=Target.user(sam))
        thread, outcome = in_thread(second_pass)
        wait_until(lambda: lock_waiters(watcher) == 1)
    thread.join(timeout=60)
    assert not thread.is_alive()

    assert "result" not in outcome, outcome
    assert isinstance(outcome["error"], ConflictError)
    assert "changed by someone else meanwhile" in str(outcome["error"])
    with first.read() as session:
        after = leads_of(first, "Sam Field")
        assert lead.id in [row.id for row in after]
        assert session.scalar(select(func.count()).select_from(PassBatch)) == 1
        assert list(session.scalars(select(OutboxMessage.batch_id))) == [winner.batch_id]
    assert _history_count(first, lead.id) == 1
    with first.read() as session:
        history = session.scalars(select(PassHistory).where(PassHistory.lead_id == lead.id)).one()
    assert (history.batch_id, history.to_owner_id, history.to_version) == (
        winner.batch_id,
        sam,
        lead.version + 1,
    )


def test_second_whole_user_pass_waits_then_finds_nothing_left(engines):
    first, second, watcher = engines
    maria, john, jane, sam = (
        user_id(first, n) for n in ("Maria Manager", "John Smith", "Jane Doe", "Sam Field")
    )
    johns = leads_of(first, "John Smith")

    def second_pass() -> object:
        with second.write() as session:
            return pass_leads(
                session,
                actor_id=maria,
                selection=Selection.all_of_user(john),
                target=Target.user(jane),
            )

    with first.write() as session:
        pass_leads(
            session, actor_id=maria, selection=Selection.all_of_user(john), target=Target.user(sam)
        )
        thread, outcome = in_thread(second_pass)
        wait_until(lambda: lock_waiters(watcher) >= 1)
    thread.join(timeout=60)
    assert not thread.is_alive()

    # "All of John's leads" is decided at apply time: after the wait there are none left.
    assert isinstance(outcome.get("error"), InvalidInputError), outcome
    assert {lead.id for lead in leads_of(first, "Sam Field")} >= {lead.id for lead in johns}
    for lead in johns:
        assert _history_count(first, lead.id) == 1


def test_two_threads_racing_from_a_barrier_give_one_success_and_one_conflict(engines):
    first, second, _watcher = engines
    maria, jane, sam = (user_id(first, n) for n in ("Maria Manager", "Jane Doe", "Sam Field"))
    lead = leads_of(first, "John Smith")[1]
    seen = Selection.of_leads([LeadRef(lead.id, lead.version)])
    barrier = threading.Barrier(2, timeout=30)

    def racer(database: Database, target: int) -> Callable[[], object]:
        def run() -> object:
            barrier.wait()
            with database.write() as session:
                return pass_leads(
                    session, actor_id=maria, selection=seen, target=Target.user(target)
                )

        return run

    threads = [in_thread(racer(first, sam)), in_thread(racer(second, jane))]
    for thread, _outcome in threads:
        thread.join(timeout=60)
        assert not thread.is_alive()
    outcomes = [outcome for _thread, outcome in threads]
    winners = [o for o in outcomes if "result" in o]
    losers = [o for o in outcomes if "error" in o]
    assert len(winners) == 1 and len(losers) == 1, outcomes
    assert isinstance(losers[0]["error"], ConflictError)
    assert _history_count(first, lead.id) == 1
    with first.read() as session:
        assert session.scalar(select(func.count()).select_from(PassBatch)) == 1


def test_whole_user_pass_skips_a_lead_another_connection_moved_while_it_waited(engines):
    first, second, watcher = engines
    maria, john, jane, sam = (
        user_id(first, n) for n in ("Maria Manager", "John Smith", "Jane Doe", "Sam Field")
    )
    taken, *rest = leads_of(first, "John Smith")

    def second_pass() -> object:
        with second.write() as session:
            return pass_leads(
                session,
                actor_id=maria,
                selection=Selection.all_of_user(john),
                target=Target.user(jane),
            )

    with first.write() as session:
        pass_leads(
            session,
            actor_id=maria,
            selection=Selection.of_leads([LeadRef(taken.id, taken.version)]),
            target=Target.user(sam),
        )
        thread, outcome = in_thread(second_pass)
        wait_until(lambda: lock_waiters(watcher) >= 1)
    thread.join(timeout=60)
    assert not thread.is_alive()

    # "All of John's leads" is what John still has when the pass applies: the other two.
    assert outcome["result"].moved == 2, outcome
    with first.read() as session:
        history = {
            row.lead_id: (row.from_owner_id, row.to_owner_id)
            for row in session.scalars(select(PassHistory))
        }
    assert history == {taken.id: (john, sam), **{lead.id: (john, jane) for lead in rest}}
