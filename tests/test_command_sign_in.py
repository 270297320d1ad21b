"""Signing in on the command line: every command that reads or changes patient data runs as a
signed-in user with that user's role (``--user``; the password from $PMSDESK_PASSWORD, a private
``--password-file`` or the terminal, never an argument); ``demo`` fills an empty database with the
demo accounts so that scripts can sign in to it."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from pmsdesk.cli import main
from pmsdesk.domain.audit import AuditKind
from pmsdesk.services.clinic import Clinic
from pmsdesk.services.demo import DEMO_PASSWORD
from pmsdesk.store.database import Database


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    assert main(["demo", "--patients", "1", "--database", str(path)]) == 0  # no sign-in: an empty database
    return path


@pytest.fixture
def clinic_file(demo_file, tmp_path):
    """A copy of the demo clinic per test, so that lockouts and audit entries stay in their test."""
    copy = tmp_path / "clinic.sqlite3"
    copy.write_bytes(demo_file.read_bytes())
    return copy


def sign_ins(path) -> list[tuple[AuditKind, str, str | None]]:
    database = Database.open(str(path), create=False)
    try:
        return [(e.kind, e.actor, e.reason) for e in Clinic(database).audit_entries()
                if e.kind in (AuditKind.SIGN_IN, AuditKind.SIGN_IN_FAILED)]
    finally:
        database.close()


def one_line_error(capsys) -> str:
    error = capsys.readouterr().err
    assert error.count("\n") == 1, error
    return error


def test_a_command_on_patient_data_without_a_user_is_refused_in_one_line(clinic_file, tmp_path, capsys,
                                                                          monkeypatch):
    monkeypatch.delenv("PMSDESK_PASSWORD", raising=False)
    archive = tmp_path / "clinic.zip"
    for argv in (["export", "--format", "archive", "-o", str(archive)], ["report", "1", "-o", str(tmp_path / "a.pdf")],
                 ["backup", "-o", str(tmp_path / "copy.sqlite3")], ["audit", "verify"]):
        assert main([*argv, "--database", str(clinic_file)]) == 2
        assert "error: sign in first: give --user NAME" in one_line_error(capsys)
    assert not archive.exists() and not (tmp_path / "a.pdf").exists() and not (tmp_path / "copy.sqlite3").exists()
    # a password is never a command-line argument
    with pytest.raises(SystemExit) as refused:
        main(["export", "--format", "csv", "-o", str(tmp_path / "x.csv"), "--user", "demo-admin",
              "--password", DEMO_PASSWORD, "--database", str(clinic_file)])
    error = capsys.readouterr().err
    assert refused.value.code == 2 and "a password is never given on the command line" in error
    assert DEMO_PASSWORD not in error


def test_the_password_comes_from_the_environment_or_a_private_file_and_the_role_decides(clinic_file, tmp_path,
                                                                                        capsys, monkeypatch):
    monkeypatch.setenv("PMSDESK_PASSWORD", DEMO_PASSWORD)
    archive = tmp_path / "clinic.zip"
    export = ["export", "--format", "archive", "-o", str(archive), "--database", str(clinic_file)]
    assert main([*export, "--user", "demo-nurse"]) == 2
    assert "Not allowed: Demo Nurse (fictional) (MS nurse) may not do this. Data leaving pmsdesk" in one_line_error(capsys)
    assert main([*export, "--user", "demo-neurologist"]) == 0 and archive.exists()
    capsys.readouterr()
    backup = ["backup", "-o", str(tmp_path / "copy.sqlite3"), "--database", str(clinic_file)]
    assert main([*backup, "--user", "demo-neurologist"]) == 2
    assert "Backing up and restoring the whole clinic database is done by an administrator" in one_line_error(capsys)

    monkeypatch.delenv("PMSDESK_PASSWORD")
    password_file = tmp_path / "password"
    password_file.write_text(DEMO_PASSWORD + "\n")
    password_file.chmod(0o644)
    assert main([*backup, "--user", "demo-admin", "--password-file", str(password_file)]) == 2
    assert "can be read by other users; make it private first (chmod 600" in one_line_error(capsys)
    password_file.chmod(0o600)
    assert main(["--user", "demo-admin", *backup, "--password-file", str(password_file)]) == 0  # either place
    assert (tmp_path / "copy.sqlite3").exists()
    assert sign_ins(clinic_file)[-3:] == [(AuditKind.SIGN_IN, "demo-neurologist", None),
                                          (AuditKind.SIGN_IN, "demo-neurologist", None),
                                          (AuditKind.SIGN_IN, "demo-admin", None)]


def test_without_a_terminal_or_a_given_password_the_command_says_where_to_give_it(clinic_file, tmp_path, capsys,
                                                                                   monkeypatch):
    monkeypatch.delenv("PMSDESK_PASSWORD", raising=False)
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False)
    assert main(["audit", "verify", "--user", "demo-admin", "--database", str(clinic_file)]) == 2
    assert ("no password for demo-admin: type it on a terminal, or give it in $PMSDESK_PASSWORD or in a private "
            "file with --password-file FILE") in one_line_error(capsys)
    typed = []
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr("getpass.getpass", lambda prompt: typed.append(prompt) or DEMO_PASSWORD)
    assert main(["audit", "verify", "--user", "demo-admin", "--database", str(clinic_file)]) in (0, 1)
    assert typed == ["Password for demo-admin: "]


def test_wrong_passwords_on_the_command_line_lock_the_account_too(clinic_file, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PMSDESK_PASSWORD", "not the demo password")
    argv = ["audit", "verify", "--user", "demo-admin", "--database", str(clinic_file)]
    for _ in range(3):  # the first three cost nothing; the fourth makes the next try wait
        assert main(argv) == 2
        assert "sign-in refused: The user name or the password is not right" in one_line_error(capsys)
    assert main(argv) == 2
    capsys.readouterr()
    assert main(argv) == 2
    assert "sign-in refused: Wait 1 s before trying again" in one_line_error(capsys)
    assert [reason for _, _, reason in sign_ins(clinic_file)[-5:]] == [None] * 4 + ["sign-in too soon"]


def test_the_app_signs_in_from_the_command_line_for_a_start_up_measurement(clinic_file):
    """``--exit-after-first-window`` with ``--user`` and $PMSDESK_PASSWORD: the first window is the
    main window, not the sign-in dialog (what issue 20's start-up measurements need)."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PMSDESK_PASSWORD": DEMO_PASSWORD}
    done = subprocess.run([sys.executable, "-m", "pmsdesk", "--exit-after-first-window", "--user", "demo-nurse",
                           "--database", str(clinic_file)], env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("first window painted: MainWindow")
    env["PMSDESK_PASSWORD"] = "not the demo password"
    done = subprocess.run([sys.executable, "-m", "pmsdesk", "--user", "demo-nurse", "--database", str(clinic_file)],
                          env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1 and done.stderr.startswith("pmsdesk: error: sign-in refused: The user name or")
