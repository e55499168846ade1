"""Regenerate the pictures in ``docs/screenshots/`` from the demo data, offscreen.

    python docs/screenshots.py              # 100 %: docs/screenshots/*.png (+ docs/screenshot.png)
    python docs/screenshots.py --scale 2    # 200 %: docs/screenshots/2x/*.png

The dialogs are the real ones: the real pass flow opens them and each is photographed as it
appears, then answered as a person would (Yes, a note and Submit, OK). The drag pictures
send real drag events to the Pass to pane and paint the drag chip and the pointer into the
still, because an offscreen grab shows no cursor and no drag image. The demo database is a
scratch file opened by a relative name, so no machine path shows in the status bar.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ACTOR = "Maria Manager"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="QT_SCALE_FACTOR (2 for 200%%)")
    parser.add_argument("--out", type=Path, default=None, help="folder for the PNGs")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    out = args.out or (DOCS / "screenshots" if args.scale == 1 else DOCS / "screenshots" / "2x")
    out = out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    scratch = tempfile.TemporaryDirectory(prefix="leaddesk-pictures-")
    # Before Qt loads: offscreen, the scale, no email, no real settings or keyring touched.
    # A desktop-sized screen: on the default 800x600 one, message boxes wrap at 320 px.
    screen = Path(scratch.name) / "screen.json"
    screen.write_text(
        '{"screens": [{"name": "desktop", "x": 0, "y": 0, "width": 1920, "height": 1080,'
        ' "logicalDpi": 96, "logicalDpiBase": 96, "dpr": 1}]}',
        encoding="utf-8",
    )
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={screen}"
    os.environ["QT_SCALE_FACTOR"] = f"{args.scale:g}"
    os.environ["LEADDESK_EMAIL_AUTOSEND"] = "0"
    os.environ["LEADDESK_SETTINGS_FILE"] = os.path.join(scratch.name, "settings.ini")
    os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
    # The status bar shortens the home folder to "~": the database shows as ~/leaddesk.db.
    os.environ["HOME"] = scratch.name
    os.chdir(scratch.name)
    try:
        return Pictures(out, primary=args.scale == 1).take_all()
    finally:
        os.chdir(DOCS)
        scratch.cleanup()


class Pictures:
    def __init__(self, out: Path, *, primary: bool) -> None:
        from PySide6.QtWidgets import QApplication

        from leaddesk.store.database import open_database
        from leaddesk.store.demo import create_demo
        from leaddesk.ui.common.qt_messages import quiet_offscreen_notices
        from leaddesk.ui.common.settings import APPLICATION, ORGANISATION

        self.out = out
        self.primary = primary
        self.app = QApplication.instance() or QApplication(sys.argv[:1])
        self.app.setOrganizationName(ORGANISATION)
        self.app.setApplicationName(APPLICATION)
        quiet_offscreen_notices()
        self.light = self.app.palette()
        database = open_database("leaddesk.db")
        create_demo(database)
        database.dispose()
        self.written: list[Path] = []

    # -- plumbing ------------------------------------------------------------------------

    def settle(self) -> None:
        for _round in range(3):
            self.app.processEvents()

    def save(self, pixmap: object, name: str) -> None:
        path = self.out / name
        if not pixmap.save(str(path), "PNG"):  # type: ignore[attr-defined]
            raise SystemExit(f"cannot write {path}")
        self.written.append(path)

    def window(self, actor: str) -> object:
        from leaddesk import ui

        window = ui.main_window("leaddesk.db", actor)
        window.setProperty("screenshotOnly", True)
        window.resize(1180, 720)
        window.show()
        self.settle()
        return window

    def wait_until(self, done: Callable[[], bool], what: str, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while not done():
            if time.monotonic() > deadline:
                raise SystemExit(f"timed out waiting for {what}")
            self.app.processEvents()
            time.sleep(0.01)

    def when_shown(self, name: str, act: Callable[[object], None]) -> list[bool]:
        """Photograph-and-answer the window called ``name`` as soon as it is visible (also
        from inside a modal dialog's own event loop)."""
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QApplication

        done: list[bool] = []
        timer = QTimer(self.app)
        timer.setInterval(20)

        def poll() -> None:
            for widget in QApplication.topLevelWidgets():
                if widget.objectName() == name and widget.isVisible():
                    timer.stop()
                    self.settle()
                    act(widget)
                    done.append(True)
                    return

        timer.timeout.connect(poll)
        timer.start()
        return done

    # -- the pictures --------------------------------------------------------------------

    def take_all(self) -> int:
        from leaddesk.ui.common.palettes import dark_palette

        window = self.window(ACTOR)
        self.main_window(window, "main-window.png")
        if self.primary:
            self.save(window.grab(), "../screenshot.png")
        self.drag_stills(window, "")
        window.close()
        # A desktop in dark mode: the palette is there before the window is built.
        self.app.setPalette(dark_palette())
        window = self.window(ACTOR)
        self.main_window(window, "main-window-dark.png")
        self.drag_stills(window, "-dark")
        window.close()
        self.app.setPalette(self.light)
        window = self.window(ACTOR)
        self.pass_flow(window)
        self.lead_window(window)
        self.email_settings(window)
        window.close()
        self.bucket_assign()
        self.administration()
        for path in self.written:
            shown = path.resolve()
            if shown.is_relative_to(DOCS.parent):
                shown = shown.relative_to(DOCS.parent)
            print(f"wrote {shown}")
        return 0

    def main_window(self, window: object, name: str) -> None:
        from leaddesk.ui.shell.launch import prepare_for_picture

        prepare_for_picture(window)
        self.settle()
        self.save(window.grab(), name)

    def harbor_index(self, window: object) -> object:
        from leaddesk.ui.shell.launch import wait_until_loaded

        model = window.owner_model
        status = model.find_status_index("John Smith", "LEAD")
        window.owner_tree.expand(status.parent())
        window.owner_tree.expand(status)
        wait_until_loaded(window)  # the leads are read off the GUI thread
        for row in range(model.rowCount(status)):
            index = model.index(row, 0, status)
            if model.data(index) == "Harbor Logistics renewal":
                return index
        raise SystemExit("the demo data has no Harbor Logistics renewal under John Smith")

    def drag_stills(self, window: object, suffix: str) -> None:
        from PySide6.QtCore import QItemSelectionModel

        lead = self.harbor_index(window)
        window.owner_tree.selectionModel().select(
            lead,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        drag = window.owner_tree.make_drag()
        for target, name in (("Jane Doe", "drag-valid"), ("John Smith", "drag-invalid")):
            index = window.target_model.find(target)
            self.save(drag_still(window, drag, index), f"{name}{suffix}.png")
        if suffix:
            return
        # A whole status: the chip's second line carries the count.
        status = window.owner_model.find_status_index("Jane Doe", "OPPORTUNITY")
        window.owner_tree.selectionModel().select(
            status,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        drag = window.owner_tree.make_drag()
        office = window.target_model.find("Downtown Office")
        self.save(drag_still(window, drag, office), "drag-status.png")
        window.owner_tree.selectionModel().clearSelection()

    def pass_flow(self, window: object) -> None:
        from PySide6.QtWidgets import QMessageBox

        def yes(box: object) -> None:
            self.save(box.grab(), "confirm.png")
            box.button(QMessageBox.StandardButton.Yes).click()

        def note(dialog: object) -> None:
            dialog.note_edit.setPlainText("They asked for a call on Monday morning.")
            self.settle()
            self.save(dialog.grab(), "note.png")
            dialog.submit.click()

        def ok(box: object) -> None:
            self.save(box.grab(), "done.png")
            box.button(QMessageBox.StandardButton.Ok).click()

        self.when_shown("confirmPassDialog", yes)
        self.when_shown("passNoteDialog", note)
        finished = self.when_shown("passDoneDialog", ok)
        source = window.owner_model.source_for([self.harbor_index(window)])
        target = window.target_model.choice(window.target_model.find("Jane Doe")).target
        window.request_pass(source, target)
        self.wait_until(lambda: bool(finished), "Lead pass successful")

    def lead_window(self, window: object) -> None:
        lead = window.open_lead(lead_id_of(window, "Bluebell Dental scheduling"))
        lead.tabs.setCurrentIndex(lead.tabs.count() - 1)
        combo = lead.target_combo
        self.wait_until(lambda: not lead.loading and combo.count() > 0, "the Pass Lead targets")
        combo.setCurrentIndex(combo.findText("Sam Field", flags=_contains()))
        lead.note_edit.setPlainText("Sam covers dental practices from next week.")
        self.settle()
        self.save(lead.grab(), "lead-pass-tab.png")
        lead.close()

    def email_settings(self, window: object) -> None:
        from PySide6.QtGui import QAction

        window.findChild(QAction, "emailSettingsAction").trigger()
        self.settle()
        dialog = visible("emailSettingsDialog")
        self.save(dialog.grab(), "email-settings.png")
        dialog.close()

    def bucket_assign(self) -> None:
        window = self.window("Olivia Office")
        window.tabs.setCurrentIndex(1)
        lead_id = lead_id_of(window, "Walk-in: Corner Florist website")
        tab = window.bucket_tab
        self.wait_until(lambda: tab.model.total_waiting() > 0, "the bucket to load")
        tab.select_leads([lead_id])
        dialog = tab.open_assign_dialog()
        self.wait_until(lambda: not dialog.loading, "who may take the lead")
        self.settle()
        self.save(composite(window, dialog), "bucket-assign.png")
        dialog.close()
        window.close()

    def administration(self) -> None:
        from PySide6.QtGui import QAction

        window = self.window("Ada Admin")
        window.findChild(QAction, "administrationAction").trigger()
        self.settle()
        admin = visible("adminWindow")
        self.wait_until(lambda: not admin.loading, "the administration tables")
        self.save(admin.grab(), "administration.png")
        admin.close()
        window.close()


def lead_id_of(window: object, name: str) -> int:
    from sqlalchemy import select

    from leaddesk.store.models import Lead

    with window.context.database.read() as session:
        return session.scalars(select(Lead.id).where(Lead.name == name)).one()


def _contains() -> object:
    from PySide6.QtCore import Qt

    return Qt.MatchFlag.MatchContains


def visible(name: str) -> object:
    from PySide6.QtWidgets import QApplication

    for widget in QApplication.topLevelWidgets():
        if widget.objectName() == name and widget.isVisible():
            return widget
    raise SystemExit(f"{name} did not open")


def drag_still(window: object, drag: object, index: object) -> object:
    """The window during a drag over ``index``: real drag events, then the chip and the
    pointer (an arrow, or the forbidden sign where the drop is refused) painted in."""
    from PySide6.QtGui import QDragEnterEvent, QDragLeaveEvent, QDragMoveEvent, QPainter
    from PySide6.QtWidgets import QApplication

    from leaddesk.ui.passing.drag_chip import CHIP_OFFSET

    view = window.target_view
    rect = view.visualRect(index)
    pos = rect.center()
    pos.setX(rect.left() + min(90, rect.width() // 2))
    mime = drag.mimeData()
    QApplication.sendEvent(view.viewport(), drag_event(QDragEnterEvent, pos, mime))
    move = drag_event(QDragMoveEvent, pos, mime)
    QApplication.sendEvent(view.viewport(), move)
    QApplication.processEvents()
    picture = window.grab()
    at = view.viewport().mapTo(window, pos)
    painter = QPainter(picture)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.drawPixmap(at + CHIP_OFFSET, drag.pixmap())
    draw_pointer(painter, at, allowed=move.isAccepted())
    painter.end()
    QApplication.sendEvent(view.viewport(), QDragLeaveEvent())
    return picture


def drag_event(cls: type, pos: object, mime: object) -> object:
    """PySide 6.12 takes a QPointF (and deprecates QPoint); 6.11 takes only a QPoint."""
    import warnings

    from PySide6.QtCore import QPointF, Qt

    actions = Qt.DropAction.MoveAction | Qt.DropAction.CopyAction
    button, none = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    try:
        return cls(QPointF(pos), actions, mime, button, none)
    except TypeError:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            return cls(pos, actions, mime, button, none)


def draw_pointer(painter: object, at: object, *, allowed: bool) -> None:
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QColor, QPen, QPolygonF

    x, y = at.x(), at.y()
    arrow = QPolygonF(
        [
            QPointF(x, y),
            QPointF(x, y + 17),
            QPointF(x + 4.5, y + 13),
            QPointF(x + 8, y + 20),
            QPointF(x + 10.5, y + 19),
            QPointF(x + 7, y + 12),
            QPointF(x + 12.5, y + 12),
        ]
    )
    painter.setPen(QPen(QColor("#000000"), 1.2))
    painter.setBrush(QColor("#ffffff"))
    painter.drawPolygon(arrow)
    if not allowed:
        centre = QPointF(x + 15, y + 22)
        painter.setPen(QPen(QColor("#ffffff"), 4.5))
        painter.setBrush(QColor(0, 0, 0, 0))
        painter.drawEllipse(centre, 7, 7)
        painter.setPen(QPen(QColor("#c62828"), 2.2))
        painter.drawEllipse(centre, 7, 7)
        painter.drawLine(QPointF(x + 10, y + 17), QPointF(x + 20, y + 27))


def composite(window: object, dialog: object) -> object:
    """The window with ``dialog`` over its middle, as it appears on a desktop."""
    from PySide6.QtCore import QPoint, QRect
    from PySide6.QtGui import QColor, QPainter

    picture = window.grab()
    front = dialog.grab()
    size = dialog.size()
    at = QPoint((window.width() - size.width()) // 2, (window.height() - size.height()) // 2)
    painter = QPainter(picture)
    painter.fillRect(QRect(QPoint(0, 0), window.size()), QColor(0, 0, 0, 60))
    for spread in range(6, 0, -1):
        painter.fillRect(
            QRect(at, size).adjusted(-spread, -spread + 2, spread, spread + 2),
            QColor(0, 0, 0, 14),
        )
    painter.drawPixmap(at, front)
    painter.setPen(QColor("#7a7d83"))
    painter.drawRect(QRect(at, size).adjusted(-1, -1, 0, 0))
    painter.end()
    return picture


if __name__ == "__main__":
    sys.exit(main())
