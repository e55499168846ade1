"""Admin services: validation, the admin gate and the audit log, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from leaddesk.admin import groups, offices, rights, statuses, users
from leaddesk.admin.audit import audit_entries
from leaddesk.errors import InvalidInputError, PermissionDeniedError
from leaddesk.reassignment import permissions
from leaddesk.store.models import AuditEntry, ManagerRight, OfficeMember, Status, User
from tests.helpers.demo_names import group_id, office_id, status_id, user_id


def audit_count(database) -> int:
    with database.read() as session:
        return session.scalar(select(func.count()).select_from(AuditEntry)) or 0


def test_add_user_writes_the_user_and_an_audit_entry(database):
    ada = user_id(database, "Ada Admin")
    with database.write() as session:
        new = users.add_user(session, ada, name="  Zoe   Newhire ", email="zoe@example.com")
        new_id = new.id
    with database.read() as session:
        zoe = session.get(User, new_id)
        assert (zoe.name, zoe.email, zoe.active, zoe.is_admin) == (
            "Zoe Newhire",
            "zoe@example.com",
            True,
            False,
        )
        entries = audit_entries(session, ada)
    assert entries[0].actor == "Ada Admin"
    assert entries[0].action == "user.add"
    assert "Zoe Newhire" in entries[0].detail


@pytest.mark.parametrize(
    ("name", "email", "message"),
    [
        ("", "x@example.com", "cannot be empty"),
        ("Zoe", "not-an-email", "not a valid email"),
        ("Zoe", "zoe@nodot", "not a valid email"),
        ("jane doe", "other@example.com", "already a user called"),
        ("Zoe", "JANE.DOE@example.com", "already in use"),
        ("x" * 201, "x@example.com", "at most 200"),
        ("12345", "n@example.com", "only digits"),
    ],
)
def test_add_user_refuses_bad_input_and_changes_nothing(database, name, email, message):
    ada = user_id(database, "Ada Admin")
    before = audit_count(database)
    with pytest.raises(InvalidInputError, match=message), database.write() as session:
        users.add_user(session, ada, name=name, email=email)
    assert audit_count(database) == before
    with database.read() as session:
        assert session.scalar(select(func.count()).select_from(User)) == 8


@pytest.mark.parametrize(
    "call",
    [
        lambda s, a, db: users.add_user(s, a, name="Zoe", email="zoe@example.com"),
        lambda s, a, db: users.list_users(s, a),
        lambda s, a, db: rights.grant_right(
            s, a, manager_id=user_id(db, "Victor Outside"), user_id=user_id(db, "John Smith")
        ),
        lambda s, a, db: offices.add_office(s, a, name="Uptown"),
        lambda s, a, db: groups.add_group(s, a, name="Outbound"),
        lambda s, a, db: statuses.add_status(s, a, name="QUALIFIED"),
        lambda s, a, db: audit_entries(s, a),
    ],
)
def test_non_admins_are_refused_by_every_service(database, call):
    maria = user_id(database, "Maria Manager")
    before = audit_count(database)
    with (
        pytest.raises(PermissionDeniedError, match="Only administrators"),
        database.write() as session,
    ):
        call(session, maria, database)
    assert audit_count(database) == before


def test_cannot_deactivate_yourself_or_the_last_admin(database):
    ada = user_id(database, "Ada Admin")
    with pytest.raises(InvalidInputError, match="yourself"), database.write() as session:
        users.deactivate_user(session, ada, ada)
    with (
        pytest.raises(InvalidInputError, match="last active administrator"),
        database.write() as session,
    ):
        users.update_user(session, ada, ada, is_admin=False)
    # With a second admin, the first may step down.
    with database.write() as session:
        users.update_user(session, ada, user_id(database, "Maria Manager"), is_admin=True)
        users.update_user(session, ada, ada, is_admin=False)
    with database.read() as session:
        assert session.get(User, ada).is_admin is False


def test_deactivating_a_user_who_owns_leads_asks_where_the_leads_go(database):
    ada, john = user_id(database, "Ada Admin"), user_id(database, "John Smith")
    with (
        pytest.raises(InvalidInputError, match="Choose where their leads go"),
        database.write() as session,
    ):
        users.update_user(session, ada, john, active=False)
    with database.read() as session:
        assert session.get(User, john).active is True


def test_deactivate_and_reactivate_a_user_without_leads(database):
    ada = user_id(database, "Ada Admin")
    with database.write() as session:
        zoe = users.add_user(session, ada, name="Zoe", email="zoe@example.com").id
    with database.write() as session:
        users.deactivate_user(session, ada, zoe)
    with database.read() as session:
        assert session.get(User, zoe).active is False
    with database.write() as session:
        users.activate_user(session, ada, zoe)
    with database.read() as session:
        assert session.get(User, zoe).active is True
        actions = [e.action for e in audit_entries(session, ada)]
    assert actions[:3] == ["user.update", "user.update", "user.add"]


def test_rename_and_change_email_keep_uniqueness(database):
    ada, jane = user_id(database, "Ada Admin"), user_id(database, "Jane Doe")
    with (
        pytest.raises(InvalidInputError, match="already a user called"),
        database.write() as session,
    ):
        users.update_user(session, ada, jane, name="John Smith")
    with database.write() as session:
        users.update_user(session, ada, jane, name="Jane Smith", email="jane.smith@example.com")
    with database.read() as session:
        row = session.get(User, jane)
        assert (row.name, row.email) == ("Jane Smith", "jane.smith@example.com")


def test_grant_right_makes_the_user_a_target_and_revoke_removes_it(database):
    ada, victor, john = (
        user_id(database, n) for n in ("Ada Admin", "Victor Outside", "John Smith")
    )
    with database.write() as session:
        rights.grant_right(session, ada, manager_id=victor, user_id=john)
    with database.read() as session:
        assert permissions.can_manage(session, session.get(User, victor), john)
    with pytest.raises(InvalidInputError, match="already manages"), database.write() as session:
        rights.grant_right(session, ada, manager_id=victor, user_id=john)
    with database.write() as session:
        rights.revoke_right(session, ada, manager_id=victor, user_id=john)
    with database.read() as session:
        assert not permissions.can_manage(session, session.get(User, victor), john)
        assert [e.action for e in audit_entries(session, ada)][:2] == [
            "right.revoke",
            "right.grant",
        ]


def test_manage_all_of_an_office_grants_every_member(database):
    ada, victor = user_id(database, "Ada Admin"), user_id(database, "Victor Outside")
    downtown = office_id(database)
    with database.write() as session:
        added = rights.grant_office(session, ada, manager_id=victor, office_id=downtown)
    assert added == 3  # Olivia, Maria, Sam
    with database.read() as session:
        managed = set(
            session.scalars(select(ManagerRight.user_id).where(ManagerRight.manager_id == victor))
        )
        members = set(
            session.scalars(select(OfficeMember.user_id).where(OfficeMember.office_id == downtown))
        )
    assert members <= managed
    with database.write() as session:
        removed = rights.revoke_office(session, ada, manager_id=victor, office_id=downtown)
    assert removed == 3


def test_offices_members_and_office_manager_flag(database):
    ada, john = user_id(database, "Ada Admin"), user_id(database, "John Smith")
    with database.write() as session:
        uptown = offices.add_office(session, ada, name="Uptown Office").id
        offices.add_office_member(session, ada, uptown, john)
        offices.set_office_manager(session, ada, uptown, john, office_manager=True)
    with database.read() as session:
        assert uptown in permissions.visible_office_ids(session, session.get(User, john))
    with pytest.raises(InvalidInputError, match="already a member"), database.write() as session:
        offices.add_office_member(session, ada, uptown, john)
    with pytest.raises(InvalidInputError, match="already an office"), database.write() as session:
        offices.add_office(session, ada, name="downtown office")
    with database.write() as session:
        offices.rename_office(session, ada, uptown, name="Uptown")
        offices.remove_office_member(session, ada, uptown, john)
    with database.read() as session:
        rows = {row.name: row for row in offices.list_offices(session, ada)}
    assert rows["Uptown"].members == []
    assert rows["Downtown Office"].waiting_leads == 1


def test_pass_groups_and_members(database):
    ada, john = user_id(database, "Ada Admin"), user_id(database, "John Smith")
    inbound = group_id(database)
    with database.write() as session:
        groups.add_group_member(session, ada, inbound, john)
        groups.rename_group(session, ada, inbound, name="Inbound Desk")
    with database.read() as session:
        assert inbound in permissions.visible_group_ids(session, session.get(User, john))
        row = next(g for g in groups.list_groups(session, ada) if g.id == inbound)
    assert row.name == "Inbound Desk"
    assert "John Smith" in [m.name for m in row.members]
    with database.write() as session:
        groups.remove_group_member(session, ada, inbound, john)
    with pytest.raises(InvalidInputError, match="not a member"), database.write() as session:
        groups.remove_group_member(session, ada, inbound, john)


def test_statuses_add_rename_move_close(database):
    ada = user_id(database, "Ada Admin")
    with database.write() as session:
        statuses.add_status(session, ada, name="QUALIFIED", position=2)
        statuses.rename_status(session, ada, status_id(database, "WON"), name="CLOSED WON")
        statuses.move_status(session, ada, status_id(database, "NO SALE/LOST"), position=1)
        statuses.set_status_closed(session, ada, status_id(database, "OPPORTUNITY"), closed=True)
    with database.read() as session:
        rows = statuses.list_statuses(session, ada)
        positions = [s.position for s in session.scalars(select(Status).order_by(Status.position))]
    assert [r.name for r in rows] == [
        "NO SALE/LOST",
        "LEAD",
        "QUALIFIED",
        "OPPORTUNITY",
        "CLOSED WON",
    ]
    assert positions == [0, 1, 2, 3, 4]
    assert [r.is_closed for r in rows] == [True, False, False, True, True]
    with pytest.raises(InvalidInputError, match="between 1 and 5"), database.write() as session:
        statuses.move_status(session, ada, status_id(database, "LEAD"), position=9)
