"""Every file pmsdesk writes is private to the user (files 0600, folders 0700) whatever the umask:
exports of each format (msprog's folder too), PDFs, backups and the copy kept at a restore, logs.
And a database this user may only read is refused before anything is written."""

from __future__ import annotations

import logging
import os
import stat
import sys
import tempfile
from pathlib import Path

import pytest
from sample_data import TODAY

from pmsdesk.cli import main
from pmsdesk.domain.permissions import Actor, Role
from pmsdesk.exchange.export import ExportFormat, checkpoint_file, export_clinic
from pmsdesk.logs import configure_logging
from pmsdesk.files import write_atomically
from pmsdesk.services.clinic import Clinic
from pmsdesk.store.backup import backup_if_due, make_backup, restore_backup


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask():
    """The loosest usual umask (files 0666, folders 0777 unless pmsdesk says otherwise)."""
    previous = os.umask(0)
    yield
    os.umask(previous)


@pytest.mark.parametrize("export_format", list(ExportFormat))
def test_exports_are_private(database, patient, tmp_path, open_umask, export_format):
    neurologist = Clinic(database, actor=Actor("d.neuro", Role.NEUROLOGIST), today=lambda: TODAY)
    target = tmp_path / ("msprog" if export_format is ExportFormat.MSPROG else f"export.{export_format.value}")
    export_clinic(neurologist, export_format, target)
    written = [target, *target.iterdir()] if target.is_dir() else [target]
    if export_format is ExportFormat.CSV:
        written.append(checkpoint_file(target))  # the checkpoint file beside it (msprog's is inside the folder)
    assert {path.name: mode(path) for path in written} == {
        path.name: 0o700 if path.is_dir() else 0o600 for path in written}
    assert len(written) > 1 or not target.is_dir()


def test_pdfs_backups_kept_copies_and_logs_are_private(database, patient, db_path, tmp_path, open_umask,
                                                       monkeypatch):
    pdf = tmp_path / "summary.pdf"
    write_atomically(pdf, b"%PDF-1.4 a report's bytes")
    automatic = backup_if_due(db_path, keep_days=14)
    copy = make_backup(db_path, tmp_path / "copy.sqlite3")
    database.close()
    kept = restore_backup(db_path, copy)
    logs = tmp_path / "logs"
    monkeypatch.setenv("PMSDESK_LOG_DIR", str(logs))
    log_file = configure_logging()
    logging.getLogger("pmsdesk.test").warning("a line, so the log file exists")
    modes = {path.name: mode(path) for path in (pdf, automatic, copy, kept, log_file)}
    assert modes == dict.fromkeys(modes, 0o600)
    assert mode(automatic.parent) == mode(logs) == 0o700
    configure_logging()  # back to the tests' own log folder


def test_every_file_written_replaces_the_old_one_in_one_step_and_privately(database, patient, tmp_path, open_umask,
                                                                             monkeypatch):
    """The import template and the clinic audit trail's CSV go through files.write_atomically, as
    PDFs and exports do: a world-readable file already there is replaced by a 0600 one, and a write
    that fails leaves the old file whole and no temporary file beside it."""
    from pmsdesk.exchange.template import write_import_template
    from pmsdesk.services.clinic_audit import AuditFilter, export_audit_csv

    template, trail = tmp_path / "template.csv", tmp_path / "trail.csv"
    for path in (template, trail):
        path.write_text("an older file")
        os.chmod(path, 0o644)
    write_import_template(template)
    administrator = Clinic(database, actor=Actor("a.admin", Role.ADMINISTRATOR), today=lambda: TODAY)
    export_audit_csv(administrator, AuditFilter(), trail)
    assert mode(template) == mode(trail) == 0o600
    assert template.read_text().startswith("clinic_id,") and trail.read_text().startswith("When (local time)")

    def full_disk(*_):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(OSError):
        write_atomically(trail, b"a newer trail")
    assert trail.read_text().startswith("When (local time)")
    assert not list(tmp_path.glob(".*.part"))


def test_a_database_this_user_may_only_read_is_refused_before_anything_is_written(database, patient, db_path):
    """As another user (nobody), in a forked child: the database and its folder belong to root."""
    import pmsdesk.exchange.export  # noqa: F401 - imported before the fork, as the child may not read the tree
    import pmsdesk.services.clinic  # noqa: F401

    database.close()
    shared = Path(tempfile.mkdtemp(prefix="pmsdesk-read-only-"))
    try:
        os.chmod(shared, 0o755)
        read_only = shared / "clinic.sqlite3"
        read_only.write_bytes(db_path.read_bytes())
        os.chmod(read_only, 0o644)
        out = shared / "out"
        out.mkdir(mode=0o700)
        logs = shared / "logs"  # the other user's own log folder
        for folder in (out, logs):
            folder.mkdir(mode=0o700, exist_ok=True)
            os.chown(folder, 65534, 65534)
        read, write = os.pipe()
        child = os.fork()
        if child == 0:
            code = 99
            try:
                os.close(read)
                sys.stderr = os.fdopen(write, "w")  # not pytest's capture: the parent reads it
                os.environ["PMSDESK_LOG_DIR"] = str(logs)
                os.setgid(65534)
                os.setuid(65534)
                code = main(["export", "--format", "csv", "-o", str(out / "clinic.csv"), "--database", str(read_only)])
            finally:
                sys.stderr.flush()
                os._exit(code)
        os.close(write)
        with os.fdopen(read) as stream:
            err = stream.read()
        _, status = os.waitpid(child, 0)
        assert os.waitstatus_to_exitcode(status) == 2, err
        assert err.count("\n") == 1 and "is read-only for this user" in err
        assert list(out.iterdir()) == [] and sorted(p.name for p in shared.iterdir()) == ["clinic.sqlite3", "logs", "out"]
    finally:
        for path in sorted(shared.rglob("*"), reverse=True):
            path.rmdir() if path.is_dir() else path.unlink()
        shared.rmdir()
