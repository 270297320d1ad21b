"""Backups: rotating automatic copies, one-off copies, a checked restore that keeps the current file,
and the integrity check at start."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import stat
from pathlib import Path

import pytest
from people import signed
from sample_data import PATIENT, TODAY

from pmsdesk.cli import main
from pmsdesk.services.clinic import Clinic
from pmsdesk.store.backup import (
    automatic_backups,
    backup_if_due,
    check_backup_file,
    prune_backups,
    restore_backup,
)
from pmsdesk.store.database import Database, DatabaseError

NOON = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def patient_ids(path) -> list[str]:
    connection = sqlite3.connect(path)
    try:
        return [row[0] for row in connection.execute("SELECT clinic_id FROM patient ORDER BY clinic_id")]
    finally:
        connection.close()


def test_automatic_backups_are_daily_private_and_kept_for_the_set_days(clinic, patient, db_path):
    first = backup_if_due(db_path, keep_days=14, now=NOON)
    assert first.parent == db_path.parent / "backups" and first.name == "clinic-20261120T120000Z.sqlite3"
    assert mode(first.parent) == 0o700 and mode(first) == 0o600
    assert patient_ids(first) == ["MS-0001"]
    assert backup_if_due(db_path, keep_days=14, now=NOON + dt.timedelta(hours=23)) is None
    for day in range(1, 20):
        backup_if_due(db_path, keep_days=14, now=NOON + dt.timedelta(days=day))
    kept = [stamp for stamp, _ in automatic_backups(db_path)]
    assert kept[0] == NOON + dt.timedelta(days=5) and kept[-1] == NOON + dt.timedelta(days=19) and len(kept) == 15


def test_the_newest_backup_is_kept_however_old(clinic, patient, db_path):
    backup_if_due(db_path, keep_days=14, now=NOON)
    (db_path.parent / "backups" / "notes.txt").write_text("not a backup")
    backup_if_due(db_path, keep_days=1, now=NOON + dt.timedelta(days=60), every=dt.timedelta(days=365))
    assert [stamp for stamp, _ in automatic_backups(db_path)] == [NOON]
    assert (db_path.parent / "backups" / "notes.txt").exists()


def test_backup_and_restore_commands_bring_back_the_copy_and_keep_the_current_file(database, clinic, patient,
                                                                                   db_path, tmp_path, capsys):
    copy = tmp_path / "before-second.sqlite3"
    assert main(signed(["backup", "-o", str(copy), "--database", str(db_path)])) == 0
    assert mode(copy) == 0o600
    clinic.create_patient({**PATIENT, "clinic_id": "MS-0002"})
    database.close()

    assert main(signed(["restore", str(copy), "--database", str(db_path)])) == 0
    output = capsys.readouterr().out
    (aside,) = tmp_path.glob("clinic.before-restore-*.sqlite3")
    assert f"kept as {aside}" in output
    assert patient_ids(db_path) == ["MS-0001"] and patient_ids(aside) == ["MS-0001", "MS-0002"]
    reopened = Clinic(Database.open(str(db_path)), today=lambda: TODAY)
    assert [e.kind.value for e in reopened.audit_entries()][-1] == "restore"
    reopened.db.close()


def test_backup_without_output_goes_to_the_backups_folder(clinic, patient, db_path, capsys):
    assert main(signed(["backup", "--database", str(db_path)])) == 0
    (written,) = (db_path.parent / "backups").iterdir()
    assert capsys.readouterr().out == f"Backup written: {written}\n"


def test_restore_is_refused_while_the_database_is_open(clinic, patient, db_path, tmp_path):
    copy = tmp_path / "copy.sqlite3"
    main(signed(["backup", "-o", str(copy), "--database", str(db_path)]))
    with pytest.raises(DatabaseError, match="is open in pmsdesk"):
        restore_backup(db_path, copy)
    assert not list(tmp_path.glob("*before-restore*"))


def write(path, sql: str) -> None:
    connection = sqlite3.connect(path)
    connection.executescript(sql)
    connection.close()


@pytest.mark.parametrize(("make", "message"), [
    (lambda p: p.write_text("hello"), "is not a readable SQLite database"),
    (lambda p: write(p, "CREATE TABLE invoices (id INTEGER)"), "is not a pmsdesk database"),
    (lambda p: None, "does not exist"),
], ids=["text", "other-database", "missing"])
def test_restore_refuses_a_file_that_is_not_a_pmsdesk_database(closed_clinic_file, tmp_path, make, message):
    candidate = tmp_path / "candidate.sqlite3"
    make(candidate)
    with pytest.raises(DatabaseError, match=message):
        restore_backup(closed_clinic_file, candidate)
    assert patient_ids(closed_clinic_file) == ["MS-0001"]


def test_restore_refuses_a_backup_from_a_newer_pmsdesk(closed_clinic_file, tmp_path):
    candidate = tmp_path / "future.sqlite3"
    main(signed(["backup", "-o", str(candidate), "--database", str(closed_clinic_file)]))
    write(candidate, "UPDATE alembic_version SET version_num = '9999_future'")
    with pytest.raises(DatabaseError, match="written by a newer pmsdesk"):
        check_backup_file(candidate)


def damage(path) -> None:
    """Overwrite the middle of the file, as a failing disk would."""
    data = bytearray(path.read_bytes())
    page = 4096
    data[page * 2:page * 4] = b"\xa5" * (page * 2)
    path.write_bytes(bytes(data))


def test_a_damaged_database_is_refused_at_start_with_what_to_do(closed_clinic_file, tmp_path):
    copy = tmp_path / "damaged-copy.sqlite3"
    damage(closed_clinic_file)
    with pytest.raises(DatabaseError) as refused:
        Database.open(str(closed_clinic_file))
    message = str(refused.value)
    assert "is damaged" in message and "pmsdesk restore FILE" in message and "backups" in message
    copy.write_bytes(closed_clinic_file.read_bytes())
    with pytest.raises(DatabaseError, match="damaged|not a readable"):
        check_backup_file(copy)


# ----- no command loses data -----------------------------------------------------------------------
def files_in(folder) -> set[str]:
    return {path.name for path in folder.iterdir()}


@pytest.mark.parametrize("command", [
    ["export", "--format", "csv", "-o", "{db}"],
    ["export", "--format", "archive", "-o", "{db}-wal"],
    ["export", "--format", "fhir", "-o", "{link}"],
    ["report", "1", "-o", "{backups}/summary.pdf"],
    ["backup", "-o", "{backups}/copy.sqlite3"],
    ["progression", "{visits}", "--outcome", "edss", "-o", "{db}"],
], ids=["export-over-db", "export-over-wal", "export-over-hard-link", "report-into-backups",
        "backup-into-backups", "progression-over-db"])
def test_an_output_that_is_the_database_or_a_backup_is_refused_in_one_line(closed_clinic_file, tmp_path, capsys,
                                                                            command):
    backup = backup_if_due(closed_clinic_file, keep_days=14, now=NOON)
    link = tmp_path / "link.json"
    os.link(closed_clinic_file, link)
    visits = tmp_path / "visits.csv"
    visits.write_text("patient_id,date,value\nP1,2026-01-01,3.0\n")
    before = closed_clinic_file.read_bytes(), backup.read_bytes()
    names = {"db": closed_clinic_file, "link": link, "backup": backup, "backups": backup.parent, "visits": visits}
    argv = [part.format(**names) for part in command] + ["--database", str(closed_clinic_file)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and ("is the database pmsdesk works on" in err or "keeps for itself" in err)
    assert (closed_clinic_file.read_bytes(), backup.read_bytes()) == before
    assert patient_ids(closed_clinic_file) == ["MS-0001"]


@pytest.mark.parametrize("command", [["audit", "verify"], ["export", "--format", "csv", "-o", "{out}"],
                                     ["report", "1", "-o", "{out}.pdf"], ["backup"],
                                     ["import", "{csv}"]],
                         ids=["verify", "export", "report", "backup", "import"])
@pytest.mark.parametrize("location", ["::::", "missing/clinic.sqlite3", "clinci.sqlite3", "."],
                         ids=["colons", "missing-folder", "typo", "a-folder"])
def test_a_mistyped_database_is_refused_and_creates_nothing(tmp_path, monkeypatch, capsys, command, location):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    (work / "visits.csv").write_text("clinic_id,visit_date\nMS-1,2026-01-01\n")
    before = files_in(work)
    argv = [part.format(out=str(tmp_path / "out.csv"), csv="visits.csv") for part in command]
    assert main([*argv, "--database", location]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and ("there is no database at" in err or "is a folder" in err)
    assert files_in(work) == before and files_in(tmp_path) == {"work"}


def test_an_empty_file_is_not_made_a_clinic_by_a_command(tmp_path, capsys):
    empty = tmp_path / "empty.sqlite3"
    empty.touch()
    assert main(signed(["audit", "verify", "--database", str(empty)])) == 2
    assert "holds no pmsdesk clinic" in capsys.readouterr().err
    assert empty.stat().st_size == 0


def test_demo_creates_the_database_it_is_asked_to(tmp_path):
    target = tmp_path / "new" / "demo.sqlite3"
    assert main(["demo", "--patients", "1", "--database", str(target)]) == 0
    assert mode(target) == 0o600 and mode(target.parent) == 0o700


def test_a_backup_killed_before_it_counts_leaves_no_backup_and_an_empty_file_prunes_nothing(closed_clinic_file):
    for day in range(3):
        backup_if_due(closed_clinic_file, keep_days=1, now=NOON + dt.timedelta(days=day))
    kept = [path for _, path in automatic_backups(closed_clinic_file)]
    assert len(kept) == 2  # the oldest went: older than a day
    later = NOON + dt.timedelta(days=30)
    empty = kept[0].parent / f"clinic-{later.strftime('%Y%m%dT%H%M%SZ')}.sqlite3"
    empty.touch()  # as an older pmsdesk, killed while copying, left it
    assert prune_backups(closed_clinic_file, keep_days=1, now=later + dt.timedelta(hours=1)) == [kept[0]]
    assert kept[1].exists()  # the newest sound backup stays however old; the empty file does not count
    made = backup_if_due(closed_clinic_file, keep_days=14, now=later + dt.timedelta(hours=2))
    assert made is not None and check_backup_file(made)
    assert not list(kept[0].parent.glob(".*"))  # no temporary copy left


def test_restore_refuses_a_backup_whose_audit_trail_is_broken(closed_clinic_file, tmp_path, capsys):
    candidate = tmp_path / "tampered.sqlite3"
    assert main(signed(["backup", "-o", str(candidate), "--database", str(closed_clinic_file)])) == 0
    connection = sqlite3.connect(candidate)
    triggers = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")]
    for name in triggers:
        connection.execute(f"DROP TRIGGER {name}")
    connection.execute("UPDATE audit_event SET details = '{}' WHERE id = (SELECT min(id) FROM audit_event)")
    connection.commit()
    connection.close()
    restore = signed(["restore", str(candidate), "--database", str(closed_clinic_file)])

    def clinical_rows():  # the live clinic, apart from the audit trail (the sign-in to restore is in it)
        with sqlite3.connect(closed_clinic_file) as connection:
            return [connection.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()
                    for table in ("patient", "visit", "user_account")]

    before = clinical_rows()
    assert main(restore) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "audit trail is not intact" in err
    assert clinical_rows() == before and not list(tmp_path.glob("*before-restore*"))


def test_restore_keeps_a_checked_copy_first_and_leaves_no_stale_log(closed_clinic_file, tmp_path):
    copy = tmp_path / "copy.sqlite3"
    main(signed(["backup", "-o", str(copy), "--database", str(closed_clinic_file)]))
    db = Database.open(str(closed_clinic_file))
    Clinic(db, today=lambda: TODAY).create_patient({**PATIENT, "clinic_id": "MS-0002"})
    # closed without folding its log in, as a pmsdesk that crashed would leave it
    wal = closed_clinic_file.with_name(closed_clinic_file.name + "-wal")
    saved_wal = wal.read_bytes()
    db.close()
    wal.write_bytes(saved_wal)
    aside = restore_backup(closed_clinic_file, copy)
    assert check_backup_file(aside) and mode(aside) == 0o600
    assert patient_ids(aside) == ["MS-0001", "MS-0002"] and patient_ids(closed_clinic_file) == ["MS-0001"]
    assert not wal.exists() and not list(tmp_path.glob(".*"))


def test_restore_into_a_lost_database_puts_the_backup_there(closed_clinic_file, tmp_path):
    copy = tmp_path / "copy.sqlite3"
    main(signed(["backup", "-o", str(copy), "--database", str(closed_clinic_file)]))
    closed_clinic_file.unlink()
    assert restore_backup(closed_clinic_file, copy) is None
    assert patient_ids(closed_clinic_file) == ["MS-0001"]


@pytest.mark.parametrize("command", [
    ["backup", "-o", "{tmp}/missing/copy.sqlite3"],
    ["restore", "{tmp}/no-such-backup.sqlite3"],
    ["restore", "{db}-not-a-backup"],
    ["import", "{tmp}/no-such-file.csv"],
    ["progression", "{tmp}/no-such-file.csv", "--outcome", "edss"],
    ["export", "--format", "msprog", "-o", "{tmp}/missing/folder"],
    ["audit", "verify", "--database", "{tmp}/damaged.sqlite3"],
], ids=["backup-into-missing-folder", "restore-missing", "restore-not-a-database", "import-missing",
        "progression-missing", "export-into-missing-folder", "verify-damaged"])
def test_a_failing_command_says_why_in_one_line(closed_clinic_file, tmp_path, capsys, command):
    damaged = tmp_path / "damaged.sqlite3"
    damaged.write_bytes(closed_clinic_file.read_bytes())
    damage(damaged)
    Path(f"{closed_clinic_file}-not-a-backup").write_text("not a database")
    argv = [part.format(tmp=tmp_path, db=closed_clinic_file) for part in command]
    if "--database" not in argv:
        argv += ["--database", str(closed_clinic_file)]
    assert main(argv) != 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"pmsdesk {command[0]}: error: ") and "Traceback" not in err
    assert patient_ids(closed_clinic_file) == ["MS-0001"]
