"""The drop rules the Pass to pane applies while a drag is held (Qt-free, no database)."""

from __future__ import annotations

import pytest

from leaddesk.reassignment.drop_rules import (
    Carried,
    DropPlace,
    PlaceKind,
    judge_drop,
    place_of,
    places_from,
)
from leaddesk.reassignment.requests import Target

JOHN, JANE = Target.user(3), Target.user(4)
DOWNTOWN = Target.office(1)
ONE_LEAD = Carried("Harbor Logistics renewal", 1, frozenset({JOHN}))
THREE_LEADS = Carried("3 leads", 3, frozenset({JOHN}))
MIXED = Carried("3 leads", 3, frozenset({JOHN, JANE}))


def target(place: Target, name: str, **facts: bool) -> DropPlace:
    return DropPlace(PlaceKind.TARGET, name, place, **facts)


@pytest.mark.parametrize(
    ("carried", "place", "allowed", "text"),
    [
        (THREE_LEADS, target(JANE, "Jane Doe"), True, "Drop to pass 3 leads to Jane Doe"),
        (ONE_LEAD, target(JANE, "Jane Doe"), True, "Drop to pass Harbor Logistics renewal to"),
        (
            THREE_LEADS,
            target(DOWNTOWN, "Downtown Office"),
            True,
            "Drop to pass 3 leads to the Leads to be Assigned bucket of Downtown Office",
        ),
        (
            ONE_LEAD,
            target(JOHN, "John Smith"),
            False,
            "Harbor Logistics renewal is already with John Smith.",
        ),
        (THREE_LEADS, target(JOHN, "John Smith"), False, "The 3 leads are already with John"),
        (
            MIXED,
            target(JANE, "Jane Doe"),
            True,
            "Drop to pass 3 leads to Jane Doe (those already with Jane Doe stay)",
        ),
        (
            ONE_LEAD,
            target(JANE, "Jane Doe", active=False),
            False,
            "Jane Doe is inactive and cannot receive leads.",
        ),
        (
            ONE_LEAD,
            target(JANE, "Jane Doe", managed=False),
            False,
            "You have no manager right over Jane Doe.",
        ),
        (ONE_LEAD, DropPlace(PlaceKind.HEADING, "Users"), False, "“Users” is a heading"),
        (ONE_LEAD, DropPlace(PlaceKind.NOWHERE), False, "Drop on a user, office or pass group."),
        (
            ONE_LEAD,
            DropPlace(PlaceKind.SOURCE_TREE, "Jane Doe"),
            False,
            "To pass to Jane Doe, drop on Jane Doe under Pass to.",
        ),
        (
            ONE_LEAD,
            DropPlace(PlaceKind.SOURCE_TREE, "Sam Field", active=False),
            False,
            "Sam Field is inactive and cannot receive leads.",
        ),
        (ONE_LEAD, DropPlace(PlaceKind.SOURCE_TREE), False, "under Pass to."),
    ],
)
def test_each_kind_of_place_is_judged(carried, place, allowed, text):
    verdict = judge_drop(carried, place)
    assert verdict.allowed is allowed
    assert text in verdict.text


def test_an_inactive_office_flag_does_not_refuse_a_bucket():
    # "Inactive" and "unmanaged" are facts about users; a bucket is always a valid place.
    verdict = judge_drop(THREE_LEADS, target(DOWNTOWN, "Downtown Office", active=False))
    assert verdict.allowed


def test_a_lead_is_in_one_place():
    assert place_of(3) == Target.user(3)
    assert place_of(None, 1) == Target.office(1)
    assert place_of(None, None, 2) == Target.group(2)
    assert place_of(None) is None


def test_places_from_a_payload_skip_unknown_kinds():
    assert places_from([("user", 3), ("office", 1), ("planet", 9)]) == {JOHN, DOWNTOWN}
