"""Methotrexate neurotoxicity as the Clinic service enforces it: an uncleared neurotoxicity event blocks
further intrathecal methotrexate for the patient until a neurologist clears it with a reason.

The rule is :mod:`pmsdesk.domain.adverse_events`; this module reads the patient's events (those being
saved with the visit count as sent), refuses a new or changed methotrexate dose they block, and writes
a clearance on the event itself (who, when, why: the audit trail records it like any change of the
event). Called from :class:`pmsdesk.services.clinic.Clinic` inside its transactions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pmsdesk.domain.adverse_events import NeurotoxicityEvent, blocking_event, check_dose, clearance_reason
from pmsdesk.domain.permissions import Actor
from pmsdesk.domain.recorded_elsewhere import recorded_clearance, recorded_relatedness
from pmsdesk.domain.vocab import AdverseEventTerm, VisitKind
from pmsdesk.store.tables import AdverseEvent, TreatmentCourse, Visit, utcnow


def _rule_event(event: AdverseEvent) -> NeurotoxicityEvent:
    return NeurotoxicityEvent(event.id, event.visit_id, event.term, event.onset_date, event.cleared_at,
                              event.cleared_by_name, event.clearance_reason)


def patient_events(session: Session, patient_id: int) -> list[NeurotoxicityEvent]:
    """The patient's neurotoxicity events (not deleted), as the rule reads them."""
    query = select(AdverseEvent).where(AdverseEvent.patient_id == patient_id,
                                       AdverseEvent.term == AdverseEventTerm.NEUROTOXICITY.value)
    return [_rule_event(event) for event in session.scalars(query)]


def blocking(session: Session, patient_id: int, agent: str | None, day: dt.date,
             visit_id: int | None = None) -> NeurotoxicityEvent | None:
    """The event that would block a methotrexate dose on ``day`` (for the screens to say why)."""
    return blocking_event(patient_events(session, patient_id), agent=agent, visit_date=day, visit_id=visit_id)


def gate(session: Session, visit: Visit, entered: Mapping[str, Any], course_id: int | None,
         events: Iterable[Mapping[str, Any]] | None) -> None:
    """Before a visit's values are applied: refuse a new or changed intrathecal methotrexate dose that an
    uncleared neurotoxicity event blocks. ``events`` are the visit's adverse events as sent (their
    validated values with their ids), None when the save leaves them as stored."""
    if entered["kind"] is not VisitKind.TREATMENT or entered.get("dose_given") is None or course_id is None:
        return
    if visit.id is not None and (visit.dose_given, visit.visit_date, visit.course_id) == (
            entered["dose_given"], entered["visit_date"], course_id):
        return  # the dose stays as it was saved: a re-save or amendment of other values is not a new dose
    course = session.get(TreatmentCourse, course_id)
    known = patient_events(session, visit.patient_id)
    if events is not None:  # this visit's events as sent replace its stored ones
        stored = {e.event_id: e for e in known}
        known = [e for e in known if visit.id is None or e.visit_id != visit.id]
        for raw, values in events:
            kept = stored.get(raw.get("id"))
            known.append(NeurotoxicityEvent(raw.get("id"), visit.id, values["term"].value, values["onset_date"],
                                            kept.cleared_at if kept else None))
    check_dose(known, agent=course.agent if course else None, visit_date=entered["visit_date"], visit_id=visit.id)


def keep_recorded(event: AdverseEvent, raw: Mapping[str, Any], imported_from: str) -> None:
    """What an imported event carries as recorded where it was reported (pmsdesk.domain.recorded_elsewhere),
    kept verbatim: its earlier single relatedness answer, and its clearance (``cleared_by`` ... keys of
    ``raw``) with the file it came from."""
    event.relatedness = recorded_relatedness(raw)
    recorded = recorded_clearance(raw, event.term)
    if recorded is None:
        return
    event.cleared_by, event.cleared_by_name, event.cleared_at = recorded.by, recorded.by_name, recorded.at
    event.clearance_reason, event.clearance_imported_from = recorded.reason, imported_from


def clear(actor: Actor, event: AdverseEvent, reason: Any) -> AdverseEvent:
    """A neurologist's clearance of ``event`` with a reason; refused for anyone else and without one."""
    event.clearance_reason = clearance_reason(actor, event.term, reason)
    event.cleared_by = actor.name
    event.cleared_by_name = actor.display_name
    event.cleared_at = utcnow()
    return event
