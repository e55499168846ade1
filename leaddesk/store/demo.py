"""Deterministic demo data: the help article's example plus as many generated rows as asked.

The named people and places below are relied on by the README, the tests and the
screenshots; generated users and leads come on top and scale to millions of leads (bulk
inserted through the driver: COPY on PostgreSQL, executemany on SQLite).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from leaddesk.errors import InvalidInputError
from leaddesk.store.database import Database
from leaddesk.store.models import (
    AuditEntry,
    Lead,
    LeadNote,
    ManagerRight,
    Office,
    OfficeMember,
    OutboxMessage,
    PassBatch,
    PassGroup,
    PassGroupMember,
    PassHistory,
    Status,
    User,
    utc_now,
)

STATUSES = [("LEAD", False), ("OPPORTUNITY", False), ("WON", True), ("NO SALE/LOST", True)]

PEOPLE = [
    # name, is_admin
    ("Ada Admin", True),
    ("Maria Manager", False),
    ("John Smith", False),
    ("Jane Doe", False),
    ("Sam Field", False),
    ("Victor Outside", False),
    ("Olivia Office", False),
    ("Pat Group", False),
]

RIGHTS = {
    "Maria Manager": ["Maria Manager", "John Smith", "Jane Doe", "Sam Field"],
    "Olivia Office": ["Olivia Office", "Sam Field"],
    "Victor Outside": ["Victor Outside"],
    "Pat Group": ["Pat Group"],
}

# owner (or bucket), lead name, company, status
NAMED_LEADS = [
    ("John Smith", "Harbor Logistics renewal", "Harbor Logistics", "LEAD"),
    ("John Smith", "Crescent Bakery POS upgrade", "Crescent Bakery", "OPPORTUNITY"),
    ("John Smith", "Northwind fleet tracking", "Northwind Traders", "NO SALE/LOST"),
    ("Jane Doe", "Bluebell Dental scheduling", "Bluebell Dental", "LEAD"),
    ("Jane Doe", "Granite Works CRM migration", "Granite Works", "OPPORTUNITY"),
    ("Jane Doe", "Riverbend Hotel Wi-Fi", "Riverbend Hotel", "OPPORTUNITY"),
    ("Jane Doe", "Summit Gym memberships", "Summit Gym", "WON"),
    ("Sam Field", "Oakridge School tablets", "Oakridge School", "LEAD"),
    ("Sam Field", "Pioneer Farms irrigation sensors", "Pioneer Farms", "LEAD"),
    ("Sam Field", "Maple Street Clinic phones", "Maple Street Clinic", "OPPORTUNITY"),
    ("Maria Manager", "Atlas Insurance office move", "Atlas Insurance", "OPPORTUNITY"),
    ("Maria Manager", "Lakeside Realty signage", "Lakeside Realty", "LEAD"),
    ("Victor Outside", "Copperfield Mining safety kits", "Copperfield Mining", "LEAD"),
    ("Victor Outside", "Redwood Winery labels", "Redwood Winery", "OPPORTUNITY"),
    ("Olivia Office", "Downtown Deli catering", "Downtown Deli", "LEAD"),
    ("Pat Group", "Inbound: Starlight Cinema ads", "Starlight Cinema", "LEAD"),
    ("office:Downtown Office", "Walk-in: Corner Florist website", "Corner Florist", "LEAD"),
    ("group:Inbound Team", "Web form: Evergreen Landscaping", "Evergreen Landscaping", "LEAD"),
    ("group:Inbound Team", "Web form: Velvet Salon booking", "Velvet Salon", "LEAD"),
]

FIRST = (
    "Alex Blake Casey Dana Eli Frankie Gale Harper Indy Jordan "
    "Kai Logan Morgan Noor Owen Parker Quinn Riley Sage Taylor"
).split()
LAST = (
    "Adams Baker Chen Diaz Evans Fischer Garcia Hughes Ito Jensen "
    "Khan Lopez Meyer Novak Olsen Patel Reyes Silva Tanaka Weber"
).split()
COMPANY_A = (
    "Acme Apex Bright Cedar Delta Eagle Fjord Globe Harbor Iron "
    "Jade Keystone Lumen Metro Nova Orbit Prime Quartz Ridge Solar"
).split()
COMPANY_B = (
    "Analytics Bakery Builders Clinic Dental Energy Foods Freight Health "
    "Labs Logistics Media Motors Partners Realty Systems Textiles Travel Works"
).split()
TOPICS = "renewal upgrade expansion pilot migration audit rollout support licences training".split()


@dataclass(frozen=True)
class DemoSummary:
    users: int
    leads: int
    created: bool


# The demo marker: an audit line written with every change ``create_demo`` makes, naming
# how many users and leads the demo data has and their highest ids.
DEMO_MARK = "demo.data"
_MARK_TEXT = re.compile(
    r"(?P<users>\d+) users \(ids up to (?P<max_user>\d+)\), "
    r"(?P<leads>\d+) leads \(ids up to (?P<max_lead>\d+)\)"
)


def demo_present(session: Session) -> bool:
    return (
        session.scalar(select(func.count()).select_from(User).where(User.name == "Ada Admin")) == 1
    )


def _totals(session: Session) -> tuple[int, int, int, int]:
    users, max_user = session.execute(select(func.count(User.id), func.max(User.id))).one()
    leads, max_lead = session.execute(select(func.count(Lead.id), func.max(Lead.id))).one()
    return users, max_user or 0, leads, max_lead or 0


def mark_demo(session: Session) -> None:
    """Record what the demo data consists of now (after creating or extending it)."""
    users, max_user, leads, max_lead = _totals(session)
    session.add(
        AuditEntry(
            actor_id=None,
            action=DEMO_MARK,
            detail=(
                f"Demo data: {users} users (ids up to {max_user}), "
                f"{leads} leads (ids up to {max_lead})."
            ),
            created_at=utc_now(),
        )
    )
    session.flush()


def not_only_demo(session: Session) -> str | None:
    """Why this database holds more than demo data, or None when it holds only demo data.

    Only demo data means all of: the newest demo marker matches the users and leads there are
    now (same counts, same highest ids: nobody added or removed one, even with raw SQL); no
    audit line other than the demo's (every administrative change writes one); no imported
    leads. Passes between the demo's own people are part of trying the demo and allowed.
    """
    marks = session.scalars(
        select(AuditEntry.detail).where(AuditEntry.action == DEMO_MARK).order_by(AuditEntry.id)
    ).all()
    found = _MARK_TEXT.search(marks[-1]) if marks else None
    if found is None:
        return "it was not made by 'leaddesk demo'"
    users, max_user, leads, max_lead = _totals(session)
    expected = tuple(int(found[key]) for key in ("users", "max_user", "leads", "max_lead"))
    if (users, max_user) != expected[:2]:
        return f"it has {users:,} users, not the demo's {expected[0]:,}"
    if (leads, max_lead) != expected[2:]:
        return f"it has {leads:,} leads, not the demo's {expected[2]:,}"
    changes = session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action != DEMO_MARK)
    )
    if changes:
        return f"it has {changes:,} administrative change(s) in its audit log"
    if session.scalar(select(func.count()).where(PassBatch.method == "import")):
        return "leads were imported into it"
    return None


def clear_all(session: Session) -> None:
    """Remove every row (``leaddesk demo --reset``, after its checks); the schema stays."""
    session.execute(Lead.__table__.update().values(last_batch_id=None))
    for model in (
        OutboxMessage,
        LeadNote,
        PassHistory,
        Lead,
        PassBatch,
        AuditEntry,
        ManagerRight,
        OfficeMember,
        PassGroupMember,
        Office,
        PassGroup,
        Status,
        User,
    ):
        session.execute(delete(model))


def create_demo(
    database: Database,
    *,
    users: int = 0,
    leads: int = 0,
    seed: int = 1,
) -> DemoSummary:
    """Create the named demo data (once) and add ``users`` / ``leads`` generated rows."""
    if users < 0 or leads < 0:
        raise InvalidInputError("--users and --leads must be zero or more.")
    rng = random.Random(seed)
    with database.write() as session:
        created = False
        if not demo_present(session):
            if session.scalar(select(func.count()).select_from(User)):
                raise InvalidInputError(
                    "This database already holds other data; demo data goes into an empty "
                    "database, for example a new file: leaddesk --db demo.sqlite3 demo"
                )
            create_named(session)
            created = True
        generated_ids = _create_generated_users(session, users, rng) if users else []
        if created or users:
            mark_demo(session)
    if leads:
        with database.write() as session:
            owners = generated_ids or list(
                session.scalars(select(User.id).where(User.active.is_(True)))
            )
            statuses = list(session.scalars(select(Status.id).order_by(Status.position)))
        _bulk_insert_leads(database, leads, owners, statuses, rng)
        with database.write() as session:
            mark_demo(session)
    with database.read() as session:
        return DemoSummary(
            users=session.scalar(select(func.count()).select_from(User)) or 0,
            leads=session.scalar(select(func.count()).select_from(Lead)) or 0,
            created=created,
        )


def _email(name: str) -> str:
    return name.lower().replace(" ", ".") + "@example.com"


def create_named(session: Session) -> None:
    now = utc_now()
    statuses = {}
    for position, (name, closed) in enumerate(STATUSES):
        statuses[name] = Status(name=name, position=position, is_closed=closed)
        session.add(statuses[name])
    people = {}
    for name, is_admin in PEOPLE:
        people[name] = User(
            name=name, email=_email(name), active=True, is_admin=is_admin, created_at=now
        )
        session.add(people[name])
    office = Office(name="Downtown Office")
    group = PassGroup(name="Inbound Team")
    session.add_all([office, group])
    session.flush()
    for manager, managed in RIGHTS.items():
        for user in managed:
            session.add(ManagerRight(manager_id=people[manager].id, user_id=people[user].id))
    session.add_all(
        [
            OfficeMember(
                office_id=office.id, user_id=people["Olivia Office"].id, is_office_manager=True
            ),
            OfficeMember(
                office_id=office.id, user_id=people["Maria Manager"].id, is_office_manager=False
            ),
            OfficeMember(
                office_id=office.id, user_id=people["Sam Field"].id, is_office_manager=False
            ),
            PassGroupMember(group_id=group.id, user_id=people["Pat Group"].id),
            PassGroupMember(group_id=group.id, user_id=people["Jane Doe"].id),
        ]
    )
    for owner, name, company, status in NAMED_LEADS:
        lead = Lead(
            name=name,
            company=company,
            email=f"contact@{company.lower().replace(' ', '').replace('-', '')}.example",
            phone="+1 555 0100",
            status_id=statuses[status].id,
            version=1,
            created_at=now,
            updated_at=now,
        )
        if owner.startswith("office:"):
            lead.bucket_office_id = office.id
        elif owner.startswith("group:"):
            lead.bucket_group_id = group.id
        else:
            lead.owner_id = people[owner].id
        session.add(lead)
    session.flush()


def _create_generated_users(session: Session, count: int, rng: random.Random) -> list[int]:
    start = (session.scalar(select(func.max(User.id))) or 0) + 1
    now = utc_now()
    rows = []
    for offset in range(count):
        number = start + offset
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)} {number}"
        rows.append(
            {
                "name": name,
                "email": f"user{number}@example.com",
                "active": True,
                "is_admin": False,
                "created_at": now,
            }
        )
    session.execute(User.__table__.insert(), rows)
    ids = list(session.scalars(select(User.id).where(User.id >= start).order_by(User.id)))
    maria = session.scalars(select(User.id).where(User.name == "Maria Manager")).one()
    # Maria manages the generated users, so the window and benchmarks have people to show.
    session.execute(
        ManagerRight.__table__.insert(), [{"manager_id": maria, "user_id": uid} for uid in ids]
    )
    return ids


def _lead_rows(count: int, owners: list[int], statuses: list[int], rng: random.Random):
    now = utc_now()
    for index in range(count):
        company = f"{rng.choice(COMPANY_A)} {rng.choice(COMPANY_B)}"
        yield (
            f"{company} {rng.choice(TOPICS)} {index + 1}",
            company,
            f"lead{index + 1}@{company.lower().replace(' ', '')}.example",
            f"+1 555 {rng.randrange(10000):04d}",
            statuses[rng.randrange(len(statuses))],
            owners[index % len(owners)],
            1,
            now,
            now,
        )


_LEAD_COLUMNS = (
    "name",
    "company",
    "email",
    "phone",
    "status_id",
    "owner_id",
    "version",
    "created_at",
    "updated_at",
)


def _bulk_insert_leads(
    database: Database, count: int, owners: list[int], statuses: list[int], rng: random.Random
) -> None:
    rows = _lead_rows(count, owners, statuses, rng)
    raw = database.engine.raw_connection()
    try:
        cursor = raw.cursor()
        if database.is_sqlite:
            cursor.execute("BEGIN IMMEDIATE")
            placeholders = ", ".join("?" for _ in _LEAD_COLUMNS)
            cursor.executemany(
                f"INSERT INTO leads ({', '.join(_LEAD_COLUMNS)}) VALUES ({placeholders})", rows
            )
            cursor.execute("COMMIT")
        else:
            with cursor.copy(f"COPY leads ({', '.join(_LEAD_COLUMNS)}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                for row in rows:
                    copy.write_row(row)
            raw.commit()
            cursor.execute("ANALYZE leads")
            raw.commit()
    finally:
        raw.close()
