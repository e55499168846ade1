"""The value types a pass is described with: what to move, where to, and what happened."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class PassMethod(StrEnum):
    """How a pass was made; recorded on the batch and decides the self-pass rule."""

    DRAG_LEAD = "drag_lead"
    DRAG_USER = "drag_user"
    DRAG_STATUS = "drag_status"
    LEAD_TAB = "lead_tab"
    COMMAND_LINE = "command_line"
    BUCKET_ASSIGN = "bucket_assign"
    UNDO = "undo"
    OFFBOARD = "offboard"
    IMPORT = "import"
    REPLAY = "replay"
    # All waiting leads of a bucket by its rule (one click or command).
    RULE_ASSIGN = "rule_assign"
    # Leads assigned by the bucket's rule as they arrived, right after the pass into it.
    AUTO_ASSIGN = "auto_assign"


class TargetKind(StrEnum):
    USER = "user"
    OFFICE = "office"
    GROUP = "group"


@dataclass(frozen=True)
class Target:
    """Where leads go: a user, or the Leads to be Assigned bucket of an office or pass group."""

    kind: TargetKind
    id: int

    @classmethod
    def user(cls, user_id: int) -> Target:
        return cls(TargetKind.USER, user_id)

    @classmethod
    def office(cls, office_id: int) -> Target:
        return cls(TargetKind.OFFICE, office_id)

    @classmethod
    def group(cls, group_id: int) -> Target:
        return cls(TargetKind.GROUP, group_id)

    def columns(self) -> dict[str, int | None]:
        """The lead's place columns after moving here; exactly one is set."""
        return {
            "owner_id": self.id if self.kind is TargetKind.USER else None,
            "bucket_office_id": self.id if self.kind is TargetKind.OFFICE else None,
            "bucket_group_id": self.id if self.kind is TargetKind.GROUP else None,
        }


@dataclass(frozen=True)
class LeadRef:
    """A lead as the actor saw it. ``version=None`` means "whatever is there now"."""

    id: int
    version: int | None = None


@dataclass(frozen=True)
class Selection:
    """Exactly one of: specific leads, all leads of a user, or one status of a user."""

    leads: tuple[LeadRef, ...] = ()
    user_id: int | None = None
    status_id: int | None = None

    @classmethod
    def of_leads(cls, leads: list[LeadRef] | tuple[LeadRef, ...]) -> Selection:
        return cls(leads=tuple(leads))

    @classmethod
    def all_of_user(cls, user_id: int) -> Selection:
        return cls(user_id=user_id)

    @classmethod
    def status_of_user(cls, user_id: int, status_id: int) -> Selection:
        return cls(user_id=user_id, status_id=status_id)

    @property
    def is_whole_user(self) -> bool:
        return self.user_id is not None


@dataclass(frozen=True)
class PassResult:
    batch_id: int
    moved: int
    target: Target
    target_name: str
    notifications: int
    method: PassMethod
    # Leads a bucket with automatic assignment gave to its members right after this pass.
    auto_assigned: int = 0


@dataclass(frozen=True)
class PassPreview:
    """What a pass would move, for the confirmation question."""

    count: int
    source_names: list[str] = field(default_factory=list)
    target_name: str = ""
    # A bucket target nobody watches and no rule assigns: the leads would wait unseen.
    unwatched_bucket: bool = False
