"""The audit trail as the screens and reports read it: one plain entry per recorded event."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pmsdesk.domain.assessments import REGISTRY
from pmsdesk.domain.audit import AuditKind
from pmsdesk.store import audit
from pmsdesk.store.tables import ASSESSMENT_TABLES, AuditEvent, UserAccount

_RECORD_NAMES = {
    "patient": "Patient", "treatment_course": "Treatment course", "visit": "Visit", "adverse_event": "Adverse event",
    "relapse": "Relapse", "dmt_history": "Therapy", "user_account": "User account", "setting": "Setting",
}


def record_name(table_name: str | None) -> str:
    """What a person calls the record a table holds ("Timed 25-foot walk", "Adverse event"); each
    assessment's table is named by its assessment's title."""
    for assessment in REGISTRY:
        table = ASSESSMENT_TABLES.get(assessment.key)
        if table is not None and table.__tablename__ == table_name:
            return assessment.title
    return _RECORD_NAMES.get(table_name, table_name or "")


@dataclass(frozen=True)
class AuditEntry:
    id: int
    occurred_at: dt.datetime  # UTC
    actor: str  # the user name, or "system:<purpose>"
    actor_name: str  # the person's full name where known
    kind: AuditKind
    table_name: str | None
    row_key: str | None
    patient_id: int | None = None
    visit_id: int | None = None
    before: dict[str, Any] = field(default_factory=dict)
    after: dict[str, Any] = field(default_factory=dict)
    reason: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def changes(self) -> dict[str, tuple[Any, Any]]:
        """Field -> (before, after): the row's changed columns, or an amendment's changed entries."""
        if self.kind is AuditKind.AMEND:
            return {key: tuple(pair) for key, pair in self.details.get("changes", {}).items()}
        keys = sorted(set(self.before) | set(self.after))
        return {key: (self.before.get(key), self.after.get(key)) for key in keys}


def actor_names(session: Session) -> dict[str, str]:
    """User name -> full name of every account (the trail stores user names)."""
    return dict(session.execute(select(UserAccount.username, UserAccount.full_name)).all())


def entry_of(event: AuditEvent, names: dict[str, str]) -> AuditEntry:
    return AuditEntry(
        id=event.id, occurred_at=dt.datetime.fromisoformat(event.occurred_at), actor=event.actor,
        actor_name=names.get(event.actor, event.actor), kind=AuditKind(event.kind),
        table_name=event.table_name, row_key=event.row_key, patient_id=event.patient_id, visit_id=event.visit_id,
        before=json.loads(event.before) if event.before else {},
        after=json.loads(event.after) if event.after else {},
        reason=event.reason, details=json.loads(event.details) if event.details else {},
    )


def read_entries(session: Session, *, patient_id: int | None = None, visit_id: int | None = None,
                 kinds: tuple[AuditKind, ...] = ()) -> list[AuditEntry]:
    names = actor_names(session)
    return [entry_of(event, names)
            for event in audit.events(session, patient_id=patient_id, visit_id=visit_id, kinds=kinds)]
