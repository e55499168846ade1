"""Importing leads from CSV: validate the whole file first, then insert set-based.

Columns (header names ignore case, spaces and hyphens): ``name`` and ``status`` are required,
and each row goes either to an ``owner`` (a user's name or email) or into the Leads to be
Assigned bucket of an ``office`` or a ``pass_group``; ``company``, ``email`` and ``phone``
are optional. Other columns (an export's ``id``, ``updated_at``) are ignored and reported.

Imported leads are recorded like a pass: one batch (method ``import``), a history row per
lead (from nowhere to its owner or bucket) and one notification per recipient.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from sqlalchemy import DateTime, func, insert, literal, select
from sqlalchemy.orm import Session

from leaddesk.admin.audit import record, require_admin
from leaddesk.admin.validation import is_email
from leaddesk.data_io.csv_text import Problem, normalise_header, read_table
from leaddesk.notify.outbox import queue_batch_notifications
from leaddesk.reassignment.requests import PassMethod
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

LEAD_FIELDS = ("name", "company", "email", "phone", "status", "owner", "office", "pass_group")
REQUIRED_FIELDS = ("name", "status")
PLACE_FIELDS = ("owner", "office", "pass_group")
MAX_LENGTHS = {"name": 200, "company": 200, "email": 320, "phone": 50}
HEADER_ALIASES = {
    "lead": "name",
    "lead_name": "name",
    "group": "pass_group",
    "passgroup": "pass_group",
    "owner_email": "owner",
    "e_mail": "email",
    "telephone": "phone",
}
INSERT_CHUNK = 20_000
_INSERT_COLUMNS = (
    "name",
    "company",
    "email",
    "phone",
    "status_id",
    "owner_id",
    "bucket_office_id",
    "bucket_group_id",
    "version",
    "last_batch_id",
    "created_at",
    "updated_at",
)


class PlannedLead(NamedTuple):
    """A valid row, resolved to ids; the first eight fields are the leads-table values."""

    name: str
    company: str
    email: str
    phone: str
    status_id: int
    owner_id: int | None
    office_id: int | None
    group_id: int | None
    line: int
    place: str  # owner name or bucket label, for the report


@dataclass
class LeadImportReport:
    source_name: str
    encoding: str = ""
    total_rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    planned: list[PlannedLead] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    dry_run: bool = False
    imported: int = 0
    batch_id: int | None = None
    notifications: int = 0

    @property
    def valid_rows(self) -> int:
        return len(self.planned)

    @property
    def ok(self) -> bool:
        return not self.problems

    def per_place(self) -> list[tuple[str, int]]:
        return sorted(Counter(lead.place for lead in self.planned).items())

    def summary(self) -> str:
        if self.dry_run:
            verdict = (
                f"all {self.total_rows:,} row(s) valid, would import them"
                if self.ok
                else f"{self.valid_rows:,} of {self.total_rows:,} row(s) valid, "
                f"{len(self.problems)} problem(s)"
            )
            return (
                f"Dry run of {self.source_name} ({self.encoding}): {verdict}; nothing was written."
            )
        if self.imported:
            skipped = f"; {len(self.problems)} problem(s) skipped" if self.problems else ""
            return (
                f"Imported {self.imported:,} lead(s) from {self.source_name} "
                f"(batch {self.batch_id}, {self.notifications} notification(s) queued{skipped})."
            )
        return f"{len(self.problems)} problem(s) in {self.source_name}; nothing was imported."


def column_mapping(headers: list[str]) -> dict[str, str]:
    """The automatic mapping from LeadDesk field to the file's header (as written)."""
    mapping: dict[str, str] = {}
    for header in headers:
        key = normalise_header(header)
        key = HEADER_ALIASES.get(key, key)
        if key in LEAD_FIELDS and key not in mapping:
            mapping[key] = header
    return mapping


def import_leads(
    session: Session,
    *,
    actor_id: int,
    data: bytes,
    source_name: str = "the file",
    mapping: Mapping[str, str] | None = None,
    dry_run: bool = False,
    skip_invalid: bool = False,
) -> LeadImportReport:
    """Validate ``data`` completely; write only if it is all valid (or ``skip_invalid``).

    ``mapping`` maps LeadDesk fields to the file's headers; by default headers are matched
    by name. Admins only. Never raises for problems in the file: they are in the report.
    """
    actor = require_admin(session, actor_id)
    report = plan_import(session, data, source_name=source_name, mapping=mapping)
    report.dry_run = dry_run
    if dry_run or not report.planned or (report.problems and not skip_invalid):
        return report
    report.batch_id, report.notifications = _write(session, actor, report)
    report.imported = len(report.planned)
    return report


def plan_import(
    session: Session,
    data: bytes,
    *,
    source_name: str = "the file",
    mapping: Mapping[str, str] | None = None,
) -> LeadImportReport:
    """Read and validate without writing anything."""
    table = read_table(data)
    report = LeadImportReport(source_name=source_name, encoding=table.encoding)
    report.problems.extend(table.problems)
    report.total_rows = len(table.rows)
    if not table.headers:
        return report
    mapping = dict(mapping) if mapping is not None else column_mapping(table.headers)
    index = _column_indexes(table.headers, mapping, report)
    if index is None:
        return report
    report.ignored_columns = [h for h in table.headers if h and h not in mapping.values()]
    resolver = _Resolver(session)
    seen: dict[tuple[str, str, str], int] = {}
    width = len(table.headers)
    columns = list(index.items())
    for line, cells in table.rows:
        if len(cells) > width and any(cell.strip() for cell in cells[width:]):
            report.problems.append(
                Problem(line, f"has {len(cells)} values but the header has {width} columns.")
            )
            continue
        if len(cells) < width:
            cells = cells + [""] * (width - len(cells))
        values = {key: cells[i].strip() for key, i in columns}
        planned = _check_row(line, values, resolver, report)
        if planned is None:
            continue
        key = (planned.name.lower(), planned.company.lower(), planned.email.lower())
        if key in seen:
            report.problems.append(
                Problem(line, f"duplicates line {seen[key]} (same name, company and email).")
            )
            continue
        seen[key] = line
        report.planned.append(planned)
    report.problems.sort(key=lambda problem: problem.line)
    return report


def _column_indexes(
    headers: list[str], mapping: Mapping[str, str], report: LeadImportReport
) -> dict[str, int] | None:
    counts = Counter(headers)
    repeated = sorted(h for h, n in counts.items() if h and n > 1)
    if repeated:
        report.problems.append(Problem(1, f"column(s) {', '.join(repeated)} appear twice."))
        return None
    unknown = sorted(f for f in mapping if f not in LEAD_FIELDS)
    absent = sorted(h for h in mapping.values() if h not in headers)
    if unknown or absent:
        report.problems.append(
            Problem(
                1,
                f"the column mapping names unknown field(s) or column(s): "
                f"{', '.join(unknown + absent)}.",
            )
        )
        return None
    missing = [f for f in REQUIRED_FIELDS if f not in mapping]
    if not any(f in mapping for f in PLACE_FIELDS):
        missing.append("owner (or office / pass_group)")
    if missing:
        report.problems.append(
            Problem(
                1,
                f"missing required column(s): {', '.join(missing)}. "
                f"The header has: {', '.join(h for h in headers if h) or 'nothing'}.",
            )
        )
        return None
    return {f: headers.index(h) for f, h in mapping.items()}


class _Resolver:
    """Name lookups done once per import, so 100,000 rows cost dictionary hits, not queries."""

    def __init__(self, session: Session) -> None:
        self.users: dict[str, tuple[int, str, bool]] = {}
        for uid, name, email, active in session.execute(
            select(User.id, User.name, User.email, User.active)
        ):
            self.users.setdefault(email.lower(), (uid, name, active))
            self.users[name.lower()] = (uid, name, active)
        self.statuses = {
            name.lower(): (sid, name)
            for sid, name in session.execute(
                select(Status.id, Status.name).order_by(Status.position)
            )
        }
        self.offices = {
            n.lower(): (i, n) for i, n in session.execute(select(Office.id, Office.name))
        }
        self.groups = {
            n.lower(): (i, n) for i, n in session.execute(select(PassGroup.id, PassGroup.name))
        }

    def known_statuses(self) -> str:
        return ", ".join(name for _sid, name in self.statuses.values())


def _check_row(
    line: int, values: dict[str, str], resolver: _Resolver, report: LeadImportReport
) -> PlannedLead | None:
    problems: list[str] = []
    name = values.get("name", "")
    company = values.get("company", "")
    email = values.get("email", "")
    phone = values.get("phone", "")
    if not name:
        problems.append("the lead name is empty")
    for key, value in (("name", name), ("company", company), ("email", email), ("phone", phone)):
        if len(value) > MAX_LENGTHS[key]:
            problems.append(
                f"{key} has {len(value)} characters; at most {MAX_LENGTHS[key]} are allowed"
            )
    if email and not is_email(email):
        problems.append(f"'{email}' is not a valid email address")
    status_text = values.get("status", "")
    status = resolver.statuses.get(status_text.lower())
    if status is None:
        problems.append(
            f"unknown status '{status_text}' (known: {resolver.known_statuses()})"
            if status_text
            else "the status is empty"
        )
    owner_text = values.get("owner", "")
    office_text = values.get("office", "")
    group_text = values.get("pass_group", "")
    owner_id = office_id = group_id = None
    place = ""
    if bool(owner_text) + bool(office_text) + bool(group_text) != 1:
        given = [
            k for k, v in zip(PLACE_FIELDS, (owner_text, office_text, group_text), strict=True) if v
        ]
        problems.append(
            f"give exactly one of owner, office or pass_group (given: {', '.join(given) or 'none'})"
        )
    elif owner_text:
        user = resolver.users.get(owner_text.lower())
        if user is None:
            problems.append(f"unknown owner '{owner_text}'")
        elif not user[2]:
            problems.append(f"owner {user[1]} is inactive and cannot receive leads")
        else:
            owner_id, place = user[0], user[1]
    elif office_text:
        office = resolver.offices.get(office_text.lower())
        if office is None:
            problems.append(f"unknown office '{office_text}'")
        else:
            office_id, place = office[0], f"Leads to be Assigned: {office[1]}"
    else:
        group = resolver.groups.get(group_text.lower())
        if group is None:
            problems.append(f"unknown pass group '{group_text}'")
        else:
            group_id, place = group[0], f"Leads to be Assigned: {group[1]}"
    if problems or status is None:
        report.problems.extend(Problem(line, text + ".") for text in problems)
        return None
    return PlannedLead(
        name, company, email, phone, status[0], owner_id, office_id, group_id, line, place
    )


def _write(session: Session, actor: User, report: LeadImportReport) -> tuple[int, int]:
    now = utc_now()
    batch = PassBatch(
        actor_id=actor.id,
        method=PassMethod.IMPORT.value,
        note=f"Imported from {report.source_name}",
        lead_count=len(report.planned),
        created_at=now,
    )
    session.add(batch)
    session.flush()
    connection = session.connection()
    dialect = connection.dialect
    # The dialect's own DateTime conversion, so the raw executemany below stores exactly
    # what SQLAlchemy would (SQLite keeps datetimes as text).
    to_db = DateTime().bind_processor(dialect)
    stamp = to_db(now) if to_db else now
    tail = (1, batch.id, stamp, stamp)
    planned = report.planned
    if dialect.name == "postgresql":
        # COPY streams every row in one round trip, inside this session's transaction.
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor.copy(f"COPY leads ({', '.join(_INSERT_COLUMNS)}) FROM STDIN") as copy:
            for lead in planned:
                copy.write_row(lead[:8] + tail)
    else:
        sql = (
            f"INSERT INTO leads ({', '.join(_INSERT_COLUMNS)}) "
            f"VALUES ({', '.join(['?'] * len(_INSERT_COLUMNS))})"
        )
        # A driver-level executemany: one prepared statement, no per-row SQLAlchemy work;
        # this is what keeps 100,000 rows well under ten seconds on SQLite.
        for start in range(0, len(planned), INSERT_CHUNK):
            connection.exec_driver_sql(
                sql, [lead[:8] + tail for lead in planned[start : start + INSERT_CHUNK]]
            )
    # History from the leads this batch created, found by last_batch_id: one statement.
    connection.execute(
        insert(PassHistory.__table__).from_select(
            ["batch_id", "lead_id", "to_owner_id", "to_office_id", "to_group_id", "to_version"],
            select(
                literal(batch.id),
                Lead.id,
                Lead.owner_id,
                Lead.bucket_office_id,
                Lead.bucket_group_id,
                Lead.version,
            ).where(Lead.last_batch_id == batch.id),
        )
    )
    written = session.scalar(
        select(func.count()).select_from(PassHistory).where(PassHistory.batch_id == batch.id)
    )
    assert written == len(planned), "every imported lead needs its history row"
    notifications = queue_batch_notifications(
        session, batch_id=batch.id, actor_id=actor.id, now=now
    )
    record(
        session,
        actor,
        "lead.import",
        f"Imported {len(planned):,} lead(s) from {report.source_name} as pass {batch.id}"
        + (f"; skipped {len(report.problems)} problem row(s)." if report.problems else "."),
    )
    return batch.id, notifications
