"""The clinic-scale benchmark runs end to end on a tiny clinic (one run of each figure), so it cannot rot."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_benchmark_measures_every_figure_on_a_tiny_clinic(tmp_path):
    document = tmp_path / "performance.md"
    document.write_text("# Performance\n\n## Another benchmark\n\nkept\n")
    subprocess.run([sys.executable, str(ROOT / "benchmarks/clinic_scale.py"), "--sizes", "8", "--runs", "1",
                    "--timeout", "60", "--cache", str(tmp_path / "cache"), "--output", str(document)],
                   check=True, timeout=240, capture_output=True)
    text = document.read_text()
    assert "## Another benchmark\n\nkept" in text and "| what | 8 patients |" in text
    for figure in ("start-up to a usable main window", "bare PySide6 window", "search keystroke", "open a patient",
                   "clinic overview shown", "save one visit", "raw INSERT", "visit report", "40-visit batch report",
                   "FHIR export", "archive export", "10,000-row file", "whole-clinic progression"):
        line = next(line for line in text.splitlines() if figure in line)
        assert "failed:" not in line and "over " not in line.split("|")[2], line
