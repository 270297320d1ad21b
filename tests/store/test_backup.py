"""Backups: rotating automatic copies, one-off copies, a checked restore that keeps the current file,
and the integrity check at start."""

from __future__ import annotations

import datetime as dt
import sqlite3
import stat

import pytest
from sample_data import PATIENT, TODAY

from pmsdesk.cli import main
from pmsdesk.services.clinic import Clinic
from pmsdesk.store.backup import (
    automatic_backups,
    backup_if_due,
    check_backup_file,
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
    assert main(["backup", "-o", str(copy), "--database", str(db_path)]) == 0
    assert mode(copy) == 0o600
    clinic.create_patient({**PATIENT, "clinic_id": "MS-0002"})
    database.close()

    assert main(["restore", str(copy), "--database", str(db_path)]) == 0
    output = capsys.readouterr().out
    (aside,) = tmp_path.glob("clinic.before-restore-*.sqlite3")
    assert f"kept as {aside}" in output
    assert patient_ids(db_path) == ["MS-0001"] and patient_ids(aside) == ["MS-0001", "MS-0002"]
    reopened = Clinic(Database.open(str(db_path)), today=lambda: TODAY)
    assert [e.kind.value for e in reopened.audit_entries()][-1] == "restore"
    reopened.db.close()


def test_backup_without_output_goes_to_the_backups_folder(clinic, patient, db_path, capsys):
    assert main(["backup", "--database", str(db_path)]) == 0
    (written,) = (db_path.parent / "backups").iterdir()
    assert capsys.readouterr().out == f"Backup written: {written}\n"


def test_restore_is_refused_while_the_database_is_open(clinic, patient, db_path, tmp_path):
    copy = tmp_path / "copy.sqlite3"
    main(["backup", "-o", str(copy), "--database", str(db_path)])
    with pytest.raises(DatabaseError, match="is open in pmsdesk"):
        restore_backup(db_path, copy)
    assert not list(tmp_path.glob("*before-restore*"))


@pytest.fixture
def closed_clinic_file(db_path):
    db = Database.open(str(db_path))
    Clinic(db, today=lambda: TODAY).create_patient(PATIENT)
    db.close()
    return db_path


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
    main(["backup", "-o", str(candidate), "--database", str(closed_clinic_file)])
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
