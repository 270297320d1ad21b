"""The stored schema: Alembic migration from an empty file, how a SQLite file is opened, which
databases are refused, where the database lives, the copy taken before an upgrade, and the
agreement between the field catalogue (domain) and the table columns (store)."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
import stat
import textwrap
import warnings
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Column, TypeDecorator, inspect

import pmsdesk.store.database as database_module
from sample_data import PATIENT, TODAY
from pmsdesk.domain.assessments import ASSESSMENT_SECTIONS
from pmsdesk.domain.fields import (
    ADVERSE_EVENT_FIELDS,
    COURSE_FIELDS,
    DMT_FIELDS,
    PATIENT_FIELDS,
    RELAPSE_FIELDS,
    VISIT_FIELDS,
    Kind,
)
from pmsdesk.services.clinic import Clinic
from pmsdesk.store.database import (
    DATABASE_URL_VARIABLE,
    Database,
    DatabaseError,
    copy_sqlite_file,
    current_revision,
    head_revision,
    resolve_database_url,
    sqlite_path,
)
from pmsdesk.store.tables import (
    ASSESSMENT_TABLES,
    AUDIT_TRAIL_TABLES,
    AdverseEvent,
    DmtHistory,
    Patient,
    Relapse,
    TreatmentCourse,
    Visit,
    metadata,
)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def schema_differences(db: Database) -> list:
    """What differs between the migrated schema and the model's. SQLAlchemy cannot reflect an index on
    an expression (the patient list's name order), so those are compared by their definition instead."""
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based index")
            differences = compare_metadata(context, metadata)
        expression_indexes = {index.name for table in metadata.tables.values() for index in table.indexes
                              if any(not isinstance(part, Column) for part in index.expressions)}
        found = {name for (name,) in connection.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'index'" if db.engine.dialect.name == "sqlite"
            else "SELECT indexname FROM pg_indexes WHERE schemaname = 'public'")}
        return differences + [("missing index", name) for name in sorted(expression_indexes - found)]


def sqlite_rows(path: Path, sql: str) -> list[tuple]:
    connection = sqlite3.connect(path)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


# ----- Migration -------------------------------------------------------------------------------
def test_migration_from_an_empty_file_produces_exactly_the_model_schema(db_path):
    assert not db_path.exists()
    db = Database.open(str(db_path))
    try:
        assert schema_differences(db) == []
        assert set(inspect(db.engine).get_table_names()) == set(metadata.tables) | {"alembic_version"}
        assert current_revision(db.engine) == head_revision()
    finally:
        db.close()


def test_every_table_has_timestamps_and_clinical_rows_a_version():
    for table in metadata.sorted_tables:
        if table.name in {model.__tablename__ for model in AUDIT_TRAIL_TABLES}:
            continue
        assert {"created_at", "updated_at"} <= set(table.c.keys()), table.name
    for model in (Patient, TreatmentCourse, Visit, AdverseEvent, Relapse, DmtHistory, *ASSESSMENT_TABLES.values()):
        assert model.__mapper__.version_id_col is model.__table__.c.version


def test_opening_twice_is_idempotent_and_keeps_the_data(db_path):
    first = Database.open(str(db_path))
    Clinic(first, today=lambda: TODAY).create_patient(PATIENT)
    first.close()

    second = Database.open(str(db_path))
    try:
        assert current_revision(second.engine) == head_revision()
        assert schema_differences(second) == []
        assert [p.clinic_id for p in Clinic(second, today=lambda: TODAY).find_patients()] == ["MS-0001"]
    finally:
        second.close()
    assert sorted(p.name for p in db_path.parent.iterdir() if "before-upgrade" in p.name) == []


# ----- Connection settings and file permissions ------------------------------------------------
@pytest.mark.sqlite_only  # SQLite's own settings
@pytest.mark.parametrize(("pragma", "expected"), [
    ("foreign_keys", 1), ("journal_mode", "wal"), ("synchronous", 2),
])
def test_sqlite_pragma_is_in_effect_on_every_connection(database, pragma, expected):
    with database.engine.connect() as one, database.engine.connect() as two:  # two pooled connections
        assert one.exec_driver_sql(f"PRAGMA {pragma}").scalar() == expected
        assert two.exec_driver_sql(f"PRAGMA {pragma}").scalar() == expected


def test_database_file_and_its_journal_are_readable_by_this_user_only(clinic, db_path):
    clinic.create_patient(PATIENT)  # a write, so the WAL file exists while the database is open
    assert mode(db_path) == 0o600
    wal = db_path.with_name(db_path.name + "-wal")
    assert wal.exists() and mode(wal) == 0o600


def test_a_new_data_folder_is_private(tmp_path):
    path = tmp_path / "new" / "pmsdesk.sqlite3"
    Database.open(str(path)).close()
    assert mode(path.parent) == 0o700
    assert mode(path) == 0o600


# ----- Refused databases -----------------------------------------------------------------------
def test_database_with_foreign_tables_is_refused_and_left_alone(db_path):
    connection = sqlite3.connect(db_path)
    connection.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    connection.execute("INSERT INTO invoices (total) VALUES (12.5)")
    connection.commit()
    connection.close()

    with pytest.raises(DatabaseError, match="already holds tables that pmsdesk did not create"):
        Database.open(str(db_path))
    assert sqlite_rows(db_path, "SELECT name FROM sqlite_master WHERE type = 'table'") == [("invoices",)]
    assert sqlite_rows(db_path, "SELECT total FROM invoices") == [(12.5,)]


def test_database_from_a_newer_pmsdesk_is_refused_clearly(db_path):
    Database.open(str(db_path)).close()
    connection = sqlite3.connect(db_path)
    connection.execute("UPDATE alembic_version SET version_num = '9999_future'")
    connection.commit()
    connection.close()

    with pytest.raises(DatabaseError) as refused:
        Database.open(str(db_path))
    message = str(refused.value)
    assert "newer pmsdesk" in message and "9999_future" in message and "install that version" in message
    assert sqlite_rows(db_path, "SELECT version_num FROM alembic_version") == [("9999_future",)]
    assert not [p for p in db_path.parent.iterdir() if "before-upgrade" in p.name]


# ----- Where the database is -------------------------------------------------------------------
@pytest.fixture
def no_env(monkeypatch):
    monkeypatch.delenv(DATABASE_URL_VARIABLE, raising=False)


def test_a_path_becomes_an_absolute_sqlite_url(no_env, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for option in (str(tmp_path / "a.sqlite3"), "a.sqlite3"):
        url = resolve_database_url(option)
        assert url.drivername == "sqlite+pysqlite"
        assert url.database == str(tmp_path.resolve() / "a.sqlite3")
        assert sqlite_path(url) == tmp_path.resolve() / "a.sqlite3"


def test_a_home_relative_path_is_expanded(no_env, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    assert resolve_database_url("~/clinic.sqlite3").database == str(tmp_path.resolve() / "clinic.sqlite3")


def test_a_url_is_used_as_given(no_env):
    url = resolve_database_url("postgresql+psycopg://nurse@db.example:5432/pmsdesk?sslmode=verify-full")
    assert (url.drivername, url.username, url.host, url.port, url.database, url.query) == (
        "postgresql+psycopg", "nurse", "db.example", 5432, "pmsdesk", {"sslmode": "verify-full"})
    assert sqlite_path(url) is None
    assert sqlite_path(resolve_database_url("sqlite://")) is None  # in memory


def test_a_password_is_refused_on_the_command_line_but_taken_from_the_environment(no_env, monkeypatch):
    with pytest.raises(DatabaseError, match="can be read by every user of this computer"):
        resolve_database_url("postgresql+psycopg://nurse:secret@db.example/pmsdesk")
    monkeypatch.setenv("PMSDESK_DATABASE_URL", "postgresql+psycopg://nurse:secret@db.example/pmsdesk")
    assert resolve_database_url(None).password == "secret"  # the environment is this user's own


def test_a_malformed_url_is_refused_with_a_reason(no_env):
    with pytest.raises(DatabaseError, match="not a database URL"):
        resolve_database_url("://nowhere")


def test_the_environment_variable_chooses_the_database_unless_an_option_is_given(tmp_path, monkeypatch):
    monkeypatch.setenv(DATABASE_URL_VARIABLE, "postgresql://clinic-server/pmsdesk")
    assert resolve_database_url(None).render_as_string() == "postgresql://clinic-server/pmsdesk"
    assert resolve_database_url(str(tmp_path / "x.sqlite3")).database == str(tmp_path.resolve() / "x.sqlite3")
    monkeypatch.setenv(DATABASE_URL_VARIABLE, str(tmp_path / "env.sqlite3"))
    assert resolve_database_url().database == str(tmp_path.resolve() / "env.sqlite3")


def test_the_default_is_pmsdesk_sqlite3_in_the_user_data_folder(no_env, tmp_path, monkeypatch):
    import platformdirs

    calls = []

    def user_data_path(appname, appauthor=None, *args, **kwargs):
        calls.append((appname, appauthor))
        return tmp_path / "data" / appname

    monkeypatch.setattr(platformdirs, "user_data_path", user_data_path)
    url = resolve_database_url(None)
    assert url.drivername == "sqlite+pysqlite"
    assert url.database == str(tmp_path.resolve() / "data" / "pmsdesk" / "pmsdesk.sqlite3")
    assert calls == [("pmsdesk", False)]


def test_the_real_default_path_ends_with_pmsdesk_sqlite3(no_env):
    path = Path(resolve_database_url("").database)
    assert path.is_absolute()
    assert path.parts[-2:] == ("pmsdesk", "pmsdesk.sqlite3")


# ----- Copy before upgrade ---------------------------------------------------------------------
THROWAWAY_REVISION = '''
"""Throwaway revision used by the tests to simulate a schema upgrade."""
from alembic import op
import sqlalchemy as sa

revision = "0002_test"
down_revision = {head!r}
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("upgrade_probe", sa.Column("id", sa.Integer(), primary_key=True))


def downgrade() -> None:
    op.drop_table("upgrade_probe")
'''


@pytest.fixture
def install_newer_migrations(tmp_path, monkeypatch):
    """Make pmsdesk's migrations the real ones plus one newer throwaway revision."""

    def install() -> str:
        head = head_revision()
        folder = tmp_path / "migrations"
        shutil.copytree(database_module.MIGRATIONS_DIR, folder, ignore=shutil.ignore_patterns("__pycache__"))
        (folder / "versions" / "0002_test_probe.py").write_text(textwrap.dedent(THROWAWAY_REVISION.format(head=head)))
        monkeypatch.setattr(database_module, "MIGRATIONS_DIR", folder)
        return head

    return install


def test_upgrading_an_older_database_copies_it_first(tmp_path, install_newer_migrations):
    path = tmp_path / "clinic.sqlite3"
    old = Database.open(str(path))
    Clinic(old, today=lambda: TODAY).create_patient(PATIENT)
    old.close()
    old_revision = install_newer_migrations()

    upgraded = Database.open(str(path))
    try:
        assert current_revision(upgraded.engine) == "0002_test"
        assert "upgrade_probe" in inspect(upgraded.engine).get_table_names()
        assert [p.clinic_id for p in Clinic(upgraded, today=lambda: TODAY).find_patients()] == ["MS-0001"]
    finally:
        upgraded.close()

    (copy,) = tmp_path.glob(f"clinic.before-upgrade-{old_revision}-*.sqlite3")
    assert mode(copy) == 0o600
    assert sqlite_rows(copy, "SELECT version_num FROM alembic_version") == [(old_revision,)]
    assert sqlite_rows(copy, "SELECT clinic_id, family_name FROM patient") == [("MS-0001", "Example")]
    assert ("upgrade_probe",) not in sqlite_rows(copy, "SELECT name FROM sqlite_master WHERE type = 'table'")


def test_copy_of_a_live_database_includes_uncheckpointed_commits(clinic, db_path, tmp_path):
    clinic.create_patient(PATIENT)  # committed, still in the WAL file while the database is open
    target = tmp_path / "copy.sqlite3"
    copy_sqlite_file(db_path, target)
    assert mode(target) == 0o600
    assert sqlite_rows(target, "PRAGMA integrity_check") == [("ok",)]
    assert sqlite_rows(target, "SELECT clinic_id, birth_date FROM patient") == [("MS-0001", "1970-03-14")]


# ----- Field catalogue <-> table columns -------------------------------------------------------
CATALOGUE_TABLES = [
    ("patient", PATIENT_FIELDS, Patient),
    ("course", COURSE_FIELDS, TreatmentCourse),
    ("visit", VISIT_FIELDS, Visit),
    *((section, ASSESSMENT_SECTIONS[section], ASSESSMENT_TABLES[section]) for section in ASSESSMENT_SECTIONS),
    ("adverse_event", ADVERSE_EVENT_FIELDS, AdverseEvent),
    ("relapse", RELAPSE_FIELDS, Relapse),
    ("dmt", DMT_FIELDS, DmtHistory),
]
COLUMN_PYTHON_TYPES = {
    Kind.TEXT: str, Kind.CHOICE: str, Kind.INTEGER: int, Kind.DECIMAL: float, Kind.DATE: dt.date, Kind.FLAG: bool,
}


def test_every_assessment_section_has_a_table():
    assert set(ASSESSMENT_SECTIONS) == set(ASSESSMENT_TABLES)


@pytest.mark.parametrize(("catalogue", "fields", "table"), CATALOGUE_TABLES, ids=[c[0] for c in CATALOGUE_TABLES])
def test_every_field_has_a_column_of_the_same_name_and_kind(catalogue, fields, table):
    columns = table.__table__.c
    missing = [f.name for f in fields if f.name not in columns]
    assert missing == []
    for f in fields:
        column = columns[f.name]
        stored = column.type.impl_instance if isinstance(column.type, TypeDecorator) else column.type
        assert stored.python_type is COLUMN_PYTHON_TYPES[f.kind], (f.name, column.type)
        if f.required:
            assert not column.nullable, f"{f.name} is required but its column accepts NULL"
        elif f.kind is not Kind.FLAG:
            assert column.nullable, f"{f.name} is optional but its column refuses NULL"
        length = getattr(column.type, "length", None)
        if length is not None:  # what the field accepts must fit the column (PostgreSQL enforces it)
            longest = max(len(c.value) for c in f.choices) if f.kind is Kind.CHOICE else f.max_length
            assert longest is not None and longest <= length, (f.name, longest, length)
