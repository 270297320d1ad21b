"""The session class every pmsdesk Database hands out: audited writes, hidden soft-deleted rows.

Hooks are registered on the class, so every session of that class has them, including those that
join a batch's outer transaction (:meth:`pmsdesk.store.database.Database.batch`).
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from pmsdesk.store import audit
from pmsdesk.store.tables import CLINICAL_TABLES, SoftDeletable

# Lambdas, so SQLAlchemy caches the filtered statements instead of compiling each one anew.
_SOFT_DELETE_FILTERS = [
    with_loader_criteria(table, lambda cls: cls.deleted_at.is_(None), include_aliases=True)
    for table in CLINICAL_TABLES if issubclass(table, SoftDeletable)
]


class StoreSession(Session):
    """A session whose flushes are written to the audit trail and whose queries skip deleted rows."""


def _hide_soft_deleted(state: ORMExecuteState) -> None:
    """Every ORM SELECT, in any query or subquery, leaves deleted rows out unless asked not to
    (execution option ``include_deleted``); SQLAlchemy's documented global-filter pattern."""
    if (state.is_select and not state.is_column_load and not state.is_relationship_load
            and not state.execution_options.get(audit.INCLUDE_DELETED, False)):
        state.statement = state.statement.options(*_SOFT_DELETE_FILTERS)


event.listen(StoreSession, "do_orm_execute", _hide_soft_deleted)
event.listen(StoreSession, "before_flush", audit.refuse_audit_trail_changes)
event.listen(StoreSession, "after_flush", audit.collect_flush)
event.listen(StoreSession, "before_commit", audit.append_pending)
event.listen(StoreSession, "after_rollback", audit.forget_pending)
