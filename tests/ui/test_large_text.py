"""At 150 % and 200 % text size on a 1366x768 laptop (issue 17) the real main window opens inside the screen's
available area even when an earlier session stored 2049x1152, needs less than that area (pages larger than it
scroll), can be shrunk, and the visit editor fits the width it is given: its columns stack, nothing scrolls
sideways.

tests/ui/large_text_probe.py runs in its own process: QT_SCALE_FACTOR must be set before QApplication.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent


@pytest.mark.parametrize("scale", ["1.5", "2"])
def test_main_window_and_visit_editor_fit_a_laptop_screen_at_large_text(tmp_path, scale):
    env = {**os.environ, "QT_QPA_PLATFORM": f"offscreen:configfile={HERE / 'laptop-screen.json'}",
           "QT_SCALE_FACTOR": scale, "PMSDESK_SETTINGS_DIR": str(tmp_path)}
    result = subprocess.run([sys.executable, str(HERE / "large_text_probe.py")], env=env, cwd=HERE,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    width, height = report["available"]
    assert [width, height] == [round(1366 / float(scale)), round(768 / float(scale))]  # logical pixels
    assert report["opened"][0] <= width and report["opened"][1] <= height
    least = report["least"]
    assert least[0] <= width and least[1] <= height, "the window's layout needs more than the screen"
    assert report["shrunk"] == [width // 2, height // 2]
    assert report["inside"] and report["with_visit"][0] <= width and report["with_visit"][1] <= height
    assert report["editor_least"][0] <= report["editor"][0] <= width
    assert report["editor"][1] <= height
    assert not report["columns_across"] and report["editor_sideways"] == 0
    assert report["record_inside"] and report["record_form_inside"] and report["history_inside"]
