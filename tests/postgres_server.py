"""A real, throwaway PostgreSQL server for the tests: the distribution's own binaries, a data folder in
a temporary directory, listening on loopback only, stopped when the test session ends.

The server runs as the user who runs the tests; as root (containers, CI) it runs as the ``postgres``
system user the distribution's package creates, since PostgreSQL refuses to run as root. Each test
gets a database of its own, copied from a template that is migrated once per session (``CREATE
DATABASE ... TEMPLATE`` copies files, so a fresh clinic costs milliseconds, not a migration).

Roles, as a clinic sets them up (README, "A clinic server"):
- ``pmsdesk_owner`` owns the database and runs the schema upgrades;
- ``pmsdesk_application``, a group role without login: what the program needs to read and write rows;
- ``pmsdesk_nurse_ws``, a login role in that group: what a workstation connects as;
- ``pmsdesk_password_ws``, another, the one that must give a password.

``start_server(tls=True)`` starts a server that also takes TLS connections, with a self-signed
certificate made by ``openssl`` for 127.0.0.1 (its file is the root a client verifies it with).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

OWNER = "pmsdesk_owner"
WORKSTATION = "pmsdesk_nurse_ws"
TEMPLATE = "pmsdesk_template"
PASSWORD_LOGIN, PASSWORD = "pmsdesk_password_ws", "correct horse battery"


def _binaries() -> Path | None:
    """The folder of initdb and pg_ctl: PMSDESK_TEST_POSTGRES_BIN, else the distribution's layout."""
    chosen = os.environ.get("PMSDESK_TEST_POSTGRES_BIN")
    candidates = [chosen] if chosen else sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    on_path = shutil.which("pg_config")
    if not chosen and on_path:
        candidates.append(subprocess.run([on_path, "--bindir"], capture_output=True, text=True).stdout.strip())
    return next((Path(c) for c in candidates if c and (Path(c) / "initdb").exists()), None)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def make_certificate(folder: Path, name: str) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and its key (private), made with ``openssl``."""
    certificate, key = folder / f"{name}.crt", folder / f"{name}.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(certificate)],
                   check=True, capture_output=True, timeout=60)
    key.chmod(0o600)  # the server refuses a key others can read
    return certificate, key


class PostgresServer:
    def __init__(self, binaries: Path, *, tls: bool = False):
        self.binaries = binaries
        self.folder = Path(tempfile.mkdtemp(prefix="pmsdesk-test-postgres-"))
        self.data = self.folder / "data"
        self.port = _free_port()
        self.certificate = make_certificate(self.folder, "server")[0] if tls else None
        self._run_as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def _run(self, tool: str, *arguments: str) -> None:
        result = subprocess.run([*self._run_as, str(self.binaries / tool), *arguments], capture_output=True,
                                text=True, cwd=self.folder, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"{tool} failed: {result.stderr.strip() or result.stdout.strip()}")

    def start(self) -> None:
        if self._run_as:
            entry = pwd.getpwnam("postgres")
            for path in (self.folder, *self.folder.iterdir()):  # the folder, and the certificate's files
                os.chown(path, entry.pw_uid, entry.pw_gid)
        # The bootstrap superuser is the owner here; a clinic's owner role needs no superuser rights
        # (tests/store/test_postgres_roles.py shows what the application's role cannot do).
        self._run("initdb", "-D", str(self.data), "-U", "postgres_admin", "-A", "trust", "-E", "UTF8",
                  "--no-sync", "--locale=C.UTF-8")
        # One login that must give its password (the others are trusted on loopback, as test logins).
        hba = self.data / "pg_hba.conf"
        hba.write_text(f"host all {PASSWORD_LOGIN} 127.0.0.1/32 scram-sha-256\n" + hba.read_text())
        self.restart()
        self.admin(f"CREATE ROLE {OWNER} LOGIN CREATEDB",
                   "CREATE ROLE pmsdesk_application NOLOGIN",
                   f"CREATE ROLE {WORKSTATION} LOGIN IN ROLE pmsdesk_application",
                   f"CREATE ROLE {PASSWORD_LOGIN} LOGIN PASSWORD '{PASSWORD}' IN ROLE pmsdesk_application",
                   f"CREATE DATABASE {TEMPLATE} OWNER {OWNER}",
                   f"REVOKE ALL ON DATABASE {TEMPLATE} FROM PUBLIC")
        self.admin("REVOKE CREATE ON SCHEMA public FROM PUBLIC", f"ALTER SCHEMA public OWNER TO {OWNER}",
                   database=TEMPLATE)

    def _options(self) -> str:
        # fsync off: a test server's data may be lost with the machine; a clinic's must not.
        options = f"-h 127.0.0.1 -p {self.port} -k {self.folder} -c fsync=off -c max_connections=60"
        if self.certificate is not None:
            key = self.certificate.with_suffix(".key")
            options += f" -c ssl=on -c ssl_cert_file={self.certificate} -c ssl_key_file={key}"
        return options

    def kill(self) -> None:
        """Stop the server at once, as a crash or a pulled network cable would end its connections."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def restart(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-o", self._options(), "-l", str(self.folder / "server.log"), "-w",
                  "start")

    def stop(self) -> None:
        try:
            self.kill()
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, database: str, role: str = OWNER) -> str:
        return f"postgresql+psycopg://{role}@127.0.0.1:{self.port}/{database}"

    def admin(self, *statements: str, database: str = "postgres") -> None:
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user="postgres_admin", dbname=database,
                             autocommit=True) as connection:
            for statement in statements:
                connection.execute(statement)

    def fresh_database_without_template(self) -> str:
        """A new, empty database that pmsdesk migrates itself (a server of one test)."""
        name = f"clinic_{uuid.uuid4().hex[:12]}"
        self.admin(f"CREATE DATABASE {name} OWNER {OWNER}")
        return name

    def fresh_database(self) -> str:
        """A new database copied from the migrated template; its name."""
        name = f"clinic_{uuid.uuid4().hex[:12]}"
        self.admin(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE} OWNER {OWNER}")
        return name


def start_server(*, tls: bool = False) -> PostgresServer | None:
    binaries = _binaries()
    if binaries is None:
        return None
    server = PostgresServer(binaries, tls=tls)
    server.start()
    return server
