"""Visit summaries (PDF reports): who may make them, what they are made from, and their audit entry.

The report code (:mod:`pmsdesk.reports`) reads the clinic only through these functions, as frozen
read models (:mod:`pmsdesk.services.views`), never as stored rows or a session. Each checks that the
actor may print clinical reports (:attr:`Action.REPORT`: nurses, neurologists and system actors;
not administrators, whose work is accounts and settings). A summary that was printed or saved as a
PDF is written to the audit trail once, by :func:`record_report`: who (the actor), when, which
visits (by id, with the patient's id when they are one patient's), how (printed or saved) and the
file written; no names or clinical values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import Any

from sqlalchemy import select

from pmsdesk.domain.audit import AuditKind
from pmsdesk.domain.permissions import Action
from pmsdesk.services.clinic import Clinic, NotFound
from pmsdesk.services.review import SEPARATOR, history_lines, local_minute
from pmsdesk.services.views import VisitView, row_view, row_views, visit_view
from pmsdesk.store import audit
from pmsdesk.store.tables import Patient, UserAccount, Visit


class ReportOutput(StrEnum):
    """How a summary left pmsdesk."""

    PRINTED = "printed"
    PDF = "pdf"


@dataclass(frozen=True)
class AmendmentView:
    """One amendment of a signed visit: who, when (UTC), the reason and each change as a line."""

    amended_by: str
    amended_at: dt.datetime
    reason: str
    changes: tuple[str, ...]  # "EDSS: 5.0 → 5.5", as the visit's history tells it


def visit_amendments(clinic: Clinic, visit_id: int) -> tuple[AmendmentView, ...]:
    """The changes made to a visit after it was signed, oldest first (an amendment may have voided
    the signature, so a visit awaiting signature again has them too)."""
    clinic.actor.require(Action.REPORT)
    entries = [entry for entry in clinic.visit_history(visit_id) if entry.kind is AuditKind.AMEND]
    names = clinic.user_names() if entries else {}
    amendments = []
    for entry in entries:
        # The history writer tells each change as "<time> · <who> · Amended <change> · Reason: <why>";
        # the summary prints who, when and why once, so it keeps only the <change>.
        lead = f"{local_minute(entry.occurred_at)}{SEPARATOR}{entry.actor_name}{SEPARATOR}Amended "
        tail = f"{SEPARATOR}Reason: {entry.reason}" if entry.reason else ""
        changes = tuple(line.removeprefix(lead).removesuffix(tail) for line in history_lines([entry], names))
        amendments.append(AmendmentView(entry.actor_name, entry.occurred_at, entry.reason or "", changes))
    return tuple(amendments)


@dataclass(frozen=True)
class PatientHistory:
    """Everything a patient's visit summaries are made from, in date order; frozen copies, no rows."""

    patient: Any  # a frozen patient row (clinic_id, family_name, given_names, birth_date, sex, phenotype...)
    visits: tuple[VisitView, ...]
    courses: tuple[Any, ...]
    relapses: tuple[Any, ...]
    signers: Mapping[int, str] = field(default_factory=lambda: MappingProxyType({}))  # user id -> full name

    def index_of(self, visit_id: int) -> int:
        return next(i for i, record in enumerate(self.visits) if record.visit.id == visit_id)


def may_report(clinic: Clinic) -> bool:
    """Whether the clinic's actor may print or save visit summaries (for greying out menu entries)."""
    return clinic.actor.may(Action.REPORT)


def visit_ids_between(clinic: Clinic, first: dt.date, last: dt.date) -> list[int]:
    """Ids of the visits dated ``first`` to ``last`` (inclusive), by date, then patient name."""
    clinic.actor.require(Action.REPORT)
    query = (select(Visit.id).join(Patient, Patient.id == Visit.patient_id)
             .where(Visit.visit_date >= first, Visit.visit_date <= last)
             .order_by(Visit.visit_date, Patient.family_name, Patient.given_names, Visit.id))
    with clinic.db.reading() as session:
        return list(session.scalars(query))


def patient_of_visit(clinic: Clinic, visit_id: int) -> int:
    """The id of the patient a visit belongs to; :class:`NotFound` if there is no such visit."""
    clinic.actor.require(Action.REPORT)
    with clinic.db.reading() as session:
        patient_id = session.scalar(select(Visit.patient_id).where(Visit.id == visit_id))
    if patient_id is None:
        raise NotFound(f"visit {visit_id} does not exist (it may have been removed)")
    return patient_id


def patient_history(clinic: Clinic, patient_id: int) -> PatientHistory:
    """A patient's details, visits (with assessments and adverse events), courses, relapses and the
    names of the people who signed the visits."""
    clinic.actor.require(Action.REPORT)
    patient = clinic.patient(patient_id)
    visits = tuple(visit_view(record) for record in clinic.visit_records(patient_id))
    signer_ids = {record.visit.signed_by for record in visits if record.visit.signed_by is not None}
    signers: dict[int, str] = {}
    if signer_ids:
        with clinic.db.reading() as session:
            signers = dict(session.execute(
                select(UserAccount.id, UserAccount.full_name).where(UserAccount.id.in_(signer_ids))).all())
    return PatientHistory(row_view(patient), visits, row_views(clinic.courses(patient_id)),
                          row_views(clinic.relapses(patient_id)), MappingProxyType(signers))


def record_report(clinic: Clinic, visit_ids: Sequence[int], output: ReportOutput | str, *,
                  path: Path | None = None, period: tuple[dt.date, dt.date] | None = None) -> None:
    """Write one audit entry for summaries of ``visit_ids`` that were printed or saved (``path``).

    Called once the summary has left pmsdesk (the printer took it, the file was written); refused,
    like making the summary, for an actor who may not print reports.
    """
    clinic.actor.require(Action.REPORT)
    output = ReportOutput(output)
    ids = list(dict.fromkeys(int(visit_id) for visit_id in visit_ids))
    details: dict[str, Any] = {"output": output.value, "visits": ids}
    if path is not None:
        details["file"] = str(Path(path).resolve())
    if period is not None:
        details["from"], details["to"] = period[0].isoformat(), period[1].isoformat()
    with clinic.db.transaction() as session:
        patients = set(session.scalars(select(Visit.patient_id).where(Visit.id.in_(ids))
                                       .execution_options(**{audit.INCLUDE_DELETED: True}))) if ids else set()
        audit.record_event(session, AuditKind.REPORT, details=details,
                           patient_id=next(iter(patients)) if len(patients) == 1 else None,
                           visit_id=ids[0] if len(ids) == 1 else None,
                           table_name="visit" if len(ids) == 1 else None,
                           row_key=str(ids[0]) if len(ids) == 1 else None)
