"""``leaddesk import leads|users FILE`` and ``leaddesk export leads|history FILE``.

Imports are for administrators; a file with problems prints each one with its line number
and writes nothing (exit 1), unless ``--skip-invalid`` writes the valid rows. Exports are
for anyone signed in and contain what they may see.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from leaddesk.cli.common import actor_of, common_options, opened, print_json
from leaddesk.data_io.crm_profiles import SOURCE_CHOICES, parse_pairs
from leaddesk.data_io.csv_text import refuse_unreadable
from leaddesk.data_io.export import export_history, export_leads, parse_since
from leaddesk.data_io.import_report import import_report_lines
from leaddesk.data_io.lead_import import ImportOptions, LeadImportReport, OnDuplicate, import_leads
from leaddesk.data_io.user_import import UserImportReport, import_users
from leaddesk.errors import InvalidInputError
from leaddesk.store.lookup import find_status, find_user

# More than this many problems are summarised; nobody reads 50,000 lines of errors.
MAX_PRINTED_PROBLEMS = 200


def register(subparsers: argparse._SubParsersAction) -> None:
    acting = common_options(actor=True, json_output=True)

    importing = subparsers.add_parser("import", help="import leads or users from a CSV file")
    import_sub = importing.add_subparsers(dest="import_command", metavar="WHAT", required=True)
    for what, handler, help_text in (
        ("leads", run_import_leads, "leads (admins only)"),
        ("users", run_import_users, "users, offices and manager rights (admins only)"),
    ):
        parser = import_sub.add_parser(what, parents=[acting], help=help_text)
        parser.add_argument("file", metavar="FILE.csv")
        parser.add_argument("--dry-run", action="store_true", help="validate only; write nothing")
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="write the valid rows and report the others (default: all or nothing)",
        )
        parser.set_defaults(handler=handler)
        if what == "leads":
            _add_lead_import_options(parser)

    exporting = subparsers.add_parser("export", help="export leads or pass history to CSV")
    export_sub = exporting.add_subparsers(dest="export_command", metavar="WHAT", required=True)
    leads = export_sub.add_parser("leads", parents=[acting], help="the leads you can see")
    leads.add_argument("file", metavar="FILE.csv")
    leads.add_argument("--owner", metavar="NAME", help="only this owner's leads")
    leads.add_argument("--status", metavar="NAME", help="only leads in this status")
    leads.set_defaults(handler=run_export_leads)
    history = export_sub.add_parser("history", parents=[acting], help="the pass history")
    history.add_argument("file", metavar="FILE.csv")
    history.add_argument("--since", metavar="DATE", help="YYYY-MM-DD (UTC) or later passes only")
    history.set_defaults(handler=run_export_history)


def _add_lead_import_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--from",
        dest="source",
        choices=SOURCE_CHOICES,
        default="auto",
        help="the system the file comes from (default: recognise it from the header)",
    )
    parser.add_argument(
        "--map",
        action="append",
        metavar='"COLUMN=FIELD"',
        help="read a column as a LeadDesk field, or 'ignore' it (repeatable)",
    )
    parser.add_argument(
        "--map-status",
        action="append",
        metavar='"VALUE=STATUS"',
        help="read a status value of the file as a LeadDesk status (repeatable)",
    )
    parser.add_argument(
        "--map-owner",
        action="append",
        metavar='"VALUE=USER"',
        help="read an owner value of the file as a user's name or email (repeatable)",
    )
    parser.add_argument(
        "--create-statuses",
        action="store_true",
        help="add status values LeadDesk does not know as new statuses",
    )
    parser.add_argument(
        "--owner-fallback-office",
        metavar="NAME",
        help="put leads whose owner is unknown or inactive into this office's bucket",
    )
    parser.add_argument(
        "--on-duplicate",
        choices=[choice.value for choice in OnDuplicate],
        default=OnDuplicate.ERROR.value,
        help="rows already in LeadDesk: list them and stop (error), skip them, or update them",
    )
    parser.add_argument(
        "--update-owner",
        action="store_true",
        help="with --on-duplicate update, also give those leads the file's owner",
    )


def _lead_import_options(args: argparse.Namespace) -> ImportOptions:
    if args.update_owner and args.on_duplicate != OnDuplicate.UPDATE.value:
        raise InvalidInputError("--update-owner only works with --on-duplicate update.")
    return ImportOptions(
        source=args.source,
        column_map=parse_pairs(args.map, "--map"),
        status_map=parse_pairs(args.map_status, "--map-status"),
        owner_map=parse_pairs(args.map_owner, "--map-owner"),
        create_statuses=args.create_statuses,
        owner_fallback_office=args.owner_fallback_office,
        on_duplicate=OnDuplicate(args.on_duplicate),
        update_owner=args.update_owner,
    )


def _read(path: str) -> Path:
    """The file to import, read later as a stream; a file that cannot be CSV is one line."""
    file = Path(path)
    if not file.is_file():
        raise InvalidInputError(f"There is no file {path}.")
    refuse_unreadable(file)
    return file


def _finish(args: argparse.Namespace, report: LeadImportReport | UserImportReport) -> int:
    written = bool(report.imported) or bool(getattr(report, "updated", 0))
    if args.json:
        print_json(
            {
                "ok": report.ok,
                "dry_run": report.dry_run,
                "encoding": report.encoding,
                "rows": report.total_rows,
                "imported": report.imported,
                "problems": [{"line": p.line, "message": p.message} for p in report.problems],
                "summary": report.summary(),
                **_lead_json(report),
            }
        )
    # Problems fail the command unless --skip-invalid wrote the valid rows anyway.
    code = 0 if report.ok or (written and args.skip_invalid) else 1
    if not args.json:
        # One report, on stderr when the command failed, so it reads as one answer.
        lines = import_report_lines(report, max_problems=MAX_PRINTED_PROBLEMS)
        print("\n".join(lines), file=sys.stdout if code == 0 else sys.stderr)
    return code


def _lead_json(report: LeadImportReport | UserImportReport) -> dict[str, object]:
    if not isinstance(report, LeadImportReport):
        return {}
    return {
        "source": report.profile.key,
        "mapping": report.mapping,
        "updated": report.updated,
        "skipped": report.skipped,
        "already_in_leaddesk": [
            {"line": planned.line, "lead_id": lead.id} for planned, lead in report.matches
        ],
        "batch": report.batch_id,
    }


def run_import_leads(args: argparse.Namespace) -> int:
    options = _lead_import_options(args)
    data = _read(args.file)
    with opened(args) as database, database.write() as session:
        actor = actor_of(session, args)
        report = import_leads(
            session,
            actor_id=actor.id,
            data=data,
            source_name=Path(args.file).name,
            options=options,
            dry_run=args.dry_run,
            skip_invalid=args.skip_invalid,
        )
    return _finish(args, report)


def run_import_users(args: argparse.Namespace) -> int:
    data = _read(args.file)
    with opened(args) as database, database.write() as session:
        actor = actor_of(session, args)
        report = import_users(
            session,
            actor_id=actor.id,
            data=data,
            source_name=Path(args.file).name,
            dry_run=args.dry_run,
            skip_invalid=args.skip_invalid,
        )
    return _finish(args, report)


def run_export_leads(args: argparse.Namespace) -> int:
    with opened(args) as database, database.read() as session:
        actor = actor_of(session, args)
        owner_id = find_user(session, args.owner).id if args.owner else None
        status_id = find_status(session, args.status).id if args.status else None
        count = export_leads(
            session, actor_id=actor.id, path=args.file, owner_id=owner_id, status_id=status_id
        )
    _exported(args, count, "lead")
    return 0


def run_export_history(args: argparse.Namespace) -> int:
    since = parse_since(args.since) if args.since else None
    with opened(args) as database, database.read() as session:
        actor = actor_of(session, args)
        count = export_history(session, actor_id=actor.id, path=args.file, since=since)
    _exported(args, count, "history row")
    return 0


def _exported(args: argparse.Namespace, count: int, noun: str) -> None:
    if args.json:
        print_json({"file": str(args.file), "rows": count})
    else:
        print(f"Exported {count:,} {noun}(s) to {args.file} (UTF-8 CSV for Excel / LibreOffice).")
