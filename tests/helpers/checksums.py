"""A checksum of everything a LeadDesk operation may change, to prove "nothing changed".

Covers leads (place, version, last batch), users' flags, manager rights, pass batches,
history, notes, outbox rows (with their sending state) and the audit log; each table is
read in key order and hashed, so two equal checksums mean equal contents.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from leaddesk.store.database import Database
from leaddesk.store.models import (
    AuditEntry,
    Lead,
    LeadNote,
    ManagerRight,
    OutboxMessage,
    PassBatch,
    PassHistory,
    User,
)

_TABLES = {
    "leads": select(
        Lead.id,
        Lead.owner_id,
        Lead.bucket_office_id,
        Lead.bucket_group_id,
        Lead.version,
        Lead.last_batch_id,
    ).order_by(Lead.id),
    "users": select(User.id, User.active, User.is_admin).order_by(User.id),
    "rights": select(ManagerRight.manager_id, ManagerRight.user_id).order_by(
        ManagerRight.manager_id, ManagerRight.user_id
    ),
    "batches": select(
        PassBatch.id, PassBatch.method, PassBatch.lead_count, PassBatch.undone_by_id
    ).order_by(PassBatch.id),
    "history": select(
        PassHistory.id,
        PassHistory.batch_id,
        PassHistory.lead_id,
        PassHistory.from_owner_id,
        PassHistory.to_owner_id,
        PassHistory.to_office_id,
        PassHistory.to_group_id,
        PassHistory.to_version,
    ).order_by(PassHistory.id),
    "notes": select(LeadNote.id, LeadNote.lead_id, LeadNote.batch_id, LeadNote.body).order_by(
        LeadNote.id
    ),
    "outbox": select(
        OutboxMessage.id,
        OutboxMessage.batch_id,
        OutboxMessage.recipient_id,
        OutboxMessage.status,
        OutboxMessage.attempts,
        OutboxMessage.claimed_by,
        OutboxMessage.sent_at,
    ).order_by(OutboxMessage.id),
    "audit": select(AuditEntry.id, AuditEntry.action, AuditEntry.detail).order_by(AuditEntry.id),
}


def table_checksums(database: Database) -> dict[str, str]:
    """One short hash per table, so a failing comparison names the table that changed."""
    sums = {}
    with database.read() as session:
        for name, query in _TABLES.items():
            digest = hashlib.sha256()
            for row in session.execute(query):
                digest.update(repr(tuple(row)).encode())
            sums[name] = digest.hexdigest()[:16]
    return sums
