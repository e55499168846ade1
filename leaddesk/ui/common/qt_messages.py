"""Qt's own console messages: the harmless notices of offscreen rendering are dropped.

Rendering a picture (``--screenshot``, ``docs/screenshots.py``) runs on Qt's offscreen
platform, which prints "This plugin does not support propagateSizeHints()" for every window
shown. It says nothing about LeadDesk and must not look like an error; every other message
still reaches stderr.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler

HARMLESS_OFFSCREEN_NOTICES = ("This plugin does not support propagateSizeHints()",)


def quiet_offscreen_notices() -> None:
    """Install the filter (call before the first window is shown); other messages go on
    to the handler that was there before, or to stderr."""
    previous: Callable[[QtMsgType, QMessageLogContext, str], None] | None = None

    def handler(mode: QtMsgType, context: QMessageLogContext, message: str) -> None:
        if any(notice in message for notice in HARMLESS_OFFSCREEN_NOTICES):
            return
        if previous is not None:
            previous(mode, context, message)
        else:
            print(message, file=sys.stderr)

    previous = qInstallMessageHandler(handler)
