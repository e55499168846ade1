"""The reassignment controller: the only code that changes lead ownership.

Every pass (window, lead tab, bucket, command line, undo, offline replay) comes through
here. Each call runs inside the caller's transaction and, for any number of leads, issues a
fixed number of set-based statements: it records the batch, moves the leads, writes history,
adds the note to every lead and queues one notification per recipient. Any refusal raises a
typed :mod:`leaddesk.errors` error before or instead of committing, so nothing changes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from leaddesk.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from leaddesk.reassignment import lead_refs, permissions
from leaddesk.reassignment.batches import clean_note as _clean_note
from leaddesk.reassignment.batches import finish_batch as _finish
from leaddesk.reassignment.batches import new_batch as _new_batch
from leaddesk.reassignment.drop_rules import place_of
from leaddesk.reassignment.moves import move_leads, move_leads_back
from leaddesk.reassignment.requests import (
    LeadRef,
    PassMethod,
    PassPreview,
    PassResult,
    Selection,
    Target,
    TargetKind,
)
from leaddesk.reassignment.rule_assign import assign_arrivals
from leaddesk.reassignment.targets import bucket_unwatched
from leaddesk.reassignment.undo_rules import undo_refusal
from leaddesk.store.models import (
    Lead,
    Office,
    PassBatch,
    PassGroup,
    PassHistory,
    Status,
    User,
    utc_now,
)
from leaddesk.store.replica_marker import replica_person


def pass_leads(
    session: Session,
    *,
    actor_id: int,
    selection: Selection,
    target: Target,
    note: str = "",
    method: PassMethod = PassMethod.COMMAND_LINE,
    client_uuid: str | None = None,
) -> PassResult:
    """Pass the selected leads to a user or into an office / pass-group bucket."""
    note = _clean_note(note)
    actor = permissions.get_actor(
        session, actor_id, lock=True, also=_people_named(selection, target)
    )
    if client_uuid is not None:
        replayed = _already_applied(session, client_uuid)
        if replayed is not None:
            return replayed
    # Everything the checks need is read up front, in as few statements as it takes (the
    # leads, then every right they rest on); the checks then refuse in their usual order.
    rows = _selected_rows(session, selection)
    rights = _rights_needed(session, actor, selection, rows, target, lock=True)
    target_name = check_pass_target(session, actor, target, method, rights)
    condition, expected = _selection_condition(session, actor, selection, target, rows, rights)
    return _apply(
        session,
        actor=actor,
        condition=condition,
        expected=expected,
        target=target,
        target_name=target_name,
        note=note,
        method=method,
        client_uuid=client_uuid,
        empty_message=lambda: _empty_message(session, selection),
    )


def assign_from_bucket(
    session: Session,
    *,
    actor_id: int,
    leads: Sequence[LeadRef],
    user_id: int,
    note: str = "",
    client_uuid: str | None = None,
) -> PassResult:
    """Assign leads waiting in a Leads to be Assigned bucket to a user."""
    note = _clean_note(note)
    # The target is read and share-locked with the actor (one statement).
    actor = permissions.get_actor(session, actor_id, lock=True, also=[user_id])
    if client_uuid is not None:
        replayed = _already_applied(session, client_uuid)
        if replayed is not None:
            return replayed
    if not leads:
        raise InvalidInputError("No lead was selected; nothing was assigned.")
    target_user = permissions.require_active_target(session, user_id)
    rows = lead_refs.load_leads(session, leads)
    rights = permissions.rights_of(
        session,
        actor,
        users=[user_id],
        offices=any(row.bucket_office_id is not None for row in rows),
        groups=any(row.bucket_group_id is not None for row in rows),
        lock=True,
    )
    manages_target = rights.manages(user_id)
    # A lead someone else assigned meanwhile is a conflict, not "not in a bucket".
    lead_refs.check_versions(rows, leads)
    members_of: dict[tuple[int | None, int | None], set[int]] = {}
    for row in rows:
        if row.bucket_office_id is None and row.bucket_group_id is None:
            raise InvalidInputError(
                f"Lead {row.id} ({row.name}) is not in a Leads to be Assigned bucket."
            )
        if row.bucket_office_id is not None and not rights.sees_office(row.bucket_office_id):
            raise PermissionDeniedError(
                f"Only office managers of that office can assign lead {row.id} ({row.name})."
            )
        if row.bucket_group_id is not None and not rights.sees_group(row.bucket_group_id):
            raise PermissionDeniedError(
                f"Only members of that pass group can assign lead {row.id} ({row.name})."
            )
        if user_id == actor.id or manages_target:
            continue  # the bucket's members are not asked about
        bucket = (row.bucket_office_id, row.bucket_group_id)
        if bucket not in members_of:
            members_of[bucket] = permissions.bucket_member_ids(
                session, office_id=bucket[0], group_id=bucket[1], lock=True
            )
        if user_id not in members_of[bucket]:
            raise PermissionDeniedError(
                f"{target_user.name} is not a member of the bucket of lead {row.id} and "
                f"{actor.name} has no manager right over them. "
                + permissions.how_to_get_right(session, actor, actor, target_user)
            )
    condition, expected = lead_refs.explicit_condition(session, leads)
    return _apply(
        session,
        actor=actor,
        condition=condition,
        expected=expected,
        target=Target.user(user_id),
        target_name=target_user.name,
        note=note,
        method=PassMethod.BUCKET_ASSIGN,
        client_uuid=client_uuid,
        empty_message="No lead was selected; nothing was assigned.",
    )


def undo_batch(
    session: Session, *, actor_id: int, batch_id: int, client_uuid: str | None = None
) -> PassResult:
    """Put every lead of a batch back where it was, as a new batch of its own.

    The actor needs, *now*, a manager right over every user involved (the leads' current
    and previous owners), who must be active to get leads back. Buckets need no right: anyone
    may pass into a bucket, and leads are taken out of one only while unchanged since this
    actor's pass put them there (an admin, who may undo anyone's pass, sees every bucket).
    """
    actor = permissions.get_actor(session, actor_id, lock=True)
    if client_uuid is not None:
        replayed = _already_applied(session, client_uuid)
        if replayed is not None:
            return replayed
    batch = session.get(PassBatch, batch_id)
    if batch is None:
        raise NotFoundError(f"There is no pass batch {batch_id}.")
    refusal = undo_refusal(session, actor, batch, lock=True)
    if refusal is not None:
        raise refusal
    now = utc_now()
    undo = _new_batch(
        session,
        actor,
        PassMethod.UNDO,
        f"Undo of pass {batch_id}",
        client_uuid,
        now,
        undoes_id=batch_id,
    )
    moved = move_leads_back(session, original_batch_id=batch_id, batch_id=undo.id, now=now)
    if moved != batch.lead_count:
        raise ConflictError(
            f"Pass {batch_id} cannot be undone: some of its leads changed while undoing."
        )
    result = _finish(
        session, actor, undo, moved, Target.user(actor.id), "their previous owners", now
    )
    set_committed_value(batch, "undone_by_id", undo.id)
    return result


def preview_pass(
    session: Session, *, actor_id: int, selection: Selection, target: Target | None = None
) -> PassPreview:
    """How many leads a pass would move and from whom; checks the same rights as a pass."""
    actor = permissions.get_actor(session, actor_id, also=_people_named(selection, target))
    target_name = _target_name(session, target) if target is not None else ""
    rows = _selected_rows(session, selection)
    rights = _rights_needed(session, actor, selection, rows, None, lock=False)
    condition, _expected = _selection_condition(session, actor, selection, target, rows, rights)
    counted = session.execute(
        select(User.name, Office.name, PassGroup.name, func.count(Lead.id))
        .select_from(Lead)
        .outerjoin(User, User.id == Lead.owner_id)
        .outerjoin(Office, Office.id == Lead.bucket_office_id)
        .outerjoin(PassGroup, PassGroup.id == Lead.bucket_group_id)
        .where(condition)
        .group_by(User.name, Office.name, PassGroup.name)
    ).all()
    names = sorted(user or office or group or "?" for user, office, group, _n in counted)
    return PassPreview(
        count=sum(n for *_rest, n in counted),
        source_names=names,
        target_name=target_name,
        unwatched_bucket=target is not None and bucket_unwatched(session, target),
    )


# -- the shared write path -------------------------------------------------------------


def _apply(
    session: Session,
    *,
    actor: User,
    condition: ColumnElement[bool],
    expected: int | None,
    target: Target,
    target_name: str,
    note: str,
    method: PassMethod,
    client_uuid: str | None,
    empty_message: str | Callable[[], str],
) -> PassResult:
    now = utc_now()
    batch = _new_batch(session, actor, method, note, client_uuid, now)
    moved = move_leads(
        session,
        condition=condition,
        target=target,
        batch_id=batch.id,
        now=now,
        # Only a selection by user comes without an expected count; its leads are owned.
        sources_owned=expected is None,
    )
    # The conflict check comes first: explicit leads that another connection moved after
    # our checks match nothing, which is a conflict, not an empty selection.
    if expected is not None and moved != expected:
        # A lead changed between our checks and the update (another connection won).
        raise ConflictError(
            f"{expected - moved} of the {expected} leads were changed by someone else "
            "meanwhile; nothing was passed. Refresh and try again."
        )
    if moved == 0:
        # Worded only now: a selection by user and status looks the status up for it.
        message = empty_message if isinstance(empty_message, str) else empty_message()
        raise InvalidInputError(message)
    # An offline copy leaves arrivals waiting: the server assigns them by the bucket's rule
    # when it applies the journaled pass (assigning them here too would be a second pass).
    if target.kind is TargetKind.USER or replica_person(session) is not None:
        return _finish(session, actor, batch, moved, target, target_name, now)
    # Automatic assignment goes first so that the pass's own emails (finished below) tell
    # the bucket's watchers only of leads still waiting.
    arrivals = assign_arrivals(session, actor_id=actor.id, batch_id=batch.id)
    result = _finish(session, actor, batch, moved, target, target_name, now)
    if not arrivals.assigned:
        return result
    return replace(
        result,
        auto_assigned=arrivals.assigned,
        notifications=result.notifications + arrivals.notifications,
    )


def _already_applied(session: Session, client_uuid: str) -> PassResult | None:
    """An offline pass replayed twice is applied once; the second call reports the first."""
    batch = session.scalars(select(PassBatch).where(PassBatch.client_uuid == client_uuid)).first()
    if batch is None:
        return None
    history = session.scalars(
        select(PassHistory).where(PassHistory.batch_id == batch.id).limit(1)
    ).first()
    target = Target.user(batch.actor_id)
    if history is not None:
        if history.to_owner_id is not None:
            target = Target.user(history.to_owner_id)
        elif history.to_office_id is not None:
            target = Target.office(history.to_office_id)
        elif history.to_group_id is not None:
            target = Target.group(history.to_group_id)
    return PassResult(
        batch_id=batch.id,
        moved=batch.lead_count,
        target=target,
        target_name=_target_name(session, target),
        notifications=0,
        method=PassMethod(batch.method),
    )


# -- validation ------------------------------------------------------------------------


def _target_name(session: Session, target: Target) -> str:
    model = {TargetKind.USER: User, TargetKind.OFFICE: Office, TargetKind.GROUP: PassGroup}
    row = session.get(model[target.kind], target.id)
    if row is None:
        noun = {"user": "user", "office": "office", "group": "pass group"}[target.kind.value]
        raise NotFoundError(f"There is no {noun} with id {target.id}.")
    return row.name


def _people_named(selection: Selection, target: Target | None) -> list[int | None]:
    """The users a pass names besides the actor: its target and the user passed from."""
    people: list[int | None] = [selection.user_id]
    if target is not None and target.kind is TargetKind.USER:
        people.append(target.id)
    return people


def _selected_rows(session: Session, selection: Selection) -> list[Lead]:
    """The explicitly selected leads (none for a selection by user or a malformed one); a
    missing lead is refused later, in the checks' order."""
    if not selection.leads or selection.user_id is not None:
        return []
    return lead_refs.read_leads(session, selection.leads)


def _rights_needed(
    session: Session,
    actor: User,
    selection: Selection,
    rows: Sequence[Lead],
    target: Target | None,
    *,
    lock: bool,
) -> permissions.Rights:
    """Every right the checks of this pass rest on, in one read: over the target, the user
    passed from and the selected leads' owners, and the buckets only when a lead waits in one."""
    users = {row.owner_id for row in rows if row.owner_id is not None}
    if target is not None and target.kind is TargetKind.USER:
        users.add(target.id)
    if selection.user_id is not None:
        users.add(selection.user_id)
    return permissions.rights_of(
        session,
        actor,
        users=users,
        offices=any(row.bucket_office_id is not None for row in rows),
        groups=any(row.bucket_group_id is not None for row in rows),
        lock=lock,
    )


def check_pass_target(
    session: Session,
    actor: User,
    target: Target,
    method: PassMethod,
    rights: permissions.Rights,
) -> str:
    name = _target_name(session, target)
    if target.kind is not TargetKind.USER:
        return name
    # Read and share-locked with the actor (pass_leads): no round trip here.
    user = permissions.require_active_target(session, target.id)
    if method is PassMethod.LEAD_TAB and user.id == actor.id:
        raise InvalidInputError(
            "You cannot pass a lead to yourself from inside the lead. "
            "Use the Lead Management view for that."
        )
    if not rights.manages(user.id):
        raise PermissionDeniedError(permissions.no_right_message(session, actor, user))
    return name


def _selection_condition(
    session: Session,
    actor: User,
    selection: Selection,
    target: Target | None,
    rows: Sequence[Lead],
    rights: permissions.Rights,
) -> tuple[ColumnElement[bool], int | None]:
    """The WHERE clause that picks the selected leads, after checking rights on them.

    Returns the clause and, for explicit leads, how many rows it must match. Explicit leads
    are pinned to the versions checked here (the caller's, or the ones just read), so a lead
    moved after the check is a conflict, never taken from its new owner. Leads already at
    the target are left out: a move to where a lead is would be a false history row.
    """
    if selection.leads and selection.user_id is not None:
        raise InvalidInputError("Choose either specific leads or a user, not both.")
    if selection.user_id is not None:
        source = session.get(User, selection.user_id)
        if source is None:
            raise NotFoundError(f"There is no user with id {selection.user_id}.")
        if not rights.manages(source.id):
            raise PermissionDeniedError(permissions.no_right_message(session, actor, source))
        if target == place_of(source.id):
            raise InvalidInputError(
                f"The leads already belong to {source.name}; choose another target."
            )
        condition = Lead.owner_id == source.id
        if selection.status_id is not None:
            if session.get(Status, selection.status_id) is None:
                raise NotFoundError(f"There is no status with id {selection.status_id}.")
            condition = and_(condition, Lead.status_id == selection.status_id)
        return condition, None
    if selection.status_id is not None:
        raise InvalidInputError("A status can only be passed together with its user.")
    pinned = pinned_refs(session, actor, selection.leads, target, rows, rights)
    return lead_refs.explicit_condition(session, pinned)


def pinned_refs(
    session: Session,
    actor: User,
    leads: Sequence[LeadRef],
    target: Target | None,
    rows: Sequence[Lead],
    rights: permissions.Rights,
) -> list[LeadRef]:
    """The checks on leads named one by one (``rows``: those of them that exist, as read
    now); returns them pinned to the versions checked, without those already at the target."""
    if not leads:
        raise InvalidInputError("No lead was selected; nothing was passed.")
    refs = lead_refs.dedupe(leads)
    lead_refs.refuse_missing(refs, rows)
    for row in rows:
        if row.owner_id is not None and not rights.manages(row.owner_id):
            owner = session.get(User, row.owner_id)
            assert owner is not None
            raise PermissionDeniedError(permissions.no_right_message(session, actor, owner))
        if row.bucket_office_id is not None and not rights.sees_office(row.bucket_office_id):
            raise PermissionDeniedError(
                f"Lead {row.id} waits in an office bucket {actor.name} cannot see."
            )
        if row.bucket_group_id is not None and not rights.sees_group(row.bucket_group_id):
            raise PermissionDeniedError(
                f"Lead {row.id} waits in a pass-group bucket {actor.name} cannot see."
            )
    lead_refs.check_versions(rows, refs)
    version_of = {row.id: row.version for row in rows}
    already = {row.id for row in rows if target is not None and _is_at(row, target)}
    if already and len(already) == len(rows):
        where = _target_name(session, target) if target is not None else ""
        if len(rows) == 1:
            raise InvalidInputError(f"Lead {rows[0].id} ({rows[0].name}) is already with {where}.")
        raise InvalidInputError(
            f"All {len(rows)} selected leads are already with {where}; nothing was passed."
        )
    return [LeadRef(ref.id, version_of[ref.id]) for ref in refs if ref.id not in already]


def _is_at(lead: Lead, target: Target) -> bool:
    # The same "where is it now" the window's drop rules use (drop_rules.place_of).
    return place_of(lead.owner_id, lead.bucket_office_id, lead.bucket_group_id) == target


def _empty_message(session: Session, selection: Selection) -> str:
    if selection.user_id is None:
        return "No lead was selected; nothing was passed."
    user = session.get(User, selection.user_id)
    who = user.name if user else f"user {selection.user_id}"
    if selection.status_id is not None:
        status = session.get(Status, selection.status_id)
        return f"{who} has no leads in status {status.name if status else '?'}; nothing was passed."
    return f"{who} has no leads; nothing was passed."


__all__ = [
    "assign_from_bucket",
    "pass_leads",
    "preview_pass",
    "undo_batch",
]
