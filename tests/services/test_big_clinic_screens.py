"""The screens' read models on a clinic larger than one IN list may name with SQLite's default variable
limit (tests/big_clinic.py: 1,500 patients, 33,000 visits, 32,766 bound parameters a statement): the
overview, Today, the review desk's queue and the patient list all work, none with a list per visit."""

from __future__ import annotations

from pmsdesk.services.overview import overview_pages


def test_the_overview_of_the_big_clinic(clinic_over_variable_limit):
    clinic = clinic_over_variable_limit
    rows = [row for page in overview_pages(clinic) for row in page]
    assert len(rows) == 1500 and all(row.visit_count == 22 for row in rows)
    again = [row for page in overview_pages(clinic) for row in page]  # now from the stored rows
    assert again == rows


def test_today_and_the_patient_list_of_the_big_clinic(clinic_over_variable_limit):
    clinic = clinic_over_variable_limit
    due = clinic.due_treatments()
    assert due and len({d.patient.id for d in due}) == len(due)
    assert clinic.visits_on(clinic.today()) == []
    assert clinic.count_patients() == 1500 and len(clinic.find_patients()) == 1500
    assert len(clinic.find_patients("BIG-0", limit=200)) == 200


def test_the_review_desk_queue_of_the_big_clinic(clinic_over_variable_limit):
    queue = clinic_over_variable_limit.visits_awaiting_signature()
    assert len(queue) == 33_000
    assert {item.patient_name for item in queue[:5]}
