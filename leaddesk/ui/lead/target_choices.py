"""The Pass to choices of the lead window: users (with their load), offices and pass groups,
under section headings; a choice that is not allowed stays visible, disabled, with the reason."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QPalette, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QComboBox

from leaddesk.reassignment.requests import Target
from leaddesk.reassignment.targets import PassTargets
from leaddesk.store.lead_details import LeadDetails

TARGET_ROLE = Qt.ItemDataRole.UserRole + 1
LABEL_ROLE = Qt.ItemDataRole.UserRole + 2  # how the confirmation question names the target


def fill_target_choices(
    model: QStandardItemModel,
    combo: QComboBox,
    targets: PassTargets,
    lead: LeadDetails,
    *,
    actor_id: int,
) -> None:
    """Replace the choices with ``targets`` for ``lead`` as seen by ``actor_id``."""
    model.clear()

    def section(title: str) -> None:
        header = QStandardItem(title)
        header.setFlags(Qt.ItemFlag.NoItemFlags)
        font = QFont(combo.font())
        font.setBold(True)
        header.setFont(font)
        # Disabled (not choosable) but readable: section headers, not greyed-out choices.
        header.setForeground(combo.palette().color(QPalette.ColorRole.Text))
        model.appendRow(header)

    def entry(text: str, target: Target, blocked_reason: str = "") -> None:
        item = QStandardItem(text)
        item.setData(target, TARGET_ROLE)
        item.setData(target_names[target], LABEL_ROLE)
        if blocked_reason:
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
            item.setToolTip(blocked_reason)
        model.appendRow(item)

    target_names: dict[Target, str] = {}
    for user in targets.users:
        target_names[Target.user(user.id)] = user.name
    for office in targets.offices:
        target_names[Target.office(office.id)] = (
            f"the Leads to be Assigned bucket of office {office.name}"
        )
    for group in targets.groups:
        target_names[Target.group(group.id)] = (
            f"the Leads to be Assigned bucket of pass group {group.name}"
        )
    if targets.users:
        section("Users")
    for user in targets.users:
        load = f"{user.open_leads} open lead" + ("" if user.open_leads == 1 else "s")
        target = Target.user(user.id)
        if user.id == actor_id:
            entry(
                f"{user.name} (you) — not from inside a lead",
                target,
                "You cannot pass a lead to yourself from inside the lead.",
            )
        elif lead.owner_id == user.id:
            entry(f"{user.name} — has this lead", target, "The lead is already with them.")
        else:
            entry(f"{user.name} — {load}", target)
    if targets.offices:
        section("Offices")
    for office in targets.offices:
        target = Target.office(office.id)
        text = f"Office: {office.name} — {office.waiting} waiting"
        if lead.bucket_kind == "office" and lead.bucket_id == office.id:
            entry(text, target, "The lead is already waiting in this office's bucket.")
        else:
            entry(text, target)
    if targets.groups:
        section("Pass groups")
    for group in targets.groups:
        target = Target.group(group.id)
        text = f"Pass group: {group.name} — {group.waiting} waiting"
        if lead.bucket_kind == "group" and lead.bucket_id == group.id:
            entry(text, target, "The lead is already waiting in this pass group's bucket.")
        else:
            entry(text, target)
