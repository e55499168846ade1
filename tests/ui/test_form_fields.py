"""The connection forms' shared fields in the connect dialog: the CA file row follows the
TLS mode and feeds the address (the email settings dialog's use is in test_email_ui)."""

from __future__ import annotations

import pytest

from leaddesk.store.connections import ServerAddress
from leaddesk.ui.shell.connect_dialog import ConnectDialog

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def test_the_ca_file_row_follows_the_tls_mode_and_feeds_the_address(qtbot):
    start = ServerAddress("db.example", "leaddesk", "maria", tls="verify-full", ca_file="/ca.pem")
    dialog = ConnectDialog(None, start)
    qtbot.addWidget(dialog)
    assert dialog.ca_row.isEnabled() and dialog.address().ca_file == "/ca.pem"
    dialog.tls_combo.setCurrentText("require")
    assert not dialog.ca_row.edit.isEnabled() and not dialog.ca_row.browse_button.isEnabled()
    dialog.tls_combo.setCurrentText("verify-full")
    dialog.ca_row.edit.setText("  /etc/company-ca.pem ")
    assert dialog.address().ca_file == "/etc/company-ca.pem"
    assert dialog.address().url().query["sslrootcert"] == "/etc/company-ca.pem"
    assert dialog.ca_row.edit.accessibleName() == "CA file"
