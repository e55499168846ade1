"""``Pass to…``: the keyboard and menu way to pick a target, for people who cannot drag."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from leaddesk.reassignment.requests import Target
from leaddesk.ui.main.target_model import TargetModel


class TargetChooserDialog(QDialog):
    """``passTargetChooser``: the target pane's list in a dialog; OK passes to the choice."""

    def __init__(self, model: TargetModel, what: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("passTargetChooser")
        self.setWindowTitle("Pass to…")
        self.model = model
        label = QLabel(f"Pass {what} to:", self)
        label.setWordWrap(True)
        self.view = QTreeView(self)
        self.view.setObjectName("passTargetChooserView")
        self.view.setAccessibleName("Pass targets")
        self.view.setModel(model)
        self.view.setRootIsDecorated(False)
        self.view.setItemsExpandable(False)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.expandAll()
        self.view.header().setStretchLastSection(False)
        self.view.setColumnWidth(0, 260)
        self.view.doubleClicked.connect(self._double_clicked)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Pass…")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.view.selectionModel().currentChanged.connect(self._update_ok)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.buttons)
        self.resize(420, 460)
        self._update_ok()
        first = model.choices()
        if first:
            self.select(first[0].name)
        self.view.setFocus(Qt.FocusReason.OtherFocusReason)

    def select(self, name: str) -> bool:
        index = self.model.find(name)
        if index.isValid():
            self.view.setCurrentIndex(index)
        return index.isValid()

    def chosen(self) -> Target | None:
        choice = self.model.choice(self.view.currentIndex())
        return None if choice is None else choice.target

    def accept(self) -> None:
        if self.chosen() is not None:
            super().accept()

    def _double_clicked(self, index: QModelIndex) -> None:
        if self.model.choice(index) is not None:
            self.accept()

    def _update_ok(self, *_args: object) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(self.chosen() is not None)
