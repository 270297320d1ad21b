"""``pmsdesk --self-test`` from the source tree, its failure report, and the start-up timing option."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from pmsdesk import selftest

REPO = Path(__file__).resolve().parents[2]
CHECK_NAMES = ["resources", "migrations", "visits", "audit trail", "scores", "report", "window system", "trajectory"]


def run_pmsdesk(*arguments: str, cwd: Path) -> subprocess.CompletedProcess:
    """The pmsdesk command in a fresh process, offscreen, from ``cwd`` (never the checkout)."""
    return subprocess.run([sys.executable, "-m", "pmsdesk", *arguments], cwd=cwd, capture_output=True, text=True,
                          timeout=120, check=False, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})


def test_self_test_passes_from_the_source_tree_and_says_where_the_resources_are(tmp_path):
    result = run_pmsdesk("--self-test", cwd=tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == len(CHECK_NAMES) + 1
    for line, name in zip(lines, CHECK_NAMES):
        assert line.startswith(f"ok   {name}  ")
    assert f"in {REPO / 'resources'} (source tree)" in lines[0]
    assert "27 reference cohorts" in lines[0]
    assert "chained and sealed with the clinic's key" in lines[3]
    assert "EDSS step 3.5" in lines[4] and "T25FW mean 6.10 s" in lines[4]
    assert "confirmed T25FW worsening from 2024-01-15" in lines[4]
    assert "'offscreen' platform" in lines[6]
    assert lines[-1].startswith("pmsdesk self-test passed: 8 checks in ")
    assert list(tmp_path.iterdir()) == []  # the temporary database went elsewhere and is gone


def test_the_temporary_database_is_deleted_afterwards(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(selftest.tempfile, "tempdir", None)  # let tempfile see the new TMPDIR

    assert selftest.run_self_test(print_line=lambda _line: None) == 0
    assert not any(tmp_path.glob("pmsdesk-self-test-*"))


def test_a_failing_check_is_named_with_its_reason_and_the_rest_are_not_run(monkeypatch):
    monkeypatch.setattr(selftest, "EXPECTED_EDSS_STEP", 6.0)
    lines: list[str] = []

    assert selftest.run_self_test(print_line=lines.append) == 1

    assert [line.split()[0] for line in lines[:4]] == ["ok", "ok", "ok", "ok"]
    assert lines[4] == "FAIL scores         EDSS computed from the functional systems is 3.5, expected 6.0"
    assert lines[5] == "not run: report, window system, trajectory"
    assert lines[6] == "pmsdesk self-test FAILED"


def test_an_unexpected_error_is_reported_on_one_line_with_where_it_happened(monkeypatch):
    def broken_report(_run):
        raise KeyError("pages")

    monkeypatch.setattr(selftest, "check_report", broken_report)
    lines: list[str] = []

    assert selftest.run_self_test(print_line=lines.append) == 1

    assert lines[5].startswith("FAIL report         KeyError: 'pages' (at test_selftest.py:")
    assert lines[6] == "not run: window system, trajectory"


def test_help_lists_the_self_test_but_not_the_start_up_timing_option(tmp_path):
    result = run_pmsdesk("--help", cwd=tmp_path)

    assert "--self-test" in result.stdout
    assert "--exit-after-first-window" not in result.stdout


def test_exit_after_first_window_ends_the_app_once_its_first_window_is_painted(tmp_path):
    result = run_pmsdesk("--database", str(tmp_path / "clinic.sqlite3"), "--exit-after-first-window", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    # A new database asks for its first administrator before anything else.
    [line] = result.stdout.splitlines()
    assert line.startswith("first window painted: FirstAdministratorDialog ")
