"""The domain core stays pure: importing any of it loads neither Qt nor a database library nor the
plotting and PDF libraries (issue 2: "pmsdesk.domain must import neither Qt nor SQLAlchemy")."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FORBIDDEN = ("PySide6", "shiboken6", "sqlalchemy", "sqlmodel", "alembic", "pyqtgraph", "reportlab")

# Runs in a fresh interpreter: imports the package, then every module under it one by one, and
# records which forbidden top-level packages each import newly brought into sys.modules.
PROBE = """
import importlib, json, pkgutil, sys
forbidden = set(sys.argv[1].split(","))

def loaded():
    return {name.split(".")[0] for name in sys.modules} & forbidden

report = {}
before = loaded()
import pmsdesk.domain
report["pmsdesk.domain"] = sorted(loaded() - before)
for info in pkgutil.walk_packages(pmsdesk.domain.__path__, "pmsdesk.domain."):
    before = loaded()
    importlib.import_module(info.name)
    report[info.name] = sorted(loaded() - before)
print(json.dumps({"imports": report}))
"""


def run_probe() -> dict[str, list[str]]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, ",".join(FORBIDDEN)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])["imports"]


def test_domain_modules_import_no_gui_database_plot_or_pdf_library():
    imports = run_probe()
    # The walk really found the package's modules (a walk that finds nothing proves nothing).
    assert {
        "pmsdesk.domain", "pmsdesk.domain.fields", "pmsdesk.domain.validation", "pmsdesk.domain.vocab",
        "pmsdesk.domain.functional_systems", "pmsdesk.domain.scoring", "pmsdesk.domain.scoring.edss",
    } <= set(imports)
    offenders = {module: libraries for module, libraries in imports.items() if libraries}
    assert offenders == {}


def test_forbidden_libraries_are_installed_so_the_probe_means_something():
    assert [name for name in FORBIDDEN if importlib.util.find_spec(name) is None] == []
