"""The strip across the top of the main window that says the window works offline.

Three kinds share one look: *offline* (amber: working on this computer's copy, passes wait),
*unreachable* (red: the server is gone and there is no copy to work on) and *notice* (green:
what a sync did, with a close button). The sentences are built by plain functions so the
window, the tests and the README say the same thing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QGuiApplication, QPalette
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QSizePolicy,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)


class BannerKind(StrEnum):
    OFFLINE = "offline"
    UNREACHABLE = "unreachable"
    NOTICE = "notice"


# (background, border, text) in a light and a dark palette; every text colour keeps at
# least 7:1 against its background.
_COLOURS: dict[BannerKind, tuple[tuple[str, str, str], tuple[str, str, str]]] = {
    BannerKind.OFFLINE: (("#fff4d6", "#e3b341", "#3d2e00"), ("#3d3213", "#a8822a", "#ffe8a8")),
    BannerKind.UNREACHABLE: (("#fdecea", "#e3a29b", "#5c1a12"), ("#4a1f1b", "#b3564b", "#ffd9d4")),
    BannerKind.NOTICE: (("#e6f4ea", "#8cc79d", "#0f3d1f"), ("#173826", "#4f9a68", "#d4f5df")),
}
_ICONS = {
    BannerKind.OFFLINE: QStyle.StandardPixmap.SP_MessageBoxWarning,
    BannerKind.UNREACHABLE: QStyle.StandardPixmap.SP_MessageBoxCritical,
    BannerKind.NOTICE: QStyle.StandardPixmap.SP_MessageBoxInformation,
}


def plural(count: int, one: str, many: str) -> str:
    return f"{count:,} {one if count == 1 else many}"


def clock_time(when: datetime, now: datetime | None = None) -> str:
    """``10:42`` today, ``27 Nov 10:42`` on another day, in the computer's time zone."""
    aware = when if when.tzinfo is not None else when.replace(tzinfo=UTC)
    local = aware.astimezone()
    today = (now or datetime.now(UTC)).astimezone().date()
    return local.strftime("%H:%M") if local.date() == today else local.strftime("%d %b %H:%M")


def server_label(server_url: str) -> str:
    """A server as a person knows it: ``maria@dbhost/leaddesk``, without the driver."""
    return server_url.partition("://")[2] or server_url


def offline_text(
    copied_at: datetime, pending_passes: int, open_conflicts: int, now: datetime | None = None
) -> str:
    """The amber strip's line: "Offline: working on this computer's copy from 10:42. …"."""
    waiting = (
        "No pass waits to be sent."
        if pending_passes == 0
        else f"{plural(pending_passes, 'pass waits', 'passes wait')} to be sent."
    )
    text = f"Offline: working on this computer's copy from {clock_time(copied_at, now)}. {waiting}"
    if open_conflicts:
        text += f" {plural(open_conflicts, 'sync conflict waits', 'sync conflicts wait')} for you."
    return text


def sync_text(sent: int, conflicts: int, *, back_online: bool) -> str:
    """What a sync did, in one line: "Back online: 3 passes sent, 1 conflict."."""
    if sent or conflicts:
        text = plural(sent, "pass sent", "passes sent")
        if conflicts:
            text += f", {plural(conflicts, 'conflict', 'conflicts')}"
    else:
        text = "no pass waited to be sent"
    return f"{'Back online' if back_online else 'Synced'}: {text}."


def waiting_text(waiting: int) -> str:
    """Passes made on the copy while it synced, still in its journal ("" when none)."""
    if not waiting:
        return ""
    made = plural(waiting, "pass", "passes")
    verb = "waits" if waiting == 1 else "wait"
    return f"{made} made on the copy during the sync {verb} to be sent."


def unreachable_text(server_url: str, reason: str) -> str:
    """The red strip: unreachable (why), no copy to fall back on, tried again by itself."""
    return (
        f"The server {server_label(server_url)} cannot be reached ({reason}) and this computer "
        "keeps no copy of it to work on. LeadDesk tries again every 30 seconds."
    )


def unreachable_reason(message: str) -> str:
    """The driver's reason from "The database at … cannot be reached: reason"."""
    return message.partition("cannot be reached: ")[2].rstrip(".") or message


class OfflineBanner(QFrame):
    """A coloured strip: an icon, one or two lines of text, buttons, and (for notices) ×."""

    def __init__(self, kind: BannerKind, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = kind
        self.setObjectName(
            {
                BannerKind.OFFLINE: "offlineBanner",
                BannerKind.UNREACHABLE: "unreachableBanner",
                BannerKind.NOTICE: "syncResultBanner",
            }[kind]
        )
        self.setAccessibleName(
            "Sync result" if kind is BannerKind.NOTICE else "Offline: working without the server"
        )
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        icon = QLabel(self)
        icon.setPixmap(self.style().standardIcon(_ICONS[kind]).pixmap(QSize(22, 22)))
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.label = QLabel(self)
        self.label.setObjectName("bannerText")
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(12, 8, 8, 8)
        self._layout.setSpacing(10)
        self._layout.addWidget(icon, 0, Qt.AlignmentFlag.AlignVCenter)
        self._layout.addWidget(self.label, 1)
        self.close_button: QToolButton | None = None
        if kind is BannerKind.NOTICE:
            self.close_button = QToolButton(self)
            self.close_button.setObjectName("bannerCloseButton")
            self.close_button.setText("×")
            self.close_button.setAutoRaise(True)
            self.close_button.setToolTip("Close this message")
            self.close_button.setAccessibleName("Close this message")
            self.close_button.clicked.connect(self.dismiss)
            self._layout.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignVCenter)
        self._style()

    def add_button(self, text: str, name: str) -> QPushButton:
        """A button before the close cross; the caller connects ``clicked``."""
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.setCursor(Qt.CursorShape.PointingHandCursor)
        at = self._layout.count() - (1 if self.close_button is not None else 0)
        self._layout.insertWidget(at, button, 0, Qt.AlignmentFlag.AlignVCenter)
        return button

    def set_text(self, text: str) -> None:
        self.label.setText(text)
        self.setAccessibleDescription(text)

    def text(self) -> str:
        return self.label.text()

    def dismiss(self) -> None:
        self.hide()
        self.deleteLater()

    def _style(self) -> None:
        window = QGuiApplication.palette().color(QPalette.ColorRole.Window)
        light, dark = _COLOURS[self.kind]
        background, border, text = dark if window.lightness() < 128 else light
        name = self.objectName()
        self.setStyleSheet(
            f"QFrame#{name} {{ background: {background}; border: none;"
            f" border-bottom: 1px solid {border}; }}"
            f"QFrame#{name} QLabel {{ color: {text}; background: transparent; }}"
            f"QFrame#{name} QToolButton {{ color: {text}; font-size: 16px; padding: 0 6px; }}"
        )


def attach_banner(window: QMainWindow, banner: OfflineBanner) -> None:
    """Put ``banner`` above the window's panes, across its full width (newest on top).

    The window's central widget moves into a holder with the banners above it, the first
    time; the window's own code keeps its central widget and never needs to know.
    """
    holder = window.centralWidget()
    if holder is None or holder.objectName() != "bannerHolder":
        panes = window.takeCentralWidget()
        holder = QWidget(window)
        holder.setObjectName("bannerHolder")
        layout = QVBoxLayout(holder)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        if panes is not None:
            layout.addWidget(panes, 1)
            panes.show()  # taking it out of the window hid it
        window.setCentralWidget(holder)
    layout = holder.layout()
    assert isinstance(layout, QVBoxLayout)
    layout.insertWidget(0, banner)
    banner.show()
