"""The application icon for the installers, made from resources/leaddesk.svg: a .ico for
Windows (exe and Programs and Features) and a .icns for the macOS bundle.

The SVG is drawn with Qt (already a dependency) at 1024 px, and Pillow (the build extra)
writes both formats on any OS, so every build makes and checks the same files.
"""

from __future__ import annotations

import os
from pathlib import Path

from bundle_settings import GENERATED, ROOT

SOURCE_SVG = ROOT / "resources" / "leaddesk.svg"
ICO_SIZES = [(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)]


def render_svg(svg: Path, size: int, target: Path) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication([])
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"build: {svg} is not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    if not image.save(str(target), "PNG"):
        raise SystemExit(f"build: cannot write {target}")


def make_icons(out_dir: Path = GENERATED) -> dict[str, Path]:
    from PIL import Image

    out_dir.mkdir(parents=True, exist_ok=True)
    master = out_dir / "leaddesk-1024.png"
    render_svg(SOURCE_SVG, 1024, master)
    icons = {"png": master, "ico": out_dir / "leaddesk.ico", "icns": out_dir / "leaddesk.icns"}
    with Image.open(master) as image:
        image.save(icons["ico"], sizes=ICO_SIZES)
        # Pillow writes every size of the icns family (16 to 1024, 1x and 2x) from the master.
        image.save(icons["icns"])
    return icons
