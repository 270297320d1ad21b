"""Export archive -> import into an empty database reproduces every record exactly (issue 7)."""

from __future__ import annotations

import time

from bench import passed_check
import pytest

from sample_data import PATIENT, TODAY
from exchange_records import every_record, record_total
from pmsdesk.exchange.export import export_clinic
from pmsdesk.exchange.importer import apply_import, plan_import, read_file
from pmsdesk.services.clinic import Clinic
from pmsdesk.services.demo import fill_demo_clinic
from pmsdesk.store.database import Database


@pytest.fixture
def empty_clinic(tmp_path):
    database = Database.open(str(tmp_path / "receiving.sqlite3"))
    yield Clinic(database, today=lambda: TODAY)
    database.close()


def add_awkward_patient(clinic: Clinic) -> None:
    """Values an archive must carry unchanged: formula-like text, accents, commas, new lines, an
    archived patient, an 'Other' agent, an event not reported at a visit, a visit without a course."""
    patient = clinic.create_patient({**PATIENT, "clinic_id": "=HYPERLINK(1)", "family_name": "Öztürk-Élodie",
                                     "given_names": "Zoë, \"Zed\"", "notes": "line one\nline two; -3 @home"})
    course = clinic.create_course(patient.id, {"agent": "other", "agent_name": "+Trial cells", "planned_dose": "0.125",
                                               "dose_unit": "mg", "start_date": "2020-01-06", "interval_weeks_min": "8",
                                               "interval_weeks_max": "12",
                                               "protocol_template": "msc-np-phase2-harris-2024"})
    clinic.create_visit(patient.id, {**passed_check("2020-01-06"),
        "visit_date": "2020-01-06", "kind": "treatment", "course_id": course.id, "treatment_number": "1",
        "dose_given": "0.125", "dose_unit": "mg", "lp_attempts": "2", "csf_removed_ml": "7.5", "performed_by": "-RN",
        "edss.edss": "6.5", "edss.fs_pyramidal": "4", "t25fw.not_completed": "other",
        "t25fw.not_completed_note": "=walker broken", "t25fw.more_than_two_attempts": True,
        "nhpt.dominant_trial1_s": "21.37", "nhpt.dominant_trial2_s": "20.05", "nhpt.nondominant_not_completed": "physical_ms",
        "sdmt.score": "0", "six_minute_walk.not_completed": "physical_ms",
        "adverse_events": [{"term": "other", "term_other": "@rash", "onset_date": "2020-01-07", "ctcae_grade": "1",
                            "serious": False, "related_procedure": "possible", "related_drug": "unlikely",
                            "outcome": "recovered",
                            "resolved_date": "2020-01-09"}],
    })
    clinic.create_visit(patient.id, {"visit_date": "2020-03-02", "kind": "assessment", "sdmt.score": "41",
                                     "notes": "\ttabbed"})
    clinic.save_adverse_event(patient.id, {"term": "fatigue", "onset_date": "2021-05-05", "serious": True})
    clinic.save_relapse(patient.id, {"onset_date": "2019-02-02", "notes": "optic neuritis"})
    clinic.save_dmt(patient.id, {"agent": "Ocrelizumab", "start_date": "2018-01-01", "stop_date": "2019-12-31"})
    stored = clinic.patient(patient.id)
    clinic.set_archived(stored.id, stored.version, True)


def round_trip(clinic: Clinic, receiving: Clinic, tmp_path) -> tuple[dict, dict]:
    archive = tmp_path / "clinic.zip"
    export_clinic(clinic, "archive", archive)
    plan = plan_import(receiving, read_file(archive, receiving))
    assert not plan.problems, plan.summary()
    apply_import(receiving, plan)
    return every_record(clinic), every_record(receiving)


def test_archive_round_trip_reproduces_every_record_exactly(clinic, empty_clinic, tmp_path):
    fill_demo_clinic(clinic, patients=3, today=TODAY)
    add_awkward_patient(clinic)
    exported, imported = round_trip(clinic, empty_clinic, tmp_path)
    assert imported == exported
    assert len(imported) == 4 and record_total(imported) > 150
    awkward = imported["=HYPERLINK(1)"]
    assert awkward["patient"]["family_name"] == "Öztürk-Élodie" and awkward["patient"]["archived"] is True
    assert awkward["visits"][0]["adverse_events"][0]["term_other"] == "@rash"
    assert awkward["courses"][0]["protocol_template"] == "msc-np-phase2-harris-2024"  # issue 19, migration 0013
    assert awkward["visits"][1]["visit"]["notes"] == "tabbed"  # stored stripped, as typed on the screen
    # The safety check's answers travel with their visit; the result is worked out again at the import.
    received = empty_clinic.visit_records(empty_clinic.find_patients("=HYPERLINK(1)", include_archived=True)[0].id)[0]
    assert {key: value for key, value in received.form_values().items() if key.startswith("safety_check.")} == {
        "safety_check.antithrombotic": "none", "safety_check.pregnancy_possible": "no",
        "safety_check.active_infection": "no", "safety_check.methotrexate_allergy": "no",
        "safety_check.methotrexate_neurotoxicity": "no"}
    assert received.safety_check.result == "passed"


def test_importing_the_same_archive_again_creates_nothing(clinic, empty_clinic, tmp_path):
    fill_demo_clinic(clinic, patients=2, today=TODAY)
    _, first = round_trip(clinic, empty_clinic, tmp_path)
    again = plan_import(empty_clinic, read_file(tmp_path / "clinic.zip", empty_clinic))
    assert not again.problems and again.writes() == 0
    assert again.identical == sum(1 + len(p["courses"]) + len(p["visits"]) + len(p["relapses"]) + len(p["therapies"])
                                  for p in first.values())
    apply_import(empty_clinic, again)
    assert every_record(empty_clinic) == first


@pytest.mark.slow
def test_the_whole_demo_clinic_round_trips(clinic, empty_clinic, tmp_path, capsys):
    fill_demo_clinic(clinic, today=TODAY)
    started = time.perf_counter()
    exported, imported = round_trip(clinic, empty_clinic, tmp_path)
    seconds = time.perf_counter() - started
    assert imported == exported
    with capsys.disabled():
        print(f"\ndemo clinic round trip: {len(exported)} patients, {record_total(exported)} records exported "
              f"and imported in {seconds:.1f} s")
