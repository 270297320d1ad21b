"""Render the application icon (resources/icons/pmsdesk.svg) as PNGs in the freedesktop icon-theme layout.

    python packaging/render_icons.py OUTPUT_FOLDER

writes OUTPUT_FOLDER/hicolor/<n>x<n>/apps/pmsdesk.png for the sizes desktops ask for. The bundle build
uses the 256 px one as the executable's icon (Windows, macOS) and ships the set with the Linux
desktop entry. Qt draws the SVG, so no other image tool is needed; no display either (offscreen).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
SOURCE = Path(__file__).resolve().parent.parent / "resources" / "icons" / "pmsdesk.svg"


def icon_path(folder: Path, size: int) -> Path:
    return folder / "hicolor" / f"{size}x{size}" / "apps" / "pmsdesk.png"


def render_icons(folder: Path) -> list[Path]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])  # noqa: F841 - Qt needs it alive
    renderer = QSvgRenderer(str(SOURCE))
    if not renderer.isValid():
        raise SystemExit(f"cannot read the icon {SOURCE}")
    written = []
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        path = icon_path(folder, size)
        path.parent.mkdir(parents=True, exist_ok=True)
        if not image.save(str(path), "PNG"):
            raise SystemExit(f"cannot write {path}")
        written.append(path)
    return written


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    for written_path in render_icons(Path(sys.argv[1])):
        print(written_path)
