"""The audit trail, written by the store itself: no code path that saves through a pmsdesk session
can skip it.

After every flush (:func:`collect_flush`, hooked into every session by pmsdesk.store.sessions) one
entry per inserted, updated or deleted row of :data:`AUDITED_TABLES` is noted: who (the session's
actor), table, row, the values before and after (only the changed ones for an update) and the
reason given for the change. Explicit events (sign-off, sign-in, export, report...) are noted by
:func:`record_event`. Just before the transaction commits (:func:`append_pending`) the notes are
appended to the chain, all at once, inside the same transaction: an entry commits or rolls back
together with the change it describes.

Appending is serialised by the chain's head row: every append first UPDATEs it, which on SQLite
takes the database's write lock (held until commit) and on PostgreSQL locks the row until commit, so
a second workstation's append waits, then reads the new head (READ COMMITTED reads it afresh). The
link to the previous entry is computed only after that lock is held: two workstations cannot fork
the chain.

Each entry is sealed with the clinic's audit key (an HMAC, pmsdesk.store.audit_key), which lives
outside the database: the first audited write of a database without one makes the key and writes
the clinic id that names it in the settings. After each commit the new head is kept outside the
database too, as this workstation's last save and in the clinic's witness file if it has one
(pmsdesk.store.checkpoints). :func:`verify` checks the chain, :func:`verify_data` the rows against it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import Connection, Date, DateTime, Integer, Table, cast, event, insert, inspect, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pmsdesk.domain.audit import (
    AuditKind,
    ROW_KINDS,
    ChainReport,
    Checkpoint,
    DataReport,
    canonical_json,
    entry_seal,
    format_checkpoint,
    replay,
    verify_chain,
)
from pmsdesk.domain.permissions import SYSTEM_ACTOR, Actor
from pmsdesk.domain.refusals import Refusal
from pmsdesk.domain.vocab import VisitStatus
from pmsdesk.store import audit_key, checkpoints
from pmsdesk.store.audit_key import CLINIC_SETTING, AuditKey
from pmsdesk.store.tables import (
    AUDIT_TRAIL_TABLES,
    AUDITED_TABLES,
    AuditEvent,
    AuditHead,
    Patient,
    Setting,
    SoftDeletable,
    Visit,
)

log = logging.getLogger(__name__)

# Keys of Session.info
ACTOR = "pmsdesk.actor"
REASON = "pmsdesk.reason"
PENDING = "pmsdesk.audit_pending"  # entries noted in this transaction, not yet in the chain
APPENDED = "pmsdesk.audit_appended"  # (key, made now?, last id, last hash, database's place) of this transaction
INCLUDE_DELETED = "include_deleted"  # execution option: also return soft-deleted rows

BOOKKEEPING_COLUMNS = frozenset({"created_at", "updated_at", "version"})  # move with every save; not news
HIDDEN_COLUMNS = frozenset({"password_hash"})  # recorded as a digest, never shown
HIDDEN = "(hidden)"  # what entries written before digests recorded
HEAD_ID = 1

_events = AuditEvent.__table__
_head = AuditHead.__table__
_settings = Setting.__table__


class AuditTrailIsAppendOnly(RuntimeError):
    pass


class AuditTrailDamaged(Refusal):
    """The trail cannot take another entry as it stands: saving is refused until it is restored."""


def actor_of(session: Session) -> Actor:
    return session.info.get(ACTOR, SYSTEM_ACTOR)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


def location_of(connection: Connection) -> str:
    """The database's location as the key file records it (a SQLite path or a URL without password)."""
    url = connection.engine.url
    return url.database if url.get_backend_name() == "sqlite" else url.render_as_string(hide_password=True)


def clinic_id(connection: Connection) -> str | None:
    return connection.execute(select(_settings.c.value).where(_settings.c.key == CLINIC_SETTING)).scalar()


def _first_key(connection: Connection, sealed_from: int) -> AuditKey:
    """A new key for a database that has none, and the setting that names it. (The setting is
    bookkeeping, not an audited change: the key file records where keyed entries begin, outside the
    database, and a database naming another clinic, or none, is reported by :func:`verify`.)"""
    key = audit_key.new_key(location_of(connection), sealed_from)
    now = dt.datetime.now(dt.UTC)
    connection.execute(insert(_settings).values(key=CLINIC_SETTING, value=key.clinic_id, created_at=now,
                                                updated_at=now))
    return key


def append(connection: Connection, entries: list[dict[str, Any]]) -> tuple[AuditKey, bool, int, str] | None:
    """Append ``entries`` (column values without id, time and hashes) to the chain, each sealed with the
    clinic's key (made now if the database has none); returns the key, whether it was made now, and
    the new head."""
    if not entries:
        return None
    # Lock first (this UPDATE), then read the head (its RETURNING): see the module docstring.
    last_id, last_hash = connection.execute(
        update(_head).where(_head.c.id == HEAD_ID).values(last_id=_head.c.last_id)
        .returning(_head.c.last_id, _head.c.last_hash)).one()
    named = clinic_id(connection)
    made = named is None
    if made:
        key = _first_key(connection, last_id + 1)
    else:
        key = audit_key.load(named)
        if key is None:
            raise audit_key.missing(named)
    occurred_at = _now()
    rows = []
    for entry in entries:
        last_id += 1
        row = dict.fromkeys(("table_name", "row_key", "patient_id", "visit_id", "before", "after", "reason",
                             "details"))
        row.update(entry, id=last_id, occurred_at=occurred_at, previous_hash=last_hash)
        row["entry_hash"] = last_hash = entry_seal(row, key.secret)
        rows.append(row)
    if made:  # written before the commit: a sealed trail whose key was lost could never be checked again
        key = replace(key, first_seal=rows[0]["entry_hash"])
        audit_key.save(key, new=True)
    try:
        connection.execute(insert(_events), rows)
    except IntegrityError:  # an entry already holds the next number: the head was moved back behind them
        raise AuditTrailDamaged(
            f"the audit trail's head says entry {rows[0]['id'] - 1} is the last, but later entries are stored: it was "
            "changed outside pmsdesk, so nothing was saved. Run `pmsdesk audit verify`, then restore the newest "
            "backup it accepts") from None
    connection.execute(update(_head).where(_head.c.id == HEAD_ID).values(last_id=last_id, last_hash=last_hash))
    log.debug("audit: %d entries appended, up to %d", len(rows), last_id)
    return key, made, last_id, last_hash


def _note(session: Session, entry: dict[str, Any]) -> None:
    session.info.setdefault(PENDING, []).append({"actor": actor_of(session).name, **entry})


def record_event(session: Session, kind: AuditKind, *, details: Mapping[str, Any] | None = None,
                 reason: str | None = None, patient_id: int | None = None, visit_id: int | None = None,
                 table_name: str | None = None, row_key: str | None = None, actor: Actor | None = None) -> None:
    """Note one explicit event in the session's transaction, after the row changes made so far."""
    session.flush()
    entry = {"kind": kind.value, "details": canonical_json(details) if details else None, "reason": reason,
             "patient_id": patient_id, "visit_id": visit_id, "table_name": table_name, "row_key": row_key}
    if actor is not None:
        entry["actor"] = actor.name
    _note(session, entry)


# ----- row changes ---------------------------------------------------------------------------
def _recorded_columns(row: Any) -> list[str]:
    return [attr.key for attr in inspect(row).mapper.column_attrs if attr.key not in BOOKKEEPING_COLUMNS]


def hidden_digest(value: Any) -> str:
    """What the trail records of a hidden value: a SHA-256 of it, so a swapped value shows. (Of a
    password hash this gives away nothing: the salted argon2 hash it digests is in the same file.)"""
    return f"{HIDDEN} sha256:{hashlib.sha256(str(value).encode()).hexdigest()}"


def _shown(name: str, value: Any) -> Any:
    return hidden_digest(value) if name in HIDDEN_COLUMNS and value is not None else value


def _all_values(row: Any) -> dict[str, Any]:
    loaded = inspect(row).dict
    return {name: _shown(name, loaded[name]) for name in _recorded_columns(row) if name in loaded}


def _changed_values(row: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    state = inspect(row)
    before, after = {}, {}
    for name in _recorded_columns(row):
        history = state.attrs[name].history
        if not history.has_changes():
            continue
        old = history.deleted[0] if history.deleted else None
        new = history.added[0] if history.added else None
        if old != new:
            before[name], after[name] = _shown(name, old), _shown(name, new)
    return before, after


def _whose(session: Session, row: Any) -> tuple[int | None, int | None]:
    """The patient and visit a row belongs to, for the per-patient and per-visit audit views."""
    values = inspect(row).dict
    if isinstance(row, Patient):
        return values.get("id"), None
    visit_id = values.get("id") if isinstance(row, Visit) else values.get("visit_id")
    patient_id = values.get("patient_id")
    if patient_id is None and visit_id is not None:  # an assessment: its visit knows the patient
        with session.no_autoflush:
            visit = session.get(Visit, visit_id, execution_options={INCLUDE_DELETED: True})
        patient_id = visit.patient_id if visit is not None else None
    return patient_id, visit_id


def _row_key(row: Any) -> str:
    # the identity key is set only after the flush; the primary key values are there already
    return ",".join(str(value) for value in inspect(row).mapper.primary_key_from_instance(row))


def _row_entry(session: Session, row: Any, kind: AuditKind, before: dict | None, after: dict | None) -> dict:
    patient_id, visit_id = _whose(session, row)
    reason = session.info.get(REASON)
    if kind is AuditKind.SOFT_DELETE:
        reason = row.deleted_reason or reason
    return {
        "kind": kind.value, "table_name": row.__tablename__, "row_key": _row_key(row),
        "patient_id": patient_id, "visit_id": visit_id, "reason": reason,
        "before": canonical_json(before) if before is not None else None,
        "after": canonical_json(after) if after is not None else None,
    }


def _flushed_changes(session: Session) -> Iterator[dict[str, Any]]:
    for row in session.new:
        if isinstance(row, AUDITED_TABLES):
            yield _row_entry(session, row, AuditKind.INSERT, None, _all_values(row))
    for row in session.dirty:
        if isinstance(row, AUDITED_TABLES):
            before, after = _changed_values(row)
            if after:
                deleting = isinstance(row, SoftDeletable) and before.get("deleted_at") is None and after.get("deleted_at")
                yield _row_entry(session, row, AuditKind.SOFT_DELETE if deleting else AuditKind.UPDATE, before, after)
    for row in session.deleted:
        if isinstance(row, AUDITED_TABLES):
            yield _row_entry(session, row, AuditKind.DELETE, _all_values(row), None)


def refuse_audit_trail_changes(session: Session, _context, _instances) -> None:
    """before_flush: the trail is written by :func:`append` only, never as ORM objects."""
    for row in (*session.new, *session.dirty, *session.deleted):
        if isinstance(row, AUDIT_TRAIL_TABLES):
            raise AuditTrailIsAppendOnly("the audit trail is append-only and written by pmsdesk.store.audit alone")


def collect_flush(session: Session, _context) -> None:
    """after_flush: the rows are written and their ids known; note what changed."""
    for entry in _flushed_changes(session):
        _note(session, entry)


def append_pending(session: Session) -> None:
    """before_commit: flush what is left, then append everything noted in this transaction."""
    session.flush()
    connection = session.connection()
    appended = append(connection, session.info.pop(PENDING, []))
    if appended is not None:
        session.info[APPENDED] = (*appended, location_of(connection))
        if not event.contains(session, "after_commit", _witness_committed):
            event.listen(session, "after_commit", _witness_committed)


def _witness_committed(session: Session) -> None:
    """after_commit: the head just committed goes to the clinic's witness file, if it has one."""
    appended = session.info.pop(APPENDED, None)
    if appended is not None:
        key, _made, last_id, last_hash, place = appended
        checkpoints.witness(key, place, last_id, last_hash)


def forget_pending(session: Session) -> None:
    """after_rollback: what was rolled back never happened, and a key made for it seals nothing."""
    session.info.pop(PENDING, None)
    appended = session.info.pop(APPENDED, None)
    if appended is not None and appended[1]:
        appended[0].path.unlink(missing_ok=True)


# ----- reading and checking ------------------------------------------------------------------
def events(session: Session, *, patient_id: int | None = None, visit_id: int | None = None,
           kinds: tuple[AuditKind, ...] = ()) -> list[AuditEvent]:
    query = select(AuditEvent).order_by(AuditEvent.id)
    if patient_id is not None:
        query = query.where(AuditEvent.patient_id == patient_id)
    if visit_id is not None:
        query = query.where(AuditEvent.visit_id == visit_id)
    if kinds:
        query = query.where(AuditEvent.kind.in_([kind.value for kind in kinds]))
    return list(session.scalars(query))


def streamed(connection: Connection, rows_at_a_time: int, statement):
    """The rows of ``statement`` read a batch at a time (a server-side cursor on PostgreSQL). The option is
    the statement's: set on the connection it would stay, and make every later statement a cursor."""
    return connection.execute(statement.execution_options(yield_per=rows_at_a_time))


def head_query():
    """The chain's head: (last id, last hash)."""
    return select(_head.c.last_id, _head.c.last_hash).where(_head.c.id == HEAD_ID)


def checkpoint(connection: Connection) -> str:
    """The chain's head as ``N:HASH``, for a report or an export to carry outside the database."""
    return format_checkpoint(*connection.execute(head_query()).one())


def verify(connection: Connection, given: Sequence[Checkpoint] = (), *, live: bool = False) -> ChainReport:
    """Check the whole chain, streaming it in id order, with the clinic's key if this workstation has
    it (and the first seal its file recorded), against ``given`` checkpoints. ``live``: this is the
    clinic's database itself, so every checkpoint found (the last save, the witness, the backups)
    must be in it too; a copy such as a backup is allowed to end before them."""
    head = tuple(connection.execute(head_query()).one())
    named = clinic_id(connection)
    key = audit_key.load(named) if named is not None else None
    if key is None:
        replaced = [made for made in audit_key.keys_made_for(location_of(connection)) if made.clinic_id != named]
        if replaced:
            return ChainReport(0, "", replaced[0].sealed_from,
                               f"this database names {'no clinic key' if named is None else 'clinic ' + named}, "
                               f"but this workstation made the key of clinic {replaced[0].clinic_id} for the database "
                               f"at this place, sealing from entry {replaced[0].sealed_from}: the audit trail was "
                               "wiped or replaced")
    found = [*given, *(checkpoints.found_for(connection, key) if live else [key.checkpoint] if key else [])]
    # Without the key, where keyed entries begin is not known: only links and checkpoints are checked.
    sealed_from = key.sealed_from if key is not None else (None if named is None else 1)
    rows = streamed(connection, 1000, select(_events).order_by(_events.c.id))
    return verify_chain((row._mapping for row in rows), head, key=key.secret if key is not None else None,
                        sealed_from=sealed_from, checkpoints=found)


# ----- the data against the trail --------------------------------------------------------------
_MISSING = object()
_UNRECORDED_DEFAULTS = (None, False)  # a column added after the row's last entry holds its default


def _audited_tables() -> list[Table]:
    return list(dict.fromkeys(cls.__table__ for cls in AUDITED_TABLES if hasattr(cls, "__table__")))


def _comparable(column, value: Any) -> Any:
    """One form for a stored value and its recorded (JSON) form: dates as ISO text, times in UTC."""
    if value is None:
        return None
    if isinstance(column.type, DateTime):
        moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
        if moment.tzinfo is not None:
            moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
        return moment.isoformat()
    if isinstance(column.type, Date):
        return value if isinstance(value, str) else value.isoformat()
    python_type = column.type.python_type
    return python_type(value) if python_type in (bool, int, float) else value


def _first_difference(table: Table, recorded: Mapping[str, Any], stored: Mapping[str, Any]) -> str | None:
    for column in table.columns:
        name = column.name
        if name in BOOKKEEPING_COLUMNS:
            continue
        value, trail = stored[name], recorded.get(name, _MISSING)
        if name in HIDDEN_COLUMNS:
            if trail == HIDDEN:  # recorded before digests: nothing to compare
                continue
            value = hidden_digest(value) if value is not None else None
        if trail is _MISSING:
            if value in _UNRECORDED_DEFAULTS:
                continue
        elif _comparable(column, trail) == _comparable(column, value):
            continue
        shown = "(not recorded)" if trail is _MISSING else json.dumps(trail, ensure_ascii=False)
        held = json.dumps(_comparable(column, value), ensure_ascii=False)
        return f"field {name}: the trail says {shown}, the table holds {held}"
    return None


def _recorded_rows(connection: Connection, table: Table, numeric: bool) -> Iterator[tuple[Any, dict | None]]:
    """Each row the trail knows of in ``table``, in key order, with its values after its last entry."""
    order = cast(_events.c.row_key, Integer) if numeric else _events.c.row_key
    query = (select(_events.c.row_key, _events.c.kind, _events.c.before, _events.c.after)
             .where(_events.c.table_name == table.name, _events.c.kind.in_([kind.value for kind in ROW_KINDS]))
             .order_by(order, _events.c.id))
    rows = streamed(connection, 2000, query)
    for row_key, entries in itertools.groupby(rows, key=lambda entry: entry.row_key):
        values = None
        for entry in entries:
            values = replay(values, entry.kind, json.loads(entry.before) if entry.before else None,
                            json.loads(entry.after) if entry.after else None)
        yield (int(row_key) if numeric else row_key), values


def _stored_rows(connection: Connection, table: Table, key_column) -> Iterator[tuple[Any, Mapping[str, Any]]]:
    rows = streamed(connection, 2000, select(table).order_by(key_column))
    return ((row._mapping[key_column.name], row._mapping) for row in rows)


def _merged(recorded: Iterator, stored: Iterator) -> Iterator[tuple[Any, Any, Any]]:
    """(key, recorded values or _MISSING, stored row or None) for every key of either, in key order."""
    end = (None, None)
    left, right = next(recorded, end), next(stored, end)
    while left is not end or right is not end:
        if right is end or (left is not end and left[0] < right[0]):
            yield left[0], left[1], None
            left = next(recorded, end)
        elif left is end or right[0] < left[0]:
            yield right[0], _MISSING, right[1]
            right = next(stored, end)
        else:
            yield left[0], left[1], right[1]
            left, right = next(recorded, end), next(stored, end)


def copy_problem(connection: Connection) -> str | None:
    """What is wrong with a clinic copied to another database (a move, a server restore): its chain,
    every seal checked with the clinic's key, then its rows against the trail; None when all holds."""
    chain = verify(connection)
    if not chain.complete:
        return chain.describe()
    data = verify_data(connection)
    return None if data.intact else f"its rows do not match its audit trail ({data.describe()})"


def verify_data(connection: Connection) -> DataReport:
    """Replay the trail's row entries and compare each audited table with them, row by row, streaming
    both in key order (a table's memory is one row's entries at a time)."""
    compared = 0
    for table in _audited_tables():
        (key_column,) = table.primary_key.columns
        numeric = key_column.type.python_type is int
        recorded, stored = _recorded_rows(connection, table, numeric), _stored_rows(connection, table, key_column)
        if not numeric:  # the settings: a handful of rows, ordered here so both sides agree on text order
            recorded, stored = (iter(sorted(rows, key=lambda item: item[0])) for rows in (recorded, stored))
        for key, values, row in _merged(recorded, stored):
            if table.name == Setting.__tablename__ and key == CLINIC_SETTING:
                continue  # names the clinic's key; checked by verify() against the key files
            compared += 1
            problem = None
            if values is _MISSING:
                problem = "it is in the table but the audit trail has no entry for it (added behind pmsdesk's back)"
            elif row is None:
                if values is not None:
                    problem = ("the audit trail says it exists, but it is not in the table "
                               "(removed behind pmsdesk's back)")
            elif values is None:
                problem = "the audit trail says it was erased, but it is in the table"
            else:
                problem = _first_difference(table, values, row)
            if problem is not None:
                return DataReport(compared, table.name, str(key), problem)
    return DataReport(compared)


# ----- signatures against the trail -----------------------------------------------------------------
def signature_findings(connection: Connection) -> tuple[int, list[tuple[int, str]]]:
    """How many visits the table holds signed, and (visit id, what differs) for each visit whose stored signature is not the one the trail says
    stands: the last sign-off entry of that visit, unless an amendment voided it since. The visit's own
    digest can be recomputed by anyone with the file (it is a published SHA-256); these entries are
    sealed with the clinic's key, so a signature forged in the table, copied from another visit, put
    back after an amendment or removed shows here. Streams the trail; keeps one digest per signed visit."""
    standing: dict[int, dict[str, Any]] = {}
    entries = streamed(connection, 2000,
        select(_events.c.visit_id, _events.c.kind, _events.c.details)
        .where(_events.c.kind.in_([AuditKind.SIGN.value, AuditKind.AMEND.value]), _events.c.visit_id.is_not(None))
        .order_by(_events.c.id))
    for visit_id, kind, details in entries:
        if kind == AuditKind.SIGN.value:
            standing[visit_id] = json.loads(details) if details else {}
        else:  # an amendment voids the signature it finds
            standing.pop(visit_id, None)
    visits = Visit.__table__
    stored = streamed(connection, 2000,
        select(visits.c.id, visits.c.status, visits.c.signed_name, visits.c.signature_digest).order_by(visits.c.id))
    signed, findings = 0, []
    for visit_id, status, signed_name, digest in stored:
        recorded = standing.get(visit_id)
        signed += status == VisitStatus.SIGNED.value
        if status != VisitStatus.SIGNED.value:
            if recorded is not None:
                findings.append((visit_id, f"the audit trail says {recorded.get('signed_name')} signed it and no "
                                           "amendment voided that, but the table holds it unsigned"))
        elif recorded is None:
            findings.append((visit_id, "the table holds it signed, but the audit trail has no signature of it that "
                                       "stands (never signed through pmsdesk, or amended since)"))
        elif recorded.get("digest") != digest:
            findings.append((visit_id, f"its signature digest {str(digest)[:16]}\u2026 is not the "
                                       f"{str(recorded.get('digest'))[:16]}\u2026 the audit trail recorded when "
                                       f"{recorded.get('signed_name')} signed it"))
        elif recorded.get("signed_name") != signed_name:
            findings.append((visit_id, f"it names the signer {signed_name!r}, the audit trail "
                                       f"{recorded.get('signed_name')!r}"))
    return signed, findings
