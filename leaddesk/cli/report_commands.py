"""``leaddesk report passes|waiting|workload``: the Reports window's three reports as a
table, a CSV file (``--csv``) and a chart (``--png``, drawn by the window's own painter
offscreen; Qt is loaded only for that)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from leaddesk.cli.common import actor_of, common_options, opened, print_json, print_table
from leaddesk.data_io.csv_text import write_csv
from leaddesk.errors import InvalidInputError
from leaddesk.reports.catalogue import REPORTS, report_kind
from leaddesk.reports.common import default_since, parse_since

EPILOG = """\
passes    passes per manager per week (weeks start on Monday, UTC): passes, leads passed,
          how many were undone later; imports, undos and automatic
          assignments on arrival are not passes
waiting   per Leads to be Assigned bucket you watch: stays since the date (a lead's time
          from arriving until it left, or until now), still waiting, median and 90th
          percentile in hours
workload  open leads per user you manage, by status, now (--since does not apply)

examples:
  leaddesk report passes --as "Maria Manager" --since 2026-10-01
  leaddesk report waiting --as "Olivia Office" --csv waits.csv --png waits.png
  leaddesk report workload --as "Maria Manager" --png workload.png
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "report",
        parents=[common_options(actor=True, json_output=True, table=True)],
        help="passes per week, waiting times, workload: table, CSV or PNG",
        description="The reports of the Reports window, for what you may see.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("report", choices=[kind.name for kind in REPORTS], help="which report")
    parser.add_argument(
        "--since", metavar="DATE", help="YYYY-MM-DD (UTC); default: twelve weeks ago"
    )
    parser.add_argument("--csv", metavar="FILE", type=Path, help="write the table to a CSV file")
    parser.add_argument("--png", metavar="FILE", type=Path, help="save the chart as a PNG image")
    parser.set_defaults(handler=run_report)


def run_report(args: argparse.Namespace) -> int:
    since = parse_since(args.since) if args.since else default_since()
    if args.png is not None:
        _check_png_path(args.png)
    with opened(args) as database, database.read() as session:
        actor = actor_of(session, args)
        kind = report_kind(args.report)
        shown = kind.read(session, actor.id, since)
    table = shown.table
    if args.csv is not None:
        write_csv(args.csv, table.headers, table.rows)
    if args.png is not None:
        # Lazily: only a chart needs Qt (its offscreen painter); the tables never do.
        from leaddesk.ui.reports.chart_image import save_chart_png

        save_chart_png(shown.chart, args.png)
    if args.since and not kind.uses_since:
        print("leaddesk: note: workload counts open leads now; --since does not apply.",
              file=sys.stderr)  # fmt: skip
    if args.json:
        print_json([dict(zip(table.headers, row, strict=True)) for row in table.rows])
        return 0
    print(table.title + (f", since {since:%Y-%m-%d}" if kind.uses_since else ""))
    if table.rows:
        print_table(table.headers, table.rows, wide=args.wide)
    else:
        print(shown.chart.empty_text)
    if args.csv is not None:
        print(f"Wrote {len(table.rows):,} rows to {args.csv}.")
    if args.png is not None:
        print(f"Saved the chart to {args.png}.")
    return 0


def _check_png_path(path: Path) -> None:
    """Refused before anything is read: a PNG that cannot be written is one sentence."""
    if path.suffix.lower() != ".png":
        raise InvalidInputError(f"--png {path}: the file name must end in .png.")
    if not path.parent.is_dir():
        raise InvalidInputError(f"Cannot save to {path}: the folder {path.parent} does not exist.")
    if path.is_dir():
        raise InvalidInputError(f"Cannot save to {path}: it is a folder; add a file name.")
