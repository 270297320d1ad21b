"""Alembic environment: pmsdesk passes its own open connection (see pmsdesk.store.database)."""

from alembic import context

from pmsdesk.store.tables import metadata


def run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("pmsdesk migrations run through pmsdesk.store.database.upgrade_schema")
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,  # SQLite alters tables by copying them; batch mode does that for us
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
