"""What pmsdesk does differently on a PostgreSQL server: one schema upgrade at a time, and the rights of
the application's role.

A clinic's server has two kinds of role (README, "A clinic server"): the database's owner, which runs
the schema upgrades, and the group role :data:`APPLICATION_ROLE`, whose members are the logins the
workstations use. The group may read and write rows, and append to the audit trail; it owns nothing,
so it cannot alter a table, drop or disable a trigger, or update, delete or truncate an audit entry:
the audit trail's guarantees hold against the application's own credentials.
"""

from __future__ import annotations

from sqlalchemy import Connection

APPLICATION_ROLE = "pmsdesk_application"
# pg_advisory_xact_lock's key for schema upgrades: any constant that no other program on the server
# uses for its own locks ("pmsd" in ASCII).
SCHEMA_UPGRADE_LOCK = 0x706D7364
# The audit trail: rows are appended, the head row is moved forward, nothing else.
APPEND_ONLY = {"audit_event": "SELECT, INSERT", "audit_head": "SELECT, UPDATE"}


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
