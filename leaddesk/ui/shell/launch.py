"""``leaddesk`` without a command: open the window (or render it to a PNG and exit).

Errors at start (database unreachable, unknown or inactive user) raise a LeadDeskError that
the command line prints as one line with exit code 1; an interactive start also shows it in
a message box, since a desktop user may not see a terminal.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
import time
from typing import TYPE_CHECKING

from leaddesk.errors import DatabaseUnavailableError, InvalidInputError, LeadDeskError
from leaddesk.startup import end_startup, no_collection, trace

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication, QWidget

    from leaddesk.store.database import Database
    from leaddesk.ui.main.main_window import MainWindow

# A desktop may never expose the window (started minimised): the opening does not wait longer.
FIRST_PAINT_WAIT_S = 1.0


def run_window(*, db: str | None, actor: str | None, screenshot: str | None) -> int:
    if screenshot:
        # Rendering needs no display; set before the QApplication exists. A picture sends
        # no email either.
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        os.environ["LEADDESK_EMAIL_AUTOSEND"] = "0"
        # Render as a first start looks: the user's remembered columns and splitter stay
        # out of the picture (and untouched).
        from leaddesk.ui.common.settings import SETTINGS_FILE_ENV

        scratch = tempfile.mkdtemp(prefix="leaddesk-screenshot-")
        atexit.register(shutil.rmtree, scratch, ignore_errors=True)
        os.environ[SETTINGS_FILE_ENV] = os.path.join(scratch, "settings.ini")
    elif not has_display():
        # Qt would abort the process with a core dump; say what is wrong instead.
        raise LeadDeskError(
            "No desktop display was found, so the window cannot open. Run leaddesk in a "
            "desktop session, or use its commands (leaddesk --help) or --screenshot FILE."
        )
    from leaddesk.ui.shell.database_opening import DatabaseOpening

    interactive = screenshot is None and os.environ.get("QT_QPA_PLATFORM") != "offscreen"
    # Without --db or LEADDESK_DB the window starts on the database used last (QSettings
    # needs no QApplication when it is told the organisation and application).
    from leaddesk.ui.common.settings import last_database, remember_database

    chosen = db or (None if os.environ.get("LEADDESK_DB") else last_database())
    # No garbage collection while the opening's thread runs (see startup.no_collection).
    with no_collection():
        app = _application(quiet_offscreen=screenshot is not None)
        # First the main window's frame and a loading state, painted before any database
        # work (a picture too: its first paint is what benchmarks/startup.py measures).
        window = _painted_connecting_window()
        # Then the opening, on a thread of its own. Started after the first paint: while it
        # imports SQLAlchemy it holds the GIL, and started before Qt it delayed the first
        # paint by about 0.4 s on this 2-core machine (the trees fill a little later).
        opening = DatabaseOpening(chosen)
        on_copy = False
        try:
            try:
                database = opening.wait(app.processEvents)
            except DatabaseUnavailableError as unreachable:
                # This computer's copy of the server, or one line and Retry (offline_start).
                from leaddesk.ui.shell.offline_start import open_when_unreachable

                opened = open_when_unreachable(
                    chosen,
                    actor,
                    unreachable,
                    interactive=interactive,
                    keep_painting=app.processEvents,
                )
                if opened is None:  # the person read the line and chose Close
                    _start_failed(window, None, False, unreachable)
                    return 1
                database, actor, on_copy = opened
        except LeadDeskError as exc:
            _start_failed(window, None, interactive, exc)
            raise
    if not window.isVisible():  # closed while the database was opening
        _start_failed(window, database, False, None)
        return 0
    try:
        if not ensure_users(database, interactive, is_default=chosen is None):
            _start_failed(window, database, False, None)
            return 1
        # On a server an ordinary login is who signs in; the list is for SQLite files (and
        # for the owner login, which may act for anyone).
        name = actor
        if name is None and _needs_sign_in(database):
            name = _choose_actor(database, interactive)
            if name is None:
                _start_failed(window, database, False, None)
                return 1
        from leaddesk.ui.shell.build import sign_in_window

        sign_in_window(window, database, name)
    except LeadDeskError as exc:
        _start_failed(window, database, interactive, exc)
        raise
    window.setProperty("ownsDatabase", True)
    if not on_copy:  # the next start tries the server again first
        remember_database(database.display_url)
    end_startup()
    # From here the window's reader threads allocate a lot: collections run on the GUI
    # thread only, so no Qt object is finalized on a reader thread (see gui_thread_gc).
    from leaddesk.ui.common.gui_thread_gc import GuiThreadCollector

    GuiThreadCollector(app)
    if screenshot:
        return render_screenshot(window, screenshot)
    return int(app.exec())


def _application(*, quiet_offscreen: bool) -> QApplication:
    from PySide6.QtWidgets import QApplication

    from leaddesk.ui.common import icons
    from leaddesk.ui.common.settings import APPLICATION, ORGANISATION

    app = QApplication.instance() or QApplication(sys.argv[:1])
    if quiet_offscreen:
        from leaddesk.ui.common.qt_messages import quiet_offscreen_notices

        quiet_offscreen_notices()
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    app.setWindowIcon(icons.app_icon())
    return app  # type: ignore[return-value]


def _painted_connecting_window() -> MainWindow:
    """The main window in its loading state, shown; returns once it has painted (or after
    ``FIRST_PAINT_WAIT_S``, for a desktop that does not expose it, as when started minimised).
    """
    from PySide6.QtCore import QEventLoop, QThread
    from PySide6.QtWidgets import QApplication

    from leaddesk.ui.shell.build import connecting_window

    window = connecting_window()
    window.show()
    deadline = time.monotonic() + FIRST_PAINT_WAIT_S
    while not window.painted and time.monotonic() < deadline:
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 10)
        if not window.painted:
            QThread.msleep(1)  # not exposed yet: no busy spin
    if window.painted:
        trace("first-paint")
    return window


def _start_failed(
    window: QWidget, database: Database | None, interactive: bool, exc: LeadDeskError | None
) -> None:
    """No half-built window stays: it closes, the database is let go, the error is shown."""
    import shiboken6

    window.close()
    # Deleted here, on the GUI thread, not by a garbage collection that the traceback's
    # cycle leaves to chance (Qt objects deleted then have crashed the process).
    shiboken6.delete(window)
    if database is not None:
        database.dispose()
    if interactive and exc is not None:
        _show_start_error(str(exc))


def has_display() -> bool:
    """Windows and macOS always have one; on Linux and BSD, X11 or Wayland must be there."""
    if sys.platform in ("win32", "darwin") or os.environ.get("QT_QPA_PLATFORM"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def render_screenshot(window: object, path: str) -> int:
    """Show the window offscreen with the first user expanded, save it as PNG, close it."""
    from PySide6.QtWidgets import QApplication

    # The same picture on every machine: a fixed size, not the remembered geometry, and
    # nothing of this offscreen run is remembered for the real window.
    window.setProperty("screenshotOnly", True)  # type: ignore[attr-defined]
    window.resize(1180, 720)  # type: ignore[attr-defined]
    window.show()  # type: ignore[attr-defined]
    prepare_for_picture(window)
    # What the window reads off the GUI thread (the offline strip on a copy: two reads, one
    # after the other) is in the picture.
    for _read in range(3):
        window.context.runner.wait_idle()  # type: ignore[attr-defined]
        QApplication.processEvents()
    QApplication.processEvents()
    image = window.grab()  # type: ignore[attr-defined]
    window.close()  # type: ignore[attr-defined]
    if not image.save(path, "PNG"):
        raise LeadDeskError(f"Cannot write the screenshot to {path}.")
    print(f"wrote {path}")
    return 0


def wait_until_loaded(window: object, timeout: float = 60.0) -> None:
    """Let the event loop run until the window's trees have their data (or ``timeout``)."""
    from PySide6.QtCore import QEventLoop, QThread
    from PySide6.QtWidgets import QApplication

    deadline = time.monotonic() + timeout
    while window.loading and time.monotonic() < deadline:  # type: ignore[attr-defined]
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        QThread.msleep(2)
    QApplication.processEvents()


def prepare_for_picture(window: object) -> None:
    """Open the first user who holds leads, with their statuses, and select their first lead.

    The picture shows the filled window: the trees are read off the GUI thread, so this
    waits for them (and again for the leads of the statuses it opens)."""
    wait_until_loaded(window)
    trace("trees-filled")
    tree = window.owner_tree  # type: ignore[attr-defined]
    model = tree.model()
    # The first user who holds leads (an admin with none would show an empty branch).
    users = [model.index(row, 0) for row in range(model.rowCount())]
    with_leads = [index for index in users if model.hasChildren(index)]
    if with_leads:
        first = with_leads[0]
        tree.expand(first)
        for row in range(model.rowCount(first)):
            tree.expand(model.index(row, 0, first))
        wait_until_loaded(window)
        tree.setCurrentIndex(model.index(0, 0, model.index(0, 0, first)))


def ensure_users(database: Database, interactive: bool, *, is_default: bool) -> bool:
    """An empty database (first run): offer the demo data so there is someone to sign in as."""
    from leaddesk.store.database import DB_ENV_VAR
    from leaddesk.store.demo import create_demo
    from leaddesk.store.tree_queries import active_user_names

    with database.read() as session:
        if active_user_names(session):
            return True
    if not interactive:
        raise InvalidInputError(
            "The database has no users yet; create the demo data with 'leaddesk demo'."
        )
    from PySide6.QtWidgets import QMessageBox

    where = (
        "The default database"
        if is_default and not os.environ.get(DB_ENV_VAR)
        else f"The database {database.display_url}"
    )
    box = QMessageBox(
        QMessageBox.Icon.Question,
        "LeadDesk",
        f"{where} is empty. Create the demo data (users, offices, pass groups and leads) so "
        "you can try LeadDesk?",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
    )
    box.setObjectName("createDemoDialog")
    if box.exec() != QMessageBox.StandardButton.Yes:
        return False
    create_demo(database)
    return True


def _needs_sign_in(database: Database) -> bool:
    from leaddesk.server.identity import needs_sign_in

    with database.read() as session:
        return needs_sign_in(session)


def _choose_actor(database: Database, interactive: bool) -> str | None:
    from leaddesk.ui.shell.sign_in_dialog import ask_who, remembered_user

    if not interactive:
        remembered = remembered_user()
        if remembered:
            return remembered
        raise InvalidInputError("Say who signs in with --as NAME.")
    return ask_who(database)


def _show_start_error(message: str) -> None:
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon.Critical, "LeadDesk cannot start", message)
    box.setObjectName("startErrorDialog")
    box.exec()
