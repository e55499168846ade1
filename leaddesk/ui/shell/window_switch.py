"""Replacing the main window by another one on another database, in the same place.

Used when the person opens another database (``database_menu``) and when the window goes
offline or comes back (``offline_mode``).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from leaddesk.ui.main.main_window import MainWindow

# Windows opened by switching have no other Python owner; they leave this set when closed.
_SWITCHED_WINDOWS: set[QWidget] = set()


def replace_window(old: MainWindow, new: MainWindow) -> MainWindow:
    """Show ``new`` where ``old`` was, then close ``old`` (which disposes its database)."""
    new.setProperty("ownsDatabase", True)
    new.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    _SWITCHED_WINDOWS.add(new)
    new.destroyed.connect(lambda *_: _SWITCHED_WINDOWS.discard(new))
    new.resize(old.size())
    new.show()
    old.close()
    return new
