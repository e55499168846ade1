"""What the main window's two trees read, run on the runner's read lane (never the GUI thread).

Each function takes a read ``Session`` on a worker thread and returns plain data (trees of
:class:`TreeItem`, frozen query rows) that the models then take over on the GUI thread in
one reset or one insert. Qt-free; SQLAlchemy and the store load when a read first runs, so
the window can be built and painted while they still load (see ``ui/shell/launch``).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from leaddesk.ui.common.tree_item import TreeItem

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from leaddesk.reassignment.targets import PassTargets
    from leaddesk.reports.workload import WorkloadReport
    from leaddesk.store.tree_queries import OwnerSummary, OwnerTreeData, StatusInfo, TreeLead

# Keep at most this many leads per status when reloading after a pass; more come on scroll.
RELOAD_CAP = 5000


@dataclass
class StatusState:
    info: StatusInfo
    owner: OwnerSummary
    count: int
    last_id: int | None = None
    exhausted: bool = False


@dataclass(frozen=True)
class OwnerTreeBuild:
    root: TreeItem
    statuses: dict[int, StatusInfo]
    truncated: bool


@dataclass(frozen=True)
class WindowTrees:
    """One read for both panes: one grouped count serves the owner tree, the targets and
    the workload bars and chart under them."""

    owners: OwnerTreeBuild
    targets: PassTargets
    workload: WorkloadReport
    advice: str  # whom to ask, for someone who manages nobody ("" otherwise)


def lead_items(leads: list[TreeLead]) -> list[TreeItem]:
    return [TreeItem("lead", ("lead", lead.id), lead) for lead in leads]


def read_owner_tree(
    session: Session,
    *,
    actor_id: int,
    search: str,
    loaded: dict[Hashable, int],
    data: OwnerTreeData | None = None,
) -> OwnerTreeBuild:
    """The owner tree as a search shows it, or users and statuses with as many leads loaded
    per status as ``loaded`` says (a status opened before a refresh stays filled)."""
    if search:
        return _search_tree(session, actor_id=actor_id, search=search)
    from leaddesk.store.tree_queries import PAGE_SIZE, lead_page, owner_tree

    if data is None:
        data = owner_tree(session, actor_id=actor_id)
    root = TreeItem("root")
    for owner in data.owners:
        user = root.add(TreeItem("user", ("user", owner.id), owner))
        for status in data.statuses:
            count = owner.counts.get(status.id, 0)
            if count == 0:
                continue
            state = StatusState(info=status, owner=owner, count=count)
            node = user.add(TreeItem("status", ("status", owner.id, status.id), state))
            keep = min(loaded.get(node.key, 0), RELOAD_CAP)
            if keep:
                limit = max(keep, PAGE_SIZE)
                leads = lead_page(
                    session,
                    actor_id=actor_id,
                    owner_id=owner.id,
                    status_id=status.id,
                    limit=limit,
                )
                node.extend(lead_items(leads))
                if leads:
                    state.last_id = leads[-1].id
                state.exhausted = len(leads) < limit or len(leads) >= count
    return OwnerTreeBuild(root, {s.id: s for s in data.statuses}, truncated=False)


def _search_tree(session: Session, *, actor_id: int, search: str) -> OwnerTreeBuild:
    from leaddesk.store.tree_queries import search_owner_tree

    result = search_owner_tree(session, actor_id=actor_id, text=search)
    root = TreeItem("root")
    for owner in result.tree.owners:
        user = root.add(TreeItem("user", ("user", owner.id), owner))
        for status in result.tree.statuses:
            leads = result.leads.get((owner.id, status.id), [])
            if not leads:
                continue
            state = StatusState(info=status, owner=owner, count=len(leads), exhausted=True)
            node = user.add(TreeItem("status", ("status", owner.id, status.id), state))
            node.extend(lead_items(leads))
    return OwnerTreeBuild(root, {s.id: s for s in result.tree.statuses}, result.truncated)


def read_targets(session: Session, data: OwnerTreeData) -> PassTargets:
    """The Pass to pane: ``data``'s active users (the same rows :func:`pass_targets`
    offers) with their open leads, and every office and pass group with its bucket."""
    from leaddesk.reassignment.targets import PassTargets, TargetPlace, TargetUser
    from leaddesk.store.tree_queries import bucket_places

    office_places, group_places = bucket_places(session)
    closed = {status.id for status in data.statuses if status.is_closed}
    return PassTargets(
        users=[
            TargetUser(id=o.id, name=o.name, open_leads=o.open_leads(closed))
            for o in data.owners
            if o.active
        ],
        offices=[TargetPlace(p.id, p.name, p.waiting) for p in office_places],
        groups=[TargetPlace(p.id, p.name, p.waiting) for p in group_places],
    )


def read_window_trees(
    session: Session,
    *,
    actor_id: int,
    owners: Callable[[Session, OwnerTreeData], OwnerTreeBuild],
) -> WindowTrees:
    """Both panes from one grouped count; ``owners`` builds the owner tree from it."""
    from leaddesk.reassignment.permissions import nobody_to_manage_advice
    from leaddesk.reports.workload import workload_of
    from leaddesk.store.tree_queries import owner_tree

    data = owner_tree(session, actor_id=actor_id)
    advice = "" if data.owners else nobody_to_manage_advice(session, actor_id)
    return WindowTrees(
        owners(session, data), read_targets(session, data), workload_of(data), advice
    )


def read_lead_page(
    session: Session, *, actor_id: int, state: StatusState, after_id: int | None
) -> tuple[list[TreeLead], bool]:
    """The next page of a status's leads, and whether it is the last one."""
    from leaddesk.store.tree_queries import PAGE_SIZE, lead_page

    leads = lead_page(
        session,
        actor_id=actor_id,
        owner_id=state.owner.id,
        status_id=state.info.id,
        after_id=after_id,
        limit=PAGE_SIZE,
    )
    return leads, len(leads) < PAGE_SIZE
