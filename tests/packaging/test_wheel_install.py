"""The wheel carries pmsdesk's resources and migrations, installs into a fresh virtual environment and
passes its self-test there (packaging/check-wheel.sh, which CI also runs on its own)."""

from __future__ import annotations

import os
import subprocess
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
MIGRATIONS = sorted(path.name for path in (REPO / "pmsdesk/store/migrations/versions").glob("*.py"))


@pytest.mark.slow  # builds a wheel and installs it with its dependencies: about a minute
def test_the_wheel_installs_into_a_fresh_environment_and_passes_its_self_test(tmp_path):
    result = subprocess.run([REPO / "packaging/check-wheel.sh", tmp_path / "dist"], capture_output=True, text=True, check=False,
                            timeout=900, env={**os.environ, "TMPDIR": str(tmp_path)})

    assert result.returncode == 0, result.stdout + result.stderr
    [wheel] = (tmp_path / "dist").glob("pmsdesk-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"pmsdesk/resources/references/cohorts.json", "pmsdesk/resources/references/README.md",
            "pmsdesk/resources/icons/pmsdesk.svg", "pmsdesk/store/migrations/env.py",
            "pmsdesk/store/migrations/script.py.mako"} <= names
    assert {f"pmsdesk/store/migrations/versions/{name}" for name in MIGRATIONS} <= names
    assert not any(name.startswith(("resources/", "tests/")) for name in names)

    resources_line = next(line for line in result.stdout.splitlines() if line.startswith("ok   resources"))
    assert f"{tmp_path}/pmsdesk-wheel-check-" in resources_line
    assert resources_line.endswith("/site-packages/pmsdesk/resources (installed package)")
    assert "pmsdesk self-test passed: 8 checks" in result.stdout
    assert not list(tmp_path.glob("pmsdesk-wheel-check-*"))  # the fresh environment is removed
