"""A log folder pmsdesk cannot write is no failure: the app still starts, a command still succeeds or
fails in one line, and the terminal is told once that warnings and errors go there instead. Each run
is a fresh process with $PMSDESK_LOG_DIR naming a read-only folder (as root, which writes anywhere,
the process runs without the capability to override file permissions) or a path through a file."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from pmsdesk.logs import LOG_DIR_VARIABLE

NOTICE = "cannot write the log"


def without_root_override() -> list[str]:
    """The command prefix that makes file permissions apply to this process (root ignores them)."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: a read-only folder would be written anyway")
    return ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--"]


@pytest.fixture(params=["read-only folder", "path through a file"])
def unwritable(request, tmp_path):
    if request.param == "read-only folder":
        folder = tmp_path / "logs"
        folder.mkdir(mode=0o500)
        os.chmod(folder, 0o500)
        yield folder
        os.chmod(folder, 0o700)
    else:
        (tmp_path / "a-file").write_text("not a folder")
        yield tmp_path / "a-file" / "logs"


def run(unwritable, tmp_path, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([*without_root_override(), sys.executable, "-m", "pmsdesk", *arguments], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120, check=False,
                          env={**os.environ, LOG_DIR_VARIABLE: str(unwritable), "QT_QPA_PLATFORM": "offscreen"})


def test_the_app_still_starts_and_says_once_where_the_log_goes(unwritable, tmp_path):
    done = run(unwritable, tmp_path, "--database", str(tmp_path / "clinic.sqlite3"), "--exit-after-first-window")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("first window painted: FirstAdministratorDialog "), done.stdout
    assert done.stderr.count(NOTICE) == 1 and "Traceback" not in done.stderr, done.stderr
    assert f"pmsdesk: {NOTICE} {unwritable / 'pmsdesk.log'} (" in done.stderr, done.stderr
    assert not (unwritable / "pmsdesk.log").exists()


def test_a_failing_command_ends_in_one_line_and_a_non_zero_exit(unwritable, tmp_path):
    done = run(unwritable, tmp_path, "export", "--format", "csv", "-o", str(tmp_path / "clinic.csv"),
               "--database", str(tmp_path / "no-such-clinic.sqlite3"), "--user", "someone")
    assert done.returncode == 2, done
    notice, failure = done.stderr.splitlines()
    assert NOTICE in notice and failure.startswith("pmsdesk export: error: "), done.stderr
    assert "there is no database at" in failure, failure


def test_a_command_that_works_still_works(unwritable, tmp_path):
    done = run(unwritable, tmp_path, "demo", "--patients", "2", "--database", str(tmp_path / "demo.sqlite3"))
    assert done.returncode == 0 and "Traceback" not in done.stderr, done
    assert done.stderr.count(NOTICE) == 1, done.stderr


def test_a_log_level_that_does_not_exist_is_said_and_info_is_used(tmp_path):
    done = subprocess.run([sys.executable, "-m", "pmsdesk", "export", "--format", "csv", "-o", str(tmp_path / "x.csv"),
                           "--database", str(tmp_path / "none.sqlite3"), "--user", "someone"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False,
                          env={**os.environ, "PMSDESK_LOG_LEVEL": "loud"})
    assert done.returncode == 2 and "Traceback" not in done.stderr, done
    assert "PMSDESK_LOG_LEVEL=loud is not a log level" in done.stderr.splitlines()[0], done.stderr
