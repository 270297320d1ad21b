"""TLS to a clinic server: libpq's settings in the URL's query reach the connection pmsdesk opens. A server
of its own takes TLS connections (a self-signed certificate made with openssl); the session's server,
without TLS, refuses a workstation that requires it, in one plain line."""

from __future__ import annotations

import shutil

import pytest

from postgres_server import TEMPLATE, make_certificate, start_server
from pmsdesk.services.clinic import Clinic
from pmsdesk.store.database import Database, DatabaseError
from sample_data import PATIENT, TODAY


@pytest.fixture(scope="module")
def tls_server():
    if shutil.which("openssl") is None:
        pytest.skip("no openssl to make the server's certificate with")
    server = start_server(tls=True)
    if server is None:
        pytest.skip("no PostgreSQL server binaries")
    try:
        Database.open(server.url(TEMPLATE)).close()  # a clinic to connect to
        yield server
    finally:
        server.stop()


def encryption(database: Database) -> tuple[bool, str]:
    """Whether this connection of pmsdesk's to the server is encrypted, and with which protocol."""
    with database.engine.connect() as connection:
        return tuple(connection.exec_driver_sql(
            "SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()").one())


@pytest.mark.parametrize("settings", ["sslmode=require", "sslmode=verify-ca&sslrootcert={root}",
                                      "sslmode=verify-full&sslrootcert={root}"])
def test_a_workstation_requiring_tls_records_over_an_encrypted_connection(tls_server, settings):
    database = Database.open(f"{tls_server.url(TEMPLATE)}?{settings.format(root=tls_server.certificate)}",
                             create=False)
    try:
        Clinic(database, today=lambda: TODAY).create_patient({**PATIENT, "clinic_id": f"MS-TLS-{len(settings)}"})
        encrypted, protocol = encryption(database)
        assert encrypted and protocol.startswith("TLSv1."), protocol
    finally:
        database.close()
    plain = Database.open(f"{tls_server.url(TEMPLATE)}?sslmode=disable", create=False)
    try:
        assert encryption(plain)[0] is False  # what the query asks for is what the connection does
    finally:
        plain.close()


def test_a_server_certificate_not_signed_by_the_given_root_is_refused(tls_server, tmp_path):
    other_root = make_certificate(tmp_path, "another-clinic")[0]
    with pytest.raises(DatabaseError, match="certificate verify failed"):
        Database.open(f"{tls_server.url(TEMPLATE)}?sslmode=verify-ca&sslrootcert={other_root}", create=False)


def test_requiring_tls_from_a_server_without_it_is_refused_in_one_plain_line(postgres, capsys):
    from pmsdesk.cli import main

    url = f"{postgres.url(postgres.fresh_database())}?sslmode=require"
    assert main(["upgrade", "--database", url]) == 2  # a database that cannot be opened, as for any other reason
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith(f"pmsdesk upgrade: error: cannot open {url}: connection failed: ")
    assert line.endswith("server does not support SSL, but SSL was required"), line
