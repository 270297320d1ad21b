"""Moving a clinic from one database to another (a single workstation's SQLite file to the clinic's
PostgreSQL server): every row of every table copied as it is, numbers and audit trail included, then
compared table by table.

The copy bypasses the ORM on purpose: the audit trail is copied entry by entry, not written anew, so
the chain and its seals stay those of the source (the same audit key checks them), and the rows keep
their numbers, which the trail names. The target must be empty (only what the schema's own
migrations put there, such as the trail's head row).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator

from sqlalchemy import Connection, Engine, Table, func, insert, select, text, update
from sqlmodel import SQLModel

from pmsdesk.domain.audit import canonical_json
from pmsdesk.domain.moments import as_utc
from pmsdesk.store import audit

BATCH_ROWS = 2000
# Rows a new schema already holds (migration 0003 makes the trail's head row): replaced, not added.
SEEDED = {"audit_head"}


class TransferRefused(Exception):
    """The clinic cannot be moved to this target; the message says why."""


def _tables() -> list[Table]:
    from pmsdesk.store.tables import DERIVED_TABLES  # importing registers every table in SQLModel.metadata

    derived = {table.__tablename__ for table in DERIVED_TABLES}  # the target rebuilds them
    return [table for table in SQLModel.metadata.sorted_tables  # parents before the rows that refer to them
            if table.name not in derived]


def _rows(connection: Connection, table: Table) -> Iterator[dict]:
    ordered = select(table).order_by(*table.primary_key.columns)
    for row in audit.streamed(connection, BATCH_ROWS, ordered).mappings():
        yield dict(row)


def refuse_non_empty(connection: Connection) -> None:
    held = [table.name for table in _tables() if table.name not in SEEDED
            and connection.execute(select(func.count()).select_from(table)).scalar()]
    if held:
        raise TransferRefused(f"the target already holds a clinic's rows ({', '.join(held[:5])}); pmsdesk moves a "
                              "clinic only into an empty database")


def copy_clinic(source: Engine, target: Engine, check=None) -> dict[str, int]:
    """Copy every row from ``source`` into the empty ``target`` (same schema revision) in one
    transaction, compare the two table by table, and call ``check(connection)`` (the audit trail's
    verification) on the target before it commits; nothing stays in the target if any of it fails.
    Returns the rows copied per table."""
    copied: dict[str, int] = {}
    with source.connect() as reading, target.begin() as writing:
        refuse_non_empty(writing)
        for table in _tables():
            copied[table.name] = _copy_table(reading, writing, table)
        if writing.dialect.name == "postgresql":
            _move_sequences_past_copied_rows(writing)
        differing = differences(table_digests(reading), table_digests(writing))
        if differing:
            raise TransferRefused("the copy differs from the source, so nothing was kept: " + "; ".join(differing))
        if check is not None:
            check(writing)
    return copied


def _copy_table(reading: Connection, writing: Connection, table: Table) -> int:
    count = 0
    batch: list[dict] = []
    for row in _rows(reading, table):
        if table.name in SEEDED:
            key = {column.name: row[column.name] for column in table.primary_key.columns}
            writing.execute(update(table).filter_by(**key).values(row))
            count += 1
            continue
        batch.append(row)
        if len(batch) == BATCH_ROWS:
            writing.execute(insert(table), batch)
            count, batch = count + len(batch), []
    if batch:
        writing.execute(insert(table), batch)
        count += len(batch)
    return count


def _move_sequences_past_copied_rows(connection: Connection) -> None:
    """Rows were inserted with their numbers: each serial column's sequence continues after the largest."""
    for table in _tables():
        for column in table.primary_key.columns:
            sequence = connection.execute(text("SELECT pg_get_serial_sequence(:table, :column)"),
                                          {"table": table.name, "column": column.name}).scalar()
            if sequence:
                connection.execute(text(f'SELECT setval(:sequence, coalesce((SELECT max("{column.name}") FROM '
                                        f'"{table.name}"), 0) + 1, false)'), {"sequence": sequence})


def table_digests(connection: Connection) -> dict[str, tuple[int, str]]:
    """Per table, its row count and the SHA-256 of its rows in key order, each as canonical JSON of the
    values as pmsdesk reads them (so a SQLite file and a server holding the same clinic agree)."""
    digests = {}
    for table in _tables():
        hashed, count = hashlib.sha256(), 0
        for row in _rows(connection, table):
            hashed.update(canonical_json(_comparable(row)).encode() + b"\n")
            count += 1
        digests[table.name] = (count, hashed.hexdigest())
    return digests


def _comparable(row: dict) -> dict:
    """Moments compared as the instant they are: SQLite gives stored UTC back without its zone."""
    return {name: as_utc(value).isoformat() if isinstance(value, dt.datetime) else value
            for name, value in row.items()}


def differences(before: dict[str, tuple[int, str]], after: dict[str, tuple[int, str]]) -> list[str]:
    """The tables whose rows differ between two databases' digests, each with its counts."""
    return [f"{name}: {before[name][0]} rows in the source, {after[name][0]} in the target"
            + ("" if before[name][0] != after[name][0] else " (same count, different values)")
            for name in before if before[name] != after.get(name)]
