"""Which errors from a clinic server mean the connection is lost (the save is kept on this computer and
the nurse told the server cannot be reached) and which are the server's answer to the write: a real
deadlock and a real ended connection on the test server."""

from __future__ import annotations

import threading

from sqlalchemy import create_engine, exc

from pmsdesk.services.offline_drafts import lost_connection


def test_a_deadlock_is_the_servers_answer_not_a_lost_connection(postgres):
    engine = create_engine(postgres.url(postgres.fresh_database()))
    first, second = engine.connect(), engine.connect()
    errors: list[exc.DBAPIError] = []

    def take(connection, key: int) -> None:
        try:
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({key})")
        except exc.DBAPIError as error:
            errors.append(error)
            connection.rollback()  # the chosen victim's locks go, and the other goes on

    try:
        take(first, 1)
        take(second, 2)
        waiting = threading.Thread(target=take, args=(first, 2))
        waiting.start()
        take(second, 1)  # each waits for the other: the server ends one of them after deadlock_timeout
        waiting.join(timeout=30)
        [deadlock] = errors
        assert deadlock.orig.sqlstate == "40P01" and isinstance(deadlock, exc.OperationalError)
        assert not lost_connection(deadlock)
    finally:
        first.close()
        second.close()
        engine.dispose()


def test_a_connection_the_server_ended_is_lost(postgres):
    engine = create_engine(postgres.url(postgres.fresh_database()))
    try:
        with engine.connect() as connection:
            backend = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
            postgres.admin(f"SELECT pg_terminate_backend({backend})")
            try:
                connection.exec_driver_sql("SELECT 1")
            except exc.DBAPIError as error:
                assert lost_connection(error), error
            else:
                raise AssertionError("the ended connection still answered")
    finally:
        engine.dispose()
