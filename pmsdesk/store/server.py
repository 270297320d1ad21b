"""What pmsdesk does differently on a PostgreSQL server: one schema upgrade at a time, and the rights of
the application's role.

A clinic's server has two kinds of role (README, "A clinic server"): the database's owner, which runs
the schema upgrades, and the group role :data:`APPLICATION_ROLE`, whose members are the logins the
workstations use. The group may read and write rows, and append to the audit trail; it owns nothing,
so it cannot alter a table, drop or disable a trigger, or update, delete or truncate an audit entry:
the audit trail's guarantees hold against the application's own credentials.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, create_engine, exc
from sqlalchemy.engine import URL
from sqlalchemy.pool import NullPool

APPLICATION_ROLE = "pmsdesk_application"
# pg_advisory_xact_lock's key for schema upgrades: any constant that no other program on the server
# uses for its own locks ("pmsd" in ASCII).
SCHEMA_UPGRADE_LOCK = 0x706D7364
# The audit trail: rows are appended, the head row is moved forward, nothing else.
APPEND_ONLY = {"audit_event": "SELECT, INSERT", "audit_head": "SELECT, UPDATE"}
# A database the self-test left behind (its process killed) is known by this name.
SELF_TEST_DATABASE_PREFIX = "pmsdesk_self_test_"


def is_server(connection: Connection) -> bool:
    return connection.dialect.name == "postgresql"


def lock_schema(connection: Connection) -> None:
    """Wait until no other workstation is upgrading the schema; held until this transaction ends."""
    connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({SCHEMA_UPGRADE_LOCK})")


def owns_schema(connection: Connection) -> bool:
    """Whether this login may change the schema (owns the database's public schema or is a superuser)."""
    return bool(connection.exec_driver_sql(
        "SELECT pg_has_role(current_user, nspowner, 'USAGE') FROM pg_namespace WHERE nspname = 'public'").scalar())


def has_application_role(connection: Connection) -> bool:
    return bool(connection.exec_driver_sql("SELECT 1 FROM pg_roles WHERE rolname = %(role)s",
                                           {"role": APPLICATION_ROLE}).scalar())


def grant_application_role(connection: Connection) -> bool:
    """Give :data:`APPLICATION_ROLE` what the program needs on every table, and no more; False when the
    clinic has not made that role (a server used through its owner's login only)."""
    if not has_application_role(connection):
        return False
    tables = [name for (name,) in connection.exec_driver_sql(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
    role = APPLICATION_ROLE
    connection.exec_driver_sql(f"GRANT USAGE ON SCHEMA public TO {role}")
    for table in tables:
        connection.exec_driver_sql(f'REVOKE ALL ON TABLE "{table}" FROM {role}')
        rights = "SELECT" if table == "alembic_version" else APPEND_ONLY.get(table, "SELECT, INSERT, UPDATE, DELETE")
        connection.exec_driver_sql(f'GRANT {rights} ON TABLE "{table}" TO {role}')
    connection.exec_driver_sql(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}")
    return True


@contextmanager
def self_test_database(url: URL) -> Iterator[URL]:
    """Where ``pmsdesk --self-test`` works on a server: a new, empty database named
    :data:`SELF_TEST_DATABASE_PREFIX` and a random part, made by the login of ``url`` (which then owns
    it and may upgrade it) and dropped when the block ends. The database ``url`` names is only connected to
    (CREATE DATABASE runs from any database): nothing in it is read or written. DatabaseError when
    the server cannot be reached or the login may not create databases."""
    from pmsdesk.store.database import DatabaseError

    shown = url.render_as_string(hide_password=True)
    name = f"{SELF_TEST_DATABASE_PREFIX}{uuid.uuid4().hex[:12]}"
    # CREATE and DROP DATABASE cannot run inside a transaction; no pool: nothing stays connected.
    engine = create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        try:
            with engine.connect() as connection:
                login, allowed = connection.exec_driver_sql(
                    "SELECT rolname, rolcreatedb OR rolsuper FROM pg_roles WHERE rolname = current_user").one()
                if not allowed:
                    raise DatabaseError(
                        f"the login {login} may not create databases, and the self-test on a server works in a "
                        "database of its own, dropped afterwards, never in the clinic's: run it with a login that "
                        "has CREATEDB (the owner's, after ALTER ROLE ... CREATEDB), or without --database for the "
                        "local checks")
                connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        except exc.DBAPIError as error:
            reason = " ".join(str(error.orig).split())
            raise DatabaseError(f"cannot make a self-test database on {shown}: {reason}") from error
        try:
            yield url.set(database=name)
        finally:
            with engine.connect() as connection:  # FORCE: a connection left open must not keep it alive
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        engine.dispose()
