"""scripts/run-app, the README's first command, as a new user's desktop runs it.

The environment it would create is stood in for by a folder whose ``bin/pmsdesk`` runs this
checkout's pmsdesk and whose install stamp matches pyproject.toml, so the script goes straight to
its checks. ``ldconfig`` is faked on PATH: a desktop lists thousands of libraries, more than a pipe
holds, which is what made the old ``ldconfig -p | grep -q`` check fail under pipefail.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

import pmsdesk

ROOT = Path(__file__).resolve().parents[2]
RUN_APP = ROOT / "scripts" / "run-app"


def _stand_in_environment(folder: Path) -> Path:
    venv = folder / "venv"
    (venv / "bin").mkdir(parents=True)
    launcher = venv / "bin" / "pmsdesk"
    launcher.write_text(f'#!/bin/sh\nexec "{sys.executable}" -c "from pmsdesk.cli import main; main()" "$@"\n')
    launcher.chmod(0o755)
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    (venv / ".pmsdesk-installed").write_text(digest + "\n")
    return venv


def _fake_ldconfig(folder: Path, *, libraries: int, with_xcb_cursor: bool) -> Path:
    """An ``ldconfig`` printing ``libraries`` entries (about 90 bytes each) in ldconfig -p's format."""
    bin_dir = folder / "fake-bin"
    bin_dir.mkdir()
    listing = folder / "ldconfig.txt"
    lines = [f"{libraries} libs found in cache `/etc/ld.so.cache'"]
    if with_xcb_cursor:  # near the top, so a reader stopping at the first match leaves most unread
        lines.append("\tlibxcb-cursor.so.0 (libc6,x86-64) => /lib/x86_64-linux-gnu/libxcb-cursor.so.0")
    lines += [f"\tlibexample{n:05d}.so.1 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libexample{n:05d}.so.1"
              for n in range(libraries)]
    listing.write_text("\n".join(lines) + "\n")
    fake = bin_dir / "ldconfig"
    fake.write_text(f'#!/bin/sh\nexec cat "{listing}"\n')
    fake.chmod(0o755)
    return bin_dir


def _run_app(venv: Path, bin_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    env.update(PMSDESK_VENV=str(venv), PATH=f"{bin_dir}{os.pathsep}{env['PATH']}")
    return subprocess.run([str(RUN_APP), *args], env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.slow
def test_version_succeeds_100_times_with_thousands_of_libraries_listed(tmp_path):
    venv = _stand_in_environment(tmp_path)
    bin_dir = _fake_ldconfig(tmp_path, libraries=4000, with_xcb_cursor=True)
    assert (tmp_path / "ldconfig.txt").stat().st_size > 4 * 65536  # well past what a pipe holds
    for attempt in range(100):
        result = _run_app(venv, bin_dir, "--version")
        assert result.returncode == 0, (attempt, result.stderr)
        assert pmsdesk.__version__ in result.stdout
        assert "Qt needs system libraries" not in result.stderr


def test_a_missing_qt_library_is_named_with_the_install_command(tmp_path):
    venv = _stand_in_environment(tmp_path)
    bin_dir = _fake_ldconfig(tmp_path, libraries=4000, with_xcb_cursor=False)
    result = _run_app(venv, bin_dir, "--version")
    assert result.returncode == 1
    assert "Qt needs system libraries" in result.stderr
    assert "libxcb-cursor0" in result.stderr
