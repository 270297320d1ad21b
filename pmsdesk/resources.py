"""Locate files shipped under ``resources/``.

The same lookup works from a source checkout (``<repo>/resources``), an installed wheel (the
wheel maps the folder to ``pmsdesk/resources``) and a PyInstaller bundle (which keeps the package
layout), and never depends on the working directory.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


@cache
def resources_dir() -> Path:
    for candidate in (_PACKAGE_DIR / "resources", _PACKAGE_DIR.parent / "resources"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(
        f"pmsdesk resources folder not found next to {_PACKAGE_DIR}; the installation is incomplete"
    )


def resource_path(*parts: str) -> Path:
    """Path of a shipped resource, e.g. ``resource_path("icons", "pmsdesk.svg")``."""
    return resources_dir().joinpath(*parts)
