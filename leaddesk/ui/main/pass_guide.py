"""The lower part of the *Pass to* pane: a short how-to, built from the window's own actions
so the shortcuts it names are the ones that work.

It is one replaceable widget (``MainWindow.set_pass_pane_lower``): a workload chart is meant
to take its place.
"""

from __future__ import annotations

import html
import re

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget


def _keys(action: QAction) -> str:
    text = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    return f" ({text})" if text else ""


def _menu_name(action: QAction) -> str:
    return action.text().replace("&&", "\0").replace("&", "").replace("\0", "&")


class PassGuide(QFrame):
    def __init__(
        self,
        *,
        pass_to: QAction,
        cut: QAction,
        paste: QAction,
        undo: QAction,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("passGuide")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName("How to pass leads")
        steps = [
            "<b>Drag</b> a lead, a status or a whole user from Lead Management (or a lead "
            "from Leads to be Assigned) onto a user, office or pass group above.",
            "Confirm, then add a note for the new owner, or pass without one.",
            f"<b>Without a mouse:</b> select it, then Edit &gt; {_menu_name(pass_to)}"
            f"{_keys(pass_to)}; or Edit &gt; {_menu_name(cut)}{_keys(cut)}, choose a target "
            f"here and Edit &gt; {_menu_name(paste)}{_keys(paste)}.",
            f"<b>Changed your mind?</b> Edit &gt; Undo pass{_keys(undo)} puts your last "
            "pass back while its leads are unchanged.",
        ]
        title = QLabel("How to pass leads", self)
        title.setObjectName("passGuideTitle")
        font = title.font()
        font.setBold(True)
        title.setFont(font)
        self.body = QLabel(
            "<ol style='margin-left:-20px'>"
            + "".join(f"<li style='margin-bottom:4px'>{step}</li>" for step in steps)
            + "</ol>",
            self,
        )
        self.body.setObjectName("passGuideSteps")
        self.body.setWordWrap(True)
        self.body.setAccessibleName("How to pass leads, step by step")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(4)
        layout.addWidget(title)
        layout.addWidget(self.body)
        layout.addStretch(1)

    def plain_text(self) -> str:
        """The steps as plain text (for tests and screen readers)."""
        return html.unescape(re.sub(r"<[^>]+>", "", self.body.text().replace("</li>", "\n")))
