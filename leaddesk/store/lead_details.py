"""Read queries behind the lead window and the Leads to be Assigned tab.

Functions take a ``Session``; the caller owns the transaction. Times are naive UTC, as stored.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from leaddesk.errors import NotFoundError
from leaddesk.store.models import Lead, Office, PassGroup, Status, User
from leaddesk.store.queries import BucketLeads, lead_history, lead_notes, visible_buckets

# How a batch's method reads in the history list.
METHOD_LABELS = {
    "drag_lead": "Drag and drop",
    "drag_user": "Drag and drop (all leads of a user)",
    "drag_status": "Drag and drop (one status)",
    "lead_tab": "Pass Lead tab",
    "command_line": "Command line",
    "bucket_assign": "Assigned from Leads to be Assigned",
    "undo": "Undo",
    "offboard": "Offboarding",
    "import": "Import",
    "replay": "Offline pass",
}


@dataclass(frozen=True)
class LeadDetails:
    """Everything the Details tab shows, plus what the Pass Lead tab needs to pass it."""

    id: int
    name: str
    company: str
    email: str
    phone: str
    status: str
    status_closed: bool
    owner_id: int | None
    owner: str | None
    bucket_kind: str | None  # "office" or "group" while the lead waits in a bucket
    bucket_id: int | None
    bucket: str | None
    version: int
    created_at: datetime
    updated_at: datetime
    external_source: str | None = None  # the system an imported lead came from
    external_id: str | None = None  # and its id there

    @property
    def origin(self) -> str:
        """'salesforce 00Q…' for a lead brought in from another system; '' otherwise."""
        if not self.external_id:
            return ""
        return f"{self.external_source or '?'} {self.external_id}"

    @property
    def place(self) -> str:
        """Where the lead is: its owner, or the bucket it waits in."""
        if self.owner is not None:
            return self.owner
        noun = "office" if self.bucket_kind == "office" else "pass group"
        return f"Leads to be Assigned of {noun} {self.bucket}"


def lead_details(session: Session, lead_id: int) -> LeadDetails:
    row = session.execute(
        select(
            Lead.id,
            Lead.name,
            Lead.company,
            Lead.email,
            Lead.phone,
            Status.name,
            Status.is_closed,
            Lead.owner_id,
            User.name,
            Lead.bucket_office_id,
            Office.name,
            Lead.bucket_group_id,
            PassGroup.name,
            Lead.version,
            Lead.created_at,
            Lead.updated_at,
            Lead.external_source,
            Lead.external_id,
        )
        .join(Status, Status.id == Lead.status_id)
        .outerjoin(User, User.id == Lead.owner_id)
        .outerjoin(Office, Office.id == Lead.bucket_office_id)
        .outerjoin(PassGroup, PassGroup.id == Lead.bucket_group_id)
        .where(Lead.id == lead_id)
    ).first()
    if row is None:
        raise NotFoundError(f"There is no lead with id {lead_id}.")
    (
        id_,
        name,
        company,
        email,
        phone,
        status,
        closed,
        owner_id,
        owner,
        office_id,
        office,
        group_id,
        group,
        version,
        created_at,
        updated_at,
        external_source,
        external_id,
    ) = row
    bucket_kind = "office" if office_id is not None else "group" if group_id is not None else None
    return LeadDetails(
        id=id_,
        name=name,
        company=company,
        email=email,
        phone=phone,
        status=status,
        status_closed=bool(closed),
        owner_id=owner_id,
        owner=owner,
        bucket_kind=bucket_kind,
        bucket_id=office_id if office_id is not None else group_id,
        bucket=office if office is not None else group,
        version=version,
        created_at=created_at,
        updated_at=updated_at,
        external_source=external_source,
        external_id=external_id,
    )


@dataclass(frozen=True)
class TimelineEntry:
    """One line of the Notes & History tab: a pass (with its note) or a note on its own."""

    when: datetime
    who: str
    kind: str  # "pass" or "note"
    method: str  # readable method of a pass; "" for a note
    from_place: str
    to_place: str
    note: str
    batch_id: int | None
    undone_by: int | None


def lead_timeline(session: Session, lead_id: int) -> list[TimelineEntry]:
    """Every pass and every note of a lead, newest first.

    A pass's note is stored both on the batch and on the lead; it is shown once, with the
    pass. Notes written outside a pass appear as lines of their own.
    """
    entries = [
        TimelineEntry(
            when=row.when,
            who=row.actor_label,
            kind="pass",
            method=METHOD_LABELS.get(row.method, row.method),
            from_place=row.from_place,
            to_place=row.to_place,
            note=row.note,
            batch_id=row.batch_id,
            undone_by=row.undone_by,
        )
        for row in lead_history(session, lead_id)
    ]
    passed_batches = {entry.batch_id for entry in entries}
    entries.extend(
        TimelineEntry(
            when=note.when,
            who=note.author,
            kind="note",
            method="",
            from_place="",
            to_place="",
            note=note.body,
            batch_id=note.batch_id,
            undone_by=None,
        )
        for note in lead_notes(session, lead_id)
        if note.batch_id is None or note.batch_id not in passed_batches
    )
    # Stable sort keeps the queries' id order among entries written in the same instant.
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries


def buckets_of_actor(session: Session, actor_id: int) -> list[BucketLeads]:
    """The Leads to be Assigned buckets ``actor_id`` sees, each with its waiting leads, the
    longest-waiting first (a lead's last change is when it landed in the bucket)."""
    actor = session.get(User, actor_id)
    if actor is None:
        raise NotFoundError(f"There is no user with id {actor_id}.")
    return [
        replace(bucket, leads=sorted(bucket.leads, key=lambda lead: (lead.updated_at, lead.id)))
        for bucket in visible_buckets(session, actor)
    ]
