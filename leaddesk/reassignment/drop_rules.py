"""Where a drag may land, decided while the button is still held.

The window judges a drop against what it has already read (where the carried leads are,
the rows of the Pass to pane) so the person sees why a place is refused before letting go;
the controller refuses the same cases when the pass runs, because the data may have
changed meanwhile. Both use :func:`place_of` for where a lead is, and the sentences here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from leaddesk.reassignment.requests import Target, TargetKind


def place_of(
    owner_id: int | None, bucket_office_id: int | None = None, bucket_group_id: int | None = None
) -> Target | None:
    """Where a lead is now: with its owner or in one bucket (None for a lead in no place)."""
    if owner_id is not None:
        return Target.user(owner_id)
    if bucket_office_id is not None:
        return Target.office(bucket_office_id)
    if bucket_group_id is not None:
        return Target.group(bucket_group_id)
    return None


def count_phrase(count: int) -> str:
    return "1 lead" if count == 1 else f"{count:,} leads"


def inactive_target_message(name: str) -> str:
    return f"{name} is inactive and cannot receive leads."


class PlaceKind(StrEnum):
    TARGET = "target"  # a user, office or pass group row of the Pass to pane
    HEADING = "heading"  # "Users", "Offices", "Pass groups"
    SOURCE_TREE = "source_tree"  # a row of the tree the drag started from
    NOWHERE = "nowhere"  # empty space


@dataclass(frozen=True)
class Carried:
    """What a drag carries, as the window saw it when the drag began."""

    title: str  # "Harbor Logistics renewal", "3 leads", "All of John Smith (47 leads)"
    count: int
    places: frozenset[Target]  # where the carried leads are now


@dataclass(frozen=True)
class DropPlace:
    kind: PlaceKind
    name: str = ""
    target: Target | None = None
    active: bool = True
    managed: bool = True
    closed: bool = False  # a heading folded away (held under a drag, it opens)


@dataclass(frozen=True)
class DropVerdict:
    allowed: bool
    text: str  # the line the Pass to pane shows while hovering


def _where(target: Target, name: str) -> str:
    if target.kind is TargetKind.USER:
        return name
    return f"the Leads to be Assigned bucket of {name}"


def already_there_message(carried: Carried, name: str) -> str:
    if carried.count == 1:
        return f"{carried.title} is already with {name}."
    return f"The {carried.count:,} leads are already with {name}."


def judge_drop(carried: Carried, place: DropPlace) -> DropVerdict:
    """May ``carried`` be dropped on ``place``, and the sentence that says so or why not."""
    if place.kind is PlaceKind.HEADING and place.closed:
        return DropVerdict(False, f"“{place.name}” opens in a moment: drop on a row below it.")
    if place.kind is PlaceKind.HEADING:
        return DropVerdict(False, f"“{place.name}” is a heading: drop on a row below it.")
    if place.kind is PlaceKind.SOURCE_TREE:
        if place.name and not place.active:
            return DropVerdict(False, inactive_target_message(place.name))
        if place.name:
            hint = f"To pass to {place.name}, drop on {place.name} under Pass to."
            return DropVerdict(False, hint)
        return DropVerdict(False, "Drop on a user, office or pass group under Pass to.")
    if place.kind is PlaceKind.NOWHERE or place.target is None:
        return DropVerdict(False, "Drop on a user, office or pass group.")
    target = place.target
    if target.kind is TargetKind.USER and not place.active:
        return DropVerdict(False, inactive_target_message(place.name))
    if target.kind is TargetKind.USER and not place.managed:
        return DropVerdict(False, f"You have no manager right over {place.name}.")
    if carried.places == {target}:
        return DropVerdict(False, already_there_message(carried, place.name))
    what = carried.title if carried.count == 1 else count_phrase(carried.count)
    text = f"Drop to pass {what} to {_where(target, place.name)}"
    if target in carried.places:
        # As the controller does: the leads already there stay, the others move.
        text += f" (those already with {place.name} stay)"
    return DropVerdict(True, text)


def places_from(pairs: Iterable[tuple[str, int]]) -> frozenset[Target]:
    """Places decoded from a drag payload's ``(kind, id)`` pairs; unknown kinds are dropped."""
    found = set()
    for kind, place_id in pairs:
        if kind in TargetKind.__members__.values():
            found.add(Target(TargetKind(kind), int(place_id)))
    return frozenset(found)
