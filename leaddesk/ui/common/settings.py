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


# Databases used, newest first: URLs without passwords (those live in the OS keyring only).
RECENT_KEY = "database/recent"
RECENT_LIMIT = 8


def recent_databases() -> list[str]:
    value = app_settings().value(RECENT_KEY, [])
    if isinstance(value, str):  # QSettings gives a one-item list back as a plain string
        value = [value]
    return [str(item) for item in value or [] if item]


def remember_database(url: str) -> None:
    """Put ``url`` (never with a password) first in the recent list; it opens next time."""
    recent = [url] + [item for item in recent_databases() if item != url]
    settings = app_settings()
    settings.setValue(RECENT_KEY, recent[:RECENT_LIMIT])
    settings.sync()


def last_database() -> str | None:
    recent = recent_databases()
    return recent[0] if recent else None
