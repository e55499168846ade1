"""Finding the leads of an import file that are already in LeadDesk, in a few queries.

A row with an id from its old system matches the lead that keeps that id for that system;
a row without one matches a lead with the same name, company and email (ignoring the case
of ASCII letters; other letters must match as written, which both databases agree on).
The ids are looked up in slices of a few thousand per query, so 100,000 rows take a few
dozen statements, never one per row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from leaddesk.data_io.import_rows import PlannedLead, fold_ascii
from leaddesk.store.models import Lead

LOOKUP_SLICE = 5000


@dataclass(frozen=True)
class ExistingLead:
    id: int
    version: int
    name: str
    company: str
    email: str
    phone: str
    status_id: int
    owner_id: int | None
    office_id: int | None
    group_id: int | None
    matched_by: str  # "salesforce id 00Q…" or "name, company and email"


_COLUMNS = (
    Lead.id,
    Lead.version,
    Lead.name,
    Lead.company,
    Lead.email,
    Lead.phone,
    Lead.status_id,
    Lead.owner_id,
    Lead.bucket_office_id,
    Lead.bucket_group_id,
)


def find_existing(session: Session, planned: Sequence[PlannedLead]) -> dict[int, ExistingLead]:
    """Line number -> the lead already in LeadDesk that the row is."""
    found: dict[int, ExistingLead] = {}
    by_source: dict[str, dict[str, int]] = defaultdict(dict)
    by_key: dict[tuple[str, str, str], list[PlannedLead]] = defaultdict(list)
    for lead in planned:
        if lead.external_id:
            by_source[lead.external_source or ""][lead.external_id] = lead.line
        else:
            by_key[lead.natural_key].append(lead)
    for source, lines in by_source.items():
        ids = list(lines)
        for start in range(0, len(ids), LOOKUP_SLICE):
            rows = session.execute(
                select(*_COLUMNS, Lead.external_id).where(
                    Lead.external_source == source,
                    Lead.external_id.in_(ids[start : start + LOOKUP_SLICE]),
                )
            )
            for row in rows:
                found[lines[row[-1]]] = ExistingLead(*row[:-1], f"{source} id {row[-1]}")
    # lower() folds only ASCII on SQLite (and on a PostgreSQL with the C locale) but every
    # letter elsewhere, so both spellings are looked up and the comparison folds ASCII only.
    names = sorted({variant for key in by_key for variant in (key[0], key[0].lower())})
    for start in range(0, len(names), LOOKUP_SLICE):
        rows = session.execute(
            select(*_COLUMNS).where(func.lower(Lead.name).in_(names[start : start + LOOKUP_SLICE]))
        )
        for row in rows:
            key = (fold_ascii(row.name), fold_ascii(row.company), fold_ascii(row.email))
            for lead in by_key.get(key, ()):
                found.setdefault(lead.line, ExistingLead(*row, "name, company and email"))
    return found
