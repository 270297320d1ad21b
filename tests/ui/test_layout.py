"""Every main screen and every dialog of ours at 1366x768 with long texts (a 60-character name, a message
on every field, 500-character reasons, the longest choices, a long Hebrew name): nothing reaches past the
window, the window stays on the screen, no scroll area or table scrolls sideways (a cut column or field out
of sight), no wrapped message gets fewer lines than it needs, no column heading is cut, and no
input box shows less than its value: a choice whole, or (a long FS grade description, elided in the
closed box) as its tooltip, and every choice whole in the open list; a typed value up to 24 characters,
or the placeholder, whole.

The screens are driven by tests/ui/layout_probe.py in its own process, on an offscreen screen of
exactly 1366x768 (the rest of the suite keeps Qt's default offscreen screen). Set
PMSDESK_LAYOUT_SHOTS=<folder> to also get a PNG of each screen to look at.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent


def test_every_screen_and_dialog_fits_a_laptop_with_long_texts_and_a_message_on_every_field(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": f"offscreen:configfile={HERE / 'laptop-screen.json'}",
           "PMSDESK_SETTINGS_DIR": str(tmp_path)}
    result = subprocess.run([sys.executable, str(HERE / "layout_probe.py")], env=env, cwd=HERE,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["screen"] == [1366, 768]
    assert report["problems"] == []
