"""Where the window remembers things: the signed-in user, geometry, splitter, columns."""

from __future__ import annotations

import os

from PySide6.QtCore import QSettings

# Tests (and portable installs) point SETTINGS_FILE_ENV at a file; Qt caches its default
# location. local_files says where that is without Qt (for 'leaddesk db info').
from leaddesk.local_files import QT_APPLICATION as APPLICATION
from leaddesk.local_files import QT_ORGANISATION as ORGANISATION
from leaddesk.local_files import SETTINGS_FILE_ENV


def app_settings() -> QSettings:
    path = os.environ.get(SETTINGS_FILE_ENV)
    if path:
        return QSettings(path, QSettings.Format.IniFormat)
    return QSettings(ORGANISATION, APPLICATION)
