"""``pmsdesk --self-test``: check, without a person and without touching the clinic's data, that this
installation of pmsdesk works.

Each check prints one line (``ok  <check>  <what was found>``). The checks work in a temporary folder
that is deleted afterwards: a fresh SQLite database is migrated, one hand-made patient is recorded
through the clinic services by a system actor, the audit trail of that is checked, the scores are
computed and compared with values worked out by hand, a visit report PDF is rendered and the
trajectory is drawn to an image in memory. The first failing check prints what failed; the rest are
listed as not run and the exit status is 1.

Given a database server (``--database postgresql+psycopg://...`` or ``PMSDESK_DATABASE_URL``), the
database checks run on that server instead, in a database of their own that the login creates and
drops afterwards (:func:`pmsdesk.store.server.self_test_database`): the clinic's database is only
connected to, never read or written. A SQLite file given that way is not used: a temporary one is.

Qt needs no screen: without a display (Linux with neither ``DISPLAY`` nor ``WAYLAND_DISPLAY``) and
without ``QT_QPA_PLATFORM`` set, the offscreen platform is used.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported by the checks themselves, so that `pmsdesk --help` stays fast
    from sqlalchemy.engine import URL

    from pmsdesk.services.clinic import Clinic
    from pmsdesk.store.database import Database

SELF_TEST_ACTOR_PURPOSE = "self-test"

# The self-test patient: a baseline visit and two intrathecal methotrexate doses 13 weeks apart. The
# T25FW worsens by more than 20 % at the first dose after baseline and stays worse at the next one:
# one confirmed worsening. Expected values are worked out by hand (docs/scoring.md).
PATIENT = {"clinic_id": "SELFTEST-1", "family_name": "Selftest", "given_names": "Installation",
           "birth_date": "1970-03-14", "sex": "female", "phenotype": "SPMS", "dominant_hand": "right",
           "notes": "Written by pmsdesk --self-test into a temporary database."}
COURSE = {"agent": "it_methotrexate", "planned_dose": "12.5", "dose_unit": "mg", "interval_weeks_min": "12",
          "interval_weeks_max": "14", "start_date": "2024-01-15"}
DOSE = {"kind": "treatment", "dose_given": "12.5", "dose_unit": "mg"}
# Pyramidal 3, cerebellar 2, sensory 2, the rest 0, walking unrestricted: one FS grade 3 with one or
# two grade 2 is EDSS 3.5 (Kurtzke's rule, docs/scoring.md).
EXAMINATION = {"edss.edss": "3.5", "edss.fs_visual": "0", "edss.fs_brainstem": "0", "edss.fs_pyramidal": "3",
               "edss.fs_cerebellar": "2", "edss.fs_sensory": "2", "edss.fs_bowel_bladder": "0",
               "edss.fs_cerebral": "0", "edss.ambulation": "0"}


def _passed_safety_check(day: str) -> dict[str, str]:
    """A blood count on the day and a pre-puncture check that passes (a dose needs one: services.safety)."""
    return {"labs.sampled_on": day, "labs.platelets": "250", "labs.wbc": "6.0", "labs.lymphocytes": "1.5",
            **{f"safety_check.{name}": "no" for name in ("pregnancy_possible", "active_infection",
                                                         "methotrexate_allergy", "methotrexate_neurotoxicity")},
            "safety_check.antithrombotic": "none"}


VISITS = (
    {"visit_date": "2024-01-08", "kind": "baseline", **EXAMINATION,
     "t25fw.trial1_s": "6.0", "t25fw.trial2_s": "6.2", "t25fw.walking_aid": "none", "sdmt.score": "50"},
    {"visit_date": "2024-01-15", "treatment_number": "1", **DOSE, **EXAMINATION, **_passed_safety_check("2024-01-15"),
     "t25fw.trial1_s": "7.4", "t25fw.trial2_s": "7.6", "t25fw.walking_aid": "none", "sdmt.score": "49"},
    {"visit_date": "2024-04-15", "treatment_number": "2", **DOSE, **EXAMINATION, **_passed_safety_check("2024-04-15"),
     "t25fw.trial1_s": "7.8", "t25fw.trial2_s": "7.8", "t25fw.walking_aid": "none", "sdmt.score": "50"},
)
EXPECTED_EDSS_STEP = 3.5
EXPECTED_BASELINE_T25FW_SECONDS = 6.1
EXPECTED_T25FW_EVENTS = [("CDW", dt.date(2024, 1, 15), dt.date(2024, 4, 15))]  # kind, onset, confirmation


class CheckFailed(Exception):
    """A check ran but found something wrong; the message says what."""


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


@dataclass
class SelfTestRun:
    """What the checks share: the temporary folder and the server to work on (None: a SQLite file in the
    folder), then the database, clinic and recorded patient; ``cleanup`` closes and drops what they made."""

    folder: Path
    server: URL | None = None
    cleanup: ExitStack = field(default_factory=ExitStack)
    database: Database | None = None
    clinic: Clinic | None = None
    patient_id: int | None = None
    visit_ids: list[int] = field(default_factory=list)


def check_resources(run: SelfTestRun) -> str:
    from pmsdesk.domain.references import load_reference_library
    from pmsdesk.resources import resource_path, resources_dir

    icon = resource_path("icons", "pmsdesk.svg")
    expect(icon.is_file(), f"the application icon {icon} is missing")
    cohorts = load_reference_library().cohorts
    expect(len(cohorts) > 0, "the reference cohort library is empty")
    return f"{len(cohorts)} reference cohorts and the icon in {resources_dir()} ({installation_kind()})"


def installation_kind() -> str:
    """How this pmsdesk is installed: 'bundle', 'installed package' or 'source tree'."""
    from pmsdesk.resources import resources_dir

    if getattr(sys, "frozen", False):
        return "bundle"
    inside_the_package = resources_dir() == Path(__file__).resolve().parent / "resources"
    return "installed package" if inside_the_package else "source tree"


def check_migrations(run: SelfTestRun) -> str:
    from pmsdesk.store.database import (
        Database,
        current_revision,
        head_revision,
        known_revisions,
    )

    if run.server is None:
        run.database, where = Database.open(str(run.folder / "self-test.sqlite3")), "a temporary SQLite database"
    else:
        from pmsdesk.store.server import self_test_database

        url = run.cleanup.enter_context(self_test_database(run.server))
        run.database = Database.open(url)
        where = f"the temporary database {url.database} on {url.host or 'the local server'}"
    run.cleanup.callback(run.database.close)
    revision = current_revision(run.database.engine)
    expect(revision == head_revision(), f"the schema is at {revision}, not at the newest revision {head_revision()}")
    return f"{len(known_revisions())} migrations applied to {where}, schema {revision}"


def check_visits(run: SelfTestRun) -> str:
    from pmsdesk.domain.permissions import Actor
    from pmsdesk.services.clinic import Clinic

    clinic = Clinic(run.database, actor=Actor.system(SELF_TEST_ACTOR_PURPOSE))
    patient = clinic.create_patient(PATIENT)
    course = clinic.create_course(patient.id, COURSE)
    run.visit_ids = [clinic.create_visit(patient.id, {**visit, "course_id": course.id}).visit.id for visit in VISITS]
    run.clinic, run.patient_id = clinic, patient.id
    stored = clinic.visit_records(patient.id)
    expect(len(stored) == len(VISITS), f"{len(VISITS)} visits were recorded but {len(stored)} were read back")
    return f"1 patient, {len(stored)} visits recorded and read back through the services (as {clinic.actor.name})"


def check_audit_trail(run: SelfTestRun) -> str:
    from pmsdesk.store import audit

    with run.database.engine.connect() as connection:
        chain = audit.verify(connection)
        expect(chain.complete and chain.keyed, chain.describe())
        data = audit.verify_data(connection)
        expect(data.intact, data.describe())
    return f"{chain.entries} entries chained and sealed with the clinic's key, {data.rows} rows match them"


def check_scores(run: SelfTestRun) -> str:
    from pmsdesk.domain.assessments import REGISTRY
    from pmsdesk.services.series import patient_series

    baseline = run.clinic.visit_records(run.patient_id)[0]
    computed_step = baseline.assessments["edss"].computed_edss
    expect(computed_step == EXPECTED_EDSS_STEP,
           f"EDSS computed from the functional systems is {computed_step}, expected {EXPECTED_EDSS_STEP}")
    mean = baseline.reading(REGISTRY.measure("t25fw")).value
    expect(mean is not None and abs(mean - EXPECTED_BASELINE_T25FW_SECONDS) < 1e-9,
           f"baseline T25FW mean is {mean} s, expected {EXPECTED_BASELINE_T25FW_SECONDS} s")
    t25fw = patient_series(run.clinic, run.patient_id).measures["t25fw"]
    events = [(mark.kind.value, mark.onset.date, mark.confirmation.date) for mark in t25fw.events]
    expect(events == EXPECTED_T25FW_EVENTS, f"T25FW events are {events}, expected {EXPECTED_T25FW_EVENTS}")
    return (f"EDSS step {computed_step:.1f} from the functional systems, T25FW mean {mean:.2f} s, "
            f"confirmed T25FW worsening from {events[0][1].isoformat()}")


def check_report(run: SelfTestRun) -> str:
    import pypdfium2

    from pmsdesk.reports.assemble import ReportAssembler
    from pmsdesk.reports.visit_report import visit_report_pdf

    pdf = visit_report_pdf(ReportAssembler(run.clinic).visit(run.visit_ids[-1]))
    expect(pdf.startswith(b"%PDF-"), "the visit report is not a PDF")
    document = pypdfium2.PdfDocument(pdf)
    try:
        pages = len(document)
        expect(pages >= 1, "the visit report PDF has no pages")
        text = document[0].get_textpage().get_text_range()
    finally:
        document.close()
    expect(PATIENT["clinic_id"] in text, f"the report's first page does not name the patient {PATIENT['clinic_id']}")
    return f"visit report PDF of {pages} page{'s' if pages > 1 else ''} ({len(pdf) // 1024} KB), read back with pdfium"


def use_offscreen_qt_without_a_display() -> None:
    """Choose Qt's offscreen platform on a Linux machine without a screen, unless a platform is chosen."""
    no_display = sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    if no_display and not os.environ.get("QT_QPA_PLATFORM"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"


def _distinct_colours(image, samples: int = 40) -> int:
    """Distinct colours on a grid of samples × samples pixels: a blank image has one."""
    return len({image.pixel(image.width() * i // samples, image.height() * j // samples)
                for i in range(samples) for j in range(samples)})


def check_window_system(run: SelfTestRun) -> str:
    from PySide6.QtCore import qVersion
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from pmsdesk.resources import resource_path

    app = QApplication.instance() or QApplication([sys.argv[0]])
    pixmap = QIcon(str(resource_path("icons", "pmsdesk.svg"))).pixmap(64, 64)
    expect(not pixmap.isNull() and _distinct_colours(pixmap.toImage(), 16) > 1,
           "the SVG application icon did not render (Qt's SVG image plugin is missing)")
    return f"Qt {qVersion()} on the '{app.platformName()}' platform, SVG icon rendered at 64x64"


def check_trajectory(run: SelfTestRun) -> str:
    from pmsdesk.ui.trajectory import TrajectoryView

    view = TrajectoryView(run.clinic)
    view.resize(1200, 800)
    view.show_patient(run.patient_id)
    image = view.plots.grab().toImage()
    view.deleteLater()
    expect(not image.isNull() and image.width() > 0, "the trajectory could not be grabbed to an image")
    colours = _distinct_colours(image)
    expect(colours > 2, f"the trajectory image looks blank ({colours} colours)")
    return f"trajectory drawn offscreen to a {image.width()}x{image.height()} image ({colours} colours sampled)"


def trajectory_view_available() -> bool:
    """The trajectory view is new: installations without it skip its check."""
    return importlib.util.find_spec("pmsdesk.ui.trajectory") is not None


def checks() -> list[tuple[str, Callable[[SelfTestRun], str]]]:
    listed = [("resources", check_resources), ("migrations", check_migrations), ("visits", check_visits),
              ("audit trail", check_audit_trail), ("scores", check_scores), ("report", check_report),
              ("window system", check_window_system)]
    if trajectory_view_available():
        listed.append(("trajectory", check_trajectory))
    return listed


def run_self_test(print_line: Callable[[str], None] = lambda line: print(line, flush=True),
                  database: str | None = None) -> int:
    """Run every check in order; 0 when all passed, 1 at the first failure (the rest are not run).
    ``database`` (``--database``, else ``PMSDESK_DATABASE_URL``): a server there is where the database
    checks run, in a database of their own."""
    from pmsdesk.store.database import DatabaseError, resolve_database_url

    chosen = resolve_database_url(database)  # a password in --database is refused here, as everywhere
    use_offscreen_qt_without_a_display()
    started = time.perf_counter()
    listed = checks()
    width = max(len(name) for name, _ in listed)
    from pmsdesk.store.audit_key import keys_kept_in

    with tempfile.TemporaryDirectory(prefix="pmsdesk-self-test-") as folder, keys_kept_in(Path(folder) / "keys"):
        run = SelfTestRun(Path(folder), server=None if chosen.get_backend_name() == "sqlite" else chosen)
        with run.cleanup:
            for index, (name, check) in enumerate(listed):
                try:
                    detail = check(run)
                except Exception as error:  # noqa: BLE001 - any failure is reported, never raised
                    said = isinstance(error, (CheckFailed, DatabaseError))  # worded for the reader already
                    reason = str(error) if said else _one_line(error)
                    print_line(f"FAIL {name.ljust(width)}  {reason}")
                    not_run = [later for later, _ in listed[index + 1:]]
                    if not_run:
                        print_line(f"not run: {', '.join(not_run)}")
                    print_line("pmsdesk self-test FAILED")
                    return 1
                print_line(f"ok   {name.ljust(width)}  {detail}")
    print_line(f"pmsdesk self-test passed: {len(listed)} checks in {time.perf_counter() - started:.1f} s")
    return 0


def _one_line(error: Exception) -> str:
    """``Type: message`` and where it was raised, for an unexpected error."""
    where = traceback.extract_tb(error.__traceback__)[-1]
    return f"{type(error).__name__}: {error} (at {Path(where.filename).name}:{where.lineno})"
