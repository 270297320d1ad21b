"""Opening the database: where it is, how it is connected, and bringing its schema up to date.

SQLite (the default) lives in the user's data folder; any SQLAlchemy URL can be given instead with
``--database`` or ``PMSDESK_DATABASE_URL``. SQLite connections run with foreign keys on, a WAL
journal and ``synchronous=FULL`` so a commit that returned is on disk. Opening upgrades the
schema with Alembic, after copying a SQLite file aside; an up-to-date schema is recognised with one
query and a look at the migration files, without importing Alembic.

**When a SQLite file is checked for damage.** SQLite's quick check reads every page, so it grows
with the clinic (1 s at 10,000 patients, 16 s from a cold disk at 30,000); it cannot run before
every start. What a clinic needs is that a damaged file is caught before pmsdesk writes to it and
makes the damage worse, and that nobody works on for long without knowing. So:

- Every connection runs with ``cell_size_check``: each page SQLite reads is checked as it is read,
  so a write that reaches a damaged page fails ("database disk image is malformed") instead of
  building on it, and rolls back.
- When pmsdesk closes the file it records the file's identity beside it (``<name>.checked``: device,
  inode, size, modification and status-change times of the file and its write-ahead log; the
  status-change time cannot be set back). Opening a file whose identity is not the recorded one (the
  record is missing, or anything other than pmsdesk wrote, replaced, copied in or restored the file,
  or pmsdesk was killed while writing) runs the quick check first and refuses a damaged file before
  anything is written; a file as pmsdesk left it opens without it.
- What that cannot see is a disk spoiling the file in place, which changes none of its identity. For
  that the app runs the quick check in the background once its window is up
  (:meth:`Database.verify_integrity`); a failure says so plainly, and from then on every write is
  refused (:class:`DatabaseDamaged`) with what to do, and the record is removed, so the next opening
  checks the file and refuses it. A page SQLite finds damaged while working does the same.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import os
import re
import sqlite3
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, exc, inspect
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

from pmsdesk.domain.permissions import SYSTEM_ACTOR, Actor
from pmsdesk.domain.refusals import Refusal
from pmsdesk.store import audit, server
from pmsdesk.store.sessions import StoreSession

log = logging.getLogger(__name__)

DATABASE_URL_VARIABLE = "PMSDESK_DATABASE_URL"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


class DatabaseError(Exception):
    """The database cannot be opened or upgraded; the message says why and what to do."""


class DatabaseDamaged(DatabaseError, Refusal):
    """A write refused because the SQLite file was found damaged while it was open; says what to do."""


def default_database_path() -> Path:
    from platformdirs import user_data_path

    return user_data_path("pmsdesk", appauthor=False) / "pmsdesk.sqlite3"


def resolve_database_url(option: str | None = None) -> URL:
    """The URL from ``--database`` (a URL or a file path), else the environment, else the default file.
    A password written into ``--database`` is refused: every user of the computer could read it in the
    process list (and it stays in the shell's history)."""
    chosen = option or os.environ.get(DATABASE_URL_VARIABLE) or ""
    if "://" in chosen:
        try:
            url = make_url(chosen)
        except Exception as error:  # SQLAlchemy raises ArgumentError with a terse text
            raise DatabaseError(f"not a database URL: {chosen!r} ({error})") from None
        if option and url.password is not None:
            raise DatabaseError("a password in --database can be read by every user of this computer; leave it "
                                "out: pmsdesk takes it from PGPASSWORD or the pgpass file, or asks for it")
        return url
    path = Path(chosen).expanduser() if chosen else default_database_path()
    return URL.create("sqlite+pysqlite", database=str(path.resolve()))


def needs_password(error: exc.DBAPIError) -> bool:
    """Whether a database server refused the connection for want of the right password."""
    reason = str(error.orig)
    return "no password supplied" in reason or "password authentication failed" in reason


def sqlite_path(url: URL) -> Path | None:
    """The file behind a SQLite URL; None for other databases and in-memory SQLite."""
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database)


CHECKED_SUFFIX = ".checked"  # the file's identity when pmsdesk last left it sound (see the module's docstring)
DATABASE_COMPANIONS = ("", "-wal", "-shm", "-journal", ".in-use", CHECKED_SUFFIX)  # the files SQLite and pmsdesk keep for one
BACKUP_FOLDER = "backups"  # beside the database; see pmsdesk.store.backup


def refuse_output_over_open_files(output: Path, url: URL) -> None:
    """DatabaseError when writing ``output`` would replace a file pmsdesk keeps: the database (and its
    write-ahead log, shared memory and lock), a file in its backups folder, or the audit key folder."""
    from pmsdesk.store.audit_key import key_folder

    target = output.expanduser().resolve()
    database = sqlite_path(url)
    kept = [] if database is None else [Path(str(database) + suffix) for suffix in DATABASE_COMPANIONS]
    folders = [key_folder().expanduser().resolve()]
    if database is not None:
        folders.append(database.parent / BACKUP_FOLDER)
    same_file = any(target == path or (target.exists() and path.exists() and os.path.samefile(target, path))
                    for path in kept)
    if same_file:
        raise DatabaseError(f"{output} is the database pmsdesk works on ({database}); choose another output file")
    for folder in folders:
        if target == folder or folder in target.parents:
            raise DatabaseError(f"{output} is in {folder}, which pmsdesk keeps for itself; "
                                "choose an output outside it")


SQLITE_HEADER = b"SQLite format 3\x00"


def missing_database_refusal(url: URL) -> DatabaseError | None:
    """Why a command that must not create a database cannot open ``url``: a SQLite file that does not
    exist, is a folder, or is not a SQLite file at all (a mistyped ``--database`` must not make a new,
    empty clinic). None for a SQLite file, and for a database server."""
    path = sqlite_path(url)
    if path is None:
        return None
    if path.is_dir():
        return DatabaseError(f"{path} is a folder, not a database file; give the database file with --database")
    if not path.is_file():
        return DatabaseError(f"there is no database at {path}; check --database (only opening the app or "
                             "`pmsdesk demo` creates a database)")
    with path.open("rb") as file:
        if file.read(len(SQLITE_HEADER)) != SQLITE_HEADER:  # empty, or another kind of file: left untouched
            return DatabaseError(f"{path} holds no pmsdesk clinic (it is not a SQLite database); check --database")
    return None


def read_only_refusal(path: Path) -> DatabaseError | None:
    """Why pmsdesk cannot work on a SQLite file it may not write (it records every use in the audit
    trail, and SQLite writes its log beside the file); None when it may."""
    if os.access(path, os.R_OK | os.W_OK) and os.access(path.parent, os.W_OK | os.X_OK):
        return None
    return DatabaseError(f"{path} is read-only for this user: pmsdesk writes the audit trail of every use "
                         "(and SQLite its log beside the file); ask for write access to the file and its folder")


def _prepare_sqlite_file(path: Path) -> None:
    """Create the folder and file readable by this user only (health records)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))


def lock_in_use(path: Path, *, exclusive: bool = False) -> int | None:
    """Take the database's in-use lock (an advisory lock on ``<name>.in-use`` beside it) and return its
    file descriptor; closing it releases the lock. Every open Database holds it shared; a restore
    needs it exclusively and is refused with DatabaseError while pmsdesk has the file open anywhere on
    this computer. None on Windows, which has no flock (and locks open files itself)."""
    if sys.platform == "win32":
        return None
    import fcntl

    descriptor = os.open(path.with_name(path.name + ".in-use"), os.O_CREAT | os.O_RDWR, 0o600)
    try:
        fcntl.flock(descriptor, (fcntl.LOCK_EX | fcntl.LOCK_NB) if exclusive else fcntl.LOCK_SH)
    except BlockingIOError:
        os.close(descriptor)
        raise DatabaseError(f"{path} is open in pmsdesk; close pmsdesk wherever it has this database open, "
                            "then try again") from None
    return descriptor


def _configure_sqlite(dbapi_connection, _record) -> None:
    # SQLite's own lower() folds only A-Z; patient search must find "Öztürk" and "Élodie" too.
    dbapi_connection.create_function("lower", 1, lambda v: v.lower() if isinstance(v, str) else v, deterministic=True)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")  # in WAL mode, NORMAL could lose the last commits on power loss
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA cell_size_check=ON")  # a damaged page is refused as it is read, never written on
    cursor.close()


def make_engine(url: URL) -> Engine:
    path = sqlite_path(url)
    if path is not None:
        _prepare_sqlite_file(path)
    # hide_parameters: values (names, clinical entries) never reach logs or error messages
    # pool_pre_ping: a server that restarted (or a network that dropped) leaves dead connections in the
    # pool; each is tested before use and replaced, so the first save after an outage goes through.
    server_options = {} if url.get_backend_name() == "sqlite" else {"pool_pre_ping": True}
    engine = create_engine(url, future=True, hide_parameters=True, **server_options)
    if url.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _configure_sqlite)
    return engine


def _alembic_config(connection=None):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def known_revisions() -> set[str]:
    """Every schema revision this pmsdesk has a migration for (read from the files: no Alembic)."""
    return set(_migration_parents())


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return current_revision_of(connection)


def current_revision_of(connection: Connection) -> str | None:
    from alembic.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def copy_sqlite_file(source: Path, target: Path) -> None:
    """A consistent copy of a live SQLite file (the online backup API), readable by this user only."""
    os.close(os.open(target, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600))
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
        # One self-contained file: no write-ahead log beside it that a rename would leave behind.
        dst.execute("PRAGMA journal_mode=DELETE")
    finally:
        dst.close()
        src.close()


def quick_check(path: Path) -> list[str]:
    """What SQLite's quick check of every page and index of the file finds: ``[]`` when it is sound.
    On a connection of its own, so it may run on any thread while the app works on the file."""
    try:
        connection = sqlite3.connect(path)
        try:
            findings = [row[0] for row in connection.execute("PRAGMA quick_check")]
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:  # too damaged to check ("database disk image is malformed")
        findings = [str(error)]
    return [] if findings == ["ok"] else findings


def _damage_message(path: Path, findings: list[str], done: str) -> str:
    return (f"the database file {path} is damaged (SQLite's check found: {'; '.join(findings[:3])}). {done} "
            "Restore the newest backup with `pmsdesk restore FILE` (automatic backups are in the 'backups' "
            "folder beside the database)")


def check_integrity(engine: Engine) -> None:
    """SQLite's quick check of a SQLite file; a damaged file is refused with what to do."""
    path = sqlite_path(engine.url)
    findings = [] if path is None else quick_check(path)
    if findings:
        raise DatabaseError(_damage_message(path, findings, "Nothing was changed."))


def _file_identity(path: Path) -> list[list[int] | None]:
    """What changes when anything writes the file or its write-ahead log, or puts another file in its
    place (see the module's docstring)."""
    identity = []
    for name in (str(path), str(path) + "-wal"):
        try:
            found = os.stat(name)
        except FileNotFoundError:
            identity.append(None)
            continue
        identity.append([found.st_dev, found.st_ino, found.st_size, found.st_mtime_ns, found.st_ctime_ns])
    return identity


def _checked_record(path: Path) -> Path:
    return path.with_name(path.name + CHECKED_SUFFIX)


def unchanged_since_left_sound(path: Path) -> bool:
    """Whether the file is exactly as pmsdesk left it when it last closed it sound."""
    try:
        recorded = json.loads(_checked_record(path).read_text(encoding="utf-8"))["identity"]
    except (OSError, ValueError, KeyError, TypeError):  # none yet, or unreadable: not to be trusted
        return False
    return recorded == _file_identity(path)


def record_left_sound(path: Path) -> None:
    """Record the file's identity now (private, replaced in one rename; losing it only costs a check)."""
    record = _checked_record(path)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{record.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump({"identity": _file_identity(path)}, file)
        os.replace(temporary, record)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


_REVISION_LINE = re.compile(r"^(revision|down_revision)\b[^=\n]*=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)


def _migration_parents() -> dict[str, str | None]:
    """Each migration file's revision and the one it follows, read without Alembic (whose import is
    most of opening an up-to-date database). tests/store/test_startup_checks.py checks it against Alembic."""
    return _migration_parents_in(MIGRATIONS_DIR / "versions")


@functools.cache
def _migration_parents_in(versions: Path) -> dict[str, str | None]:
    parents = {}
    for path in versions.glob("*.py"):
        found = dict(_REVISION_LINE.findall(path.read_text(encoding="utf-8")))
        parents[found["revision"]] = found.get("down_revision")
    return parents


def _newest_migration() -> str | None:
    """The head of the migration files; None when they do not make a single line of revisions."""
    parents = _migration_parents()
    heads = set(parents) - set(parents.values())
    return next(iter(heads)) if len(heads) == 1 else None


def _stored_revision(engine: Engine) -> str | None:
    """The revision recorded in the database (Alembic's table), read with one plain query."""
    try:
        with engine.connect() as connection:
            rows = list(connection.exec_driver_sql("SELECT version_num FROM alembic_version"))
    except exc.DBAPIError:
        if inspect(engine).has_table("alembic_version"):  # a lost connection raises here as well
            raise
        return None  # not a pmsdesk database yet
    return rows[0][0] if len(rows) == 1 else None


def upgrade_schema(engine: Engine) -> Path | None:
    """Bring the schema to the newest revision; returns the pre-upgrade copy of a SQLite file, if one was made."""
    stored = _stored_revision(engine)
    if stored is not None and stored == _newest_migration():
        return None  # up to date: no need for Alembic at all
    from alembic import command

    current = current_revision(engine)
    head = head_revision()
    if current == head:
        return None
    if current is not None and current not in known_revisions():
        raise DatabaseError(
            f"this database was written by a newer pmsdesk (schema {current}); install that version to open it"
        )
    if current is None and inspect(engine).get_table_names():
        raise DatabaseError("this database already holds tables that pmsdesk did not create; choose another database")
    copy = None
    path = sqlite_path(engine.url)
    if current is not None and path is not None:
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        copy = path.with_name(f"{path.stem}.before-upgrade-{current}-{stamp}{path.suffix}")
        copy_sqlite_file(path, copy)
    if path is not None:
        _upgrade_sqlite_in_one_transaction(engine)
        return copy
    with engine.begin() as connection:
        if server.is_server(connection):
            _upgrade_on_server(connection, current, head)
        else:
            command.upgrade(_alembic_config(connection), "head")
    return copy


def _upgrade_sqlite_in_one_transaction(engine: Engine) -> None:
    """Every migration step of a SQLite file in one transaction: all of them or none. Python's sqlite3
    opens a transaction itself only before INSERT, UPDATE or DELETE, so the DDL a migration starts with
    (ALTER TABLE, CREATE TRIGGER) committed statement by statement, and a step that failed left the
    steps before it in the file under the older revision number. Here the driver is told to leave
    transactions alone (isolation_level None) and one BEGIN IMMEDIATE ... COMMIT holds the upgrade."""
    from alembic import command

    with engine.connect() as connection:
        driver = connection.connection.driver_connection
        isolation = driver.isolation_level
        driver.isolation_level = None
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
            try:
                command.upgrade(_alembic_config(connection), "head")
            except BaseException:
                connection.exec_driver_sql("ROLLBACK")
                raise
            connection.exec_driver_sql("COMMIT")
        finally:
            connection.rollback()  # SQLAlchemy's own view of the connection; the file's transaction is over
            driver.isolation_level = isolation


def _upgrade_on_server(connection: Connection, current: str | None, head: str) -> None:
    """Upgrade a PostgreSQL database once however many workstations start at the same moment: the
    first takes the lock and upgrades, the others wait for it and then find the schema up to date."""
    from alembic import command

    if not server.owns_schema(connection):
        raise DatabaseError(
            f"the clinic's database is at schema {current or 'none'} and this pmsdesk needs {head}; the "
            "database's owner upgrades it: `pmsdesk upgrade` with the owner's login (README, \"A clinic server\")")
    server.lock_schema(connection)
    if current_revision_of(connection) == head:
        return
    command.upgrade(_alembic_config(connection), "head")
    server.grant_application_role(connection)


class _Soundness:
    """What this process knows of a SQLite file's health, shared by every Database on its engine."""

    def __init__(self, path: Path | None, *, checked: bool):
        self.path = path
        self.checked = checked  # the quick check passed since this process opened the file
        self.damage: str | None = None  # the refusal of every write once the file was found damaged

    def found_damaged(self, findings: list[str]) -> None:
        """Refuse every write from now on, and forget the file was ever left sound (the next opening checks)."""
        self.damage = self.damage or _damage_message(self.path, findings,
                                                     "pmsdesk saves nothing more to it until it is restored.")
        _checked_record(self.path).unlink(missing_ok=True)

    def note_error(self, context) -> None:
        """SQLAlchemy's handle_error: a page SQLite found damaged while working (cell_size_check)."""
        code = getattr(context.original_exception, "sqlite_errorcode", None)
        if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
            self.found_damaged([str(context.original_exception)])


class Database:
    """An open, up-to-date database. Every write in pmsdesk goes through :meth:`transaction`."""

    def __init__(self, engine: Engine, *, connection: Connection | None = None, actor: Actor = SYSTEM_ACTOR,
                 soundness: _Soundness | None = None):
        self.engine = engine
        self.actor = actor  # named in the audit trail for every change made through this object
        self._connection = connection
        self._in_use: int | None = None  # see lock_in_use(); held by the Database that open() returns
        self._soundness = soundness or _Soundness(sqlite_path(engine.url), checked=False)
        options = {"expire_on_commit": False, "class_": StoreSession, "info": {audit.ACTOR: actor}}
        if connection is None:
            self._sessions = sessionmaker(engine, **options)
        else:  # see batch(): sessions join the connection's transaction instead of committing their own
            self._sessions = sessionmaker(connection, join_transaction_mode="rollback_only", **options)

    def acting_as(self, actor: Actor) -> "Database":
        """This database (same engine, same batch if any) with changes recorded as made by ``actor``."""
        return Database(self.engine, connection=self._connection, actor=actor, soundness=self._soundness)

    @classmethod
    def open(cls, option: str | URL | None = None, *, create: bool = True,
             ask_password: Callable[[str], str | None] | None = None) -> "Database":
        """The database at ``option`` (see :func:`resolve_database_url`; a URL made by pmsdesk itself is
        used as it is), its schema brought up to date.
        ``create=False`` (every command but ``demo``) refuses a SQLite file that does not exist or
        holds no pmsdesk clinic instead of making an empty one. A database server that wants a password
        none of libpq's own sources (PGPASSWORD, the pgpass file) gave is asked for one through
        ``ask_password(shown_url)``, if given, once."""
        url = option if isinstance(option, URL) else resolve_database_url(option)
        try:
            return cls._open(url, create)
        except DatabaseError as error:
            if ask_password is None or url.password is not None or not isinstance(error.__cause__, exc.DBAPIError) \
                    or not needs_password(error.__cause__):
                raise
            password = ask_password(url.render_as_string(hide_password=True))
            if not password:
                raise
            return cls._open(url.set(password=password), create)

    @classmethod
    def _open(cls, url: URL, create: bool) -> "Database":
        shown = url.render_as_string(hide_password=True)
        path = sqlite_path(url)
        refusal = None if create else missing_database_refusal(url)
        if refusal is None and path is not None and path.exists():
            refusal = read_only_refusal(path)
        if refusal is not None:
            raise refusal
        engine = None
        in_use = None
        try:
            engine = make_engine(url)
            in_use = lock_in_use(path) if path is not None else None
            checked = path is not None and not unchanged_since_left_sound(path)
            if checked:
                check_integrity(engine)
            if not create and _stored_revision(engine) is None:
                raise DatabaseError(f"{shown} holds no pmsdesk clinic; check --database (only opening the app or "
                                    "`pmsdesk demo` makes a new clinic)")
            upgrade_schema(engine)
        except Exception as error:
            if engine is not None:
                engine.dispose()
            if in_use is not None:
                os.close(in_use)
            if isinstance(error, DatabaseError):
                raise
            reason = getattr(error, "orig", None) or error  # without SQLAlchemy's "Background on this error" line
            raise DatabaseError(f"cannot open {shown}: {reason}") from error
        soundness = _Soundness(path, checked=checked)
        if path is not None:
            event.listen(engine, "handle_error", soundness.note_error)
        database = cls(engine, soundness=soundness)
        database._in_use = in_use
        return database

    def verify_integrity(self) -> str | None:
        """SQLite's quick check of the file now, unless it passed since opening (a database server, or
        in-memory SQLite, has nothing to check); None when sound, else the message with which every
        write is refused from now on. Safe on any thread: the check has a connection of its own."""
        soundness = self._soundness
        if soundness.path is not None and not soundness.checked and soundness.damage is None:
            findings = quick_check(soundness.path)
            if findings:
                soundness.found_damaged(findings)
            else:
                soundness.checked = True
        return soundness.damage

    def _refuse_writes_if_damaged(self) -> None:
        if self._soundness.damage is not None:
            raise DatabaseDamaged(self._soundness.damage)

    @contextmanager
    def batch(self) -> Iterator["Database"]:
        """This database as seen by a bulk job: every transaction inside joins one outer transaction,
        so the job commits (and syncs to disk) once, and leaves nothing behind if any part fails."""
        self._refuse_writes_if_damaged()
        with self.engine.connect() as connection, connection.begin():
            yield Database(self.engine, connection=connection, actor=self.actor, soundness=self._soundness)

    @property
    def location(self) -> str:
        path = sqlite_path(self.engine.url)
        return str(path) if path else self.engine.url.render_as_string(hide_password=True)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work is committed on success and rolled back on any error; refused once the
        file was found damaged (:meth:`verify_integrity`)."""
        self._refuse_writes_if_damaged()
        with self._sessions() as session, session.begin():
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        with self._sessions() as session:
            yield session

    def close(self) -> None:
        """Close every connection; the Database that :meth:`open` returned then records the file's
        identity (see the module's docstring) unless it was found damaged (a check still under way that
        finds damage later removes the record)."""
        self.engine.dispose()  # the last connection to close folds the write-ahead log into the file
        if self._in_use is not None:
            soundness = self._soundness
            if soundness.path is not None and soundness.damage is None:
                try:
                    record_left_sound(soundness.path)
                except OSError as error:  # the next opening checks the file instead: never a failure
                    log.warning("could not record the database file as checked: %s", error.strerror or error)
            os.close(self._in_use)
            self._in_use = None
