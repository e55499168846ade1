"""Render the import dialog's mapping step offscreen to a PNG, for the docs and for looking.

    QT_QPA_PLATFORM=offscreen python docs/screenshots/import_dialog.py [OUT.png]

Opens a throwaway demo database as Ada Admin, loads the hand-written Salesforce fixture
(tests/fixtures/crm/suitecrm_leads.csv), chooses a status for each value (one of them a new
status) and a user for one login name, sends the other to an office bucket, checks, and saves
the dialog as it then looks (default: docs/import-dialog.png).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> int:
    from PySide6.QtWidgets import QApplication

    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "import-dialog.png"
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        # Remember nothing from (or into) the real settings.
        os.environ["LEADDESK_SETTINGS_FILE"] = str(Path(tmp) / "settings.ini")
        from leaddesk.store.database import open_database
        from leaddesk.store.demo import create_demo
        from leaddesk.ui.common.context import WindowContext
        from leaddesk.ui.common.operations import OperationRunner
        from leaddesk.ui.data.import_dialog import ImportDialog

        database = open_database(str(Path(tmp) / "shot.sqlite3"))
        create_demo(database)
        runner = OperationRunner(database)
        context = WindowContext(database, runner, 1, "Ada Admin", True)
        dialog = ImportDialog(context)
        dialog.resize(1100, 800)
        dialog.show()
        dialog.load_file(str(ROOT / "tests" / "fixtures" / "crm" / "suitecrm_leads.csv"))
        deadline = time.monotonic() + 20
        while dialog.survey is None and time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.01)
        dialog.statuses.choose("New", "LEAD")
        dialog.statuses.choose("In Process", "OPPORTUNITY")
        dialog.statuses.choose("Converted", "Converted")
        dialog.owners.choose("john.smith", "john.smith@example.com")
        dialog.fallback_combo.setCurrentIndex(dialog.fallback_combo.findData("Downtown Office"))
        dialog.check()
        while dialog.last_report is None and time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.01)
        app.processEvents()
        ok = dialog.grab().save(str(out))
        runner.wait_idle()
        dialog.close()
        database.dispose()
    print(f"{'Saved' if ok else 'Could not save'} {out}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
