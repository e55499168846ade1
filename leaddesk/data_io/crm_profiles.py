"""The lead exports of other CRMs, described by their column names, and recognising them.

Each profile lists, per LeadDesk import field, the header names that system's export uses
for it (its export labels, and where one exists its API field names, as its bulk tools
write them). Headers are compared ignoring case, spaces, hyphens and underscores.

- **Salesforce** (report or list export of Leads; Data Loader / Data Export use the API
  names): ``Lead ID``/``Id``, ``First Name``, ``Last Name``, ``Company``, ``Email``,
  ``Phone``, ``Lead Status``/``Status``, ``Lead Owner``, ``Created Date``/``Create Date``.
  US dates (``11/28/2026``, ``11/28/2026, 9:15 AM``) or ISO 8601 from the API.
- **Zoho CRM** (Leads export): ``Record Id`` (``zcrm_…``), ``First Name``, ``Last Name``,
  ``Company``, ``Email``, ``Phone``/``Mobile``, ``Lead Status``, ``Lead Owner``,
  ``Created Time`` (``2026-11-28 09:15:00``).
- **HubSpot** (contacts export): ``Record ID``, ``First Name``, ``Last Name``, ``Email``,
  ``Phone Number``, ``Company Name``, ``Lead Status`` (else ``Lifecycle Stage``),
  ``Contact owner``, ``Create Date`` (``2026-11-28 09:15``).
- **SuiteCRM** (Leads export, labels without their colon): ``ID``, ``First Name``,
  ``Last Name``, ``Account Name``, ``Email Address``, ``Office Phone``/``Mobile``,
  ``Status``, ``Assigned to`` (the user's login name), ``Date Created`` in the exporting
  user's format (default ``11/28/2026 09:15``).
- **Odoo** (CRM leads/opportunities export): ``ID`` (an external id such as
  ``__export__.crm_lead_42_…``), ``Opportunity`` (the lead's own title), ``Contact Name``,
  ``Company Name``, ``Email``, ``Phone``, ``Stage``, ``Salesperson``,
  ``Created on`` (``2026-11-28 09:15:00``).
- **LeadDesk** (this program's own export): ``name``, ``company``, ``email``, ``phone``,
  ``status``, ``owner``, ``office``, ``pass_group``, ``id``, ``external_source``,
  ``external_id``, ``created_at``.

The lead name is the title where a system has one (Odoo, LeadDesk); otherwise "First Last",
or the company when a row has no person's name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from leaddesk.errors import InvalidInputError

# The fields a file column can be mapped to (``--map "Column=field"``); "ignore" drops one.
IMPORT_FIELDS = (
    "name",
    "first_name",
    "last_name",
    "company",
    "email",
    "phone",
    "status",
    "owner",
    "office",
    "pass_group",
    "external_id",
    "external_source",
    "created_at",
    "leaddesk_id",
)
IGNORE = "ignore"
FIELD_LABELS = {
    "name": "Lead name",
    "first_name": "First name",
    "last_name": "Last name",
    "company": "Company",
    "email": "Email",
    "phone": "Phone",
    "status": "Status",
    "owner": "Owner (email or name)",
    "office": "Office bucket",
    "pass_group": "Pass group bucket",
    "external_id": "Id in the old system",
    "external_source": "Old system's name",
    "created_at": "Created date",
    "leaddesk_id": "Lead id (LeadDesk export)",
}

# Month first, as US-locale exports write dates: 11/14/2026, 11/14/2026, 3:05 PM, 11/02/2026 14:05.
_US_DATE = re.compile(
    r"(\d{1,2})/(\d{1,2})/(\d{4})(?:,?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp])?\.?[Mm]?\.?)?"
)


@dataclass(frozen=True)
class Profile:
    """One source system's export: which headers hold which field, and its date formats."""

    key: str
    label: str
    columns: Mapping[str, tuple[str, ...]]
    # Headers only this system writes; recognising a file needs at least one of them.
    markers: tuple[str, ...]
    # Besides ISO 8601 (which every profile reads): month-first dates with slashes.
    us_dates: bool = False


def header_key(header: str) -> str:
    """'Lead Owner', 'lead_owner' and ' LEAD-OWNER ' compare equal."""
    return re.sub(r"[\s\-_]+", "", header.strip().lstrip("\ufeff").lower())


PROFILES: dict[str, Profile] = {
    profile.key: profile
    for profile in (
        Profile(
            key="salesforce",
            label="Salesforce",
            columns={
                "external_id": ("Lead ID", "Id"),
                "first_name": ("First Name", "FirstName"),
                "last_name": ("Last Name", "LastName"),
                "company": ("Company", "Company / Account"),
                "email": ("Email",),
                "phone": ("Phone", "Mobile", "MobilePhone"),
                "status": ("Lead Status", "Status"),
                "owner": ("Lead Owner", "Owner", "Owner Name"),
                "created_at": ("Created Date", "Create Date", "CreatedDate"),
            },
            markers=("Lead ID", "FirstName", "CreatedDate", "Company / Account"),
            us_dates=True,
        ),
        Profile(
            key="zoho",
            label="Zoho CRM",
            columns={
                "external_id": ("Record Id", "Lead Id"),
                "first_name": ("First Name",),
                "last_name": ("Last Name",),
                "company": ("Company",),
                "email": ("Email",),
                "phone": ("Phone", "Mobile"),
                "status": ("Lead Status",),
                "owner": ("Lead Owner",),
                "created_at": ("Created Time",),
            },
            markers=("Created Time", "Lead Owner Id", "Modified Time"),
        ),
        Profile(
            key="hubspot",
            label="HubSpot",
            columns={
                "external_id": ("Record ID", "Contact ID"),
                "first_name": ("First Name",),
                "last_name": ("Last Name",),
                "company": ("Company Name", "Company"),
                "email": ("Email", "Email Address"),
                "phone": ("Phone Number", "Mobile Phone Number"),
                "status": ("Lead Status", "Lifecycle Stage"),
                "owner": ("Contact owner", "HubSpot Owner"),
                "created_at": ("Create Date",),
            },
            markers=("Contact owner", "Lifecycle Stage", "HubSpot Owner", "Phone Number"),
        ),
        Profile(
            key="suitecrm",
            label="SuiteCRM",
            columns={
                "external_id": ("ID",),
                "first_name": ("First Name",),
                "last_name": ("Last Name",),
                "company": ("Account Name",),
                "email": ("Email Address",),
                "phone": ("Office Phone", "Phone Work", "Mobile", "Phone Mobile"),
                "status": ("Status",),
                "owner": ("Assigned to", "Assigned User Name"),
                "created_at": ("Date Created",),
            },
            markers=("Assigned to", "Assigned User Name", "Account Name", "Date Created"),
            us_dates=True,
        ),
        Profile(
            key="odoo",
            label="Odoo",
            columns={
                "external_id": ("ID", "External ID"),
                "name": ("Opportunity", "Lead", "Subject"),
                "first_name": (),
                "last_name": ("Contact Name",),
                "company": ("Company Name", "Customer"),
                "email": ("Email",),
                "phone": ("Phone", "Mobile"),
                "status": ("Stage",),
                "owner": ("Salesperson",),
                "created_at": ("Created on",),
            },
            markers=("Salesperson", "Stage", "Created on", "Opportunity"),
        ),
        Profile(
            key="leaddesk",
            label="LeadDesk",
            columns={
                "name": ("name", "lead", "lead name"),
                "company": ("company",),
                "email": ("email", "e-mail"),
                "phone": ("phone", "telephone"),
                "status": ("status",),
                "owner": ("owner", "owner email"),
                "office": ("office",),
                "pass_group": ("pass_group", "group", "passgroup"),
                "external_id": ("external_id",),
                "external_source": ("external_source",),
                "created_at": ("created_at",),
                "leaddesk_id": ("id",),
            },
            markers=("name", "pass_group", "office", "external_source"),
        ),
    )
}
SOURCE_CHOICES = (*PROFILES, "auto")


@dataclass(frozen=True)
class Detection:
    profile: Profile
    matched: int  # how many of its fields the header has

    def sentence(self) -> str:
        article = "an" if self.profile.label[0] in "AEIOU" else "a"
        return f"Recognised {article} {self.profile.label} export ({self.matched} known columns)."


def detect_profile(headers: Sequence[str]) -> Detection:
    """The profile whose columns the header has most of; refuses when it cannot tell."""
    present = {header_key(h) for h in headers if h.strip()}
    scores: list[tuple[int, int, Profile]] = []
    for profile in PROFILES.values():
        if not any(header_key(marker) in present for marker in profile.markers):
            continue
        matched = sum(
            1
            for aliases in profile.columns.values()
            if any(header_key(alias) in present for alias in aliases)
        )
        markers = sum(1 for marker in profile.markers if header_key(marker) in present)
        scores.append((matched, markers, profile))
    scores.sort(key=lambda item: (item[0], item[1]), reverse=True)
    if not scores or scores[0][0] < 2:
        raise InvalidInputError(
            "Cannot tell which system this file comes from; say it with --from "
            f'{"|".join(PROFILES)} (and --map "Column=field" for columns it does not know).'
        )
    if len(scores) > 1 and scores[0][:2] == scores[1][:2]:
        raise InvalidInputError(
            f"This file could be a {scores[0][2].label} or a {scores[1][2].label} export; "
            f"say which with --from {scores[0][2].key} or --from {scores[1][2].key}."
        )
    return Detection(scores[0][2], scores[0][0])


def profile_mapping(profile: Profile, headers: Sequence[str]) -> dict[str, str]:
    """LeadDesk field -> the file's header (as written), from the profile's names."""
    by_key: dict[str, str] = {}
    for header in headers:
        by_key.setdefault(header_key(header), header)
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for field_name, aliases in profile.columns.items():
        for alias in aliases:
            header = by_key.get(header_key(alias))
            if header is not None and header not in taken:
                mapping[field_name] = header
                taken.add(header)
                break
    return mapping


def apply_overrides(
    mapping: Mapping[str, str], headers: Sequence[str], overrides: Mapping[str, str]
) -> dict[str, str]:
    """``--map "Column=field"``: the column now feeds that field (or nothing, for ignore)."""
    result = dict(mapping)
    by_key = {header_key(h): h for h in headers}
    for column, field_name in overrides.items():
        header = column if column in headers else by_key.get(header_key(column))
        if header is None:
            raise InvalidInputError(
                f"--map names the column '{column}', which the file does not have "
                f"(it has: {', '.join(h for h in headers if h)})."
            )
        target = field_name.strip().lower()
        if target != IGNORE and target not in IMPORT_FIELDS:
            raise InvalidInputError(
                f"--map '{column}={field_name}': '{field_name}' is not a LeadDesk field "
                f"(fields: {', '.join(IMPORT_FIELDS)}, or {IGNORE})."
            )
        result = {f: h for f, h in result.items() if h != header and f != target}
        if target != IGNORE:
            result[target] = header
    return result


def parse_pairs(values: Sequence[str] | None, option: str) -> dict[str, str]:
    """``["A=b", "C=d"]`` -> ``{"A": "b", "C": "d"}``; the text before the last '=' is the key."""
    pairs: dict[str, str] = {}
    for value in values or ():
        key, sep, target = value.rpartition("=")
        if not sep or not key.strip():
            raise InvalidInputError(f"{option} '{value}': write it as \"Value=Target\".")
        pairs[key.strip()] = target.strip()
    return pairs


def parse_created(text: str, profile: Profile) -> datetime:
    """A source's created date as naive UTC; dates without a zone are taken as UTC.

    Regular expressions and ``fromisoformat`` rather than ``strptime``, which is slow
    enough to dominate a 100,000-row import.
    """
    value = text.strip()
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        parsed = _us_date(value) if profile.us_dates else None
    if parsed is None:
        raise ValueError(value)
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


def _us_date(value: str) -> datetime | None:
    match = _US_DATE.fullmatch(value)
    if match is None:
        return None
    month, day, year, hour, minute, second, half = match.groups()
    hour_value = int(hour or 0)
    if half is not None:
        if not 1 <= hour_value <= 12:
            return None
        hour_value = hour_value % 12 + (12 if half in "Pp" else 0)
    try:
        return datetime(
            int(year), int(month), int(day), hour_value, int(minute or 0), int(second or 0)
        )
    except ValueError:
        return None
