"""Start-up that does not grow with the clinic (issue 20 item 4): what opening a SQLite file checks and
when, the migration files read without Alembic, and the imports the app and the report command do
without. These guard the shapes that make start-up fast, not timings."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

import pytest
from people import TEST_PASSWORD, ensure_account, signed
from sample_data import PATIENT, TODAY

from pmsdesk.domain.permissions import Role
from pmsdesk.services.clinic import Clinic
from pmsdesk.store import database as database_module
from pmsdesk.store.database import (
    Database,
    DatabaseDamaged,
    DatabaseError,
    record_left_sound,
    unchanged_since_left_sound,
)

pytestmark = pytest.mark.sqlite_only


@pytest.fixture
def quick_checks(monkeypatch):
    """The files SQLite's quick check ran on (the real check, counted)."""
    checked = []
    real = database_module.quick_check

    def counted(path):
        checked.append(path)
        return real(path)

    monkeypatch.setattr(database_module, "quick_check", counted)
    return checked


def damage_in_place(path) -> None:
    """Spoil pages in the middle of the file as a failing disk would, then give the file back the
    identity pmsdesk recorded (a disk changes no size or time): only reading every page can tell."""
    data = bytearray(path.read_bytes())
    data[4096 * 2:4096 * 4] = b"\xa5" * (4096 * 2)
    path.write_bytes(bytes(data))
    record_left_sound(path)


def test_a_file_as_pmsdesk_left_it_opens_without_the_integrity_check(closed_clinic_file, quick_checks):
    assert (closed_clinic_file.parent / "clinic.sqlite3.checked").stat().st_mode & 0o077 == 0
    for number in (2, 3):
        database = Database.open(str(closed_clinic_file), create=False)
        Clinic(database, today=lambda: TODAY).create_patient({**PATIENT, "clinic_id": f"MS-000{number}"})
        database.close()
    assert quick_checks == []


@pytest.mark.parametrize("change", ["written by another program", "replaced by another file", "no record",
                                    "left open by a killed pmsdesk"])
def test_a_file_changed_behind_pmsdesks_back_is_checked_before_anything_is_written(closed_clinic_file, quick_checks,
                                                                                   change):
    if change == "written by another program":
        connection = sqlite3.connect(closed_clinic_file)
        connection.execute("UPDATE patient SET family_name = 'Changed'")
        connection.commit()
        connection.close()
    elif change == "replaced by another file":
        copy = closed_clinic_file.with_name("copy.sqlite3")
        copy.write_bytes(closed_clinic_file.read_bytes())
        os.replace(copy, closed_clinic_file)
    elif change == "no record":
        closed_clinic_file.with_name("clinic.sqlite3.checked").unlink()
    else:  # its writes are in the file (and the log), its record is the one from before them
        running = Database.open(str(closed_clinic_file))
        Clinic(running, today=lambda: TODAY).create_patient({**PATIENT, "clinic_id": "MS-0002"})
    database = Database.open(str(closed_clinic_file))
    database.close()
    assert quick_checks == [closed_clinic_file]
    if change == "left open by a killed pmsdesk":
        running.close()


def test_a_damaged_file_changed_behind_pmsdesks_back_is_refused_at_start(closed_clinic_file):
    damage_in_place(closed_clinic_file)
    closed_clinic_file.with_name("clinic.sqlite3.checked").unlink()
    with pytest.raises(DatabaseError, match="is damaged .* Nothing was changed. Restore the newest backup"):
        Database.open(str(closed_clinic_file))


def test_a_file_spoiled_in_place_is_caught_by_the_background_check_and_no_more_is_written(closed_clinic_file):
    damage_in_place(closed_clinic_file)
    database = Database.open(str(closed_clinic_file))  # as pmsdesk left it: opens without reading every page
    clinic = Clinic(database, today=lambda: TODAY)
    message = database.verify_integrity()
    assert "is damaged" in message and "saves nothing more" in message and "pmsdesk restore FILE" in message
    with pytest.raises(DatabaseDamaged, match="is damaged"):
        clinic.create_patient({**PATIENT, "clinic_id": "MS-0002"})
    with pytest.raises(DatabaseDamaged), database.acting_as(clinic.actor).batch():
        pass
    database.close()  # the record is not renewed: the next start checks, and refuses
    with pytest.raises(DatabaseError, match="is damaged"):
        Database.open(str(closed_clinic_file))


def test_a_sound_file_checked_in_the_background_is_checked_once(closed_clinic_file, quick_checks):
    database = Database.open(str(closed_clinic_file))
    assert database.verify_integrity() is None and database.verify_integrity() is None
    assert quick_checks == [closed_clinic_file]
    Clinic(database, today=lambda: TODAY).create_patient({**PATIENT, "clinic_id": "MS-0002"})
    database.close()


def test_every_connection_checks_each_page_as_it_reads_it(database):
    with database.reading() as session:
        assert session.connection().exec_driver_sql("PRAGMA cell_size_check").scalar() == 1


def test_the_migration_files_are_read_as_alembic_reads_them():
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(database_module._alembic_config())
    alembic_parents = {script.revision: script.down_revision for script in scripts.walk_revisions()}
    assert database_module._migration_parents() == alembic_parents
    assert database_module._newest_migration() == scripts.get_current_head()


def run_python(code: str, tmp_path, **env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=tmp_path,
                          env={**os.environ, **env}, check=False)


def test_importing_the_accounts_service_computes_no_password_hash(tmp_path):
    """argon2 is not even loaded until a password is hashed or checked."""
    done = run_python("import sys\n"
                      "import pmsdesk.services.accounts\n"
                      "print('argon2' in sys.modules)", tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "False\n"


HEAVY = ("PySide6", "pyqtgraph", "alembic", "numpy", "pandas", "openpyxl")


def test_the_report_command_imports_no_qt_and_no_alembic(closed_clinic_file, tmp_path):
    database = Database.open(str(closed_clinic_file))
    clinic = Clinic(database, today=lambda: TODAY)
    visit = clinic.create_visit(clinic.find_patients()[0].id, {"visit_date": "2026-03-02", "kind": "baseline",
                                                              "edss.edss": "4.0"}).visit
    database.close()
    argv = signed(["report", str(visit.id), "-o", str(tmp_path / "visit.pdf"), "--database", str(closed_clinic_file)])
    done = run_python("import sys\n"
                      "from pmsdesk.cli import main\n"
                      f"code = main({argv!r})\n"
                      f"print(code, sorted({{m.split('.')[0] for m in sys.modules}} & {set(HEAVY)!r}))",
                      tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "0 []"
    assert (tmp_path / "visit.pdf").stat().st_size > 0


def test_the_app_starts_without_alembic_or_the_heavy_modules(closed_clinic_file, tmp_path):
    """The main window comes up, signed in from the command line, without importing Alembic (the schema
    is recognised as up to date without it) or modules no start-up screen needs."""
    database = Database.open(str(closed_clinic_file))
    ensure_account(database, "test-nurse", Role.NURSE)
    database.close()
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "pmsdesk", "--exit-after-first-window", "--user",
                           "test-nurse", "--database", str(closed_clinic_file)], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "PMSDESK_PASSWORD": TEST_PASSWORD},
                          cwd=tmp_path, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout == "first window painted: MainWindow 'pmsdesk'\n"
    imported = {line.split("|")[-1].strip().split(".")[0] for line in done.stderr.splitlines()
                if line.startswith("import time:")}
    assert "PySide6" in imported and not imported & {"alembic", "pyqtgraph", "numpy", "pandas"}
    assert unchanged_since_left_sound(closed_clinic_file)  # closed as usual: the next start skips the check too
