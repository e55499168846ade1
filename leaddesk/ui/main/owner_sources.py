"""What rows of the owner tree pass when dragged or cut: one user, one status, or leads.

Plain functions over the tree's items (``TreeItem`` with ``OwnerSummary``, ``StatusState`` or
``TreeLead`` payloads), so the model keeps to structure, loading and display.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from leaddesk.reassignment.drop_rules import count_phrase
from leaddesk.reassignment.requests import LeadRef, Target
from leaddesk.ui.common.tree_item import TreeItem
from leaddesk.ui.passing.pass_source import PassSource, SourceKind

if TYPE_CHECKING:
    from leaddesk.store.tree_queries import OwnerSummary
    from leaddesk.ui.main.tree_reads import StatusState


def source_of_items(items: list[TreeItem]) -> PassSource | None:
    """A whole user (or status) wins over leads selected beside it; None for nothing."""
    whole = [i for i in items if i.kind == "user"] or [i for i in items if i.kind == "status"]
    if whole:
        return whole_source(whole[0])
    leads = [i for i in items if i.kind == "lead"]
    if not leads:
        return None
    owners = sorted({lead.parent.payload.owner.name for lead in leads if lead.parent})
    places = frozenset(Target.user(lead.parent.payload.owner.id) for lead in leads if lead.parent)
    refs = tuple(LeadRef(i.payload.id, i.payload.version) for i in leads)
    if len(leads) == 1:
        label = f"lead “{leads[0].payload.name}” of {owners[0]}"
        title = leads[0].payload.name
    else:
        label = f"{len(leads)} selected leads of {', '.join(owners)}"
        title = count_phrase(len(leads))
    return PassSource(
        SourceKind.LEADS,
        leads=refs,
        label=label,
        lead_count=len(leads),
        title=title,
        places=places,
    )


def whole_source(item: TreeItem) -> PassSource:
    """All leads of a user row, or of a status row."""
    if item.kind == "user":
        owner: OwnerSummary = item.payload
        return PassSource(
            SourceKind.USER,
            user_id=owner.id,
            label=f"all leads of {owner.name}",
            lead_count=owner.total,
            title=f"All of {owner.name} ({count_phrase(owner.total)})",
            places=frozenset({Target.user(owner.id)}),
        )
    state: StatusState = item.payload
    return PassSource(
        SourceKind.STATUS,
        user_id=state.owner.id,
        status_id=state.info.id,
        label=f"the {state.info.name} leads of {state.owner.name}",
        lead_count=state.count,
        title=f"{state.info.name} of {state.owner.name} ({count_phrase(state.count)})",
        places=frozenset({Target.user(state.owner.id)}),
    )
