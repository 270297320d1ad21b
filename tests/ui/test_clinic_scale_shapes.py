"""The shapes that keep the screens independent of the clinic's size (issue 20), counted in SQL
statements rather than timed: opening a patient reads that patient only; a search reads one page;
Today reads one grouped query however many courses there are; the overview reads stored rows."""

from __future__ import annotations

import pytest
from sample_data import PATIENT, TODAY
from sqlalchemy import event

from pmsdesk.services.clinic import Clinic
from pmsdesk.ui.main_window import MainWindow
from pmsdesk.ui.patient_list import PatientTableModel

COURSE = {"agent": "it_methotrexate", "planned_dose": "12.5", "dose_unit": "mg", "interval_weeks_min": "8",
          "interval_weeks_max": "11", "start_date": "2025-01-06"}


class Statements:
    """Every statement the engine runs inside the block."""

    def __init__(self, engine):
        self.engine, self.seen = engine, []

    def _note(self, _conn, _cursor, statement, *_args):
        self.seen.append(" ".join(statement.split()))

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._note)
        return self.seen

    def __exit__(self, *_exc):
        event.remove(self.engine, "before_cursor_execute", self._note)


def add_patients(clinic: Clinic, first: int, count: int) -> list[int]:
    ids = []
    for number in range(first, first + count):
        patient = clinic.create_patient({**PATIENT, "clinic_id": f"MS-{number:04d}", "family_name": f"Person{number:04d}"})
        clinic.create_course(patient.id, COURSE)
        clinic.create_visit(patient.id, {"visit_date": "2025-02-03", "kind": "assessment", "edss.edss": "4.0",
                                         "sdmt.score": "50"})
        ids.append(patient.id)
    return ids


@pytest.fixture
def window(qtbot, database):
    clinic = Clinic(database, today=lambda: TODAY)
    window = MainWindow(clinic)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    return window


def open_and_count(window, patient_id: int) -> list[str]:
    with Statements(window.clinic.db.engine) as seen:
        window.open_patient(patient_id)
    return seen


def test_opening_a_patient_reads_that_patient_only_whatever_the_clinic_size(window):
    ids = add_patients(window.clinic, 1, 3)
    small = open_and_count(window, ids[0])
    add_patients(window.clinic, 100, 12)
    window.show_today()
    large = open_and_count(window, ids[0])
    assert len(large) == len(small) <= 40, large
    # neither the patient list nor Today is read again behind the patient's page
    assert not [s for s in large if "count(patient.id)" in s or "FROM visit_draft" in s or "GROUP BY treatment_course.id" in s]


def test_a_search_reads_one_page_and_scrolling_reads_the_next(window, monkeypatch):
    monkeypatch.setattr(PatientTableModel, "PAGE_SIZE", 4)
    add_patients(window.clinic, 1, 10)
    listing = window.patient_list
    with Statements(window.clinic.db.engine) as seen:
        listing.search.setText("person")
        listing.refresh()
    assert listing.model.rowCount() == 4 and listing.model.total == 10
    assert len(seen) <= 4, seen  # the count and one page (visit counts inside the page's query)
    assert listing.count.text() == "10 patients found"
    while listing.model.canFetchMore():
        listing.model.fetchMore()
    assert [p.clinic_id for p in listing.model.rows] == [f"MS-{n:04d}" for n in range(1, 11)]


def test_todays_list_reads_the_same_statements_for_3_or_15_patients(window):
    add_patients(window.clinic, 1, 3)
    with Statements(window.clinic.db.engine) as small:
        window.today.refresh()
    add_patients(window.clinic, 100, 12)
    with Statements(window.clinic.db.engine) as large:
        window.today.refresh()
    assert len(large) == len(small), large
    assert window.today.model.rowCount() == 15 + 1  # every patient due (no treatment yet), under one heading


def test_the_overview_shows_stored_rows_without_reading_visits(window):
    add_patients(window.clinic, 1, 5)
    window.show_overview()
    window.overview.wait_loaded()
    assert window.overview.model.rowCount() == 5
    with Statements(window.clinic.db.engine) as seen:
        window.overview.refresh()
        window.overview.wait_loaded()
    assert window.overview.model.rowCount() == 5
    assert not [s for s in seen if s.startswith("SELECT") and "FROM visit " in s and "count(" not in s
                and "max(" not in s]


def test_a_saved_visit_rereads_its_patients_line_only(window):
    ids = add_patients(window.clinic, 1, 6)
    listing = window.patient_list
    listing.refresh()
    window.clinic.create_visit(ids[2], {"visit_date": "2025-06-02", "kind": "assessment", "sdmt.score": "48"})
    with Statements(window.clinic.db.engine) as seen:
        listing.patient_changed(ids[2])
    assert len(seen) == 1 and "count(patient.id)" not in seen[0]
    line = next(p for p in listing.model.rows if p.id == ids[2])
    assert line.visit_count == 2 and line.last_visit_date.isoformat() == "2025-06-02"


def test_leaving_the_overview_stops_its_reading_without_waiting_for_it(window, monkeypatch):
    from pmsdesk.services import overview as overview_service

    monkeypatch.setattr(overview_service, "FIRST_PAGE_SIZE", 1)
    monkeypatch.setattr(overview_service, "PAGE_SIZE", 1)
    add_patients(window.clinic, 1, 6)
    window.clinic.db.engine.dispose()
    with window.clinic.db.engine.begin() as connection:  # every row to be computed again
        connection.exec_driver_sql("DELETE FROM patient_overview")
    window.show_overview()
    loading = window.overview.loading
    window.show_today()  # leaves the overview: cancelled, not waited for
    assert loading.cancel_requested_at is not None
    shown = window.overview.model.rowCount()
    loading.wait()
    assert window.overview.model.rowCount() == shown < 6
