"""A migration that fails on a SQLite file leaves the file as it was before the upgrade began: every
step is in one transaction (pmsdesk.store.database._upgrade_sqlite_in_one_transaction). Before, the
DDL of the steps that had run stayed in the file under the older revision number."""

from __future__ import annotations

import pytest
from alembic import command, op
from sqlalchemy import create_engine, inspect

from pmsdesk.store.database import Database, DatabaseError, _alembic_config, current_revision, head_revision


@pytest.fixture
def file_at_0011(tmp_path):
    path = tmp_path / "clinic.sqlite3"
    Database.open(str(path)).close()
    database = Database.open(str(path))
    with database.engine.begin() as connection:
        command.downgrade(_alembic_config(connection), "0011")
    database.close()
    return path


def read_directly(path, table: str) -> tuple[set[str], str | None]:
    """The table's columns and the file's revision, read without pmsdesk (opening it would upgrade it)."""
    engine = create_engine(f"sqlite:///{path}")
    try:
        return {column["name"] for column in inspect(engine).get_columns(table)}, current_revision(engine)
    finally:
        engine.dispose()


def test_a_failing_step_leaves_no_ddl_behind_and_the_revision_unchanged(file_at_0011, monkeypatch):
    added = []
    real_add_column = op.add_column

    def add_then_fail(table, column, **kw):
        if added:  # 0012 adds three columns: the second one fails, after the first was added
            raise RuntimeError("disk full (simulated)")
        added.append(table)
        return real_add_column(table, column, **kw)

    monkeypatch.setattr(op, "add_column", add_then_fail)
    with pytest.raises(DatabaseError, match="disk full"):
        Database.open(str(file_at_0011))
    assert added == ["dose_check"]  # the first step ran ...
    found, revision = read_directly(file_at_0011, "dose_check")
    assert "imported_from" not in found and revision == "0011"  # ... and was rolled back with the rest

    monkeypatch.setattr(op, "add_column", real_add_column)
    reopened = Database.open(str(file_at_0011))  # the next start upgrades the file whole
    try:
        assert current_revision(reopened.engine) == head_revision()
        assert "imported_from" in read_directly(file_at_0011, "dose_check")[0]
    finally:
        reopened.close()
