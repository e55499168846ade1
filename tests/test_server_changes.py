"""Change announcements: NOTIFY in the pass transaction on PostgreSQL, data_version on SQLite."""

from __future__ import annotations

import queue
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from leaddesk.admin.offices import add_office
from leaddesk.errors import InvalidInputError
from leaddesk.reassignment.controller import pass_leads
from leaddesk.reassignment.requests import Selection, Target
from leaddesk.server.changes import Changes, watch_changes
from leaddesk.store.database import Database, open_database
from leaddesk.store.models import Lead
from tests.helpers.demo_names import user_id


@pytest.fixture
def heard(database: Database) -> Iterator[queue.Queue[Changes]]:
    received: queue.Queue[Changes] = queue.Queue()
    watcher = watch_changes(database.url, received.put)
    yield received
    watcher.stop()


def _pass_johns_leads(database: Database, *, fail: bool = False) -> set[int]:
    """Another connection passes John's leads to Jane (and rolls back when ``fail``)."""
    other = open_database(str(database.url.render_as_string(hide_password=False)))
    try:
        with other.write() as session:
            john = user_id(other, "John Smith")
            leads = set(session.scalars(select(Lead.id).where(Lead.owner_id == john)))
            pass_leads(
                session,
                actor_id=user_id(other, "Maria Manager"),
                selection=Selection.all_of_user(john),
                target=Target.user(user_id(other, "Jane Doe")),
            )
            if fail:
                raise InvalidInputError("changed my mind")
        return leads
    finally:
        other.dispose()


def test_a_pass_committed_elsewhere_is_heard_with_what_it_touched(database, heard):
    with pytest.raises(InvalidInputError):
        _pass_johns_leads(database, fail=True)
    leads = _pass_johns_leads(database)
    changes = heard.get(timeout=10)
    if database.is_sqlite:
        assert changes.everything
        return
    # The rolled-back pass announced nothing: the first thing heard is the committed one.
    assert changes.owners == {user_id(database, "John Smith"), user_id(database, "Jane Doe")}
    assert changes.leads == leads
    assert not changes.offices and not changes.groups and not changes.administration


def test_an_administrative_change_is_heard(database, heard):
    other = open_database(str(database.url.render_as_string(hide_password=False)))
    try:
        with other.write() as session:
            add_office(session, user_id(other, "Ada Admin"), name="Harbour Office")
    finally:
        other.dispose()
    changes = heard.get(timeout=10)
    assert changes.everything or changes.administration


def test_a_payload_that_is_not_ours_means_reload_everything():
    assert Changes.from_payload("hello").everything
    big = Changes(owners=frozenset({1, 2}), leads=None)
    assert Changes.from_payload(big.to_payload()) == big
    assert big.touches_lead(99)
