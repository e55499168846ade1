"""Importing leads from CSV: LeadDesk's own files and other CRMs' exports as they are.

The file is read, its source recognised (:mod:`leaddesk.data_io.crm_profiles`), its columns
mapped to LeadDesk fields (``--map`` changes that), and every row validated before anything
is written. A row is matched to a lead already in LeadDesk by its identity: the id in the
old system with that system's name, kept on the lead (``external_source``, ``external_id``);
for a LeadDesk export its ``id`` column (source ``leaddesk``); and for a file without any id
column the natural key, name + company + email ignoring case. What happens to a match is
``on_duplicate``: ``error`` (default; the matching lines are listed and nothing is written),
``skip``, or ``update`` (see :mod:`leaddesk.data_io.import_writer`).

Imported leads are recorded like a pass: one batch (method ``import``), a history row per
lead (from nowhere to its owner or bucket) and one notification per recipient.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy.orm import Session

from leaddesk.admin.audit import require_admin
from leaddesk.data_io.crm_profiles import (
    FIELD_LABELS,
    PROFILES,
    Detection,
    Profile,
    apply_overrides,
    detect_profile,
    profile_mapping,
)
from leaddesk.data_io.csv_text import CsvSource, Problem, read_table
from leaddesk.data_io.import_matching import ExistingLead, find_existing
from leaddesk.data_io.import_rows import (
    OwnerCounts,
    PlannedLead,
    RowResolver,
    StatusUse,
    plan_row,
    status_summary,
)
from leaddesk.errors import InvalidInputError

# The LeadDesk fields of the plain import dialog (kept for its column chooser).
LEAD_FIELDS = ("name", "company", "email", "phone", "status", "owner", "office", "pass_group")
PLACE_FIELDS = ("owner", "office", "pass_group")
NAME_FIELDS = ("name", "first_name", "last_name", "company")


class OnDuplicate(StrEnum):
    ERROR = "error"
    SKIP = "skip"
    UPDATE = "update"


@dataclass(frozen=True)
class ImportOptions:
    """How to read a file: its source, the mappings, and what to do with known leads."""

    source: str = "auto"
    column_map: Mapping[str, str] = field(default_factory=dict)  # file column -> field
    status_map: Mapping[str, str] = field(default_factory=dict)  # file value -> status
    owner_map: Mapping[str, str] = field(default_factory=dict)  # file value -> user
    create_statuses: bool = False
    owner_fallback_office: str | None = None
    on_duplicate: OnDuplicate = OnDuplicate.ERROR
    update_owner: bool = False
    # A complete field -> header mapping (the dialog's); replaces the profile's guess.
    mapping: Mapping[str, str] | None = None


@dataclass
class LeadImportReport:
    source_name: str
    encoding: str = ""
    profile: Profile = PROFILES["leaddesk"]
    detected: str = ""  # the "Recognised a ... export" sentence, when auto-detected
    mapping: dict[str, str] = field(default_factory=dict)  # field -> header
    column_counts: dict[str, int] = field(default_factory=dict)  # header -> filled cells
    total_rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    planned: list[PlannedLead] = field(default_factory=list)  # new leads to write
    ignored_columns: list[str] = field(default_factory=list)
    owners: OwnerCounts = field(default_factory=OwnerCounts)
    fallback_label: str = ""
    status_uses: dict[str, StatusUse] = field(default_factory=dict)
    new_statuses: list[str] = field(default_factory=list)
    on_duplicate: OnDuplicate = OnDuplicate.ERROR
    matches: list[tuple[PlannedLead, ExistingLead]] = field(default_factory=list)
    dry_run: bool = False
    imported: int = 0
    updated: int = 0
    owners_changed: int = 0
    batch_id: int | None = None
    notifications: int = 0
    # Of the imported leads, how many a bucket with automatic assignment gave an owner.
    auto_assigned: int = 0

    @property
    def valid_rows(self) -> int:
        return len(self.planned) + len(self.matches)

    @property
    def skipped(self) -> int:
        return len(self.matches) if self.on_duplicate is OnDuplicate.SKIP else 0

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def written(self) -> bool:
        return bool(self.imported or self.updated)

    def per_place(self) -> list[tuple[str, int]]:
        return sorted(Counter(lead.place for lead in self.planned).items())

    def mapping_lines(self) -> list[str]:
        """The mapping in use, column by column and status value by value, with counts."""
        lines = [self.detected or f"Reading it as a {self.profile.label} export."]
        lines.append("Columns:")
        width = max((len(h) for h in self.column_counts), default=0)
        fields_of = {header: name for name, header in self.mapping.items()}
        for header, filled in self.column_counts.items():
            target = fields_of.get(header)
            shown = f"-> {target} ({FIELD_LABELS[target]})" if target else "(ignored)"
            lines.append(f"  {header:<{width}}  {shown}, {filled:,} value(s)")
        return lines + self.outcome_lines()

    def outcome_lines(self) -> list[str]:
        """Status values with counts, how owners were found, and rows already in LeadDesk."""
        lines = []
        if self.status_uses:
            lines.append("Status values:")
            for value, count, becomes in status_summary(self.status_uses):
                lines.append(f"  {value or '(empty)'}: {count:,} row(s) -> {becomes}")
        lines.append(self.owners.sentence(self.fallback_label))
        if self.matches:
            verb = {"error": "refused", "skip": "skipped", "update": "updated"}[self.on_duplicate]
            lines.append(
                f"Already in LeadDesk: {len(self.matches):,} row(s), {verb} "
                f"(--on-duplicate {self.on_duplicate.value})."
            )
        return lines

    def summary(self) -> str:
        if self.dry_run:
            would = (
                f"would import {len(self.planned):,}{self._duplicate_tail()}"
                if self.matches
                else "would import them"
            )
            verdict = (
                f"all {self.total_rows:,} row(s) valid, {would}"
                if self.ok
                else f"{self.valid_rows:,} of {self.total_rows:,} row(s) valid, "
                f"{len(self.problems)} problem(s)"
            )
            return (
                f"Dry run of {self.source_name} ({self.encoding}): {verdict}; nothing was written."
            )
        if self.written:
            skipped = f"; {len(self.problems)} problem(s) skipped" if self.problems else ""
            return (
                f"Imported {self.imported:,} lead(s) from {self.source_name}"
                + self._duplicate_tail(done=True)
                + f" (batch {self.batch_id}, {self.notifications} notification(s) queued{skipped})."
            )
        if self.ok and self.matches:
            return (
                f"Nothing to import from {self.source_name}: all {len(self.matches):,} row(s) "
                "are already in LeadDesk (skipped)."
            )
        return f"{len(self.problems)} problem(s) in {self.source_name}; nothing was imported."

    def _duplicate_tail(self, *, done: bool = False) -> str:
        if not self.matches:
            return ""
        if self.on_duplicate is OnDuplicate.SKIP:
            return f", skipped {len(self.matches):,} already in LeadDesk"
        count = self.updated if done else len(self.matches)
        verb = "updated" if done else "would update"
        moved = (
            f" ({self.owners_changed:,} to another owner)" if done and self.owners_changed else ""
        )
        return f", {verb} {count:,} already in LeadDesk{moved}"


def column_mapping(headers: list[str]) -> dict[str, str]:
    """The automatic LeadDesk-format mapping from field to the file's header (as written)."""
    return profile_mapping(PROFILES["leaddesk"], headers)


def import_leads(
    session: Session,
    *,
    actor_id: int,
    data: CsvSource,
    source_name: str = "the file",
    mapping: Mapping[str, str] | None = None,
    options: ImportOptions | None = None,
    dry_run: bool = False,
    skip_invalid: bool = False,
) -> LeadImportReport:
    """Validate ``data`` completely; write only if it is all valid (or ``skip_invalid``).

    Admins only. Problems in the file are in the report; a bad option (an unknown source,
    column or fallback office) raises :class:`InvalidInputError` before anything is read.
    """
    from leaddesk.data_io.import_writer import write_import

    actor = require_admin(session, actor_id)
    options = options or ImportOptions()
    if mapping is not None:
        options = ImportOptions(**{**options.__dict__, "mapping": mapping})
    report = plan_import(session, data, source_name=source_name, options=options)
    report.dry_run = dry_run
    if dry_run or not (report.planned or report.matches):
        return report
    if report.problems and not skip_invalid:
        return report
    if not report.planned and options.on_duplicate is not OnDuplicate.UPDATE:
        return report
    write_import(session, actor, report, options)
    return report


def plan_import(
    session: Session,
    data: CsvSource,
    *,
    source_name: str = "the file",
    options: ImportOptions | None = None,
) -> LeadImportReport:
    """Read, map and validate, and find the rows already in LeadDesk; writes nothing."""
    options = options or ImportOptions()
    table = read_table(data)
    report = LeadImportReport(
        source_name=source_name, encoding=table.encoding, on_duplicate=options.on_duplicate
    )
    report.problems.extend(table.problems)
    report.total_rows = len(table.rows)
    if not table.headers:
        return report
    repeated = sorted(h for h, n in Counter(table.headers).items() if h and n > 1)
    if repeated:
        report.problems.append(Problem(1, f"column(s) {', '.join(repeated)} appear twice."))
        return report
    report.profile, detection = _choose_profile(table.headers, options)
    report.detected = detection.sentence() if detection else ""
    report.mapping = _mapping_for(report.profile, table.headers, options)
    if not _has_required_columns(table.headers, report, options):
        return report
    resolver = RowResolver.load(
        session,
        report.profile,
        status_map=options.status_map,
        owner_map=options.owner_map,
        create_statuses=options.create_statuses,
        fallback_office=options.owner_fallback_office,
    )
    _plan_rows(table.headers, table.rows, resolver, report)
    report.owners = resolver.owners
    report.fallback_label = resolver.fallback_label
    report.status_uses = resolver.status_uses
    report.new_statuses = resolver.new_statuses
    _match_existing(session, report)
    report.problems.sort(key=lambda problem: problem.line)
    return report


def _choose_profile(headers: list[str], options: ImportOptions) -> tuple[Profile, Detection | None]:
    source = options.source.strip().lower()
    if source != "auto":
        if source not in PROFILES:
            raise InvalidInputError(
                f"--from {options.source}: LeadDesk knows {', '.join(PROFILES)} (or auto)."
            )
        return PROFILES[source], None
    try:
        detection = detect_profile(headers)
    except InvalidInputError:
        if options.mapping is not None or options.column_map:
            return PROFILES["leaddesk"], None  # the person said what every column is
        raise
    return detection.profile, detection


def _mapping_for(profile: Profile, headers: list[str], options: ImportOptions) -> dict[str, str]:
    if options.mapping is not None:
        unknown = sorted(h for h in options.mapping.values() if h not in headers)
        if unknown:
            raise InvalidInputError(f"The file has no column(s) {', '.join(unknown)}.")
        return dict(options.mapping)
    return apply_overrides(profile_mapping(profile, headers), headers, options.column_map)


def _has_required_columns(
    headers: list[str], report: LeadImportReport, options: ImportOptions
) -> bool:
    mapped = report.mapping
    missing = []
    if not any(f in mapped for f in NAME_FIELDS):
        missing.append("name (or first_name / last_name)")
    if "status" not in mapped:
        missing.append("status")
    if not any(f in mapped for f in PLACE_FIELDS) and options.owner_fallback_office is None:
        missing.append("owner (or office / pass_group)")
    if missing:
        report.problems.append(
            Problem(
                1,
                f"missing required column(s): {', '.join(missing)}. "
                f"The header has: {', '.join(h for h in headers if h) or 'nothing'}. "
                'Map a column with --map "Column=field".',
            )
        )
        return False
    used = set(mapped.values())
    report.ignored_columns = [h for h in headers if h and h not in used]
    return True


def _plan_rows(
    headers: list[str],
    rows: list[tuple[int, list[str]]],
    resolver: RowResolver,
    report: LeadImportReport,
) -> None:
    width = len(headers)
    columns = [(name, headers.index(header)) for name, header in report.mapping.items()]
    filled = [0] * width
    seen_keys: dict[tuple[str, ...], int] = {}
    for line, cells in rows:
        if len(cells) > width and any(cell.strip() for cell in cells[width:]):
            report.problems.append(
                Problem(line, f"has {len(cells)} values but the header has {width} columns.")
            )
            continue
        if len(cells) < width:
            cells = cells + [""] * (width - len(cells))
        for index in range(width):
            if cells[index]:
                filled[index] += 1
        values = {name: cells[index].strip() for name, index in columns}
        planned, problems = plan_row(line, values, resolver)
        if planned is None:
            report.problems.extend(Problem(line, text + ".") for text in problems)
            continue
        key: tuple[str, ...] = (
            (planned.external_source or "", planned.external_id)
            if planned.external_id
            else planned.natural_key
        )
        if key in seen_keys:
            what = "same id" if planned.external_id else "same name, company and email"
            report.problems.append(Problem(line, f"duplicates line {seen_keys[key]} ({what})."))
            continue
        seen_keys[key] = line
        report.planned.append(planned)
    report.column_counts = {h: filled[i] for i, h in enumerate(headers) if h}


def _match_existing(session: Session, report: LeadImportReport) -> None:
    """Split the planned rows into new leads and rows already in LeadDesk."""
    if not report.planned:
        return
    existing = find_existing(session, report.planned)
    if not existing:
        return
    new: list[PlannedLead] = []
    for planned in report.planned:
        match = existing.get(planned.line)
        if match is None:
            new.append(planned)
            continue
        report.matches.append((planned, match))
        if report.on_duplicate is OnDuplicate.ERROR:
            report.problems.append(
                Problem(
                    planned.line,
                    f"is already in LeadDesk as lead {match.id} ({match.name}), matched by "
                    f"{match.matched_by}; use --on-duplicate skip or update.",
                )
            )
    report.planned = new
