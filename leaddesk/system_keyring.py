"""The OS keyring (the ``keyring`` package), loaded only when a password is looked up or kept.

To choose its backend, keyring imports every backend it knows and asks each whether it works
here. Its macOS backend looks for the macOS libraries as it is imported; on Linux that search
(``ctypes.util.find_library``) starts ldconfig, the C compiler and the linker for each of three
libraries (jaraco/keyring#403): nine programs, a tenth of a second or more, on every start that
looks up a database or SMTP password. Off macOS that backend declines before it uses those
libraries ("macOS required"), so there its library module is marked as absent beforehand
(``None`` in ``sys.modules``, Python's documented way to make an import fail). The backend is
then passed over as it would be anyway: which keyring is used, and what it answers, are the
same.
"""

from __future__ import annotations

import sys
from types import ModuleType

# Imported only by keyring's macOS backend, which off macOS is never used.
MACOS_LIBRARIES_MODULE = "keyring.backends.macOS.api"


def system_keyring() -> ModuleType:
    """The ``keyring`` module (with ``keyring.errors``), ready to choose its backend."""
    if sys.platform != "darwin":
        sys.modules.setdefault(MACOS_LIBRARIES_MODULE, None)  # type: ignore[arg-type]
    import keyring
    import keyring.errors

    return keyring
