"""The Offices, Pass groups, Statuses and Audit tabs of the administration window."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from leaddesk.admin import groups, offices, statuses
from leaddesk.admin.bucket_rules import set_bucket_rule, set_waiting_limit
from leaddesk.admin.groups import GroupRow
from leaddesk.admin.offices import OfficeRow
from leaddesk.admin.snapshot import AdminSnapshot
from leaddesk.store.bucket_rules import AssignRule, BucketKey
from leaddesk.store.waiting import limit_text, parse_limit
from leaddesk.ui.admin.host import AdminHost
from leaddesk.ui.admin.tables import ID_ROLE, cell, named, read_only_table, select_id, selected_id

RULE_LABELS = {
    AssignRule.MANUAL: "By hand",
    AssignRule.ROUND_ROBIN: "Round robin",
    AssignRule.LEAST_LOADED: "Least loaded",
}


def checkable(checked: bool, item_id: int) -> QTableWidgetItem:
    item = QTableWidgetItem("")
    item.setFlags(
        Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsSelectable
    )
    item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
    item.setData(ID_ROLE, item_id)
    return item


class PlaceTab(QWidget):
    """Offices (with the office-manager flag) or pass groups, and their members."""

    def __init__(self, admin: AdminHost, *, kind: str) -> None:
        super().__init__()
        assert kind in ("office", "group")
        self.admin = admin
        self.kind = kind
        self.is_office = kind == "office"
        noun = "office" if self.is_office else "pass group"
        cap = "Office" if self.is_office else "Group"
        self.places: dict[int, OfficeRow | GroupRow] = {}
        self._filling = False

        plural = "Offices" if self.is_office else "Pass groups"
        self.list = named(QListWidget(), f"{kind}sList", plural)
        self.list.currentItemChanged.connect(lambda *_: self._show_selected())
        self.new_name = named(QLineEdit(), f"new{cap}Name", f"New {noun} name")
        self.new_name.setPlaceholderText(f"New {noun} name")
        self.add_button = named(QPushButton(f"&Add {noun}"), f"add{cap}Button")
        self.add_button.clicked.connect(self.add_place)
        left = QVBoxLayout()
        left.addWidget(self.list, 1)
        add_row = QHBoxLayout()
        add_row.addWidget(self.new_name, 1)
        add_row.addWidget(self.add_button)
        left.addLayout(add_row)

        self.name_edit = named(QLineEdit(), f"{kind}NameEdit")
        self.rename_button = named(QPushButton("&Rename"), f"rename{cap}Button")
        self.rename_button.clicked.connect(self.rename_place)
        headers = ["Member", "Office manager"] if self.is_office else ["Member"]
        self.members = read_only_table(f"{kind}MembersTable", headers, "Members")
        self.members.itemChanged.connect(self._flag_toggled)
        self.user_combo = named(QComboBox(), f"{kind}UserCombo")
        self.manager_check = named(QCheckBox("as office manager"), "officeManagerCheck")
        self.manager_check.setVisible(self.is_office)
        self.add_member_button = named(QPushButton("Add &member"), f"add{cap}MemberButton")
        self.add_member_button.clicked.connect(self.add_member)
        self.remove_member_button = named(QPushButton("Re&move member"), f"remove{cap}MemberButton")
        self.remove_member_button.clicked.connect(self.remove_member)
        self.detail = QGroupBox(f"Selected {noun}")
        right = QVBoxLayout(self.detail)
        rename_row = QHBoxLayout()
        rename_row.addWidget(self.name_edit, 1)
        rename_row.addWidget(self.rename_button)
        right.addLayout(rename_row)
        self.waiting_label = QLabel("")
        right.addWidget(self.waiting_label)
        right.addLayout(self._rule_row(kind, cap))
        right.addLayout(self._limit_row(kind, cap))
        right.addWidget(self.members, 1)
        member_row = QHBoxLayout()
        member_row.addWidget(self.user_combo, 1)
        member_row.addWidget(self.manager_check)
        member_row.addWidget(self.add_member_button)
        right.addLayout(member_row)
        right.addWidget(self.remove_member_button)
        self.detail.setEnabled(False)

        layout = QHBoxLayout(self)
        layout.addLayout(left, 2)
        layout.addWidget(self.detail, 3)
        self.snapshot: AdminSnapshot | None = None

    def _rule_row(self, kind: str, cap: str) -> QHBoxLayout:
        """Assign waiting leads: by hand, round robin or least loaded; automatically or not."""
        self.rule_combo = named(QComboBox(), f"{kind}RuleCombo")
        for rule in AssignRule:
            self.rule_combo.addItem(RULE_LABELS[rule], rule.value)
        self.auto_check = named(QCheckBox("automatically on arrival"), f"{kind}AutoCheck")
        self.rule_combo.currentIndexChanged.connect(self._rule_choice_changed)
        self.save_rule_button = named(QPushButton("Save r&ule"), f"save{cap}RuleButton")
        self.save_rule_button.clicked.connect(self.save_rule)
        row = QHBoxLayout()
        self.rule_label = QLabel("Assign waiting leads:")
        row.addWidget(self.rule_label)
        row.addWidget(self.rule_combo, 1)
        row.addWidget(self.auto_check)
        row.addWidget(self.save_rule_button)
        return row

    def _limit_row(self, kind: str, cap: str) -> QHBoxLayout:
        """How long a lead may wait before it is overdue (highlighted, reminded)."""
        self.limit_edit = named(QLineEdit(), f"{kind}WaitingLimitEdit")
        self.limit_edit.setPlaceholderText("none, or 4h, 90m, 2d")
        self.limit_edit.setToolTip(
            "Leads waiting longer are overdue: highlighted in Leads to be Assigned, and the "
            "people who see the bucket get one reminder email per period of this length."
        )
        self.save_limit_button = named(QPushButton("Save &limit"), f"save{cap}LimitButton")
        self.save_limit_button.clicked.connect(self.save_limit)
        row = QHBoxLayout()
        label = QLabel("Waiting limit:")
        # The same width as the rule row's label, so both fields start in one column.
        label.setMinimumWidth(self.rule_label.sizeHint().width())
        row.addWidget(label)
        row.addWidget(self.limit_edit, 1)
        row.addWidget(self.save_limit_button)
        return row

    def _rule_choice_changed(self) -> None:
        by_rule = self.rule_combo.currentData() != AssignRule.MANUAL.value
        self.auto_check.setEnabled(by_rule)
        if not by_rule:
            self.auto_check.setChecked(False)

    def populate(self, snapshot: AdminSnapshot) -> None:
        self.snapshot = snapshot
        rows: list[OfficeRow] | list[GroupRow] = (
            snapshot.offices if self.is_office else snapshot.groups
        )
        keep = self.current_id()
        self.places = {row.id: row for row in rows}
        self.list.blockSignals(True)
        self.list.clear()
        for row in rows:
            item = QListWidgetItem(row.name)
            item.setData(ID_ROLE, row.id)
            self.list.addItem(item)
            if row.id == keep:
                self.list.setCurrentItem(item)
        if self.list.currentItem() is None and self.list.count():
            self.list.setCurrentRow(0)  # show someone's members rather than an empty panel
        self.list.blockSignals(False)
        self.user_combo.clear()
        for user in snapshot.active_users():
            self.user_combo.addItem(user.name, user.id)
        self._show_selected()

    def current_id(self) -> int | None:
        item = self.list.currentItem()
        return item.data(ID_ROLE) if item is not None else None

    def select(self, name: str) -> None:
        for index in range(self.list.count()):
            if self.list.item(index).text() == name:
                self.list.setCurrentRow(index)
                return

    def _show_selected(self) -> None:
        place = self.places.get(self.current_id()) if self.current_id() is not None else None
        self.detail.setEnabled(place is not None)
        self._filling = True
        keep_member = selected_id(self.members)
        self.members.setRowCount(0)
        if place is not None:
            self.name_edit.setText(place.name)
            self.waiting_label.setText(f"{place.waiting_leads:,} lead(s) waiting to be assigned.")
            self.rule_combo.setCurrentIndex(self.rule_combo.findData(place.rule))
            self._rule_choice_changed()
            self.auto_check.setChecked(place.auto)
            limit = place.waiting_limit_minutes
            self.limit_edit.setText("" if limit is None else limit_text(limit).replace(" ", ""))
            self.members.setRowCount(len(place.members))
            for index, member in enumerate(place.members):
                label = member.name + ("" if member.active else " (inactive)")
                self.members.setItem(index, 0, cell(label, member.user_id))
                if self.is_office:
                    self.members.setItem(
                        index, 1, checkable(member.is_office_manager, member.user_id)
                    )
            select_id(self.members, keep_member)
        self._filling = False

    def add_place(self) -> None:
        name, actor = self.new_name.text(), self.admin.actor_id
        adder = offices.add_office if self.is_office else groups.add_group

        def work(session: Session) -> str:
            row = adder(session, actor, name=name)
            return f"Added {'office' if self.is_office else 'pass group'} {row.name}."

        def show_new() -> None:
            self.new_name.clear()
            self.select(" ".join(name.split()))

        self.admin.run(work, after=show_new)

    def rename_place(self) -> None:
        place_id, name, actor = self.current_id(), self.name_edit.text(), self.admin.actor_id
        if place_id is None:
            return
        renamer = offices.rename_office if self.is_office else groups.rename_group

        def work(session: Session) -> str:
            row = renamer(session, actor, place_id, name=name)
            return f"Renamed to {row.name}."

        self.admin.run(work)

    def save_rule(self) -> None:
        place_id, actor = self.current_id(), self.admin.actor_id
        if place_id is None:
            return
        rule = AssignRule(self.rule_combo.currentData())
        auto = self.auto_check.isChecked()
        bucket = BucketKey(office_id=place_id) if self.is_office else BucketKey(group_id=place_id)
        place_name = self.places[place_id].name

        def work(session: Session) -> str:
            set_bucket_rule(session, actor, bucket, rule=rule, auto=auto)
            how = RULE_LABELS[rule].lower() + (", automatically on arrival" if auto else "")
            return f"Leads waiting in {place_name} are now assigned {how}."

        self.admin.run(work)

    def save_limit(self) -> None:
        place_id, actor = self.current_id(), self.admin.actor_id
        if place_id is None:
            return
        typed = self.limit_edit.text().strip() or "none"
        bucket = BucketKey(office_id=place_id) if self.is_office else BucketKey(group_id=place_id)
        place_name = self.places[place_id].name

        def work(session: Session) -> str:
            minutes = parse_limit(typed)
            set_waiting_limit(session, actor, bucket, minutes)
            if minutes is None:
                return f"Leads waiting in {place_name} have no waiting limit now."
            return f"Leads waiting in {place_name} longer than {limit_text(minutes)} are overdue."

        self.admin.run(work)

    def add_member(self) -> None:
        place_id, user_id = self.current_id(), self.user_combo.currentData()
        if place_id is None or user_id is None:
            return
        user_name, flag, actor = (
            self.user_combo.currentText(),
            self.manager_check.isChecked(),
            self.admin.actor_id,
        )
        place_name = self.places[place_id].name

        def work(session: Session) -> str:
            if self.is_office:
                offices.add_office_member(session, actor, place_id, user_id, office_manager=flag)
            else:
                groups.add_group_member(session, actor, place_id, user_id)
            return f"Added {user_name} to {place_name}."

        self.admin.run(work)

    def remove_member(self) -> None:
        place_id, user_id = self.current_id(), selected_id(self.members)
        if place_id is None or user_id is None:
            return
        actor, place_name = self.admin.actor_id, self.places[place_id].name

        def work(session: Session) -> str:
            if self.is_office:
                offices.remove_office_member(session, actor, place_id, user_id)
            else:
                groups.remove_group_member(session, actor, place_id, user_id)
            return f"Removed a member from {place_name}."

        self.admin.run(work)

    def _flag_toggled(self, item: QTableWidgetItem) -> None:
        if self._filling or item.column() != 1:
            return
        place_id, user_id, actor = self.current_id(), item.data(ID_ROLE), self.admin.actor_id
        flag = item.checkState() == Qt.CheckState.Checked

        def work(session: Session) -> str:
            offices.set_office_manager(session, actor, place_id, user_id, office_manager=flag)
            return "Office manager flag saved."

        self.admin.run(work)


class StatusesTab(QWidget):
    def __init__(self, admin: AdminHost) -> None:
        super().__init__()
        self.admin = admin
        self._filling = False
        self.table = read_only_table("statusesTable", ["Status", "Closed", "Leads"], "Statuses")
        self.table.itemChanged.connect(self._closed_toggled)
        self.table.itemSelectionChanged.connect(self._show_selected)
        self.new_name = named(QLineEdit(), "newStatusName", "New status name")
        self.new_name.setPlaceholderText("New status name")
        self.new_closed = named(QCheckBox("closed (won / lost)"), "newStatusClosed")
        self.add_button = named(QPushButton("&Add status"), "addStatusButton")
        self.add_button.clicked.connect(self.add_status)
        self.name_edit = named(QLineEdit(), "statusNameEdit", "Status name")
        self.rename_button = named(QPushButton("&Rename"), "renameStatusButton")
        self.rename_button.clicked.connect(self.rename_status)
        self.up_button = named(QPushButton("Move &up"), "moveStatusUpButton")
        self.up_button.clicked.connect(lambda: self.move_status(-1))
        self.down_button = named(QPushButton("Move &down"), "moveStatusDownButton")
        self.down_button.clicked.connect(lambda: self.move_status(+1))

        add_row = QHBoxLayout()
        add_row.addWidget(self.new_name, 1)
        add_row.addWidget(self.new_closed)
        add_row.addWidget(self.add_button)
        edit_row = QHBoxLayout()
        edit_row.addWidget(self.name_edit, 1)
        edit_row.addWidget(self.rename_button)
        edit_row.addWidget(self.up_button)
        edit_row.addWidget(self.down_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(edit_row)
        layout.addLayout(add_row)
        self.positions: dict[int, int] = {}

    def populate(self, snapshot: AdminSnapshot) -> None:
        keep = selected_id(self.table)
        self._filling = True
        self.table.setRowCount(len(snapshot.statuses))
        self.positions = {}
        for index, status in enumerate(snapshot.statuses):
            self.positions[status.id] = status.position
            self.table.setItem(index, 0, cell(status.name, status.id))
            self.table.setItem(index, 1, checkable(status.is_closed, status.id))
            self.table.setItem(index, 2, cell(f"{status.lead_count:,}", status.id))
        select_id(self.table, keep)
        self._filling = False
        self._show_selected()

    def _show_selected(self) -> None:
        status_id = selected_id(self.table)
        for widget in (self.name_edit, self.rename_button, self.up_button, self.down_button):
            widget.setEnabled(status_id is not None)
        if status_id is not None:
            self.name_edit.setText(self.table.item(self.table.currentRow(), 0).text())

    def add_status(self) -> None:
        name, closed, actor = self.new_name.text(), self.new_closed.isChecked(), self.admin.actor_id

        def work(session: Session) -> str:
            status = statuses.add_status(session, actor, name=name, closed=closed)
            return f"Added status {status.name}."

        self.admin.run(work, after=self.new_name.clear)

    def rename_status(self) -> None:
        status_id, name, actor = selected_id(self.table), self.name_edit.text(), self.admin.actor_id
        if status_id is None:
            return

        def work(session: Session) -> str:
            return (
                f"Renamed to {statuses.rename_status(session, actor, status_id, name=name).name}."
            )

        self.admin.run(work)

    def move_status(self, step: int) -> None:
        status_id, actor = selected_id(self.table), self.admin.actor_id
        if status_id is None:
            return
        position = self.positions[status_id] + step
        if not 1 <= position <= len(self.positions):
            return

        def work(session: Session) -> str:
            status = statuses.move_status(session, actor, status_id, position=position)
            return f"Moved {status.name} to position {position}."

        self.admin.run(work)

    def _closed_toggled(self, item: QTableWidgetItem) -> None:
        if self._filling or item.column() != 1:
            return
        status_id, actor = item.data(ID_ROLE), self.admin.actor_id
        closed = item.checkState() == Qt.CheckState.Checked

        def work(session: Session) -> str:
            status = statuses.set_status_closed(session, actor, status_id, closed=closed)
            return f"{status.name} is now {'closed' if closed else 'open'}."

        self.admin.run(work)


class AuditTab(QWidget):
    def __init__(self, admin: AdminHost) -> None:
        super().__init__()
        self.admin = admin
        self.table = read_only_table(
            "auditTable", ["When (UTC)", "Who", "Action", "What"], "Audit log"
        )
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Every administrative change, newest first:"))
        layout.addWidget(self.table, 1)

    def populate(self, snapshot: AdminSnapshot) -> None:
        self.table.setRowCount(len(snapshot.audit))
        for index, row in enumerate(snapshot.audit):
            values = [row.when.strftime("%Y-%m-%d %H:%M:%S"), row.actor, row.action, row.detail]
            for column, value in enumerate(values):
                self.table.setItem(index, column, cell(value, row.id))
