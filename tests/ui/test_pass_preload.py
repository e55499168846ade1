"""The pass flow's modules are loaded while the window fills, off the GUI thread, so the
first drop does not hold the GUI thread to import them (about 60 ms before)."""

from __future__ import annotations

import json
import subprocess
import sys


def test_the_controller_is_loaded_off_the_gui_thread_before_any_drop(db_url):
    """In a fresh process: who imports the controller, and is it there once the window is
    filled and its loading thread done (no drop, no pass)."""
    script = (
        "import json, sys, threading\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication([])\n"
        "imported_on = []\n"
        "class Watch:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'leaddesk.reassignment.controller':\n"
        "            imported_on.append(threading.current_thread().name)\n"
        "        return None\n"
        "sys.meta_path.insert(0, Watch())\n"
        "from leaddesk.store.database import open_database\n"
        "from leaddesk.ui.passing.preload import PRELOAD_THREAD\n"
        "from leaddesk.ui.shell.build import build_main_window\n"
        "database = open_database(sys.argv[1])\n"
        "window = build_main_window(database, 'Maria Manager')\n"
        "for thread in threading.enumerate():\n"
        "    if thread.name == PRELOAD_THREAD:\n"
        "        thread.join(60)\n"
        "loaded = 'leaddesk.reassignment.controller' in sys.modules\n"
        "dialogs = 'leaddesk.ui.passing.pass_dialogs' in sys.modules\n"
        "window.context.runner.wait_idle()\n"
        "print(json.dumps({'on': imported_on, 'loaded': loaded, 'dialogs': dialogs}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, db_url], capture_output=True, text=True, check=True
    )
    result = json.loads(done.stdout.splitlines()[-1])
    assert result["loaded"], "the controller was not loaded before the first drop"
    # Loaded once, and not by the GUI thread.
    assert len(result["on"]) == 1 and result["on"][0] != "MainThread", result["on"]
    assert not result["dialogs"]  # the Qt half stays for the drop, on the GUI thread
