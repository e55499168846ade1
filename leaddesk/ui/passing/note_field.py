"""A multi-line note with a live character counter against the 4,000-character limit."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QTextEdit, QVBoxLayout, QWidget

from leaddesk.store.models import NOTE_MAX_LENGTH


class NoteField(QWidget):
    """``noteEdit`` plus a counter; ``validity_changed`` tells the dialog to block Pass/OK.

    The limit is enforced by the controller; the counter only warns early so nobody types
    4,001 characters and loses them to a refusal.
    """

    validity_changed = Signal(bool)

    def __init__(self, explanation: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = QTextEdit(self)
        self.edit.setObjectName("noteEdit")
        self.edit.setAcceptRichText(False)
        self.edit.setTabChangesFocus(True)
        self.edit.setAccessibleName("Note")
        self.edit.setAccessibleDescription(explanation)
        # Above the edit, wrapped, rather than as a placeholder: a long placeholder is cut
        # at the edit's width and vanishes at the first key.
        self.explanation = QLabel(explanation, self)
        self.explanation.setObjectName("noteExplanation")
        self.explanation.setWordWrap(True)
        # A form label's buddy (the "&Note:" mnemonic) focuses the edit, not this container.
        self.setFocusProxy(self.edit)
        self.counter = QLabel(self)
        self.counter.setObjectName("noteCounter")
        self.counter.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.explanation)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.counter)
        self._valid = True
        self.edit.textChanged.connect(self._update_counter)
        self._update_counter()

    def text(self) -> str:
        return self.edit.toPlainText()

    def clear(self) -> None:
        self.edit.clear()

    def is_valid(self) -> bool:
        return self._valid

    def _update_counter(self) -> None:
        length = len(self.text().strip())
        valid = length <= NOTE_MAX_LENGTH
        self.counter.setText(f"{length:,} / {NOTE_MAX_LENGTH:,} characters")
        self.counter.setStyleSheet("" if valid else "color: #c62828; font-weight: 600;")
        if valid != self._valid:
            self._valid = valid
            self.validity_changed.emit(valid)
