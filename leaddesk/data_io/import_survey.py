"""What the import dialog's mapping step needs to know about a file, read once off the GUI
thread: its columns, first rows, the values each column holds, the source it looks like, and
LeadDesk's statuses and offices. And the preview: the first rows as they would be imported
under a given mapping, computed without the database.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from leaddesk.data_io.crm_profiles import PROFILES, detect_profile, parse_created, profile_mapping
from leaddesk.data_io.csv_text import read_table
from leaddesk.data_io.import_rows import lead_name
from leaddesk.errors import InvalidInputError
from leaddesk.store.models import Office, Status, User

PREVIEW_ROWS = 10
# A column with more different values than this is not a status column worth listing.
MAX_DISTINCT_VALUES = 200
PREVIEW_HEADERS = ("Name", "Company", "Email", "Phone", "Status", "Owner or bucket", "Created")


@dataclass(frozen=True)
class ImportSurvey:
    headers: list[str]
    preview: list[list[str]]  # the first rows' cells, padded to the header
    encoding: str
    delimiter: str
    total_rows: int
    problems: list[str]
    profile_key: str  # the recognised (or chosen) source
    detected: str  # "Recognised a … export", or why not
    mapping: dict[str, str]  # the profile's guess: field -> header
    values: dict[str, Counter[str]] = field(default_factory=dict)  # header -> value counts
    statuses: list[str] = field(default_factory=list)
    offices: list[str] = field(default_factory=list)
    users: list[tuple[str, str]] = field(default_factory=list)  # active: (name, email)

    def unknown_owners(self, header: str | None) -> Counter[str]:
        """The owner values of a column that no active user has as email or name."""
        if not header:
            return Counter()
        known = {text.lower() for user in self.users for text in user}
        values = self.values.get(header, Counter())
        return Counter({v: n for v, n in values.items() if v and v.lower() not in known})


def survey_file(session: Session, data: bytes, source: str = "auto") -> ImportSurvey:
    """Read the whole file (off the GUI thread) and LeadDesk's statuses and offices."""
    table = read_table(data)
    headers = table.headers
    detected = ""
    key = source
    if source == "auto":
        try:
            detection = detect_profile(headers)
        except InvalidInputError as exc:
            key, detected = "leaddesk", str(exc)
        else:
            key, detected = detection.profile.key, detection.sentence()
    counters: dict[str, Counter[str]] = {h: Counter() for h in headers if h}
    width = len(headers)
    for _line, cells in table.rows:
        for index, value in enumerate(cells[:width]):
            counter = counters.get(headers[index])
            if counter is not None and len(counter) <= MAX_DISTINCT_VALUES:
                counter[value.strip()] += 1
    preview = [(cells + [""] * width)[:width] for _line, cells in table.rows[:PREVIEW_ROWS]]
    return ImportSurvey(
        headers=headers,
        preview=preview,
        encoding=table.encoding,
        delimiter=table.delimiter,
        total_rows=len(table.rows),
        problems=[str(p) for p in table.problems],
        profile_key=key,
        detected=detected,
        mapping=profile_mapping(PROFILES[key], headers) if headers else {},
        values={h: c for h, c in counters.items() if len(c) <= MAX_DISTINCT_VALUES},
        statuses=list(session.scalars(select(Status.name).order_by(Status.position, Status.id))),
        offices=list(session.scalars(select(Office.name).order_by(Office.name))),
        users=[
            (name, email)
            for name, email in session.execute(
                select(User.name, User.email).where(User.active.is_(True)).order_by(User.name)
            )
        ],
    )


def preview_leads(
    survey: ImportSurvey,
    mapping: Mapping[str, str],
    status_map: Mapping[str, str],
    *,
    owner_map: Mapping[str, str] | None = None,
    fallback_office: str | None = None,
) -> list[tuple[str, ...]]:
    """The first rows as the import would read them (owners as written, or as mapped)."""
    owner_map = owner_map or {}
    names = {text.lower(): name for name, email in survey.users for text in (name, email)}
    profile = PROFILES[survey.profile_key]
    index = {f: survey.headers.index(h) for f, h in mapping.items() if h in survey.headers}
    known = {name.lower(): name for name in survey.statuses}
    rows = []
    for cells in survey.preview:
        values = {f: cells[i].strip() for f, i in index.items()}
        raw_status = values.get("status", "")
        status = status_map.get(raw_status) or known.get(raw_status.lower(), "")
        owner = values.get("owner", "")
        owner = names.get(owner_map.get(owner, owner).lower(), owner)
        if owner and owner.lower() not in names and fallback_office:
            owner = ""  # unknown: it goes to the fallback bucket
        place = owner or values.get("office") or values.get("pass_group") or ""
        if not place and fallback_office:
            place = f"Leads to be Assigned: {fallback_office}"
        created = values.get("created_at", "")
        if created:
            try:
                created = parse_created(created, profile).strftime("%Y-%m-%d %H:%M")
            except ValueError:
                created = f"? {created}"
        rows.append(
            (
                lead_name(values),
                values.get("company", ""),
                values.get("email", ""),
                values.get("phone", ""),
                status or (f"? {raw_status}" if raw_status else ""),
                place,
                created,
            )
        )
    return rows
