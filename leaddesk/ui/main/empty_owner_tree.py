"""What the Lead Management tab shows instead of an empty tree: why it is empty (no manager
right over anyone) and whom to ask, naming the administrators."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

HEADLINE = "No leads to manage yet"


class EmptyOwnerTree(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ownerTreeEmptyState")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setMargin(24)
        self.setAccessibleName(HEADLINE)
        self.advice = ""

    def show_advice(self, advice: str) -> None:
        """``advice`` is plain text (it holds people's names); it is escaped here."""
        self.advice = advice
        self.setAccessibleDescription(advice)
        self.setText(
            f"<p style='font-size:large; font-weight:600'>{HEADLINE}</p>"
            f"<p>{html.escape(advice)}</p>"
        )
