"""The lead window's Notes & History tree: each pass with its note under it, and notes."""

from __future__ import annotations

import textwrap

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem

from leaddesk.store.lead_details import TimelineEntry
from leaddesk.ui.common.time_format import local_time

HISTORY_COLUMNS = ["When", "Who", "What", "From", "To", "Batch"]
NOTE_WRAP = 110  # characters per line of a note shown under its pass


def show_placeholder(tree: QTreeWidget, text: str) -> None:
    """One line that is not an entry: "Loading…", "No passes or notes yet."."""
    tree.clear()
    placeholder = QTreeWidgetItem(["", "", text])
    placeholder.setFlags(Qt.ItemFlag.NoItemFlags)
    tree.addTopLevelItem(placeholder)


def show_timeline(tree: QTreeWidget, timeline: list[TimelineEntry]) -> None:
    """Every pass (its note on a full-width line under it) and note, newest first."""
    if not timeline:
        show_placeholder(tree, "No passes or notes yet.")
        return
    tree.clear()
    note_font = QFont(tree.font())
    note_font.setItalic(True)
    for entry in timeline:
        what = entry.method if entry.kind == "pass" else "Note"
        if entry.undone_by is not None:
            what += f" (undone by batch {entry.undone_by})"
        item = QTreeWidgetItem(
            [
                local_time(entry.when),
                entry.who,
                what,
                entry.from_place,
                entry.to_place,
                "" if entry.batch_id is None else str(entry.batch_id),
            ]
        )
        item.setTextAlignment(
            HISTORY_COLUMNS.index("Batch"),
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
        )
        tree.addTopLevelItem(item)
        if entry.note:
            note = QTreeWidgetItem(item, [_wrapped(entry.note)])
            note.setFont(0, note_font)
            note.setToolTip(0, entry.note)
            note.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
            note.setFirstColumnSpanned(True)
        elif entry.kind == "pass":
            item.setToolTip(0, "Passed without a note.")
    tree.expandAll()


def _wrapped(note: str) -> str:
    """A note broken into lines that fit the window; the view does not wrap spanned rows."""
    lines = []
    for paragraph in note.splitlines() or [""]:
        lines.extend(textwrap.wrap(paragraph, NOTE_WRAP) or [""])
    return "\n".join("    " + line for line in lines)
