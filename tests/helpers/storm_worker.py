"""One process of the concurrency storm: random operations on overlapping leads.

Run as ``python -m tests.helpers.storm_worker URL SEED OPERATIONS``. Each operation is one
write transaction through the controller or the administration services, via the same
retrying write path as the command line: passes of listed leads (without versions, as the
command line sends them), of a whole user or one status, into buckets, assignments from
buckets, undos, offboardings, activations, and manager-right grants and revocations. A
refusal (``LeadDeskError``: conflict, no right, inactive, busy...) is a normal outcome;
anything else is a bug: the worker prints the traceback and exits 1. The last line of
output is a JSON summary of the outcomes.
"""

from __future__ import annotations

import json
import random
import sys
import traceback
from collections import Counter
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from leaddesk.admin.rights import grant_right, revoke_right
from leaddesk.admin.users import activate_user
from leaddesk.errors import LeadDeskError
from leaddesk.reassignment.controller import assign_from_bucket, pass_leads, undo_batch
from leaddesk.reassignment.offboarding import offboard_user
from leaddesk.reassignment.requests import LeadRef, Selection, Target
from leaddesk.reassignment.retry import write_with_retry
from leaddesk.reassignment.undo_rules import last_undoable_batch
from leaddesk.store.database import open_database
from leaddesk.store.models import Lead, Office, PassGroup, Status, User

# People who act; they are never offboarded, so the storm keeps its actors.
ACTORS = ("Ada Admin", "Maria Manager", "Olivia Office", "Pat Group")
MANAGERS = ("Maria Manager", "Olivia Office")


class Storm:
    def __init__(self, session: Session, rng: random.Random) -> None:
        self.session = session
        self.rng = rng
        self.ids = {name: id_ for id_, name in session.execute(select(User.id, User.name))}

    def user(self, name: str) -> int:
        return self.ids[name]

    def someone(self) -> int:
        """Any user but the actors (the ones offboarded, activated and passed between)."""
        return self.rng.choice([i for name, i in self.ids.items() if name not in ACTORS])

    def target(self) -> Target:
        roll = self.rng.random()
        if roll < 0.15:
            return Target.office(self.session.scalars(select(Office.id)).first())
        if roll < 0.3:
            return Target.group(self.session.scalars(select(PassGroup.id)).first())
        return Target.user(self.rng.choice([*self.ids.values()]))

    def leads(self, count: int) -> list[int]:
        ids = list(self.session.scalars(select(Lead.id)))
        return self.rng.sample(ids, min(count, len(ids)))

    # -- the operations; each returns nothing or raises a LeadDeskError ------------------

    def pass_listed(self) -> None:
        actor = self.user(self.rng.choice(("Maria Manager", "Ada Admin", "Olivia Office")))
        refs = [LeadRef(lead_id) for lead_id in self.leads(self.rng.randint(1, 3))]
        pass_leads(
            self.session, actor_id=actor, selection=Selection.of_leads(refs), target=self.target()
        )

    def pass_user(self) -> None:
        actor = self.user(self.rng.choice(("Maria Manager", "Ada Admin")))
        source = self.someone()
        selection = Selection.all_of_user(source)
        if self.rng.random() < 0.4:
            status = self.rng.choice(list(self.session.scalars(select(Status.id))))
            selection = Selection.status_of_user(source, status)
        pass_leads(self.session, actor_id=actor, selection=selection, target=self.target())

    def assign(self) -> None:
        waiting = list(
            self.session.execute(
                select(Lead.id, Lead.version).where(
                    (Lead.bucket_office_id.is_not(None)) | (Lead.bucket_group_id.is_not(None))
                )
            )
        )
        if not waiting:
            return
        lead_id, version = self.rng.choice(waiting)
        actor = self.user(self.rng.choice(("Olivia Office", "Pat Group", "Ada Admin")))
        assign_from_bucket(
            self.session,
            actor_id=actor,
            leads=[LeadRef(lead_id, version)],
            user_id=self.rng.choice([*self.ids.values()]),
        )

    def undo(self) -> None:
        actor = self.user(self.rng.choice(ACTORS))
        batch = last_undoable_batch(self.session, actor_id=actor)
        if batch is not None:
            undo_batch(self.session, actor_id=actor, batch_id=batch.id)

    def offboard(self) -> None:
        offboard_user(
            self.session,
            actor_id=self.user("Ada Admin"),
            user_id=self.someone(),
            target=self.target(),
            note="storm offboarding",
        )

    def activate(self) -> None:
        activate_user(self.session, self.user("Ada Admin"), self.someone())

    def grant(self) -> None:
        manager = self.user(self.rng.choice(MANAGERS))
        grant_right(
            self.session, self.user("Ada Admin"), manager_id=manager, user_id=self.someone()
        )

    def revoke(self) -> None:
        manager = self.user(self.rng.choice(MANAGERS))
        revoke_right(
            self.session, self.user("Ada Admin"), manager_id=manager, user_id=self.someone()
        )


WEIGHTS: dict[str, int] = {
    "pass_listed": 30,
    "pass_user": 14,
    "assign": 14,
    "undo": 10,
    "offboard": 6,
    "activate": 8,
    "grant": 9,
    "revoke": 9,
}


def run(url: str, seed: int, operations: int) -> Counter[str]:
    database = open_database(url)
    rng = random.Random(seed)
    outcomes: Counter[str] = Counter()
    try:
        for _ in range(operations):
            name = rng.choices(list(WEIGHTS), weights=list(WEIGHTS.values()))[0]
            # Each try of the transaction draws from its own generator, seeded from the
            # storm's, so a retried transaction makes the same choices again.
            op_seed = rng.getrandbits(32)

            def work(session: Session, name: str = name, op_seed: int = op_seed) -> None:
                operation: Callable[[], None] = getattr(
                    Storm(session, random.Random(op_seed)), name
                )
                operation()

            try:
                write_with_retry(database, work)
                outcomes[f"{name}:done"] += 1
            except LeadDeskError:
                outcomes[f"{name}:refused"] += 1
    finally:
        database.dispose()
    return outcomes


if __name__ == "__main__":
    url, seed, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    try:
        summary = run(url, seed, count)
    except Exception:
        traceback.print_exc()
        sys.exit(1)
    print(json.dumps(dict(sorted(summary.items()))))
