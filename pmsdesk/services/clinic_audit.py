"""The clinic-wide audit trail for administrators: every entry (sign-ins, refused sign-ins, exports,
imports, reports, user and record changes) told as the visit history tells it, newest first, filtered
by person, patient, kind and date range in SQL and read a page at a time, so a trail of millions of
entries opens as fast as a short one; and its export as a private CSV, itself audited.

Read only: nothing here changes the trail (the export adds its own entry, as every export does).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from pmsdesk.domain.audit import AuditKind
from pmsdesk.domain.naming import patient_display_name
from pmsdesk.domain.permissions import Action
from pmsdesk.files import write_atomically
from pmsdesk.services.audit_trail import actor_names, entry_of
from pmsdesk.services.review import HistoryLine, HistoryWriter
from pmsdesk.store import audit
from pmsdesk.store.tables import AuditEvent, Patient, UserAccount, Visit

if TYPE_CHECKING:
    from pmsdesk.services.clinic import Clinic

PAGE_SIZE = 200
COLUMNS = ("When", "Who", "Patient", "What", "Reason")

_ROW_CHANGES = (AuditKind.INSERT, AuditKind.UPDATE, AuditKind.DELETE, AuditKind.SOFT_DELETE)
_ADMINISTRATIVE_TABLES = ("user_account", "setting")


def _kind_in(*kinds: AuditKind) -> ColumnElement[bool]:
    return AuditEvent.kind.in_([kind.value for kind in kinds])


# What the kind filter offers: a key, its label and the SQL condition it stands for.
KINDS_OF_ENTRY: dict[str, tuple[str, ColumnElement[bool]]] = {
    "sign_ins": ("Sign-ins", _kind_in(AuditKind.SIGN_IN)),
    "refused": ("Refused sign-ins and unlocks", _kind_in(AuditKind.SIGN_IN_FAILED, AuditKind.UNLOCK_FAILED)),
    "records": ("Changes to clinical records", and_(_kind_in(*_ROW_CHANGES), or_(
        AuditEvent.table_name.is_(None), AuditEvent.table_name.not_in(_ADMINISTRATIVE_TABLES)))),
    "signatures": ("Signatures and amendments", _kind_in(AuditKind.SIGN, AuditKind.AMEND)),
    "users": ("User accounts", AuditEvent.table_name == "user_account"),
    "settings": ("Clinic settings", AuditEvent.table_name == "setting"),
    "exports": ("Exports", _kind_in(AuditKind.EXPORT)),
    "imports": ("Imports", _kind_in(AuditKind.IMPORT)),
    "reports": ("Printed and saved summaries", _kind_in(AuditKind.REPORT)),
    "restores": ("Restores from a backup", _kind_in(AuditKind.RESTORE)),
}


@dataclass(frozen=True)
class AuditFilter:
    """Which entries to show; an empty filter shows every entry. Dates are local calendar days,
    both included."""

    actor: str | None = None  # a user name (or a system actor's name)
    patient: str = ""  # words of a patient's name or clinic identifier
    kind: str | None = None  # a key of KINDS_OF_ENTRY
    since: dt.date | None = None
    until: dt.date | None = None

    def describe(self) -> dict[str, str]:
        """The filter as the export's audit entry records it (only what was set)."""
        shown = {"person": self.actor, "patient": self.patient.strip(),
                 "kind": KINDS_OF_ENTRY[self.kind][0] if self.kind else None,
                 "from": self.since.isoformat() if self.since else None,
                 "to": self.until.isoformat() if self.until else None}
        return {key: value for key, value in shown.items() if value}


@dataclass(frozen=True)
class AuditRow:
    """One line of the clinic's trail as the audit view shows it."""

    entry_id: int
    when: str  # local time to the minute
    who: str  # full name (user name)
    user: str  # the user name, or "system:<purpose>"
    patient: str  # "FAMILY, Given (clinic id)", with the visit's date; '' for no patient
    what: str
    reason: str

    def cells(self) -> tuple[str, ...]:
        return self.when, self.who, self.patient, self.what, self.reason


@dataclass(frozen=True)
class AuditPage:
    rows: tuple[AuditRow, ...]
    next_before_id: int | None  # pass as ``before_id`` for the next (older) page; None: no more


def _local_midnight_utc(day: dt.date) -> str:
    """The stored form (ISO UTC text, microseconds) of the local midnight starting ``day``; stored
    times of one format compare as text in time order."""
    local = dt.datetime.combine(day, dt.time()).astimezone()
    return local.astimezone(dt.UTC).isoformat(timespec="microseconds")


def _matching_patients(session: Session, text: str) -> list[int]:
    query = select(Patient.id)
    for word in text.split():
        pattern = f"%{word.lower()}%"
        query = query.where(or_(Patient.family_name.ilike(pattern), Patient.given_names.ilike(pattern),
                                Patient.clinic_id.ilike(pattern)))
    return list(session.scalars(query))


def _conditions(session: Session, filters: AuditFilter) -> list[ColumnElement[bool]]:
    conditions = []
    if filters.actor:
        conditions.append(AuditEvent.actor == filters.actor)
    if filters.patient.strip():
        conditions.append(AuditEvent.patient_id.in_(_matching_patients(session, filters.patient)))
    if filters.kind:
        conditions.append(KINDS_OF_ENTRY[filters.kind][1])
    if filters.since:
        conditions.append(AuditEvent.occurred_at >= _local_midnight_utc(filters.since))
    if filters.until:
        conditions.append(AuditEvent.occurred_at < _local_midnight_utc(filters.until + dt.timedelta(days=1)))
    return conditions


def _events_page(session: Session, conditions: list, before_id: int | None, limit: int) -> list[AuditEvent]:
    """Up to ``limit`` matching events older than ``before_id``, newest first, and the rest of the
    oldest one's transaction (its entries share a time), so a transaction is never split across pages."""
    query = select(AuditEvent).where(*conditions).order_by(AuditEvent.id.desc())
    if before_id is not None:
        query = query.where(AuditEvent.id < before_id)
    events = list(session.scalars(query.limit(limit)))
    if len(events) == limit:
        oldest = events[-1]
        events += session.scalars(query.where(AuditEvent.id < oldest.id,
                                              AuditEvent.occurred_at == oldest.occurred_at))
    return events


def _patient_names(session: Session, events: list[AuditEvent]) -> tuple[dict[int, str], dict[int, str]]:
    patient_ids = {event.patient_id for event in events if event.patient_id is not None}
    visit_ids = {event.visit_id for event in events if event.visit_id is not None}
    patients = {row.id: f"{patient_display_name(row.family_name, row.given_names)} ({row.clinic_id})"
                for row in session.execute(select(Patient.id, Patient.family_name, Patient.given_names,
                                                  Patient.clinic_id).where(Patient.id.in_(patient_ids)))}
    visits = dict(session.execute(select(Visit.id, Visit.visit_date).where(Visit.id.in_(visit_ids))
                                  .execution_options(**{audit.INCLUDE_DELETED: True})).all())
    return patients, {visit_id: day.isoformat() for visit_id, day in visits.items()}


def _require(clinic: Clinic) -> None:
    clinic.actor.require(Action.READ_AUDIT_TRAIL)


def audit_page(clinic: Clinic, filters: AuditFilter = AuditFilter(), *, before_id: int | None = None,
               limit: int | None = None) -> AuditPage:
    """The newest ``limit`` (:data:`PAGE_SIZE`) matching entries older than ``before_id``, as lines:
    one line per change."""
    _require(clinic)
    limit = limit or PAGE_SIZE
    with clinic.db.reading() as session:
        events = _events_page(session, _conditions(session, filters), before_id, limit)
        names = actor_names(session)
        user_ids = dict(session.execute(select(UserAccount.id, UserAccount.full_name)).all())
        patients, visits = _patient_names(session, events)
    entries = [entry_of(event, names) for event in reversed(events)]  # oldest first, as the writer reads
    told = HistoryWriter(user_ids).transactions(entries)
    rows = tuple(_row(line, patients, visits) for lines in reversed(told) for line in lines)
    more = len(events) >= limit
    return AuditPage(rows, events[-1].id if more and events else None)


def _row(line: HistoryLine, patients: dict[int, str], visits: dict[int, str]) -> AuditRow:
    entry = line.entry
    patient = patients.get(entry.patient_id, f"patient {entry.patient_id}") if entry.patient_id is not None else ""
    if entry.visit_id in visits:
        patient += f", visit of {visits[entry.visit_id]}"
    who = line.who if line.who == entry.actor else f"{line.who} ({entry.actor})"
    return AuditRow(entry.id, line.when, who, entry.actor, patient, line.what, line.reason or "")


def audit_rows(clinic: Clinic, filters: AuditFilter = AuditFilter()) -> Iterator[AuditRow]:
    """Every matching line, newest first, read a page at a time."""
    before_id = None
    while True:
        page = audit_page(clinic, filters, before_id=before_id)
        yield from page.rows
        if page.next_before_id is None:
            return
        before_id = page.next_before_id


def audit_people(clinic: Clinic) -> list[tuple[str, str]]:
    """(user name, "Full name (user name)") of every user account, for the person filter."""
    _require(clinic)
    with clinic.db.reading() as session:
        return [(username, f"{full_name} ({username})") for username, full_name in session.execute(
            select(UserAccount.username, UserAccount.full_name).order_by(UserAccount.full_name))]


def export_audit_csv(clinic: Clinic, filters: AuditFilter, path: Path) -> tuple[Path, int]:
    """Write every line matching ``filters`` to ``path`` (.csv added when it has no suffix) as a CSV
    readable by its owner only (0600), and record the export; the path written and its line count."""
    _require(clinic)
    clinic.actor.require(Action.EXPORT)
    path = Path(path)
    if not path.suffix:
        path = path.with_suffix(".csv")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(("When (local time)", "Who", "User name", "Patient", "What", "Reason"))
    count = 0
    for row in audit_rows(clinic, filters):
        writer.writerow((row.when, row.who, row.user, row.patient, row.what, row.reason))
        count += 1
    write_atomically(path, out.getvalue().encode("utf-8"))
    clinic.record_event(AuditKind.EXPORT, {"what": "the clinic's audit trail", "path": str(path.resolve()),
                                           "lines": count, "filters": filters.describe()})
    return path, count
