"""Everything the lead window shows, read in one session: the lead, its timeline, and where
the actor may pass it. One function so the window asks once per (re)load, off its thread."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from leaddesk.reassignment.targets import PassTargets, pass_targets
from leaddesk.store.lead_details import LeadDetails, TimelineEntry, lead_details, lead_timeline


@dataclass(frozen=True)
class LeadOverview:
    details: LeadDetails
    timeline: list[TimelineEntry]
    targets: PassTargets


def read_lead_overview(session: Session, *, lead_id: int, actor_id: int) -> LeadOverview:
    return LeadOverview(
        details=lead_details(session, lead_id),
        timeline=lead_timeline(session, lead_id),
        targets=pass_targets(session, actor_id=actor_id),
    )
