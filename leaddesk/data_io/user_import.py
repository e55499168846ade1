"""Importing people from CSV: users, their office (created if new), office-manager flag and
whom they manage.

Columns (names ignore case): ``name`` and ``email`` are required; ``admin`` and
``office_manager`` take yes/no, true/false, 1/0, x or empty; ``office`` names one office;
``manages`` lists users (name or email, existing or in the same file) separated by ``;``.
Like leads, the whole file is validated first and nothing is written unless it is valid
(or ``skip_invalid``). Only new people are added; existing names or emails are problems.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from leaddesk.admin.audit import record, require_admin
from leaddesk.admin.validation import NAME_MAX, is_email
from leaddesk.data_io.csv_text import CsvSource, Problem, normalise_header, read_table
from leaddesk.store.lookup import suggest_names, suggestion_hint
from leaddesk.store.models import ManagerRight, Office, OfficeMember, User, utc_now

USER_FIELDS = ("name", "email", "admin", "office", "office_manager", "manages")
_YES = {"yes", "y", "true", "1", "x", "ja", "oui"}
_NO = {"no", "n", "false", "0", ""}


@dataclass(frozen=True)
class PlannedUser:
    line: int
    name: str
    email: str
    is_admin: bool
    office: str
    office_manager: bool
    manages: tuple[str, ...]


@dataclass
class UserImportReport:
    source_name: str
    encoding: str = ""
    total_rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    planned: list[PlannedUser] = field(default_factory=list)
    new_offices: list[str] = field(default_factory=list)
    dry_run: bool = False
    imported: int = 0
    rights: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        offices = f", new office(s): {', '.join(self.new_offices)}" if self.new_offices else ""
        if self.dry_run:
            return (
                f"Dry run of {self.source_name}: {len(self.planned)} of {self.total_rows} "
                f"user(s) valid{offices}; {len(self.problems)} problem(s); nothing was written."
            )
        if self.imported:
            return (
                f"Added {self.imported} user(s) and {self.rights} manager right(s) from "
                f"{self.source_name}{offices}."
            )
        return f"{len(self.problems)} problem(s) in {self.source_name}; nothing was imported."


def import_users(
    session: Session,
    *,
    actor_id: int,
    data: CsvSource,
    source_name: str = "the file",
    mapping: Mapping[str, str] | None = None,
    dry_run: bool = False,
    skip_invalid: bool = False,
) -> UserImportReport:
    actor = require_admin(session, actor_id)
    table = read_table(data)
    report = UserImportReport(source_name=source_name, encoding=table.encoding, dry_run=dry_run)
    report.problems.extend(table.problems)
    report.total_rows = len(table.rows)
    if not table.headers:
        return report
    if mapping is None:
        mapping = {}
        for header in table.headers:
            key = normalise_header(header)
            if key in USER_FIELDS and key not in mapping:
                mapping[key] = header
    missing = [f for f in ("name", "email") if f not in mapping]
    if missing:
        report.problems.append(Problem(1, f"missing required column(s): {', '.join(missing)}."))
        return report
    index = {f: table.headers.index(h) for f, h in mapping.items() if h in table.headers}
    existing = {
        key.lower(): (uid, name, active)
        for uid, name, email, active in session.execute(
            select(User.id, User.name, User.email, User.active)
        )
        for key in (name, email)
    }
    offices = {n.lower(): n for n in session.scalars(select(Office.name))}
    in_file: dict[str, int] = {}
    rows: list[tuple[int, dict[str, str]]] = []
    for line, cells in table.rows:
        values = {f: (cells[i].strip() if i < len(cells) else "") for f, i in index.items()}
        rows.append((line, values))
        for key in (values.get("name", ""), values.get("email", "")):
            if key and key.lower() not in in_file:
                in_file[key.lower()] = line
    new_offices: dict[str, str] = {}
    for line, values in rows:
        planned = _check(line, values, existing, in_file, report)
        if planned is None:
            continue
        if planned.office and planned.office.lower() not in offices:
            new_offices.setdefault(planned.office.lower(), planned.office)
        report.planned.append(planned)
    report.new_offices = sorted(new_offices.values())
    report.problems.sort(key=lambda problem: problem.line)
    if dry_run or not report.planned or (report.problems and not skip_invalid):
        return report
    _write(session, actor, report)
    return report


def _flag(value: str) -> bool | None:
    lowered = value.strip().lower()
    if lowered in _YES:
        return True
    if lowered in _NO:
        return False
    return None


def _check(
    line: int,
    values: dict[str, str],
    existing: dict[str, tuple[int, str, bool]],
    in_file: dict[str, int],
    report: UserImportReport,
) -> PlannedUser | None:
    problems: list[str] = []
    name, email = " ".join(values.get("name", "").split()), values.get("email", "")
    if not name:
        problems.append("the name is empty")
    elif len(name) > NAME_MAX:
        problems.append(f"the name has {len(name)} characters; at most {NAME_MAX} are allowed")
    elif name.isdigit():
        problems.append(f"the name '{name}' cannot be only digits")
    if not is_email(email):
        problems.append(f"'{email}' is not a valid email address")
    for key, label in ((name, "name"), (email, "email address")):
        if key and key.lower() in existing:
            problems.append(f"there is already a user with the {label} '{key}'")
        elif key and in_file.get(key.lower(), line) != line:
            problems.append(f"the {label} '{key}' is already used on line {in_file[key.lower()]}")
    is_admin = _flag(values.get("admin", ""))
    manager_flag = _flag(values.get("office_manager", ""))
    for flag, column in ((is_admin, "admin"), (manager_flag, "office_manager")):
        if flag is None:
            problems.append(f"{column} must be yes or no, not '{values.get(column)}'")
    office = " ".join(values.get("office", "").split())
    if manager_flag and not office:
        problems.append("office_manager is yes but no office is given")
    if len(office) > NAME_MAX:
        problems.append(f"the office name is longer than {NAME_MAX} characters")
    manages = tuple(part.strip() for part in values.get("manages", "").split(";") if part.strip())
    for managed in manages:
        known = existing.get(managed.lower())
        if known is None and managed.lower() not in in_file:
            names = dict.fromkeys(entry[1] for entry in existing.values())
            hint = suggestion_hint(suggest_names(managed, names))
            problems.append(f"manages unknown user '{managed}'" + (f" ({hint})" if hint else ""))
        elif known is not None and not known[2]:
            problems.append(f"manages {known[1]}, who is inactive")
    if problems:
        report.problems.extend(Problem(line, text + ".") for text in problems)
        return None
    return PlannedUser(line, name, email, bool(is_admin), office, bool(manager_flag), manages)


def _write(session: Session, actor: User, report: UserImportReport) -> None:
    now = utc_now()
    for office_name in report.new_offices:
        session.add(Office(name=office_name))
    users = [
        User(name=p.name, email=p.email, is_admin=p.is_admin, active=True, created_at=now)
        for p in report.planned
    ]
    session.add_all(users)
    session.flush()
    ids = {
        key.lower(): uid
        for uid, name, email in session.execute(select(User.id, User.name, User.email))
        for key in (name, email)
    }
    office_ids = {
        name.lower(): oid for oid, name in session.execute(select(Office.id, Office.name))
    }
    members = [
        {
            "office_id": office_ids[p.office.lower()],
            "user_id": user.id,
            "is_office_manager": p.office_manager,
        }
        for p, user in zip(report.planned, users, strict=True)
        if p.office
    ]
    if members:
        session.execute(insert(OfficeMember), members)
    rights = {
        (user.id, ids[managed.lower()])
        for p, user in zip(report.planned, users, strict=True)
        for managed in p.manages
        if managed.lower() in ids
    }
    existing_rights = {
        (manager_id, user_id)
        for manager_id, user_id in session.execute(
            select(ManagerRight.manager_id, ManagerRight.user_id).where(
                ManagerRight.manager_id.in_([u.id for u in users])
            )
        )
    }
    rights -= existing_rights
    if rights:
        session.execute(
            insert(ManagerRight), [{"manager_id": m, "user_id": u} for m, u in sorted(rights)]
        )
    report.imported = len(users)
    report.rights = len(rights)
    record(
        session,
        actor,
        "user.import",
        f"Imported {len(users)} user(s) and {len(rights)} manager right(s) from "
        f"{report.source_name}"
        + (f"; created office(s) {', '.join(report.new_offices)}" if report.new_offices else "")
        + ".",
    )
