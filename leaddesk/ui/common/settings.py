"""Where the window remembers things: the signed-in user, geometry, splitter, columns."""

from __future__ import annotations

import os

from PySide6.QtCore import QSettings

ORGANISATION = "LeadDesk"
APPLICATION = "LeadDesk"
# Tests (and portable installs) point this at a file; Qt caches its default location.
SETTINGS_FILE_ENV = "LEADDESK_SETTINGS_FILE"


def app_settings() -> QSettings:
    path = os.environ.get(SETTINGS_FILE_ENV)
    if path:
        return QSettings(path, QSettings.Format.IniFormat)
    return QSettings(ORGANISATION, APPLICATION)
