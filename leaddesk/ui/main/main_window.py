"""The LeadDesk main window: Lead Management and Leads to be Assigned tabs, target pane.

Every way to pass ends in :func:`run_pass_flow`: a drop on the target pane (from either
tab), the context menu's "Pass to…", and Edit > Cut / Paste. Passes run on the operation
runner's write lane; the trees are read on its read lane (``tree_reads``), never on the GUI
thread, so a slow link shows "Loading…" rows or a busy cursor instead of a frozen window;
``runner.changed`` reads both panes again, keeping expansion and selection. The window is
built before its database is open, in a loading state that loads no SQLAlchemy (a test checks
what is loaded at its first paint), and :meth:`MainWindow.start` fills it. (Over 400 lines:
it is the one place that wires all the pass paths, the trees' reads, menus and remembered
settings together; the views' set-up lives in ``panes``, the reads in ``tree_reads``.)
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QByteArray, QModelIndex, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QPaintEvent
from PySide6.QtWidgets import (
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QProgressBar,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from leaddesk.reassignment.requests import Target
from leaddesk.ui.buckets.bucket_tab import BucketTab
from leaddesk.ui.common import icons
from leaddesk.ui.common.context import WindowContext
from leaddesk.ui.common.feedback import show_outcome
from leaddesk.ui.common.settings import app_settings
from leaddesk.ui.common.view_state import restore_view_state, save_view_state
from leaddesk.ui.main.empty_owner_tree import EmptyOwnerTree
from leaddesk.ui.main.owner_model import OwnerTreeModel
from leaddesk.ui.main.panes import (
    OwnerTreeView,
    ReplaceableArea,
    setup_owner_tree,
    setup_target_view,
    target_pane,
)
from leaddesk.ui.main.pass_checking import PassChecking
from leaddesk.ui.main.pass_guide import PassGuide
from leaddesk.ui.main.target_model import TargetModel
from leaddesk.ui.main.target_view import TargetView
from leaddesk.ui.main.tree_reads import WindowTrees, read_window_trees
from leaddesk.ui.passing.pass_source import PassSource
from leaddesk.ui.passing.undo_action import UndoPassAction

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from leaddesk.server.changes import Changes
    from leaddesk.ui.lead.lead_window import LeadWindow
    from leaddesk.ui.main.workload_panel import WorkloadPanel

BUCKET_TAB_TITLE = "Leads to be Assigned"
# The splitter's widths at the first-start size (1180 wide; the user's own are remembered).
FIRST_SPLIT = (710, 470)
SEARCH_DELAY_MS = 300


def home_short(location: str) -> str:
    """A file under the home folder as ``~/…``: shorter, and no user name in a screenshot."""
    home = os.path.expanduser("~")
    if home not in ("~", os.sep) and location.startswith(home + os.sep):
        return "~" + location[len(home) :]
    return location


class MainWindow(QMainWindow):
    # Emitted when the window closes, after a running pass finished and before the database
    # is disposed: services built around the window (email sender, dialogs) stop here.
    closing = Signal()

    def __init__(self, context: WindowContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setObjectName("mainWindow")
        self.setWindowTitle("LeadDesk")
        self.setWindowIcon(icons.app_icon())
        self.painted = False
        self.cut_source: PassSource | None = None
        self._trees_loading = False
        self._trees_key = f"mainWindowTrees/{id(self)}"
        self._expand_search = False
        self.lead_windows: list[QWidget] = []

        self.owner_model = OwnerTreeModel(context, self)
        self.target_model = TargetModel(context, self)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("mainTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self._build_lead_management(), "Lead Management")
        self.bucket_tab = BucketTab(self.context, self)
        self.bucket_tab_index = self.tabs.addTab(self.bucket_tab, BUCKET_TAB_TITLE)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.tabs)
        self.splitter.addWidget(self._build_target_pane())
        # The leads' side gets the room its names need two levels down (about 32
        # characters) beside company, status and date; the targets' side the rest.
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes(list(FIRST_SPLIT))
        self.splitter.setChildrenCollapsible(False)
        self.setCentralWidget(self.splitter)
        self._build_actions()
        # Under the targets: the how-to while the database opens; then (start) the workload
        # chart, with the how-to on a tab beside it.
        self.guide = PassGuide(
            pass_to=self.pass_to_action,
            cut=self.cut_action,
            paste=self.paste_action,
            undo=self.undo_action,
        )
        self.pass_pane_lower.replace(self.guide)
        self.workload_panel: WorkloadPanel | None = None
        self._build_status_bar()
        self.pass_checking = PassChecking(self.target_view, self.statusBar())
        # A little air between rows: easier to aim a drop, easier to read at any scale.
        self.setStyleSheet(
            "QTreeView#ownerTree::item, QTreeView#targetView::item { padding: 3px 2px; }"
            "QStatusBar QLabel { padding: 0 8px; }"
        )

        self.owner_model.load_failed.connect(self._show_load_error)
        self.owner_model.loaded.connect(self._owner_tree_loaded)
        self.owner_model.loading_changed.connect(self._show_owner_busy)
        # Queued: the drop event finishes before the confirmation dialog opens.
        self.target_model.pass_requested.connect(
            self.request_pass, Qt.ConnectionType.QueuedConnection
        )
        context.runner.changed.connect(self.refresh)
        context.runner.busy_changed.connect(self.busy_bar.setVisible)
        self.bucket_tab.waiting_count_changed.connect(self._update_bucket_badge)
        self._update_bucket_badge(self.bucket_tab.waiting_count)
        self.resize(1180, 720)
        self._restore_settings()
        # Built in a loading state, reading nothing: the window paints its frame before the
        # database is open (``shell.build``), and ``start`` fills it once it is.
        self.owner_model.start_loading()
        self.target_model.start_loading()
        self._trees_loading = True
        self.busy_bar.show()
        self.search_edit.setEnabled(False)  # nothing to search or read again yet
        self.refresh_action.setEnabled(False)

    def start(self) -> None:
        """Read everything: the context has its database and actor (``WindowContext.sign_in``,
        done by ``shell.build`` once the database is open and the person signed in)."""
        context = self.context
        # Once: the application's display name is not set, so no platform appends it again.
        self.setWindowTitle(f"LeadDesk — {context.actor_name}")
        self._show_who_and_where()
        self.busy_bar.setVisible(context.runner.busy)
        self.search_edit.setEnabled(True)
        self.refresh_action.setEnabled(True)
        # Loaded here, not at the top: the chart's report loads SQLAlchemy.
        from leaddesk.ui.main.workload_panel import install_workload

        self.workload_panel = install_workload(self.target_view, self.pass_pane_lower, self.guide)
        self.undo_action.refresh()
        self.bucket_tab.refresh()
        self._reload_models()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        self.painted = True

    # -- building ------------------------------------------------------------------------

    def _build_lead_management(self) -> QWidget:
        page = QWidget(self)
        page.setObjectName("leadManagementTab")
        self.search_edit = QLineEdit(page)
        self.search_edit.setObjectName("searchEdit")
        self.search_edit.setPlaceholderText("Search leads by name or company")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setAccessibleName("Search leads")
        self.search_timer = QTimer(self)
        self.search_timer.setSingleShot(True)
        self.search_timer.setInterval(SEARCH_DELAY_MS)
        self.search_timer.timeout.connect(self.apply_search)
        self.search_edit.textChanged.connect(self.search_timer.start)
        self.search_edit.returnPressed.connect(self.apply_search)
        self.search_note = QLabel(page)
        self.search_note.setObjectName("searchNote")
        self.search_note.hide()

        self.owner_tree = OwnerTreeView(page)
        view = self.owner_tree
        setup_owner_tree(view, self.owner_model)
        view.customContextMenuRequested.connect(self._owner_menu)
        view.doubleClicked.connect(self._owner_double_clicked)
        view.open_requested.connect(self._owner_double_clicked)
        view.verticalScrollBar().valueChanged.connect(self._fetch_more_if_at_bottom)

        layout = QVBoxLayout(page)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(6)
        layout.addWidget(self.search_edit)
        layout.addWidget(self.search_note)
        # The tree, or (for someone who manages nobody) why it is empty and whom to ask.
        self.owner_empty_state = EmptyOwnerTree(page)
        self.owner_stack = QStackedWidget(page)
        self.owner_stack.addWidget(view)
        self.owner_stack.addWidget(self.owner_empty_state)
        layout.addWidget(self.owner_stack, 1)
        return page

    def _build_target_pane(self) -> QWidget:
        self.target_view = TargetView(self)
        setup_target_view(self.target_view, self.target_model)
        self.target_view.customContextMenuRequested.connect(self._target_menu)
        # Under the targets: the how-to for now; pass_pane_lower.replace() swaps it.
        self.pass_pane_lower = ReplaceableArea("passPaneLower", self)
        return target_pane(
            self,
            self.target_view,
            [self.owner_tree, self.bucket_tab.tree],
            self.pass_pane_lower,
        )

    def _build_actions(self) -> None:
        def action(text: str, shortcut: QKeySequence | str | None, slot: object) -> QAction:
            act = QAction(text, self)
            if shortcut is not None:
                act.setShortcut(QKeySequence(shortcut))
            act.triggered.connect(slot)
            self.addAction(act)
            return act

        self.undo_action = UndoPassAction(self.context, self)
        self.undo_action.triggered.connect(self.undo_pass)
        self.addAction(self.undo_action)
        self.cut_action = action("Cu&t", QKeySequence.StandardKey.Cut, self.cut_selection)
        self.cut_action.setObjectName("cutAction")
        self.paste_action = action("&Paste", QKeySequence.StandardKey.Paste, self.paste_on_target)
        self.paste_action.setObjectName("pasteAction")
        self.pass_to_action = action("Pass &to…", "Ctrl+P", self.pass_selection_to)
        self.pass_to_action.setObjectName("passToAction")
        self.refresh_action = action("&Refresh", QKeySequence.StandardKey.Refresh, self.refresh)
        self.find_action = action("&Find lead", QKeySequence.StandardKey.Find, self._focus_search)
        self.quit_action = action("&Quit", QKeySequence.StandardKey.Quit, self.close)
        menus = self.menuBar()
        # Kept as attributes: window services add their entries to these menus.
        self.file_menu = menus.addMenu("&File")
        self.file_menu.setObjectName("fileMenu")
        self.file_menu.addAction(self.refresh_action)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.quit_action)
        self.edit_menu = menus.addMenu("&Edit")
        self.edit_menu.setObjectName("editMenu")
        self.edit_menu.setToolTipsVisible(True)  # Undo pass says why it is disabled
        for item in (self.undo_action, None, self.cut_action, self.paste_action, None):
            self.edit_menu.addAction(item) if item else self.edit_menu.addSeparator()
        self.edit_menu.addAction(self.pass_to_action)
        self.edit_menu.addAction(self.find_action)
        self.help_menu = menus.addMenu("&Help")
        self.help_menu.setObjectName("helpMenu")  # its About entry: shell.window_services

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.busy_bar = QProgressBar(self)
        self.busy_bar.setObjectName("busyIndicator")
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setMaximumWidth(120)
        self.busy_bar.setTextVisible(False)
        self.busy_bar.hide()
        # Reserved for the email (outbox) status widget: see set_email_status_widget().
        self.email_status_area = QWidget(self)
        self.email_status_area.setObjectName("emailStatusArea")
        self.email_status_layout = QVBoxLayout(self.email_status_area)
        self.email_status_layout.setContentsMargins(0, 0, 0, 0)
        self.actor_label = QLabel("Opening the database…", self)
        self.actor_label.setObjectName("actorLabel")
        self.database_label = QLabel(self)
        self.database_label.setObjectName("databaseLabel")
        bar.addWidget(self.actor_label)
        bar.addWidget(self.database_label, 1)
        bar.addPermanentWidget(self.busy_bar)
        bar.addPermanentWidget(self.email_status_area)

    def _show_who_and_where(self) -> None:
        self.actor_label.setText(f"Signed in as {self.context.actor_name}")
        self.database_label.setText(f"Database: {home_short(self.context.database.display_url)}")
        self.database_label.setToolTip(self.context.database.display_url)

    def set_email_status_widget(self, widget: QWidget) -> None:
        """Show the email status (outbox) widget in the status bar's reserved place."""
        self.email_status_layout.addWidget(widget)

    # -- refreshing ----------------------------------------------------------------------

    def refresh(self) -> None:
        """Read both panes again (off the GUI thread), keeping expansion and selection."""
        owner_state = save_view_state(self.owner_tree)
        target_state = save_view_state(self.target_view)

        def restore() -> None:
            restore_view_state(self.owner_tree, owner_state)
            restore_view_state(self.target_view, target_state)

        self._reload_models(restore)

    def apply_changes_elsewhere(self, changes: Changes) -> None:
        """Reload what another person's committed change touched; keep selection and scroll."""
        if changes.touches_owners:
            self.refresh()
        if changes.touches_buckets or changes.touches_owners:
            from leaddesk.ui.common.read_errors import READ_ERRORS, error_text

            try:
                self.bucket_tab.refresh()
            except READ_ERRORS as exc:
                self._show_load_error(error_text(exc))
        for window in list(self.lead_windows):
            window.notice_changes(changes)

    @property
    def loading(self) -> bool:
        """A read for the trees is on its way (a whole-tree read or a page of leads)."""
        return self.owner_model.loading or self.owner_model.fetching or self._trees_loading

    def _reload_models(self, then: Callable[[], None] | None = None) -> None:
        # One read for both panes: one grouped count serves both (it is the expensive read
        # on big databases), on the read lane; the panes show "Loading…" or a busy cursor.
        owner_ticket, read_owners = self.owner_model.start_loading()
        target_ticket = self.target_model.start_loading()
        actor_id = self.context.actor_id
        self._trees_loading = True

        def read(session: Session) -> WindowTrees:
            return read_window_trees(session, actor_id=actor_id, owners=read_owners)

        def done(trees: WindowTrees) -> None:
            if not shiboken6.isValid(self):  # the window closed while the read was under way
                return
            self._trees_loading = False
            if self.target_model.take(target_ticket, trees.targets) and self.workload_panel:
                self.workload_panel.feed.take(trees.workload)  # from the same count
            taken = self.owner_model.take(owner_ticket, trees.owners)
            if taken:
                if trees.advice:
                    self.owner_empty_state.show_advice(trees.advice)
                shown = self.owner_empty_state if trees.advice else self.owner_tree
                self.owner_stack.setCurrentWidget(shown)
            if then is not None:
                then()

        def failed(message: str, _exc: BaseException) -> None:
            if not shiboken6.isValid(self):
                return
            self._trees_loading = False
            self.target_model.fail(target_ticket)
            self.owner_model.fail(owner_ticket, message)

        self.context.runner.query(read, done, on_error=failed, key=self._trees_key)

    def _owner_tree_loaded(self) -> None:
        """A whole owner tree came in: open a search's matches and say what it found."""
        text = self.owner_model.search
        if text and self._expand_search:
            self._expand_search = False
            self.owner_tree.expandAll()
        if self.owner_model.search_truncated:
            self.search_note.setText("Showing the first 1,000 matches; type more to narrow down.")
        elif text and self.owner_model.rowCount() == 0:
            self.search_note.setText(f"No lead of your users matches “{text}”.")
        else:
            self.search_note.setText("")
        self.search_note.setVisible(bool(self.search_note.text()))

    def apply_search(self) -> None:
        self.search_timer.stop()
        text = self.search_edit.text().strip()
        if text == self.owner_model.search:
            return
        self._expand_search = bool(text)
        self.owner_model.set_search(text)

    def _show_owner_busy(self, busy: bool) -> None:
        # Over a filled tree that is being read again: a busy cursor on this view only.
        viewport = self.owner_tree.viewport()
        if busy:
            viewport.setCursor(Qt.CursorShape.BusyCursor)
        else:
            viewport.unsetCursor()

    def _fetch_more_if_at_bottom(self, value: int) -> None:
        # QTreeView fetches more rows only for top-level items; leads sit two levels down.
        if value < self.owner_tree.verticalScrollBar().maximum():
            return
        index = self.owner_tree.indexAt(self.owner_tree.viewport().rect().bottomLeft())
        while index.isValid() and not self.owner_model.canFetchMore(index):
            index = index.parent()
        if index.isValid():
            self.owner_model.fetchMore(index)

    def _update_bucket_badge(self, count: int) -> None:
        title = f"{BUCKET_TAB_TITLE} ({count:,})" if count else BUCKET_TAB_TITLE
        self.tabs.setTabText(self.bucket_tab_index, title)

    def _show_load_error(self, message: str) -> None:
        show_outcome(self, "loadErrorDialog", "Cannot read the database", message, error=True)

    # -- passing -------------------------------------------------------------------------

    def request_pass(self, source: PassSource, target: Target) -> None:
        # The pass flow, its dialogs and the controller load at the first pass, not at start.
        from leaddesk.ui.passing.pass_dialogs import run_pass_flow

        self.pass_checking.start()
        run_pass_flow(
            self.context,
            source,
            target,
            self,
            on_finished=self._pass_finished,
            on_checked=self.pass_checking.stop,
        )

    def _pass_finished(self, result: object) -> None:
        if result is not None:
            self.cut_source = None

    def current_source(self) -> PassSource | None:
        """What the selection in the visible tab would pass (as its drag would)."""
        if self.tabs.currentIndex() == 0:
            return self.owner_model.source_for(self.owner_tree.selectionModel().selectedRows(0))
        return self.bucket_tab.current_source()

    def cut_selection(self) -> None:
        source = self.current_source()
        if source is None:
            self.statusBar().showMessage("Select leads, a status or a user to cut first.", 5000)
            return
        self.cut_source = source
        self.statusBar().showMessage(
            f"Cut {source.label}. Select a target under “Pass to” and choose Edit > Paste.", 15000
        )

    def paste_on_target(self) -> None:
        if self.cut_source is None:
            self.statusBar().showMessage(
                "Nothing is cut: select leads and choose Edit > Cut.", 5000
            )
            return
        choice = self.target_model.choice(self.target_view.currentIndex())
        if choice is None:
            show_outcome(
                self,
                "pasteHintDialog",
                "Paste",
                "Select a user, office or pass group under “Pass to” first, then paste.",
            )
            return
        self.request_pass(self.cut_source, choice.target)

    def pass_selection_to(self) -> None:
        source = self.current_source()
        if source is None:
            self.statusBar().showMessage("Select leads, a status or a user first.", 5000)
            return
        from leaddesk.ui.main.target_chooser import TargetChooserDialog

        chooser = TargetChooserDialog(self.target_model, source.label, self)
        target = (
            chooser.chosen() if chooser.exec() == TargetChooserDialog.DialogCode.Accepted else None
        )
        chooser.deleteLater()
        self.target_view.restore_headings()
        if target is not None:
            self.request_pass(source, target)

    def undo_pass(self) -> None:
        from leaddesk.ui.passing.pass_dialogs import run_undo_flow

        run_undo_flow(self.context, self)

    # -- menus and double-click ----------------------------------------------------------

    def _owner_menu(self, pos: QPoint) -> None:
        menu = self.owner_menu_for(self.owner_tree.indexAt(pos))
        if menu is not None:
            menu.popup(self.owner_tree.viewport().mapToGlobal(pos))

    def owner_menu_for(self, index: QModelIndex) -> QMenu | None:
        """The owner tree's context menu for a row: Open lead, Pass to…, Cut."""
        if not index.isValid():
            return None
        menu = QMenu(self)
        menu.setObjectName("ownerTreeMenu")
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        lead_id = self.owner_model.lead_id(index)
        if lead_id is not None:
            menu.addAction("Open lead", lambda: self.open_lead(lead_id))
            menu.addSeparator()
        menu.addAction(self.pass_to_action)
        menu.addAction(self.cut_action)
        return menu

    def _target_menu(self, pos: QPoint) -> None:
        index = self.target_view.indexAt(pos)
        if self.target_model.choice(index) is None:
            return
        self.target_view.setCurrentIndex(index)
        menu = QMenu(self)
        menu.setObjectName("targetMenu")
        paste = menu.addAction("Paste here", self.paste_on_target)
        paste.setEnabled(self.cut_source is not None)
        menu.popup(self.target_view.viewport().mapToGlobal(pos))

    def _owner_double_clicked(self, index: QModelIndex) -> None:
        lead_id = self.owner_model.lead_id(index)
        if lead_id is not None:
            self.open_lead(lead_id)

    def open_lead(self, lead_id: int) -> LeadWindow:
        from leaddesk.ui.lead.lead_window import LeadWindow

        window = LeadWindow(self.context, lead_id, self)
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        window.destroyed.connect(lambda *_: self._forget(window))
        self.lead_windows.append(window)
        window.show()
        return window

    def _forget(self, window: QWidget) -> None:
        if window in self.lead_windows:
            self.lead_windows.remove(window)

    def _focus_search(self) -> None:
        self.tabs.setCurrentIndex(0)
        self.search_edit.setFocus()
        self.search_edit.selectAll()

    # -- settings ------------------------------------------------------------------------

    def _restore_settings(self) -> None:
        settings = app_settings()
        for key, restore in (
            ("window/geometry", self.restoreGeometry),
            ("window/state", self.restoreState),
            ("window/splitter", self.splitter.restoreState),
            ("window/ownerColumns", self.owner_tree.header().restoreState),
            ("window/targetColumns", self.target_view.header().restoreState),
        ):
            value = settings.value(key)
            if isinstance(value, QByteArray | bytes) and value:
                restore(QByteArray(value))

    def save_settings(self) -> None:
        settings = app_settings()
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/state", self.saveState())
        settings.setValue("window/splitter", self.splitter.saveState())
        settings.setValue("window/ownerColumns", self.owner_tree.header().saveState())
        settings.setValue("window/targetColumns", self.target_view.header().saveState())
        settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.property("screenshotOnly"):
            self.save_settings()
        # Let a running pass finish (it is one transaction) before the database closes; a
        # read has nothing to lose: the window goes without waiting for it, and its answer
        # (a pass preview, an undo offer) is dropped rather than shown over a closed window.
        runner = self.context.runner
        runner.wait_for_writes()
        runner.drop_answers_for(self)
        self.pass_checking.stop()
        self.closing.emit()
        for window in list(self.lead_windows):
            window.close()
        super().closeEvent(event)
        if self.property("ownsDatabase"):
            runner.close_database()
