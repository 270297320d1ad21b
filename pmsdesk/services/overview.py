"""The clinic overview's rows: each active patient's status and, per followed measure, the latest value
with its change since baseline, judged against the measure's meaningful-change threshold.

A row is computed from one patient's visits, assessments and relapses (:func:`build_patient_series`) and
kept in ``patient_overview`` (pmsdesk.store.tables.PatientOverview), so opening the overview reads stored
rows instead of every visit of the clinic. The row stays true to the record in two ways:

- the database deletes a patient's row whenever a visit, a followed assessment or a relapse of theirs
  is written by any program (the triggers of migration 0011);
- a pmsdesk transaction that changed a few patients' records computes their rows again before it commits
  (:func:`_recompute_before_commit`), inside the same transaction, so the overview is up to date at once
  after a save; a large transaction (an import, the demo) leaves its patients' rows to be computed when
  the overview next needs them.

Rows missing (or of an older :data:`ROW_FORMAT`) are computed by :func:`overview_pages` a page at a time
and stored; one computed while a save of the same patient commits never replaces that save's row (an
insert that finds a row keeps it).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain

from sqlalchemy import event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from pmsdesk.domain.assessments import REGISTRY
from pmsdesk.services.series import ChangeShown, MeasureSeries, PatientSeries, Status, build_patient_series
from pmsdesk.store.batches import batches, scalars_in
from pmsdesk.store.sessions import StoreSession
from pmsdesk.store.tables import ASSESSMENT_TABLES, Patient, PatientOverview, Relapse, Visit, utcnow

# Bump when what a stored row holds, or how it is computed, changes: older rows are then computed again.
ROW_FORMAT = 1
PAGE_SIZE = 500
COMPUTE_CHUNK = 50  # rows computed (and stored) per transaction: about a quarter of a second
FIRST_PAGE_SIZE = 100  # a screenful and more, shown while the rest is read (computing 500 rows cold takes 2.5 s)
# A transaction that changed more patients than this leaves their rows to the next overview (an import
# of a whole file should not wait for every patient's series).
RECOMPUTE_AT_COMMIT = 20

FOLLOWED_TABLES = tuple(ASSESSMENT_TABLES[m.assessment] for m in REGISTRY.followed_measures()
                        if m.assessment in ASSESSMENT_TABLES)
CHANGE_MARKS = {ChangeShown.WORSE: "worse", ChangeShown.BETTER: "better"}


@dataclass(frozen=True)
class MeasureCell:
    """One measure's cell: '6.5 (+0.5) worse', what it sorts by (the change in the worsening direction,
    relative to baseline), the explanation on hover, and the change judged (a ChangeShown or None)."""

    text: str
    sort: float
    tooltip: str
    judged: str | None


EMPTY_CELL = MeasureCell("", float("-inf"), "", None)


@dataclass(frozen=True)
class OverviewRow:
    patient_id: int
    name: str
    clinic_id: str
    phenotype: str
    visit_count: int
    last_visit: str  # ISO date, "" without visits
    status: str
    status_detail: str
    cells: tuple[MeasureCell, ...]  # one per REGISTRY.followed_measures(), in order


def measure_cell(series: MeasureSeries | None) -> MeasureCell:
    if series is None or series.latest is None:
        return EMPTY_CELL
    latest, change = series.latest, series.change_since_baseline
    text = series.format_value(latest.value)
    worse_by = None
    if change is not None:
        sign = "+" if change >= 0 else "\u2212"  # a real minus sign, as wide as the plus
        text += f" ({sign}{series.format_value(abs(change))})"
        worse_by = change if series.spec.higher_is_worse else -change
        if series.baseline.value:
            worse_by /= abs(series.baseline.value)  # relative, so T25FW and EDSS columns sort alike
    judged = series.change_shown
    if judged in CHANGE_MARKS:
        text += f" {CHANGE_MARKS[judged]}"
    tooltip = (f"{series.spec.label}: latest {text} on {latest.date.isoformat()}, baseline "
               f"{series.format_value(series.baseline.value)} on {series.baseline.date.isoformat()}; "
               f"{_change_explained(series, judged)}; status {series.status}")
    return MeasureCell(text, float("-inf") if worse_by is None else worse_by, tooltip, judged)


def _change_explained(series: MeasureSeries, judged: str | None) -> str:
    if series.band is None:
        return "no meaningful-change threshold for this measure"
    threshold = f"threshold {series.format_value(series.band.threshold)} ({series.band.rule})"
    if judged is None:
        return f"no change yet; {threshold}"
    return {ChangeShown.WORSE: "change worse than", ChangeShown.BETTER: "change better than",
            ChangeShown.WITHIN: "change within"}[judged] + f" the {threshold}"


def _computed(series: PatientSeries) -> dict:
    """What is stored of a patient's series: the status and the cells."""
    cells = [measure_cell(series.measures.get(measure.key)) for measure in REGISTRY.followed_measures()]
    return {"status": series.status,
            "detail": "; ".join(f"{s}: {', '.join(labels)}" for s, labels in series.status_groups().items()),
            "cells": [[c.text, None if c.sort == float("-inf") else c.sort, c.tooltip, c.judged] for c in cells]}


def _row(patient, computed: dict) -> OverviewRow:
    cells = tuple(MeasureCell(text, float("-inf") if sort is None else sort, tooltip, judged)
                  for text, sort, tooltip, judged in computed["cells"])
    last = patient.last_visit_date.isoformat() if patient.last_visit_date else ""
    return OverviewRow(patient.id, patient.display_name, patient.clinic_id, patient.phenotype, patient.visit_count,
                       last, computed["status"], computed["detail"], cells)


def _compute(session: Session, patient_ids: Sequence[int]) -> dict[int, dict]:
    """The stored form of each patient's row, from their records read in ``session``."""
    from pmsdesk.services.clinic import Clinic

    visits: dict[int, list] = {patient_id: [] for patient_id in patient_ids}
    records = Clinic._records_of(session, list(scalars_in(session, select(Visit).order_by(Visit.visit_date, Visit.id),
                                                          Visit.patient_id, list(patient_ids))))
    for record in records:
        visits[record.visit.patient_id].append(record)
    relapses: dict[int, list] = {patient_id: [] for patient_id in patient_ids}
    for relapse in scalars_in(session, select(Relapse), Relapse.patient_id, list(patient_ids)):
        relapses[relapse.patient_id].append(relapse)
    phenotypes = dict(chain.from_iterable(
        session.execute(select(Patient.id, Patient.phenotype).where(Patient.id.in_(batch)))
        for batch in batches(patient_ids)))
    return {patient_id: _computed(build_patient_series(visits[patient_id], (), relapses[patient_id],
                                                       phenotype=phenotypes[patient_id]))
            for patient_id in patient_ids if patient_id in phenotypes}


def _store(session: Session, computed: dict[int, dict], *, replace: bool) -> None:
    """Insert the rows; ``replace`` overwrites one already there (a save's own row), otherwise a row
    already there is kept (it was stored by a save that committed meanwhile)."""
    if not computed:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    now = utcnow()
    rows = [{"patient_id": patient_id, "format": ROW_FORMAT, "row": json.dumps(value), "created_at": now,
             "updated_at": now} for patient_id, value in computed.items()]
    statement = insert(PatientOverview)
    if replace:
        statement = statement.on_conflict_do_update(
            index_elements=["patient_id"], set_={"format": statement.excluded.format, "row": statement.excluded.row,
                                                 "updated_at": statement.excluded.updated_at})
    else:
        statement = statement.on_conflict_do_nothing(index_elements=["patient_id"])
    session.execute(statement, rows)


def overview_pages(clinic, *, page_size: int = PAGE_SIZE,
                   cancelled: Callable[[], bool] = lambda: False) -> Iterator[list[OverviewRow]]:
    """Every active patient's overview row, by name, a page at a time: stored rows as they are, missing
    ones computed and stored. The first page is a short one, so it is on screen soon even when its
    rows must be computed."""
    order = clinic.active_patient_ids()
    start, size = 0, min(page_size, FIRST_PAGE_SIZE)
    while start < len(order) and not cancelled():
        patients = clinic.patient_summaries(order[start:start + size])
        start, size = start + size, page_size
        ids = [patient.id for patient in patients]
        with clinic.db.reading() as session:
            stored = {row.patient_id: json.loads(row.row) for row in session.scalars(
                select(PatientOverview).where(PatientOverview.patient_id.in_(ids),
                                              PatientOverview.format == ROW_FORMAT))}
        missing = [patient_id for patient_id in ids if patient_id not in stored]
        for chunk in batches(missing, COMPUTE_CHUNK):  # a cancel waits for one chunk at most
            if cancelled():
                return
            with clinic.db.transaction() as session:
                computed = _compute(session, chunk)
                _store(session, computed, replace=False)
            stored.update(computed)
        yield [_row(patient, stored[patient.id]) for patient in patients if patient.id in stored]


def rows_unlike_the_record(clinic) -> list[int]:
    """The patients whose stored overview row differs from one computed afresh from their record: a row
    changed in the file behind pmsdesk (the rows are derived, so the audit trail does not hold them).
    ``pmsdesk audit verify`` reports them."""
    with clinic.db.reading() as session:
        held = list(session.scalars(select(PatientOverview.patient_id).where(PatientOverview.format == ROW_FORMAT)
                                    .order_by(PatientOverview.patient_id)))
    unlike = []
    for batch in batches(held, PAGE_SIZE):
        with clinic.db.reading() as session:
            stored = {row.patient_id: json.loads(row.row) for row in session.scalars(
                select(PatientOverview).where(PatientOverview.patient_id.in_(batch)))}
            computed = _compute(session, batch)
        unlike += [patient_id for patient_id in batch if stored.get(patient_id) != computed.get(patient_id)]
    return unlike


# ----- keeping rows up to date inside the transaction that changes a patient's record ----------------
_CHANGED = "overview_patients_changed"
_CHANGED_VISITS = "overview_visits_changed"


def _note_changes(session: Session, _flush_context) -> None:
    patients = session.info.setdefault(_CHANGED, set())
    visits = session.info.setdefault(_CHANGED_VISITS, set())
    for row in chain(session.new, session.dirty, session.deleted):
        if isinstance(row, (Visit, Relapse)):
            patients.add(row.patient_id)
        elif isinstance(row, FOLLOWED_TABLES):
            visits.add(row.visit_id)


def _recompute_before_commit(session: Session) -> None:
    patients = session.info.pop(_CHANGED, set())
    visits = session.info.pop(_CHANGED_VISITS, set())
    if not patients and not visits:
        return
    if visits:
        patients |= set(chain.from_iterable(
            session.scalars(select(Visit.patient_id).where(Visit.id.in_(batch))) for batch in batches(visits)))
    patients.discard(None)
    if 0 < len(patients) <= RECOMPUTE_AT_COMMIT:
        session.flush()
        _store(session, _compute(session, sorted(patients)), replace=True)


def _forget_changes(session: Session) -> None:
    session.info.pop(_CHANGED, None)
    session.info.pop(_CHANGED_VISITS, None)


event.listen(StoreSession, "after_flush", _note_changes)
# Before the audit trail's append: every transaction then takes the patients' overview rows (which the
# triggers already lock at its flush) before the audit head, never the other way round — on PostgreSQL two
# workstations taking them in opposite orders deadlock.
event.listen(StoreSession, "before_commit", _recompute_before_commit, insert=True)
event.listen(StoreSession, "after_rollback", _forget_changes)


__all__ = ["EMPTY_CELL", "MeasureCell", "OverviewRow", "ROW_FORMAT", "Status", "measure_cell", "overview_pages"]
