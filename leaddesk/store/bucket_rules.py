"""Reading a bucket's assignment rule and who is away; shared by administration and the
reassignment planner (no writes here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from leaddesk.errors import InvalidInputError
from leaddesk.store.models import BucketRule, Lead, User


class AssignRule(StrEnum):
    MANUAL = "manual"
    ROUND_ROBIN = "round_robin"
    LEAST_LOADED = "least_loaded"

    @property
    def label(self) -> str:
        """The word people read and type: ``round-robin``, ``least-loaded``, ``manual``."""
        return self.value.replace("_", "-")

    @classmethod
    def parse(cls, text: str) -> AssignRule:
        key = text.strip().lower().replace("-", "_").replace(" ", "_")
        try:
            return cls(key)
        except ValueError:
            choices = ", ".join(rule.label for rule in cls)
            raise InvalidInputError(
                f"Unknown assignment rule '{text}'; choose {choices}."
            ) from None


@dataclass(frozen=True)
class BucketKey:
    """One Leads to be Assigned bucket: of an office or of a pass group."""

    office_id: int | None = None
    group_id: int | None = None

    def __post_init__(self) -> None:
        if (self.office_id is None) == (self.group_id is None):
            raise ValueError("a bucket is of exactly one office or one pass group")


def in_bucket(bucket: BucketKey) -> ColumnElement[bool]:
    """True for a lead waiting in ``bucket``."""
    if bucket.office_id is not None:
        return Lead.bucket_office_id == bucket.office_id
    return Lead.bucket_group_id == bucket.group_id


def rule_row(session: Session, bucket: BucketKey) -> BucketRule | None:
    if bucket.office_id is not None:
        condition = BucketRule.office_id == bucket.office_id
    else:
        condition = BucketRule.group_id == bucket.group_id
    return session.scalars(select(BucketRule).where(condition)).first()


def away_condition(now: datetime) -> ColumnElement[bool]:
    """True for a user who is away at ``now`` (an away period with either end open)."""
    return and_(
        or_(User.away_from.is_not(None), User.away_until.is_not(None)),
        or_(User.away_from.is_(None), User.away_from <= now),
        or_(User.away_until.is_(None), User.away_until > now),
    )
