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
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator, Mapping
from typing import Any

from sqlalchemy import Connection, insert, inspect, select, update
from sqlalchemy.orm import Session

from pmsdesk.domain.audit import (
    AuditKind,
    ChainReport,
    canonical_json,
    entry_hash,
    verify_chain,
)
from pmsdesk.domain.permissions import SYSTEM_ACTOR, Actor
from pmsdesk.store.tables import (
    AUDIT_TRAIL_TABLES,
    AUDITED_TABLES,
    AuditEvent,
    AuditHead,
    Patient,
    SoftDeletable,
    Visit,
)

log = logging.getLogger(__name__)

# Keys of Session.info
ACTOR = "pmsdesk.actor"
REASON = "pmsdesk.reason"
PENDING = "pmsdesk.audit_pending"  # entries noted in this transaction, not yet in the chain
INCLUDE_DELETED = "include_deleted"  # execution option: also return soft-deleted rows

BOOKKEEPING_COLUMNS = frozenset({"created_at", "updated_at", "version"})  # move with every save; not news
HIDDEN_COLUMNS = frozenset({"password_hash"})  # recorded as changed, never shown
HIDDEN = "(hidden)"
HEAD_ID = 1

_events = AuditEvent.__table__
_head = AuditHead.__table__


class AuditTrailIsAppendOnly(RuntimeError):
    pass


def actor_of(session: Session) -> Actor:
    return session.info.get(ACTOR, SYSTEM_ACTOR)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


def append(connection: Connection, entries: list[dict[str, Any]]) -> None:
    """Append ``entries`` (column values without id, time and hashes) to the chain."""
    if not entries:
        return
    # Lock first (this UPDATE), then read the head (its RETURNING): see the module docstring.
    last_id, last_hash = connection.execute(
        update(_head).where(_head.c.id == HEAD_ID).values(last_id=_head.c.last_id)
        .returning(_head.c.last_id, _head.c.last_hash)).one()
    occurred_at = _now()
    rows = []
    for entry in entries:
        last_id += 1
        row = dict.fromkeys(("table_name", "row_key", "patient_id", "visit_id", "before", "after", "reason",
                             "details"))
        row.update(entry, id=last_id, occurred_at=occurred_at, previous_hash=last_hash)
        row["entry_hash"] = last_hash = entry_hash(row)
        rows.append(row)
    connection.execute(insert(_events), rows)
    connection.execute(update(_head).where(_head.c.id == HEAD_ID).values(last_id=last_id, last_hash=last_hash))
    log.debug("audit: %d entries appended, up to %d", len(rows), last_id)


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


def _shown(name: str, value: Any) -> Any:
    return HIDDEN if name in HIDDEN_COLUMNS else value


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
    append(session.connection(), session.info.pop(PENDING, []))


def forget_pending(session: Session) -> None:
    """after_rollback: what was rolled back never happened."""
    session.info.pop(PENDING, None)


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


def verify(connection: Connection) -> ChainReport:
    """Check the whole chain, streaming it in id order."""
    head = tuple(connection.execute(select(_head.c.last_id, _head.c.last_hash).where(_head.c.id == HEAD_ID)).one())
    rows = connection.execution_options(yield_per=1000).execute(select(_events).order_by(_events.c.id))
    return verify_chain((row._mapping for row in rows), head)

