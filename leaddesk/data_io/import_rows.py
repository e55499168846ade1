"""Turning one mapped CSV row into a lead to import: names, status, owner, identity, date.

The lookups (users, statuses, offices, pass groups) are read once per import, so 100,000
rows cost dictionary hits, not queries. Owners are matched by email first, then by exact
name (both ignoring case); a value given with ``--map-owner`` is matched the same way.
An unknown or inactive owner goes to the fallback office's bucket when there is one, and
is otherwise refused with the closest users as suggestions.
"""

from __future__ import annotations

import difflib
import functools
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from leaddesk.admin.validation import is_email
from leaddesk.data_io.crm_profiles import Profile, parse_created
from leaddesk.errors import InvalidInputError
from leaddesk.store.lookup import suggest_names, suggestion_hint
from leaddesk.store.models import Office, PassGroup, Status, User

MAX_LENGTHS = {"name": 200, "company": 200, "email": 320, "phone": 50, "external_id": 100}
EXTERNAL_SOURCE_MAX = 40
STATUS_NAME_MAX = 100
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def fold_ascii(text: str) -> str:
    """Lower-case the ASCII letters only: what every database's lower() does alike."""
    # str.lower() is many times faster than translate(); for ASCII text they agree.
    return text.lower() if text.isascii() else text.translate(_ASCII_LOWER)


class PlannedLead(NamedTuple):
    """A valid row, resolved to ids (the status by name: it may be created by the import)."""

    name: str
    company: str
    email: str
    phone: str
    status: str
    owner_id: int | None
    office_id: int | None
    group_id: int | None
    created_at: datetime | None
    external_source: str | None
    external_id: str | None
    line: int
    place: str  # owner name or bucket label, for the report

    @property
    def natural_key(self) -> tuple[str, str, str]:
        """Without an id from the old system, a lead is its name, company and email."""
        return (fold_ascii(self.name), fold_ascii(self.company), fold_ascii(self.email))


@dataclass
class OwnerCounts:
    by_email: int = 0
    by_name: int = 0
    by_map: int = 0
    to_fallback: int = 0
    refused: int = 0
    in_buckets: int = 0  # rows of a LeadDesk file that name an office or pass group

    def sentence(self, fallback_label: str) -> str:
        parts = [f"{self.by_email:,} matched by email", f"{self.by_name:,} by name"]
        if self.by_map:
            parts.append(f"{self.by_map:,} by --map-owner")
        if self.in_buckets:
            parts.append(f"{self.in_buckets:,} given an office or pass group")
        if self.to_fallback:
            parts.append(f"{self.to_fallback:,} unknown or inactive to {fallback_label}")
        parts.append(f"{self.refused:,} refused")
        return "Owners: " + ", ".join(parts) + "."


@dataclass
class StatusUse:
    """One status value found in the file, and what it becomes."""

    count: int = 0
    target: str | None = None  # an existing or new status name; None when unknown
    how: str = ""  # "same name", "--map-status", "new status", "unknown"


@dataclass
class RowResolver:
    """Everything a row is checked against, loaded once."""

    profile: Profile
    users_by_email: dict[str, tuple[int, str, bool]]
    users_by_name: dict[str, tuple[int, str, bool]]
    statuses: dict[str, str]  # lower-case name -> name as written
    offices: dict[str, tuple[int, str]]
    groups: dict[str, tuple[int, str]]
    status_map: dict[str, str]
    owner_map: dict[str, str]
    create_statuses: bool
    fallback_office: tuple[int, str] | None
    owners: OwnerCounts = field(default_factory=OwnerCounts)
    status_uses: dict[str, StatusUse] = field(default_factory=dict)
    new_statuses: list[str] = field(default_factory=list)
    _owner_cache: dict[str, tuple[str, tuple[int, str] | None, str]] = field(default_factory=dict)

    @classmethod
    def load(
        cls,
        session: Session,
        profile: Profile,
        *,
        status_map: Mapping[str, str],
        owner_map: Mapping[str, str],
        create_statuses: bool,
        fallback_office: str | None,
    ) -> RowResolver:
        by_email: dict[str, tuple[int, str, bool]] = {}
        by_name: dict[str, tuple[int, str, bool]] = {}
        for uid, name, email, active in session.execute(
            select(User.id, User.name, User.email, User.active)
        ):
            by_email[email.lower()] = (uid, name, active)
            by_name[name.lower()] = (uid, name, active)
        statuses = {
            name.lower(): name
            for name in session.scalars(select(Status.name).order_by(Status.position, Status.id))
        }
        offices = {n.lower(): (i, n) for i, n in session.execute(select(Office.id, Office.name))}
        groups = {
            n.lower(): (i, n) for i, n in session.execute(select(PassGroup.id, PassGroup.name))
        }
        fallback = None
        if fallback_office is not None:
            fallback = offices.get(fallback_office.strip().lower())
            if fallback is None:
                raise InvalidInputError(
                    f"There is no office called '{fallback_office}' for --owner-fallback-office "
                    f"(offices: {', '.join(n for _i, n in offices.values()) or 'none'})."
                )
        resolver = cls(
            profile=profile,
            users_by_email=by_email,
            users_by_name=by_name,
            statuses=statuses,
            offices=offices,
            groups=groups,
            status_map={k.lower(): v for k, v in status_map.items()},
            owner_map={k.lower(): v for k, v in owner_map.items()},
            create_statuses=create_statuses,
            fallback_office=fallback,
        )
        resolver._check_status_map()
        return resolver

    def _check_status_map(self) -> None:
        for value, target in self.status_map.items():
            if target.lower() not in self.statuses and not self.create_statuses:
                raise InvalidInputError(
                    f"--map-status '{value}={target}': there is no status called '{target}' "
                    f"(statuses: {self.known_statuses()}); add --create-statuses to create it."
                )

    def known_statuses(self) -> str:
        return ", ".join(self.statuses.values())

    @property
    def fallback_label(self) -> str:
        return f"Leads to be Assigned: {self.fallback_office[1]}" if self.fallback_office else ""

    # -- status --------------------------------------------------------------------------

    def status_of(self, raw: str) -> tuple[str | None, str]:
        """(status name to use, or None) and the problem when None."""
        use = self.status_uses.get(raw)
        if use is None:
            use = self.status_uses[raw] = self._decide_status(raw)
        use.count += 1
        if use.target is not None:
            return use.target, ""
        if not raw:
            return None, "the status is empty"
        return None, (
            f"unknown status '{raw}' (known: {self.known_statuses()}); map it with "
            f'--map-status "{raw}=STATUS" or add it with --create-statuses'
        )

    def _decide_status(self, raw: str) -> StatusUse:
        mapped = self.status_map.get(raw.lower())
        if mapped is not None:
            return StatusUse(target=self._existing_or_new(mapped), how="--map-status")
        existing = self.statuses.get(raw.lower())
        if existing is not None:
            return StatusUse(target=existing, how="same name")
        if raw and self.create_statuses and len(raw) <= STATUS_NAME_MAX:
            return StatusUse(target=self._existing_or_new(raw), how="new status")
        return StatusUse(target=None, how="unknown")

    def _existing_or_new(self, name: str) -> str:
        existing = self.statuses.get(name.lower())
        if existing is not None:
            return existing
        if name not in self.new_statuses:
            self.new_statuses.append(name)
        return name

    # -- owner ---------------------------------------------------------------------------

    def owner_of(self, raw: str) -> tuple[str, tuple[int, str] | None, str]:
        """(how, (user id, name) or None, problem) for an owner value of the file."""
        cached = self._owner_cache.get(raw)
        if cached is None:
            cached = self._owner_cache[raw] = self._decide_owner(raw)
        return cached

    def _decide_owner(self, raw: str) -> tuple[str, tuple[int, str] | None, str]:
        wanted = raw.lower()
        how_prefix = ""
        mapped = self.owner_map.get(wanted)
        if mapped is not None:
            wanted, how_prefix = mapped.lower(), "map"
        for how, table in (("email", self.users_by_email), ("name", self.users_by_name)):
            user = table.get(wanted)
            if user is None:
                continue
            if not user[2]:
                return "", None, f"owner {user[1]} is inactive and cannot receive leads"
            return how_prefix or how, (user[0], user[1]), ""
        if mapped is not None:
            return "", None, f"--map-owner '{raw}={mapped}' names no user"
        hint = self._suggestions(wanted)
        return (
            "",
            None,
            (
                f"unknown owner '{raw}'{hint}; map it with --map-owner \"{raw}=NAME\" "
                "or use --owner-fallback-office"
            ),
        )

    def _suggestions(self, wanted: str) -> str:
        people = {
            name.lower(): (name, email) for email, (_i, name, _a) in self.users_by_email.items()
        }
        emails = {email: name for email, (_i, name, _a) in self.users_by_email.items()}
        found: list[str] = [
            f"{name} <{email}>"
            for email, name in emails.items()
            if wanted and email.split("@")[0] == wanted.split("@")[0]
        ]
        for close in difflib.get_close_matches(wanted, list(people), n=3, cutoff=0.6):
            name, email = people[close]
            label = f"{name} <{email}>"
            if label not in found:
                found.append(label)
        return f" (did you mean {' or '.join(found[:3])}?)" if found else ""


def _unknown(noun: str, typed: str, known: dict[str, tuple[int, str]]) -> str:
    return _unknown_place(noun, typed, tuple(name for _id, name in known.values()))


@functools.lru_cache(maxsize=256)
def _unknown_place(noun: str, typed: str, names: tuple[str, ...]) -> str:
    # Cached: a file that misspells one office does so on many rows.
    hint = suggestion_hint(suggest_names(typed, names))
    return f"unknown {noun} '{typed}'" + (f" ({hint})" if hint else "")


def lead_name(values: Mapping[str, str]) -> str:
    """A title where the system has one; else a person's "First Last"; a person's export
    (no title column) falls back to the company for a row without a person."""
    name = values.get("name", "")
    if not name:
        first, last = values.get("first_name", ""), values.get("last_name", "")
        name = f"{first} {last}" if first and last else first or last
    if not name and "name" not in values:
        name = values.get("company", "")
    return name


def plan_row(
    line: int, values: dict[str, str], resolver: RowResolver
) -> tuple[PlannedLead | None, list[str]]:
    """The lead a row becomes, or the problems that stop it (sentences without a full stop)."""
    problems: list[str] = []
    company = values.get("company", "")
    name = lead_name(values)
    email = values.get("email", "")
    phone = values.get("phone", "")
    external_id = values.get("external_id", "") or values.get("leaddesk_id", "")
    if not name:
        problems.append("the lead name is empty")
    for key, value in (
        ("name", name),
        ("company", company),
        ("email", email),
        ("phone", phone),
        ("external_id", external_id),
    ):
        if len(value) > MAX_LENGTHS[key]:
            problems.append(
                f"{key} has {len(value)} characters; at most {MAX_LENGTHS[key]} are allowed"
            )
    if email and not is_email(email):
        problems.append(f"'{email}' is not a valid email address")
    source = _external_source(values, resolver.profile)
    if source is not None and len(source) > EXTERNAL_SOURCE_MAX:
        problems.append(f"external_source has more than {EXTERNAL_SOURCE_MAX} characters")
    created_at = None
    created_text = values.get("created_at", "")
    if created_text:
        try:
            created_at = parse_created(created_text, resolver.profile)
        except ValueError:
            problems.append(f"'{created_text}' is not a date LeadDesk can read")
    status, status_problem = resolver.status_of(values.get("status", ""))
    if status_problem:
        problems.append(status_problem)
    place_ids, place, place_problem = _place_of(values, resolver)
    if place_problem:
        problems.append(place_problem)
    if problems or status is None or place_ids is None:
        return None, problems
    return (
        PlannedLead(
            name,
            company,
            email,
            phone,
            status,
            *place_ids,
            created_at,
            source if external_id else None,
            external_id or None,
            line,
            place,
        ),
        [],
    )


def _external_source(values: dict[str, str], profile: Profile) -> str | None:
    if values.get("external_id"):
        return values.get("external_source") or profile.key
    if values.get("leaddesk_id"):
        return "leaddesk"
    return None


def _place_of(
    values: dict[str, str], resolver: RowResolver
) -> tuple[tuple[int | None, int | None, int | None] | None, str, str]:
    owner_text = values.get("owner", "")
    office_text = values.get("office", "")
    group_text = values.get("pass_group", "")
    counts = resolver.owners
    given = [
        k
        for k, v in (("owner", owner_text), ("office", office_text), ("pass_group", group_text))
        if v
    ]
    if len(given) > 1:
        counts.refused += 1
        return (
            None,
            "",
            (f"give exactly one of owner, office or pass_group (given: {', '.join(given)})"),
        )
    if office_text:
        office = resolver.offices.get(office_text.lower())
        if office is None:
            counts.refused += 1
            return None, "", _unknown("office", office_text, resolver.offices)
        counts.in_buckets += 1
        return (None, office[0], None), f"Leads to be Assigned: {office[1]}", ""
    if group_text:
        group = resolver.groups.get(group_text.lower())
        if group is None:
            counts.refused += 1
            return None, "", _unknown("pass group", group_text, resolver.groups)
        counts.in_buckets += 1
        return (None, None, group[0]), f"Leads to be Assigned: {group[1]}", ""
    problem = "no owner is given (nor an office or pass group)"
    if owner_text:
        how, user, problem = resolver.owner_of(owner_text)
        if user is not None:
            if how == "email":
                counts.by_email += 1
            elif how == "name":
                counts.by_name += 1
            else:
                counts.by_map += 1
            return (user[0], None, None), user[1], ""
    if resolver.fallback_office is not None:
        counts.to_fallback += 1
        return (None, resolver.fallback_office[0], None), resolver.fallback_label, ""
    counts.refused += 1
    return None, "", problem


def status_summary(uses: Mapping[str, StatusUse]) -> list[tuple[str, int, str]]:
    """(value, rows, what it becomes) for each status value found, most used first."""
    ordered = Counter({value: use.count for value, use in uses.items()}).most_common()
    return [
        (
            value,
            count,
            f"{uses[value].target} ({uses[value].how})" if uses[value].target else "unknown",
        )
        for value, count in ordered
    ]
