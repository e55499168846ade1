"""The drag payload: what is being dragged, encoded under LeadDesk's own MIME type.

Every draggable view (owner tree, bucket tree) encodes a :class:`PassSource`; the target
pane decodes it and turns the drop into a pass request. Pure Python, so it is testable
without widgets; only the MIME type string is Qt-facing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum

from leaddesk.reassignment.drop_rules import Carried, places_from
from leaddesk.reassignment.requests import LeadRef, PassMethod, Selection, Target

PASS_SOURCE_MIME_TYPE = "application/x-leaddesk-pass-source"


class SourceKind(StrEnum):
    LEADS = "leads"  # one or more owned leads (versions as the actor saw them)
    USER = "user"  # every lead of a user
    STATUS = "status"  # every lead of one status of a user
    BUCKET_LEADS = "bucket_leads"  # leads waiting in a Leads to be Assigned bucket


@dataclass(frozen=True)
class PassSource:
    kind: SourceKind
    leads: tuple[LeadRef, ...] = ()
    user_id: int | None = None
    status_id: int | None = None
    # What the confirmation question shows: "3 leads from John Smith".
    label: str = ""
    lead_count: int = 0
    extra: dict[str, str] = field(default_factory=dict)
    # What the drag chip says: "Harbor Logistics renewal", "3 leads",
    # "OPPORTUNITY of John Smith (12 leads)", "All of John Smith (47 leads)".
    title: str = ""
    # Where the carried leads are now (owners, buckets), as the actor saw them: the target
    # pane refuses to drop them where they already are.
    places: frozenset[Target] = frozenset()

    def carried(self) -> Carried:
        return Carried(title=self.title or self.label, count=self.lead_count, places=self.places)

    def selection(self) -> Selection:
        if self.kind is SourceKind.USER:
            assert self.user_id is not None
            return Selection.all_of_user(self.user_id)
        if self.kind is SourceKind.STATUS:
            assert self.user_id is not None and self.status_id is not None
            return Selection.status_of_user(self.user_id, self.status_id)
        return Selection.of_leads(self.leads)

    def method(self) -> PassMethod:
        return {
            SourceKind.LEADS: PassMethod.DRAG_LEAD,
            SourceKind.USER: PassMethod.DRAG_USER,
            SourceKind.STATUS: PassMethod.DRAG_STATUS,
            SourceKind.BUCKET_LEADS: PassMethod.BUCKET_ASSIGN,
        }[self.kind]

    def encode(self) -> bytes:
        return json.dumps(
            {
                "kind": self.kind.value,
                "leads": [[ref.id, ref.version] for ref in self.leads],
                "user_id": self.user_id,
                "status_id": self.status_id,
                "label": self.label,
                "lead_count": self.lead_count,
                "extra": self.extra,
                "title": self.title,
                "places": sorted([place.kind.value, place.id] for place in self.places),
            }
        ).encode("utf-8")

    @classmethod
    def decode(cls, data: bytes) -> PassSource | None:
        """None for anything that is not a well-formed LeadDesk payload."""
        try:
            raw = json.loads(bytes(data).decode("utf-8"))
            return cls(
                kind=SourceKind(raw["kind"]),
                leads=tuple(
                    LeadRef(int(i), None if v is None else int(v)) for i, v in raw["leads"]
                ),
                user_id=raw.get("user_id"),
                status_id=raw.get("status_id"),
                label=str(raw.get("label", "")),
                lead_count=int(raw.get("lead_count", 0)),
                extra={str(k): str(v) for k, v in raw.get("extra", {}).items()},
                title=str(raw.get("title", "")),
                places=places_from((str(k), int(i)) for k, i in raw.get("places", [])),
            )
        except (ValueError, KeyError, TypeError):
            return None
