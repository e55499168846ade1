"""Where LeadDesk keeps things on this computer besides the database, told without Qt.

The window remembers its state with Qt's QSettings for organisation and application
"LeadDesk" (``ui/common/settings.py``); this says where Qt puts that on each system, so the
command line can tell people without loading Qt. ``tests/test_db_info.py`` checks it
against Qt itself on this machine.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

# ui/common/settings.py builds its QSettings from these.
SETTINGS_FILE_ENV = "LEADDESK_SETTINGS_FILE"
QT_ORGANISATION = QT_APPLICATION = "LeadDesk"


def window_settings_location(platform: str = sys.platform) -> str:
    """The file (or, on Windows, the registry key) holding the window's remembered state."""
    override = os.environ.get(SETTINGS_FILE_ENV)
    if override:
        return override
    if platform == "win32":
        return rf"HKEY_CURRENT_USER\Software\{QT_ORGANISATION}\{QT_APPLICATION} (registry)"
    if platform == "darwin":
        # Without an organisation domain Qt makes one up: com.<organisation in lower case>.
        plist = f"com.{QT_ORGANISATION.lower()}.{QT_APPLICATION}.plist"
        return str(Path.home() / "Library" / "Preferences" / plist)
    config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return str(Path(config) / QT_ORGANISATION / f"{QT_APPLICATION}.conf")
