"""What a visit summary is printed from: plain data, no database and no reportlab.

:class:`VisitReportData` holds one visit as stored and everything around it that the summary shows, as
read models with the stored rows' attribute names (frozen copies from :mod:`pmsdesk.services.views`).
``pmsdesk.reports.assemble`` fills it through the reporting service; tests build it by hand. The
PDF (``pmsdesk.reports.visit_report``) is a pure function of it: the same data gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pmsdesk.services.series import CohortOverlay, PatientSeries
    from pmsdesk.services.views import VisitView

# Clinic settings (``Clinic.setting``) read for the letterhead of every report; see docs/reports.md.
SETTING_CLINIC_NAME = "clinic_name"
SETTING_CLINIC_ADDRESS = "clinic_address"  # several lines, separated by newlines
SETTING_CLINIC_LOGO_PATH = "clinic_logo_path"  # PNG or JPEG readable from every workstation
SETTING_REPORT_PAGE_SIZE = "report_page_size"  # "a4" (default) or "letter"

PAGE_SIZE_NAMES = ("a4", "letter")
DEFAULT_PAGE_SIZE = "a4"

UNNAMED_CLINIC = "Clinic name not set (setting clinic_name)"
DEMO_CLINIC_NAME = "DEMO CLINIC \u2013 fictional patients, not a medical record"


@dataclass(frozen=True)
class ClinicHeader:
    """The letterhead: the clinic's name, postal address and logo."""

    name: str
    address_lines: tuple[str, ...] = ()
    logo_path: Path | None = None

    @classmethod
    def from_settings(cls, setting: Callable[[str], str | None], *, demo: bool = False) -> "ClinicHeader":
        """The letterhead configured in the clinic's settings. A logo file that cannot be found is left
        out rather than stopping the report: the chart copy matters more than the logo."""
        name = (setting(SETTING_CLINIC_NAME) or "").strip() or (DEMO_CLINIC_NAME if demo else UNNAMED_CLINIC)
        address = tuple(line.strip() for line in (setting(SETTING_CLINIC_ADDRESS) or "").splitlines() if line.strip())
        logo = (setting(SETTING_CLINIC_LOGO_PATH) or "").strip()
        logo_path = Path(logo).expanduser() if logo else None
        return cls(name, address, logo_path if logo_path is not None and logo_path.is_file() else None)


@dataclass(frozen=True)
class Amendment:
    """A change made to the visit after it was signed: by whom, when (local time), why and what."""

    amended_by: str
    amended_at: dt.datetime
    reason: str
    changes: tuple[str, ...]  # e.g. "EDSS: 5.0 → 5.5"


@dataclass(frozen=True)
class Signature:
    """Whether the visit is signed, by whom, when (local time) and with what meaning when that is
    known, and the amendments made after signing, oldest first."""

    signed: bool
    signed_by: str | None = None
    signed_at: dt.datetime | None = None
    meaning: str | None = None  # what the signer attests, e.g. "Reviewed and approved"
    amendments: tuple[Amendment, ...] = ()

    @property
    def amended(self) -> bool:
        return bool(self.amendments)


DRAFT = Signature(False)


@dataclass(frozen=True)
class VisitReportData:
    """Everything one visit summary shows, as it stood at that visit.

    ``series`` is built from this visit and the earlier ones only (``pmsdesk.services.series``), so a
    summary reprinted later shows the same baseline, band and confirmed events as on the day.
    """

    clinic: ClinicHeader
    patient: Any  # the patient's stored values (clinic_id, family_name, given_names, birth_date, sex, phenotype)
    course: Any | None  # the visit's treatment course (agent, agent_name, start_date, protocol_id), if any
    visit: VisitView  # .visit, .assessments[section], .adverse_events
    previous: VisitView | None  # the patient's latest visit before this one
    series: PatientSeries
    overlays: Mapping[str, tuple[CohortOverlay, ...]]  # by measure key: the chosen cohorts drawn on its chart
    signature: Signature
    printed_at: dt.datetime
    software_version: str
    audit_checkpoint: str = ""  # the audit trail's head when it was made (N:HASH), printed in the footer

    @property
    def patient_name(self) -> str:
        """"Family, Given" exactly as stored: a chart copy is matched to its patient by these letters,
        so the printed (and searchable) name is never re-cased (the screens' capitals would turn
        "Παπαδοπούλου" into "ΠΑΠΑΔΟΠΟΎΛΟΥ")."""
        return f"{self.patient.family_name}, {self.patient.given_names}"

    @property
    def visit_date(self) -> dt.date:
        return self.visit.visit.visit_date
