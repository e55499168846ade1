"""Answering the window's modal dialogs from a test, and finding its windows by object name.

Production code opens its dialogs for real (``exec()`` or ``open()``); a test arms an answer
*before* the action that opens the dialog, because ``exec()`` blocks until it is answered::

    confirm = answer_next_dialog(qtbot, "confirmPassDialog", accept=True)
    note = answer_next_dialog(qtbot, "passNoteDialog", accept=True, note="John left")
    done = answer_next_dialog(qtbot, "passDoneDialog")
    ...drop...
    done.wait()
    assert "3 leads" in confirm.text

The answer polls for a *visible* top-level widget with that object name (so it works for a
modal ``exec()``, a window-modal ``open()`` and a plain ``show()``), optionally types a note
into its ``noteEdit``, then accepts or rejects it once. For a QMessageBox it clicks the
matching button (Yes/OK for accept, No/Cancel for reject), as a person would.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

POLL_MS = 15
# Armed answers stay alive until they answer or time out, even if the caller drops them
# (a garbage-collected timer would leave a modal dialog waiting forever).
_KEEP: dict[int, object] = {}

_ACCEPT_ROLES = (
    QMessageBox.ButtonRole.YesRole,
    QMessageBox.ButtonRole.AcceptRole,
    QMessageBox.ButtonRole.ApplyRole,
)
_REJECT_ROLES = (QMessageBox.ButtonRole.NoRole, QMessageBox.ButtonRole.RejectRole)


def find_visible_window(object_name: str) -> QWidget | None:
    """The visible top-level widget (window or dialog) with this object name, if any."""
    for widget in QApplication.topLevelWidgets():
        if widget.objectName() == object_name and widget.isVisible():
            return widget
    return None


def wait_for_window(qtbot, object_name: str, timeout: int = 10_000) -> QWidget:
    """Wait until a window with this object name is visible and return it."""
    found: list[QWidget] = []

    def visible() -> bool:
        widget = find_visible_window(object_name)
        if widget is not None:
            found.append(widget)
            return True
        return False

    qtbot.waitUntil(visible, timeout=timeout)
    return found[-1]


def dialog_text(widget: QWidget) -> str:
    """What the dialog says: a message box's text and details, or a dialog's labels."""
    if isinstance(widget, QMessageBox):
        parts = [widget.windowTitle(), widget.text(), widget.informativeText()]
    else:
        parts = [widget.windowTitle()] + [label.text() for label in widget.findChildren(QLabel)]
    return "\n".join(part for part in parts if part)


@dataclass
class DialogAnswer:
    """An armed answer to the next visible dialog called ``object_name``."""

    qtbot: object
    object_name: str
    accept: bool = True
    note: str | None = None
    timeout_ms: int = 20_000
    # Instead of accepting or rejecting: do this with the dialog (it must close it).
    action: Callable[[QWidget], object] | None = None
    answered: bool = False
    text: str = ""  # what the dialog said when it was answered
    _timer: QTimer = field(default_factory=QTimer)
    _deadline: float = 0.0

    def start(self) -> DialogAnswer:
        self._deadline = time.monotonic() + self.timeout_ms / 1000
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)
        self._timer.start()
        _KEEP[id(self)] = self
        return self

    def cancel(self) -> None:
        self._timer.stop()
        _KEEP.pop(id(self), None)

    def wait(self, timeout: int | None = None) -> DialogAnswer:
        """Block (processing events) until the dialog was seen and answered."""
        self.qtbot.waitUntil(lambda: self.answered, timeout=timeout or self.timeout_ms)
        return self

    def _poll(self) -> None:
        if time.monotonic() > self._deadline:
            self.cancel()
            return
        widget = find_visible_window(self.object_name)
        if widget is None:
            return
        self.cancel()
        self.text = dialog_text(widget)
        if self.note is not None:
            edit = widget.findChild(QWidget, "noteEdit")
            assert isinstance(edit, QTextEdit | QPlainTextEdit), "dialog has no noteEdit"
            edit.setPlainText(self.note)
        if self.action is not None:
            self.action(widget)
        else:
            _answer(widget, self.accept)
        self.answered = True


def _answer(widget: QWidget, accept: bool) -> None:
    if isinstance(widget, QMessageBox):
        roles = _ACCEPT_ROLES if accept else _REJECT_ROLES
        for button in widget.buttons():
            if widget.buttonRole(button) in roles:
                button.click()
                return
        # A box with a single OK button "rejects" by closing, as Escape would.
    if isinstance(widget, QDialog):
        if accept:
            widget.accept()
        else:
            widget.reject()
        return
    widget.close()


def answer_next_dialog(
    qtbot, object_name: str, accept: bool = True, note: str | None = None, timeout: int = 20_000
) -> DialogAnswer:
    """Arm an answer for the next visible dialog with this object name (see module doc)."""
    return DialogAnswer(
        qtbot=qtbot, object_name=object_name, accept=accept, note=note, timeout_ms=timeout
    ).start()


def on_next_dialog(
    qtbot, object_name: str, action: Callable[[QWidget], object], timeout: int = 20_000
) -> DialogAnswer:
    """Run ``action(dialog)`` when the next visible dialog with this name appears; the action
    answers it (for example, picks a row and calls ``accept()``)."""
    return DialogAnswer(
        qtbot=qtbot, object_name=object_name, action=action, timeout_ms=timeout
    ).start()


def cancel_all_answers() -> None:
    """Disarm every answer still waiting (a test's leftovers must not answer the next one's
    dialogs); the UI conftest calls this after each test."""
    for answer in list(_KEEP.values()):
        answer.cancel()  # type: ignore[attr-defined]
