"""Gather a visit summary's data through the reporting service (the only part of reports/ that asks for it).

The series is built from the visit and the patient's earlier visits, courses and relapses only, so a
summary reprinted months later shows what was known on the day of the visit. Everything comes as
frozen read models from :mod:`pmsdesk.services.reporting`, which checks that the actor may print
reports; reports/ never opens a database session.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from pmsdesk import __version__
from pmsdesk.domain.moments import as_utc
from pmsdesk.domain.references import ReferenceLibrary, load_reference_library
from pmsdesk.domain.vocab import VisitStatus
from pmsdesk.reports.data import DRAFT, SETTING_CLINIC_NAME, Amendment, ClinicHeader, Signature, VisitReportData
from pmsdesk.services import reporting
from pmsdesk.services.clinic import Clinic
from pmsdesk.services.reporting import PatientHistory
from pmsdesk.services.series import PatientSeries, build_patient_series, comparator_overlays
from pmsdesk.services.views import VisitView


def visit_ids_between(clinic: Clinic, first: dt.date, last: dt.date) -> list[int]:
    """Ids of the visits dated ``first`` to ``last`` (inclusive), by date, then patient name."""
    return reporting.visit_ids_between(clinic, first, last)


def chosen_overlays(series: PatientSeries, library: ReferenceLibrary, cohort_ids: Sequence[str] | None):
    """The chosen arms on each chart, as the trajectory screen draws them (one decision, in
    :func:`comparators_for`): the arms that fit the patient, or every arm of the cohorts ``cohort_ids``
    names (an arm that does not fit is drawn when its cohort is asked for, as on screen)."""
    return {key: comparator_overlays(series, library, key, cohort_ids) for key in series.measures}


def _local(moment: dt.datetime | None) -> dt.datetime | None:
    """A stored UTC time as the local time printed."""
    return None if moment is None else as_utc(moment).astimezone().replace(tzinfo=None)


def _meaning(code: str | None) -> str | None:
    # The electronic signature's meaning is stored as a code (Visit.signature_meaning); until its
    # vocabulary names it, the code is printed as words.
    return code.replace("_", " ").capitalize() if code else None


def _signature(history: PatientHistory, record: VisitView, amendments: tuple[Amendment, ...]) -> Signature:
    visit = record.visit
    if visit.status != VisitStatus.SIGNED:
        return Signature(False, amendments=amendments) if amendments else DRAFT
    # The name the signer gave with the signature when there is one, else their account's full name.
    signer = visit.signed_name or (
        history.signers.get(visit.signed_by) if visit.signed_by is not None else None)
    return Signature(True, signer, _local(visit.signed_at), _meaning(visit.signature_meaning), amendments)


@dataclass
class ReportAssembler:
    """Builds :class:`VisitReportData` for visits of one clinic, reading each patient's history once."""

    clinic: Clinic
    cohort_ids: Sequence[str] | None = None  # None: the default overlays of the trajectory screen
    library: ReferenceLibrary | None = None
    printed_at: dt.datetime | None = None  # None: now
    _patients: dict[int, PatientHistory] = field(default_factory=dict, repr=False)
    _header: ClinicHeader | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.library is None:
            self.library = load_reference_library()
        if self.printed_at is None:
            self.printed_at = dt.datetime.now().replace(microsecond=0)

    def header(self) -> ClinicHeader:
        if self._header is None:
            self._header = ClinicHeader.from_settings(self.clinic.setting, demo=self._is_demo())
        return self._header

    def _is_demo(self) -> bool:
        if self.clinic.setting(SETTING_CLINIC_NAME):
            return False  # a named clinic prints its name; the demo's name is only the fallback
        # Imported here: the demo module brings the accounts service, which a report does not need.
        from pmsdesk.services.demo import DEMO_SETTING

        return self.clinic.setting(DEMO_SETTING) == "true"

    def _history(self, patient_id: int) -> PatientHistory:
        if patient_id not in self._patients:
            self._patients[patient_id] = reporting.patient_history(self.clinic, patient_id)
        return self._patients[patient_id]

    def visit(self, visit_id: int) -> VisitReportData:
        """The data of one visit's summary; NotFound if there is no such visit, PermissionDenied if the
        actor may not print reports."""
        history = self._history(reporting.patient_of_visit(self.clinic, visit_id))
        records = history.visits
        index = history.index_of(visit_id)
        record = records[index]
        visit = record.visit
        known = records[:index + 1]  # date order: this visit and the earlier ones
        series = build_patient_series(known, history.courses,
                                      [r for r in history.relapses if r.onset_date <= visit.visit_date],
                                      phenotype=history.patient.phenotype)
        return VisitReportData(
            clinic=self.header(),
            patient=history.patient,
            course=next((c for c in history.courses if c.id == visit.course_id), None),
            visit=record,
            previous=records[index - 1] if index else None,
            series=series,
            overlays=chosen_overlays(series, self.library, self.cohort_ids),
            signature=_signature(history, record, tuple(
                Amendment(a.amended_by, _local(a.amended_at), a.reason, a.changes)
                for a in reporting.visit_amendments(self.clinic, visit_id))),
            printed_at=self.printed_at,
            software_version=__version__,
            audit_checkpoint=self.clinic.audit_checkpoint(),
        )

    def visits(self, visit_ids: Sequence[int]) -> Iterator[VisitReportData]:
        for visit_id in visit_ids:
            yield self.visit(visit_id)
