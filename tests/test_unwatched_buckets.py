"""A pass into a bucket nobody watches is said so before it is made: the preview tells the
window when the office has no active office manager (the pass group no active member) and
no rule assigns the bucket's leads, since then no one is emailed and the leads wait unseen."""

from __future__ import annotations

from sqlalchemy import text

from leaddesk.reassignment.controller import preview_pass
from leaddesk.reassignment.requests import LeadRef, Selection, Target
from leaddesk.store.bucket_rules import AssignRule, BucketKey
from tests.helpers.demo_names import group_id, lead_by_name, office_id, user_id
from tests.helpers.engine_checks import set_active, set_rule


def unwatched(database, target: Target) -> bool:
    lead = lead_by_name(database, "Harbor Logistics renewal")
    with database.read() as session:
        preview = preview_pass(
            session,
            actor_id=user_id(database, "Ada Admin"),
            selection=Selection.of_leads([LeadRef(lead.id, lead.version)]),
            target=target,
        )
    assert preview.count == 1
    return preview.unwatched_bucket


def test_an_office_without_an_active_office_manager_or_rule_is_unwatched(database) -> None:
    office = Target.office(office_id(database))
    assert unwatched(database, office) is False  # Olivia Office manages it
    set_active(database, "Olivia Office", False)
    assert unwatched(database, office) is True
    set_active(database, "Olivia Office", True)
    with database.write() as session:
        session.execute(text("UPDATE office_members SET is_office_manager = false"))
    # Members who are not its office managers do not see the bucket.
    assert unwatched(database, office) is True
    set_rule(database, BucketKey(office_id=office_id(database)), AssignRule.ROUND_ROBIN, auto=True)
    assert unwatched(database, office) is False  # its arrivals are assigned at once


def test_a_pass_group_without_active_members_is_unwatched(database) -> None:
    group = Target.group(group_id(database))
    assert unwatched(database, group) is False
    set_active(database, "Jane Doe", False)
    assert unwatched(database, group) is False  # Pat Group still there
    set_active(database, "Pat Group", False)
    assert unwatched(database, group) is True
    assert unwatched(database, Target.user(user_id(database, "Sam Field"))) is False
