"""The scoring engine stays pure: no Qt, database, pandas or numpy on import."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]


def test_scoring_imports_no_heavy_library():
    code = ("import sys, pmsdesk.domain.scoring, pmsdesk.commands.progression; "
            "print(sorted(m for m in ('PySide6', 'sqlalchemy', 'pandas', 'numpy') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            cwd=REPO)
    assert result.stdout.strip() == "[]"
