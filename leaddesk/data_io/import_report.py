"""The import report as text with headings, the same in the command line and the window.

How the file is read, the problems, where the new leads go and the result each come under
a heading of their own, so a long report can be scanned; the result comes last, where the
eye ends up.
"""

from __future__ import annotations

from leaddesk.data_io.lead_import import LeadImportReport
from leaddesk.data_io.user_import import UserImportReport


def import_report_lines(
    report: LeadImportReport | UserImportReport,
    *,
    max_problems: int,
    with_mapping: bool = True,
) -> list[str]:
    """The report, one line per item under its heading; at most ``max_problems`` problems.

    ``with_mapping`` adds how each column is read (the window shows that in its own tables
    and passes False).
    """
    kind = "users" if isinstance(report, UserImportReport) else "leads"
    lines = [f"Import of {kind} from {report.source_name}"]
    if report.total_rows:
        lines[0] += f" ({report.encoding}, {report.total_rows:,} row(s))"
    if isinstance(report, LeadImportReport):
        reading = report.mapping_lines() if with_mapping else report.outcome_lines()
        if report.column_counts:
            lines += ["", "How the file is read:", *(f"  {line}" for line in reading)]
    if report.problems:
        lines += ["", f"Problems ({len(report.problems):,}):"]
        lines += [f"  {problem}" for problem in report.problems[:max_problems]]
        hidden = len(report.problems) - max_problems
        if hidden > 0:
            lines.append(f"  ... and {hidden:,} more problem(s).")
    if isinstance(report, LeadImportReport):
        # Where valid rows go matters only when they are (or would be) written.
        if report.planned and (report.ok or report.written):
            lines += ["", "New leads by owner or bucket:"]
            lines += [f"  {count:>8,}  {place}" for place, count in report.per_place()]
    elif report.new_offices:
        lines += ["", "New offices:", f"  {', '.join(report.new_offices)}"]
    lines += ["", "Result:", f"  {report.summary()}"]
    return lines
