"""The LeadDesk schema as typed SQLAlchemy 2.0 models.

The schema only ever changes through the Alembic migrations in ``migrations/``; these models
are what the migrations were generated from and what the code queries with.

The annotations are real objects, not strings (no ``from __future__ import annotations``):
SQLAlchemy then reads each ``Mapped[...]`` as it is instead of evaluating its text, which
saves a tenth of the models' start-up. A class used before its definition is quoted.
"""

import uuid
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    FetchedValue,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from leaddesk.store.clock import utc_now

# A fixed naming convention keeps constraint names identical on SQLite and PostgreSQL, which
# Alembic's batch mode needs to alter SQLite tables later.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

NOTE_MAX_LENGTH = 4000
# PostgreSQL role names are at most 63 bytes.
DB_LOGIN_MAX_LENGTH = 63


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utc_now)
    # The PostgreSQL login this person connects with to a shared server; on a server the
    # connected login decides who acts (see leaddesk.server.identity).
    db_login: Mapped[str | None] = mapped_column(String(DB_LOGIN_MAX_LENGTH), unique=True)
    # Away (holiday, leave): skipped by automatic assignment from away_from until away_until;
    # either end may be open.
    away_from: Mapped[datetime | None] = mapped_column(DateTime)
    away_until: Mapped[datetime | None] = mapped_column(DateTime)

    __table_args__ = (
        CheckConstraint(
            "away_from IS NULL OR away_until IS NULL OR away_until > away_from",
            name="away_ends_after_start",
        ),
    )


class ManagerRight(Base):
    """``manager_id`` may manage ``user_id``: see their leads, pass from and to them."""

    __tablename__ = "manager_rights"

    manager_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Office(Base):
    __tablename__ = "offices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    members: Mapped[list["OfficeMember"]] = relationship(back_populates="office")


class OfficeMember(Base):
    __tablename__ = "office_members"

    office_id: Mapped[int] = mapped_column(
        ForeignKey("offices.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    is_office_manager: Mapped[bool] = mapped_column(Boolean, default=False)
    office: Mapped[Office] = relationship(back_populates="members")


class PassGroup(Base):
    __tablename__ = "pass_groups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)


class PassGroupMember(Base):
    __tablename__ = "pass_group_members"

    group_id: Mapped[int] = mapped_column(
        ForeignKey("pass_groups.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class BucketRule(Base):
    """How one office's or pass group's bucket is assigned; no row means by hand."""

    __tablename__ = "bucket_rules"
    __table_args__ = (
        CheckConstraint(
            "(CASE WHEN office_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN group_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_bucket",
        ),
        CheckConstraint("rule IN ('manual', 'round_robin', 'least_loaded')", name="known_rule"),
        CheckConstraint("NOT (auto AND rule = 'manual')", name="auto_needs_rule"),
        CheckConstraint(
            "waiting_limit_minutes IS NULL OR waiting_limit_minutes > 0",
            name="positive_waiting_limit",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[int | None] = mapped_column(
        ForeignKey("offices.id", ondelete="CASCADE"), unique=True
    )
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("pass_groups.id", ondelete="CASCADE"), unique=True
    )
    rule: Mapped[str] = mapped_column(String(20), default="manual")
    # Assign each lead by the rule as it arrives, in the transaction of the pass.
    auto: Mapped[bool] = mapped_column(Boolean, default=False)
    # The round-robin cursor: the member who got the last lead. Stored (not in memory) so
    # the order survives restarts and is shared by every window and command.
    last_assigned_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    # Leads waiting longer than this are overdue: highlighted, and reminded once a period.
    waiting_limit_minutes: Mapped[int | None] = mapped_column(Integer)


class Status(Base):
    __tablename__ = "statuses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    position: Mapped[int] = mapped_column(Integer)
    # Closed statuses (won, lost) do not count towards a user's open load.
    is_closed: Mapped[bool] = mapped_column(Boolean, default=False)


class Lead(Base):
    """A lead has exactly one place: an owner, an office bucket or a pass-group bucket."""

    __tablename__ = "leads"
    __table_args__ = (
        CheckConstraint(
            "(CASE WHEN owner_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN bucket_office_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN bucket_group_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_place",
        ),
        Index("ix_leads_owner_status", "owner_id", "status_id"),
        # A lead brought in from another system keeps its id there; importing the same
        # export again must find it, never make a second copy.
        UniqueConstraint("external_source", "external_id", name="uq_leads_external"),
        # An import without ids finds a known lead by its name (then company and email).
        Index("ix_leads_lower_name", text("lower(name)")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    company: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(320), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")
    status_id: Mapped[int] = mapped_column(ForeignKey("statuses.id"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    bucket_office_id: Mapped[int | None] = mapped_column(ForeignKey("offices.id"), index=True)
    bucket_group_id: Mapped[int | None] = mapped_column(ForeignKey("pass_groups.id"), index=True)
    # Optimistic concurrency: bumped on every change; a pass carries the version it saw.
    version: Mapped[int] = mapped_column(Integer, default=1)
    # The batch that last moved this lead; a pass finds "its" rows by this column, which
    # makes history-after-update race free without a temporary table.
    last_batch_id: Mapped[int | None] = mapped_column(ForeignKey("pass_batches.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utc_now)
    # Where an imported lead came from ("salesforce", "zoho", ...) and its id there.
    external_source: Mapped[str | None] = mapped_column(String(40))
    external_id: Mapped[str | None] = mapped_column(String(100))
    # On a PostgreSQL server, the id of the transaction that last wrote the row (set by a
    # trigger, migration 0006): a replica pulls the rows written since its last pull's
    # snapshot. 0 on SQLite, where nothing pulls from.
    change_seq: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0", index=True)


class LeadNote(Base):
    __tablename__ = "lead_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("pass_batches.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utc_now)


class PassBatch(Base):
    """All the leads moved by one pass; undone together."""

    __tablename__ = "pass_batches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    method: Mapped[str] = mapped_column(String(30))
    note: Mapped[str] = mapped_column(Text, default="")
    lead_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utc_now)
    # Set on a batch that was undone, pointing at the batch that undid it.
    undone_by_id: Mapped[int | None] = mapped_column(ForeignKey("pass_batches.id"))
    undoes_id: Mapped[int | None] = mapped_column(ForeignKey("pass_batches.id"))
    # Idempotency key for passes replayed from an offline journal.
    client_uuid: Mapped[str | None] = mapped_column(String(36), unique=True)
    # The database login that made the pass (PostgreSQL fills it in: current_user), so a pass
    # made by the owner login acting as someone records both names. NULL on SQLite.
    db_login: Mapped[str | None] = mapped_column(
        String(DB_LOGIN_MAX_LENGTH), server_default=FetchedValue()
    )


class PassHistory(Base):
    """One row per lead per batch: where the lead was and where it went."""

    __tablename__ = "pass_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("pass_batches.id"), index=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    from_owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    from_office_id: Mapped[int | None] = mapped_column(ForeignKey("offices.id"))
    from_group_id: Mapped[int | None] = mapped_column(ForeignKey("pass_groups.id"))
    # Indexed: least-loaded assignment looks up when each member last received a lead.
    to_owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    to_office_id: Mapped[int | None] = mapped_column(ForeignKey("offices.id"))
    to_group_id: Mapped[int | None] = mapped_column(ForeignKey("pass_groups.id"))
    # The lead's version right after this pass; undo is allowed only while it is unchanged.
    to_version: Mapped[int] = mapped_column(Integer)


class OutboxMessage(Base):
    """One notification per recipient per batch, queued in the pass transaction; or one
    reminder per overdue bucket, period and recipient (no batch; see notify.reminders)."""

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("batch_id", "recipient_id", name="uq_outbox_batch_recipient"),
        UniqueConstraint("reminder_key", "recipient_id", name="uq_outbox_reminder_recipient"),
        CheckConstraint(
            "(batch_id IS NOT NULL AND reminder_key IS NULL) OR (batch_id IS NULL"
            " AND reminder_key IS NOT NULL AND kind = 'reminder')",
            name="batch_or_reminder",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("pass_batches.id"), index=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recipient_email: Mapped[str] = mapped_column(String(320))
    # "owner": leads passed to the recipient; "bucket": leads waiting in a bucket they watch;
    # "reminder": leads of a bucket they watch waited longer than its limit.
    kind: Mapped[str] = mapped_column(String(20))
    # For a reminder: its bucket and period ("office:3:2026-11-28T16:00"); unique with the
    # recipient, so queueing a period's reminders twice queues them once.
    reminder_key: Mapped[str | None] = mapped_column(String(100))
    lead_count: Mapped[int] = mapped_column(Integer)
    office_id: Mapped[int | None] = mapped_column(ForeignKey("offices.id"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("pass_groups.id"))
    status: Mapped[str] = mapped_column(String(20), default="queued", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime, default=utc_now)
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utc_now)
    # Random and unique: the Message-ID of this row's email, the same on every retry and
    # never the same as another database's (row numbers repeat between databases).
    message_key: Mapped[str] = mapped_column(
        String(64), unique=True, default=lambda: uuid.uuid4().hex
    )


class AuditEntry(Base):
    """Administrative changes: who changed what, when."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(50))
    detail: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utc_now, index=True)
    # As on pass_batches: the login behind the entry, filled in by PostgreSQL.
    db_login: Mapped[str | None] = mapped_column(
        String(DB_LOGIN_MAX_LENGTH), server_default=FetchedValue()
    )


# -- a replica's bookkeeping (migration 0006; empty on every database that is not a replica)


class ReplicaState(Base):
    """One row on a replica: whose copy of which server, and how far it has pulled."""

    __tablename__ = "replica_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    server_url: Mapped[str] = mapped_column(String(1000))  # never with a password
    # No foreign key: the users table is replaced by every pull.
    actor_id: Mapped[int] = mapped_column(Integer)
    actor_name: Mapped[str] = mapped_column(String(200))
    # What a full pull wrote; an older format is refreshed by a full pull.
    replica_format: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utc_now)
    last_sync_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The server's schema revision at the last pull: a server that moved on is pulled whole.
    server_revision: Mapped[str] = mapped_column(String(64))
    # The server snapshot of the last pull (pg_current_snapshot) and its xmin: what was
    # written after it is what the next pull fetches.
    pull_snapshot: Mapped[str] = mapped_column(Text, default="")
    pull_xmin: Mapped[int] = mapped_column(BigInteger, default=0)
    # A digest of whose leads and which buckets the person saw: when it changes, pull whole.
    view_digest: Mapped[str] = mapped_column(String(64), default="")
    # A digest of the organisation tables copied (users, offices, rights, rules...): a sync
    # re-reads them only when the server's differs.
    organisation_digest: Mapped[str] = mapped_column(String(64), default="", server_default="")


class JournalEntry(Base):
    """A pass made on a replica, waiting to be applied on the server (in id order)."""

    __tablename__ = "offline_journal"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    actor_id: Mapped[int] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(String(30))
    # JSON [[lead id, version seen], ...]: the explicit leads, pinned to what was seen.
    leads: Mapped[str] = mapped_column(Text)
    target_kind: Mapped[str | None] = mapped_column(String(10))  # None for an undo
    target_id: Mapped[int | None] = mapped_column(Integer)
    target_label: Mapped[str] = mapped_column(String(300))
    note: Mapped[str] = mapped_column(Text, default="")
    # An undo names the pass it undoes: a server batch, or an offline pass by its uuid.
    undoes_batch_id: Mapped[int | None] = mapped_column(Integer)
    undoes_uuid: Mapped[str | None] = mapped_column(String(36))
    # The batch on the replica, replaced by the server's after the entry is settled.
    local_batch_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utc_now)
    state: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    server_batch_id: Mapped[int | None] = mapped_column(Integer)


class SyncConflict(Base):
    """A journal entry the server refused, with what the server had then; never dropped
    silently: it stays open until the person passes again or drops it."""

    __tablename__ = "sync_conflicts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    journal_uuid: Mapped[str] = mapped_column(
        ForeignKey("offline_journal.uuid", ondelete="CASCADE"), unique=True
    )
    reason: Mapped[str] = mapped_column(Text)
    server_now: Mapped[str] = mapped_column(Text)  # JSON, one object per lead
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utc_now)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)
    resolution: Mapped[str | None] = mapped_column(String(20))  # passed_again | dropped
    resolved_batch_id: Mapped[int | None] = mapped_column(Integer)
