"""Which offline entries the File menu shows: a server offers a copy for offline work and
Sync now; a plain SQLite file (not a copy of a server) has nothing to sync and shows none."""

from __future__ import annotations

import pytest

from leaddesk.ui.shell.offline_banner import OfflineBanner
from leaddesk.ui.shell.offline_mode import offline_mode_of

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def test_offline_entries_follow_the_kind_of_database(qtbot, main_window, backend):
    window = main_window()
    mode = offline_mode_of(window)
    assert mode is not None

    qtbot.waitUntil(lambda: mode.replica_checked)
    on_server = backend == "postgresql"
    for action in (mode.keep_copy_action, mode.sync_action, mode.conflicts_action):
        assert action.isVisible() == on_server
        assert (action in window.file_menu.actions()) is True
    assert window.findChild(OfflineBanner) is None
    assert mode.replica is None
