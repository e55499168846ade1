"""Trim the one-folder build to what LeadDesk's window uses, guided by the size listing that
``build.py`` prints.

PyInstaller's Qt hooks collect every plugin of a type (all platforms, all image formats,
egl device integrations, ...) and then every library those plugins link to. LeadDesk needs:
the platforms the window runs on (xcb and wayland on Linux, windows, cocoa; offscreen and
minimal for --screenshot and tests), the image formats and icon engine its icons use (svg,
ico, icns, png is built in), styles, and input contexts. Its text is English only, so Qt's
translations go too. Libraries left unreachable by what stays are dropped (Linux, where
PyInstaller also collects system libraries such as GTK's for the gtk3 theme plugin).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable

KEEP_PLATFORMS = {"qxcb", "qwayland", "qoffscreen", "qminimal", "qwindows", "qcocoa"}
KEEP_IMAGE_FORMATS = {"qsvg", "qico", "qicns", "qjpeg"}
DROP_PLUGIN_TYPES = {
    "egldeviceintegrations",  # kiosk framebuffers (eglfs), not desktops
    "generic",  # evdev and TUIO input for framebuffers
    "xcbglintegrations",  # OpenGL on X11; LeadDesk's widgets paint in software
    "networkinformation",
    "tls",
}
# Wayland plugins for compositors (server side) or shells a desktop app never meets.
DROP_WAYLAND = {
    "libdmabuf-server",
    "libdrm-egl-server",
    "libshm-emulation-server",
    "libvulkan-server",
    "libfullscreen-shell-v1",
    "libivi-shell",
    "libqt-shell",
}
# The GTK3 theme pulls in GTK's whole stack (cairo, pango, atk, gdk-pixbuf) from the build
# machine; the desktop portal theme needs only D-Bus, which Qt loads anyway.
DROP_THEMES = {"libqgtk3", "qgtk3"}

TocEntry = tuple[str, str, str]


def _stem(name: str) -> str:
    base = os.path.basename(name)
    stem = base.split(".", 1)[0]
    return stem[3:] if stem.startswith("lib") and stem[3:].startswith("q") else stem


def _plugin_wanted(dest: str) -> bool:
    parts = dest.replace("\\", "/").split("/")
    if "plugins" not in parts or parts.index("plugins") + 2 > len(parts):
        return True
    index = parts.index("plugins")
    plugin_type, name = parts[index + 1], parts[-1]
    stem = _stem(name)
    if plugin_type in DROP_PLUGIN_TYPES:
        return False
    if plugin_type == "platforms":
        return stem in KEEP_PLATFORMS
    if plugin_type == "imageformats":
        return stem in KEEP_IMAGE_FORMATS
    if plugin_type == "platformthemes":
        return os.path.basename(name).split(".", 1)[0] not in DROP_THEMES
    if plugin_type.startswith("wayland-"):
        return os.path.basename(name).split(".", 1)[0] not in DROP_WAYLAND
    return True


def _is_translation(dest: str) -> bool:
    return "/Qt/translations/" in dest.replace("\\", "/")


def _reachable_libraries(binaries: list[TocEntry]) -> set[str]:
    """Basenames of the libraries linked, directly or not, from extensions and plugins."""
    from PyInstaller.depend.bindepend import get_imports

    by_name = {os.path.basename(dest): src for dest, src, _kind in binaries}
    roots = [
        dest
        for dest, _src, kind in binaries
        if kind == "EXTENSION" or "/plugins/" in dest.replace("\\", "/")
    ]
    # The bootloader opens the Python library itself; nothing links to it.
    roots += [name for name in by_name if name.startswith("libpython")]
    seen: set[str] = set()
    pending = [os.path.basename(root) for root in roots]
    while pending:
        name = pending.pop()
        if name in seen or name not in by_name:
            continue
        seen.add(name)
        for imported, _path in get_imports(by_name[name]):
            pending.append(os.path.basename(imported))
    return seen


def drop_unused(
    binaries: Iterable[TocEntry], datas: Iterable[TocEntry]
) -> tuple[list[TocEntry], list[TocEntry]]:
    kept_binaries = [entry for entry in binaries if _plugin_wanted(entry[0])]
    kept_datas = [entry for entry in datas if not _is_translation(entry[0])]
    if sys.platform.startswith("linux"):
        reachable = _reachable_libraries(kept_binaries)
        kept_binaries = [
            entry
            for entry in kept_binaries
            if entry[2] != "BINARY"
            or "/plugins/" in entry[0].replace("\\", "/")
            or os.path.basename(entry[0]) in reachable
        ]
    return kept_binaries, kept_datas
