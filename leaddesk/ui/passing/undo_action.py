"""*Edit > Undo pass*, naming what it would undo ("Undo pass of 3 leads to Jane Doe").

The offer is read off the GUI thread through the window's runner after every change the
runner reports (a pass, an undo, an assignment), and by the same rules as the undo itself:
when nothing can be undone the action is disabled and its tooltip says why.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

from leaddesk.ui.common.context import WindowContext

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from leaddesk.reassignment.undo_rules import PassSummary

PLAIN_TEXT = "&Undo pass"
NOTHING_TO_UNDO = "You have no pass to undo."


class UndoPassAction(QAction):
    def __init__(self, context: WindowContext, parent: QWidget) -> None:
        super().__init__(PLAIN_TEXT, parent)
        self.context = context
        self.setObjectName("undoPassAction")
        self.setShortcut(QKeySequence(QKeySequence.StandardKey.Undo))
        self.offer: PassSummary | None = None
        # Unknown until the first read answers (the undo flow checks again for itself).
        self._show(PLAIN_TEXT, enabled=False, why="Looking for your last pass…")
        self._read_key = f"undoPassOffer/{id(self)}"
        context.runner.changed.connect(self.refresh)

    def refresh(self) -> None:
        """Read again what an undo would put back (off the GUI thread)."""
        from leaddesk.reassignment.undo_rules import undo_offer  # loads SQLAlchemy

        actor_id = self.context.actor_id

        def read(session: Session) -> PassSummary | None:
            return undo_offer(session, actor_id=actor_id)

        self.context.runner.query(
            read, self.show_offer, on_error=self._read_failed, key=self._read_key
        )

    def show_offer(self, offer: PassSummary | None) -> None:
        if not shiboken6.isValid(self):  # the window closed while the read was under way
            return
        self.offer = offer
        if offer is None:
            self._show(PLAIN_TEXT, enabled=False, why=NOTHING_TO_UNDO)
            return
        # A name with "&" in it must not turn into a keyboard mnemonic.
        text = "&Undo " + offer.description().replace("&", "&&")
        if offer.refusal is not None:
            self._show(text, enabled=False, why=offer.refusal)
        else:
            when = offer.when.strftime("%Y-%m-%d %H:%M")
            self._show(text, enabled=True, why=f"Undo pass {offer.batch_id} of {when} (UTC).")

    def _read_failed(self, message: str, _exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self.offer = None
        self._show(PLAIN_TEXT, enabled=False, why=message)

    def _show(self, text: str, *, enabled: bool, why: str) -> None:
        self.setText(text)
        self.setEnabled(enabled)
        self.setToolTip(why)
        self.setStatusTip(why)
