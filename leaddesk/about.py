"""What this LeadDesk is: its version, the Python and Qt it runs on, the database it would
use and the keyring that holds its passwords. Shown by ``leaddesk --version``,
``leaddesk about`` and the window's Help > About; Qt-free so the command line can use it.

The version has one source, ``pyproject.toml``, read back from the installed package's
metadata; the frozen build carries a copy of that metadata (``copy_metadata`` in the spec).
"""

from __future__ import annotations

import platform
import sys
from dataclasses import asdict, dataclass
from importlib import metadata

from leaddesk.errors import LeadDeskError

DISTRIBUTION = "leaddesk"
# The Qt bindings' distribution; its version is the Qt version it bundles.
QT_DISTRIBUTION = "PySide6-Essentials"
NO_KEYRING = "none available"


def app_version() -> str:
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        # Running from a source tree that was never installed: there is no version to tell.
        return "unknown (not installed)"


def qt_bindings_version() -> str:
    try:
        return metadata.version(QT_DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "unknown"


def python_version() -> str:
    return f"{platform.python_version()} ({platform.python_implementation()}, {sys.platform})"


def keyring_backend_name() -> str | None:
    """The OS keyring in use, or None where none works (keyring then fails or stores nothing)."""
    # keyring (and, below, SQLAlchemy) load only when asked: `leaddesk --version` stays quick.
    from leaddesk.system_keyring import system_keyring

    keyring = system_keyring()
    from keyring.backends import fail, null

    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring | null.Keyring):
        return None
    return str(backend.name)


def require_keyring() -> str:
    """The keyring's name; a one-line LeadDeskError where no keyring can keep a password."""
    name = keyring_backend_name()
    if name is None:
        raise LeadDeskError(
            "No system keyring is available to keep the password (on Linux: a Secret "
            "Service such as GNOME Keyring or KWallet, unlocked in this session); "
            "nothing was stored."
        )
    return name


@dataclass(frozen=True)
class AboutFacts:
    version: str
    python: str
    qt: str
    database: str
    keyring: str
    frozen: bool


def about_facts(database: str, *, qt: str | None = None) -> AboutFacts:
    """Facts about this program on ``database`` (shown as given, never with a password)."""
    return AboutFacts(
        version=app_version(),
        python=python_version(),
        qt=qt or qt_bindings_version(),
        database=database,
        keyring=keyring_backend_name() or NO_KEYRING,
        frozen=bool(getattr(sys, "frozen", False)),
    )


def facts_as_dict(facts: AboutFacts) -> dict[str, object]:
    return asdict(facts)
