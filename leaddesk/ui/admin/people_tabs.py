"""The Users and Manager rights tabs of the administration window."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QDateTime, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from leaddesk.admin import rights, users
from leaddesk.admin.bucket_rules import set_away
from leaddesk.admin.snapshot import AdminSnapshot
from leaddesk.admin.users import UserRow
from leaddesk.reassignment.offboarding import offboard_user
from leaddesk.ui.admin.host import AdminHost
from leaddesk.ui.admin.offboard_dialog import OffboardDialog
from leaddesk.ui.admin.tables import ID_ROLE, cell, named, read_only_table, select_id, selected_id
from leaddesk.ui.common.feedback import ask_yes_no


def away_text(row: UserRow) -> str:
    if row.away_from is None and row.away_until is None:
        return "Not away."
    start = f"{row.away_from:%Y-%m-%d %H:%M}" if row.away_from else "now"
    end = f"{row.away_until:%Y-%m-%d %H:%M}" if row.away_until else "further notice"
    return f"Away from {start} until {end} (UTC)."


def _local(moment: datetime) -> QDateTime:
    """A stored naive-UTC time as the local time the edit shows."""
    return QDateTime(moment.replace(tzinfo=UTC)).toLocalTime()


def _utc(moment: QDateTime) -> datetime:
    return moment.toPython().astimezone(UTC).replace(tzinfo=None)


class UsersTab(QWidget):
    def __init__(self, admin: AdminHost) -> None:
        super().__init__()
        self.admin = admin
        self.rows: dict[int, UserRow] = {}
        self.table = read_only_table(
            "usersTable",
            ["Name", "Email", "Admin", "Active", "Leads", "Offices", "Login"],
            "Users",
        )
        self.table.itemSelectionChanged.connect(self._show_selected)

        self.new_name = named(QLineEdit(), "newUserName")
        self.new_email = named(QLineEdit(), "newUserEmail")
        self.new_admin = named(QCheckBox("Administrator"), "newUserAdmin")
        self.add_button = named(QPushButton("&Add user"), "addUserButton")
        self.add_button.clicked.connect(self.add_user)
        add_box = QGroupBox("Add a user")
        add_form = QFormLayout(add_box)
        add_form.addRow("Name:", self.new_name)
        add_form.addRow("Email:", self.new_email)
        add_form.addRow("", self.new_admin)
        add_form.addRow("", self.add_button)

        self.edit_name = named(QLineEdit(), "editUserName")
        self.edit_email = named(QLineEdit(), "editUserEmail")
        self.edit_admin = named(QCheckBox("Administrator"), "editUserAdmin")
        # The PostgreSQL login this person connects with to a shared server (empty: none).
        self.edit_login = named(QLineEdit(), "editUserLogin")
        self.edit_login.setPlaceholderText("server login (shared PostgreSQL only)")
        self.save_button = named(QPushButton("&Save changes"), "saveUserButton")
        self.save_button.clicked.connect(self.save_user)
        self.deactivate_button = named(QPushButton("&Deactivate…"), "deactivateUserButton")
        self.deactivate_button.clicked.connect(self.deactivate_user)
        self.activate_button = named(QPushButton("A&ctivate"), "activateUserButton")
        self.activate_button.clicked.connect(self.activate_user)
        self.edit_box = QGroupBox("Selected user")
        edit_form = QFormLayout(self.edit_box)
        edit_form.addRow("Name:", self.edit_name)
        edit_form.addRow("Email:", self.edit_email)
        edit_form.addRow("", self.edit_admin)
        edit_form.addRow("Login:", self.edit_login)
        edit_buttons = QHBoxLayout()
        for button in (self.save_button, self.deactivate_button, self.activate_button):
            edit_buttons.addWidget(button)
        edit_form.addRow(edit_buttons)
        edit_form.addRow(self._away_box())
        self.edit_box.setEnabled(False)

        side = QVBoxLayout()
        side.addWidget(add_box)
        side.addWidget(self.edit_box)
        side.addStretch(1)
        layout = QHBoxLayout(self)
        # The forms take the width they need; the table every pixel beyond, for its columns.
        layout.addWidget(self.table, 1)
        layout.addLayout(side, 0)

    def _away_box(self) -> QGroupBox:
        """Away (holiday, leave): automatic assignment skips the user for that time."""
        self.away_from = named(QDateTimeEdit(), "awayFromEdit")
        self.away_until = named(QDateTimeEdit(), "awayUntilEdit")
        for edit in (self.away_from, self.away_until):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        # Until a user is chosen: the dates a new away period starts from, not year 2000.
        now = QDateTime.currentDateTime()
        self.away_from.setDateTime(now)
        self.away_until.setDateTime(now.addDays(7))
        self.away_label = named(QLabel(""), "awayLabel")
        self.set_away_button = named(QPushButton("Set a&way"), "setAwayButton")
        self.set_away_button.clicked.connect(self.set_away)
        self.not_away_button = named(QPushButton("&Not away"), "notAwayButton")
        self.not_away_button.clicked.connect(self.clear_away)
        box = QGroupBox("Away (skipped by automatic assignment)")
        form = QFormLayout(box)
        form.addRow("", self.away_label)
        self.away_form = form
        form.setRowVisible(self.away_label, False)  # says whose away period once one is chosen
        form.addRow("From:", self.away_from)
        form.addRow("Until:", self.away_until)
        buttons = QHBoxLayout()
        buttons.addWidget(self.set_away_button)
        buttons.addWidget(self.not_away_button)
        form.addRow(buttons)
        return box

    def populate(self, snapshot: AdminSnapshot) -> None:
        keep = selected_id(self.table)
        self.rows = {row.id: row for row in snapshot.users}
        self.table.setRowCount(len(snapshot.users))
        for index, row in enumerate(snapshot.users):
            values = [
                row.name,
                row.email,
                "yes" if row.is_admin else "",
                "yes" if row.active else "no",
                f"{row.lead_count:,}",
                ", ".join(row.offices),
                row.db_login or "",
            ]
            for column, value in enumerate(values):
                self.table.setItem(index, column, cell(value, row.id))
        select_id(self.table, keep)
        self._show_selected()

    def selected(self) -> UserRow | None:
        user_id = selected_id(self.table)
        return self.rows.get(user_id) if user_id is not None else None

    def _show_selected(self) -> None:
        row = self.selected()
        self.edit_box.setEnabled(row is not None)
        self.away_form.setRowVisible(self.away_label, row is not None)
        if row is None:
            return
        self.edit_box.setTitle(f"Selected user: {row.name}")
        self.edit_name.setText(row.name)
        self.edit_email.setText(row.email)
        self.edit_admin.setChecked(row.is_admin)
        self.edit_login.setText(row.db_login or "")
        self.deactivate_button.setEnabled(row.active)
        self.activate_button.setEnabled(not row.active)
        self.away_label.setText(away_text(row))
        now = QDateTime.currentDateTime()
        self.away_from.setDateTime(_local(row.away_from) if row.away_from else now)
        self.away_until.setDateTime(_local(row.away_until) if row.away_until else now.addDays(7))
        self.not_away_button.setEnabled(row.away_from is not None or row.away_until is not None)

    def set_away(self) -> None:
        row = self.selected()
        if row is None:
            return
        start, end = _utc(self.away_from.dateTime()), _utc(self.away_until.dateTime())
        actor, user_id = self.admin.actor_id, row.id

        def work(session: Session) -> str:
            set_away(session, actor, user_id, away_from=start, away_until=end)
            return f"{row.name} is away from {start:%Y-%m-%d %H:%M} until {end:%Y-%m-%d %H:%M} UTC."

        self.admin.run(work)

    def clear_away(self) -> None:
        row = self.selected()
        if row is None:
            return
        actor, user_id = self.admin.actor_id, row.id

        def work(session: Session) -> str:
            set_away(session, actor, user_id, away_from=None, away_until=None)
            return f"{row.name} is no longer marked away."

        self.admin.run(work)

    def add_user(self) -> None:
        name, email, is_admin = (
            self.new_name.text(),
            self.new_email.text(),
            self.new_admin.isChecked(),
        )
        actor = self.admin.actor_id

        def work(session: Session) -> str:
            user = users.add_user(session, actor, name=name, email=email, is_admin=is_admin)
            return f"Added user {user.name} <{user.email}>."

        def clear() -> None:
            self.new_name.clear()
            self.new_email.clear()
            self.new_admin.setChecked(False)

        self.admin.run(work, after=clear)

    def save_user(self) -> None:
        row = self.selected()
        if row is None:
            return
        name, email, is_admin = (
            self.edit_name.text(),
            self.edit_email.text(),
            self.edit_admin.isChecked(),
        )
        login = self.edit_login.text().strip()
        # Only a changed login is saved ("" unlinks), so editing a name never touches roles.
        changed_login = login if login != (row.db_login or "") else None
        actor = self.admin.actor_id

        def work(session: Session) -> str:
            user = users.update_user(
                session,
                actor,
                row.id,
                name=name,
                email=email,
                is_admin=is_admin,
                db_login=changed_login,
            )
            return f"Saved {user.name}."

        self.admin.run(work)

    def deactivate_user(self) -> None:
        row = self.selected()
        if row is None or self.admin.snapshot is None:
            return
        actor = self.admin.actor_id
        if row.lead_count:
            dialog = OffboardDialog(self.admin.snapshot, row, self)
            if dialog.exec() != OffboardDialog.DialogCode.Accepted:
                return
            target, note = dialog.target(), dialog.note()

            def offboard(session: Session) -> str:
                result = offboard_user(
                    session, actor_id=actor, user_id=row.id, target=target, note=note
                )
                passed = result.pass_result
                assert passed is not None
                return (
                    f"Deactivated {row.name}; passed {passed.moved:,} lead(s) to "
                    f"{passed.target_name}."
                )

            self.admin.run(offboard)
            return
        if not ask_yes_no(
            self,
            "confirmDeactivateDialog",
            "Deactivate user",
            f"Deactivate {row.name}? They can no longer sign in or receive leads; their "
            "history stays.",
        ):
            return

        def deactivate(session: Session) -> str:
            users.deactivate_user(session, actor, row.id)
            return f"Deactivated {row.name}."

        self.admin.run(deactivate)

    def activate_user(self) -> None:
        row = self.selected()
        if row is None:
            return
        actor = self.admin.actor_id

        def work(session: Session) -> str:
            users.activate_user(session, actor, row.id)
            return f"Activated {row.name}."

        self.admin.run(work)


class RightsTab(QWidget):
    """Pick a manager; tick the users they may manage. Or grant a whole office at once."""

    def __init__(self, admin: AdminHost) -> None:
        super().__init__()
        self.admin = admin
        self._filling = False
        self.manager_combo = named(QComboBox(), "rightsManagerCombo")
        self.manager_combo.currentIndexChanged.connect(self._fill_list)
        self.users_list = named(QListWidget(), "rightsList", "Users this manager may manage")
        self.users_list.itemChanged.connect(self._toggled)
        self.office_combo = named(QComboBox(), "rightsOfficeCombo", "Office")
        self.grant_office_button = named(QPushButton("Manage &all of office"), "grantOfficeButton")
        self.grant_office_button.clicked.connect(lambda: self._office(grant=True))
        self.revoke_office_button = named(
            QPushButton("&Remove office's members"), "revokeOfficeButton"
        )
        self.revoke_office_button.clicked.connect(lambda: self._office(grant=False))

        top = QFormLayout()
        top.addRow("&Manager:", self.manager_combo)
        office_row = QHBoxLayout()
        office_row.addWidget(self.office_combo, 1)
        office_row.addWidget(self.grant_office_button)
        office_row.addWidget(self.revoke_office_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(QLabel("May manage (see their leads, pass leads from and to them):"))
        layout.addWidget(self.users_list, 1)
        self.admin_note = named(QLabel(""), "rightsAdminNote")
        layout.addWidget(self.admin_note)
        layout.addLayout(office_row)
        self.snapshot: AdminSnapshot | None = None

    def populate(self, snapshot: AdminSnapshot) -> None:
        self.snapshot = snapshot
        keep = self.manager_combo.currentData()
        keep_office = self.office_combo.currentData()
        self.manager_combo.blockSignals(True)
        self.manager_combo.clear()
        for user in snapshot.active_users():
            self.manager_combo.addItem(user.name, user.id)
        index = self.manager_combo.findData(keep)
        self.manager_combo.setCurrentIndex(max(index, 0))
        self.manager_combo.blockSignals(False)
        self.office_combo.clear()
        for office in snapshot.offices:
            self.office_combo.addItem(office.name, office.id)
        self.office_combo.setCurrentIndex(max(self.office_combo.findData(keep_office), 0))
        self._fill_list()

    def _fill_list(self) -> None:
        if self.snapshot is None:
            return
        manager_id = self.manager_combo.currentData()
        managed = self.snapshot.managed_by(manager_id) if manager_id is not None else set()
        manager = next((u for u in self.snapshot.users if u.id == manager_id), None)
        self.admin_note.setText(
            f"{manager.name} is an administrator and may manage everyone anyway."
            if manager is not None and manager.is_admin
            else ""
        )
        self._filling = True
        self.users_list.clear()
        for user in self.snapshot.active_users():
            item = QListWidgetItem(user.name)
            item.setData(ID_ROLE, user.id)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            checked = user.id in managed
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            self.users_list.addItem(item)
        self._filling = False

    def item_for(self, user_name: str) -> QListWidgetItem | None:
        for index in range(self.users_list.count()):
            if self.users_list.item(index).text() == user_name:
                return self.users_list.item(index)
        return None

    def _toggled(self, item: QListWidgetItem) -> None:
        if self._filling:
            return
        manager_id = self.manager_combo.currentData()
        manager_name = self.manager_combo.currentText()
        user_id, user_name = item.data(ID_ROLE), item.text()
        grant = item.checkState() == Qt.CheckState.Checked
        actor = self.admin.actor_id

        def work(session: Session) -> str:
            if grant:
                rights.grant_right(session, actor, manager_id=manager_id, user_id=user_id)
                return f"{manager_name} may now manage {user_name}."
            rights.revoke_right(session, actor, manager_id=manager_id, user_id=user_id)
            return f"{manager_name} may no longer manage {user_name}."

        self.admin.run(work)

    def _office(self, *, grant: bool) -> None:
        manager_id, office_id = self.manager_combo.currentData(), self.office_combo.currentData()
        if manager_id is None or office_id is None:
            return
        manager_name, office_name = (
            self.manager_combo.currentText(),
            self.office_combo.currentText(),
        )
        actor = self.admin.actor_id

        def work(session: Session) -> str:
            if grant:
                added = rights.grant_office(
                    session, actor, manager_id=manager_id, office_id=office_id
                )
                return f"{manager_name} may now manage all of {office_name} ({added} new right(s))."
            removed = rights.revoke_office(
                session, actor, manager_id=manager_id, office_id=office_id
            )
            return f"{manager_name} may no longer manage {office_name}'s members ({removed})."

        self.admin.run(work)
