"""The demo clinic: deterministic, plausible, valid, written through the clinic, and its command."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from sample_data import TODAY

from pmsdesk.cli import main
from pmsdesk.domain.fields import ADVERSE_EVENT_FIELDS, COURSE_FIELDS, DMT_FIELDS, PATIENT_FIELDS, RELAPSE_FIELDS
from pmsdesk.domain.vocab import AdverseEventTerm, Agent, Phenotype, Relatedness, VisitKind
from pmsdesk.services.clinic import Clinic, row_values
from pmsdesk.services.demo import DEMO_SETTING, FAMILY_NAMES, STAFF, DatabaseNotEmpty, fill_demo_clinic
from pmsdesk.store.database import Database


def open_clinic(path) -> Clinic:
    return Clinic(Database.open(str(path)), today=lambda: TODAY)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The default demo clinic (30 patients), filled once for the read-only tests of this module."""
    clinic = open_clinic(tmp_path_factory.mktemp("demo") / "demo.sqlite3")
    summary = fill_demo_clinic(clinic)
    yield clinic, summary
    clinic.db.close()


@pytest.fixture(scope="module")
def patients(demo):
    """Every demo patient with its course, visit records, relapses and therapies."""
    clinic, _ = demo
    return [
        {
            "patient": clinic.patient(summary.id),
            "course": clinic.courses(summary.id)[0],
            "visits": [clinic.visit_record(visit.id) for visit in clinic.visits(summary.id)],
            "relapses": clinic.relapses(summary.id),
            "therapies": clinic.dmt_history(summary.id),
        }
        for summary in clinic.find_patients()
    ]


def snapshot(clinic: Clinic) -> list[dict]:
    """Everything the demo wrote, as entered values (no ids, versions or timestamps)."""
    return [
        {
            "patient": row_values(clinic.patient(summary.id), PATIENT_FIELDS),
            "courses": [row_values(course, COURSE_FIELDS) for course in clinic.courses(summary.id)],
            "visits": [
                (record.form_values(), [row_values(e, ADVERSE_EVENT_FIELDS) for e in record.adverse_events])
                for record in (clinic.visit_record(visit.id) for visit in clinic.visits(summary.id))
            ],
            "relapses": [row_values(r, RELAPSE_FIELDS) for r in clinic.relapses(summary.id)],
            "therapies": [row_values(t, DMT_FIELDS) for t in clinic.dmt_history(summary.id)],
        }
        for summary in sorted(clinic.find_patients(), key=lambda s: s.clinic_id)
    ]


def filled_snapshot(path, seed: int) -> list[dict]:
    clinic = open_clinic(path)
    try:
        fill_demo_clinic(clinic, patients=6, seed=seed)
        return snapshot(clinic)
    finally:
        clinic.db.close()


def treatment_visits(patient: dict) -> list:
    return [record.visit for record in patient["visits"] if record.visit.kind == VisitKind.TREATMENT]


# ----- determinism -----------------------------------------------------------------------------
def test_the_same_seed_gives_the_same_clinic_and_another_seed_a_different_one(tmp_path):
    first = filled_snapshot(tmp_path / "first.sqlite3", seed=7)
    again = filled_snapshot(tmp_path / "again.sqlite3", seed=7)
    other = filled_snapshot(tmp_path / "other.sqlite3", seed=8)

    assert first == again
    assert len(other) == len(first)
    assert other != first


# ----- what is written -------------------------------------------------------------------------
def test_the_summary_counts_what_is_in_the_database(demo, patients):
    clinic, summary = demo
    assert summary.patients == clinic.patient_count() == len(patients) == 30
    assert summary.courses == sum(len(clinic.courses(p["patient"].id)) for p in patients)
    assert summary.visits == sum(len(p["visits"]) for p in patients)
    assert summary.adverse_events == sum(len(clinic.adverse_events(p["patient"].id)) for p in patients)
    assert summary.visits > 10 * summary.patients  # courses of several treatments each
    assert summary.adverse_events > 0


def test_the_patients_are_clearly_fictional_and_the_database_is_marked_as_a_demo(demo, patients):
    clinic, _ = demo
    assert clinic.setting(DEMO_SETTING) == "true"
    assert sorted(p["patient"].clinic_id for p in patients) == [f"DEMO-{n:03d}" for n in range(1, 31)]
    assert all("Fictional" in p["patient"].notes for p in patients)
    names = {(p["patient"].family_name, p["patient"].given_names) for p in patients}
    assert len(names) == len(patients)
    assert {family for family, _ in names} <= set(FAMILY_NAMES)


def test_patients_have_progressive_ms_and_mostly_methotrexate_courses(patients):
    assert {p["patient"].phenotype for p in patients} == {Phenotype.SPMS, Phenotype.PPMS}
    agents = Counter(p["course"].agent for p in patients)
    assert set(agents) == {Agent.IT_METHOTREXATE, Agent.MSC_NP}
    assert agents[Agent.IT_METHOTREXATE] > agents[Agent.MSC_NP]


def test_treatments_follow_their_regimen(patients):
    for p in patients:
        course, treatments = p["course"], treatment_visits(p)
        assert [v.treatment_number for v in treatments] == list(range(1, len(treatments) + 1))
        assert course.start_date == treatments[0].visit_date
        gaps = {(later.visit_date - earlier.visit_date).days / 7 for earlier, later in zip(treatments, treatments[1:])}
        assert all(course.interval_weeks_min <= gap <= course.interval_weeks_max for gap in gaps)
        if course.agent == Agent.IT_METHOTREXATE:
            assert {(v.dose_given, v.dose_unit) for v in treatments} == {(12.5, "mg")}
            assert 8 <= course.interval_weeks_min <= course.interval_weeks_max <= 12
            years = (treatments[-1].visit_date - treatments[0].visit_date).days / 365.25
            assert 0.7 <= years <= 6
        else:
            assert {(v.dose_given, v.dose_unit) for v in treatments} == {(10, "million cells")}
            assert len(treatments) <= 6


def test_every_course_starts_with_a_baseline_and_every_visit_has_the_four_assessments(patients):
    for p in patients:
        records = p["visits"]
        assert records[0].visit.kind == VisitKind.BASELINE
        assert records[0].visit.visit_date < p["course"].start_date
        assert all(r.visit.kind != VisitKind.BASELINE for r in records[1:])
        for record in records:
            assert all(record.assessments[section] is not None for section in ("edss", "t25fw", "nhpt", "sdmt"))
            t25fw, nhpt = record.assessments["t25fw"], record.assessments["nhpt"]
            assert (t25fw.trial1_s and t25fw.trial2_s) or t25fw.not_completed == "physical_ms"
            assert nhpt.dominant_hand == p["patient"].dominant_hand
            assert min(nhpt.dominant_trial1_s, nhpt.dominant_trial2_s) > 0


def test_every_treatment_has_its_procedure_record_and_a_second_person_check(patients):
    staff = {username for username, _full_name in STAFF}
    for p in patients:
        for record in (r for r in p["visits"] if r.visit.kind == VisitKind.TREATMENT):
            visit, check = record.visit, record.dose_check
            assert visit.lp_level in ("L3-L4", "L4-L5") and visit.lp_result == "successful"
            assert (visit.lp_needle_type, visit.lp_needle_gauge) in (("atraumatic", "22G"), ("cutting", "20G"))
            assert 1 <= visit.lp_attempts <= 3
            assert 5 <= visit.csf_removed_ml <= 10
            assert visit.performed_by in staff and check.administered_by == visit.performed_by
            assert check.checked_by in staff and check.checked_by != visit.performed_by
            if p["course"].agent == Agent.MSC_NP:  # a cell product's lot, checked
                assert visit.dose_batch and check.lot == visit.dose_batch


def test_the_demo_register_shows_an_expired_entry(demo):
    clinic, _ = demo
    lines = clinic.intrathecal_register().lines()
    expired = [line.entry for line in lines if line.entry.expires_on < clinic.today()]
    assert [(e.username, e.task.value) for e in expired] == [("demo-cleo.mockford", "check")]


def test_the_six_minute_walk_is_measured_in_the_msc_np_course_only(patients):
    for p in patients:
        walked = [r.assessments["six_minute_walk"] is not None for r in p["visits"]]
        assert any(walked) == (p["course"].agent == Agent.MSC_NP)


def test_the_clinician_edss_matches_the_functional_systems_but_now_and_then_differs_by_half_a_step(patients):
    edss = [r.assessments["edss"] for p in patients for r in p["visits"]]
    differences = Counter(abs(row.edss - row.computed_edss) for row in edss)
    assert set(differences) == {0.0, 0.5}
    assert 0 < differences[0.5] < 0.15 * len(edss)


def test_some_patients_worsen_and_some_stay_stable(patients):
    edss_change = Counter()
    walk_slower = 0
    for p in patients:
        first, last = (p["visits"][i].assessments for i in (0, -1))
        change = last["edss"].computed_edss - first["edss"].computed_edss
        edss_change["worse" if change > 0 else "better" if change < 0 else "same"] += 1
        if first["t25fw"].trial1_s and last["t25fw"].trial1_s and change > 0:
            walk_slower += last["t25fw"].trial1_s > first["t25fw"].trial1_s
    assert edss_change["worse"] >= 5
    assert edss_change["same"] >= 5
    assert edss_change["better"] >= 1
    assert walk_slower >= 3


def test_post_lumbar_puncture_headaches_are_common_mild_related_and_short(patients):
    punctures = sum(len(treatment_visits(p)) for p in patients)
    events = [e for p in patients for r in p["visits"] for e in r.adverse_events]
    headaches = [e for e in events if e.term == AdverseEventTerm.POST_LP_HEADACHE]
    assert 0.07 <= len(headaches) / punctures <= 0.22
    for headache in headaches:
        assert headache.ctcae_grade in (1, 2) and not headache.serious
        assert headache.related_procedure in (Relatedness.PROBABLE, Relatedness.DEFINITE)
        assert headache.related_drug in (Relatedness.UNLIKELY, Relatedness.POSSIBLE)
        if headache.resolved_date is not None:
            assert (headache.resolved_date - headache.onset_date).days <= 7
    assert {AdverseEventTerm.BACK_PAIN, AdverseEventTerm.FATIGUE, AdverseEventTerm.NAUSEA_VOMITING} <= {
        e.term for e in events
    }


def test_a_few_patients_have_relapses_and_most_had_disease_modifying_therapy(patients):
    assert 1 <= sum(bool(p["relapses"]) for p in patients) <= 10
    assert sum(bool(p["therapies"]) for p in patients) >= 15
    for p in patients:
        for therapy in p["therapies"]:
            assert therapy.stop_date is None or therapy.start_date <= therapy.stop_date


# ----- filling -----------------------------------------------------------------------------------
def test_a_database_with_patients_is_refused_and_left_unchanged(clinic, patient):
    with pytest.raises(DatabaseNotEmpty, match="already holds 1 patient;"):
        fill_demo_clinic(clinic, patients=2)

    assert [p.clinic_id for p in clinic.find_patients()] == [patient.clinic_id]
    assert clinic.setting(DEMO_SETTING) is None


def test_allow_existing_adds_patients_under_free_identifiers(clinic):
    fill_demo_clinic(clinic, patients=2)
    fill_demo_clinic(clinic, patients=2, seed=1, allow_existing=True)

    assert sorted(p.clinic_id for p in clinic.find_patients()) == ["DEMO-001", "DEMO-002", "DEMO-003", "DEMO-004"]


def test_progress_is_reported_after_each_patient(clinic):
    calls = []
    fill_demo_clinic(clinic, patients=3, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 3), (2, 3), (3, 3)]


def test_a_failed_fill_writes_nothing(clinic):
    def cancel_at_the_second_patient(done, total):
        if done == 2:
            raise RuntimeError("cancelled")

    with pytest.raises(RuntimeError, match="cancelled"):
        fill_demo_clinic(clinic, patients=3, progress=cancel_at_the_second_patient)

    assert clinic.patient_count() == 0
    assert clinic.setting(DEMO_SETTING) is None


def test_dates_are_relative_to_today(clinic, tmp_path):
    weeks_earlier = dt.timedelta(weeks=57)  # whole weeks, so weekdays stay the same
    earlier = open_clinic(tmp_path / "earlier.sqlite3")
    try:
        fill_demo_clinic(clinic, patients=1)
        fill_demo_clinic(earlier, patients=1, today=TODAY - weeks_earlier)
        dates = [[v.visit_date for v in c.visits(c.find_patients()[0].id)] for c in (clinic, earlier)]
    finally:
        earlier.db.close()

    assert dates[1] == [day - weeks_earlier for day in dates[0]]
    assert dates[0][-1] <= TODAY


# ----- the command -----------------------------------------------------------------------------
def test_the_demo_command_fills_the_database(tmp_path, capsys):
    path = tmp_path / "cli.sqlite3"

    assert main(["demo", "--patients", "5", "--database", str(path)]) == 0

    out = capsys.readouterr().out.strip()
    assert out.startswith("Demo clinic: 5 fictional patients, ")
    assert out.endswith(f"visits written to {path}")
    reopened = open_clinic(path)
    try:
        assert reopened.patient_count() == 5
        assert reopened.setting(DEMO_SETTING) == "true"
        visits = sum(len(reopened.visits(p.id)) for p in reopened.find_patients())
        assert f", {visits} visits written" in out
    finally:
        reopened.db.close()


@pytest.mark.parametrize("count", ["0", "50001", "-3"])
def test_the_demo_command_refuses_a_bad_patient_count(tmp_path, capsys, count):
    path = tmp_path / "cli.sqlite3"

    assert main(["demo", "--patients", count, "--database", str(path)]) == 2

    err = capsys.readouterr().err
    assert err == f"pmsdesk demo: error: --patients must be from 1 to 50000, not {count}\n"
    assert not path.exists()


def test_the_demo_command_refuses_a_database_with_patients(tmp_path, capsys):
    path = tmp_path / "cli.sqlite3"
    assert main(["demo", "--patients", "1", "--database", str(path)]) == 0
    capsys.readouterr()

    assert main(["demo", "--database", str(path)]) == 2

    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "already holds 1 patient" in err and str(path) in err


def test_demo_accounts_one_per_role_only_on_a_database_without_accounts(database):
    from pmsdesk.domain.permissions import Role
    from pmsdesk.services.accounts import Accounts
    from pmsdesk.services.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_SIGN_IN_HINT, create_demo_accounts

    assert create_demo_accounts(database) is True
    assert create_demo_accounts(database) is False, "a second call adds nothing"
    accounts = Accounts(database)
    signed_in = {name: accounts.sign_in(name, DEMO_PASSWORD) for name, _, _ in DEMO_ACCOUNTS}
    assert {actor.role for actor in signed_in.values()} == {Role.NURSE, Role.NEUROLOGIST, Role.ADMINISTRATOR}
    assert all(name in DEMO_SIGN_IN_HINT for name in signed_in) and DEMO_PASSWORD in DEMO_SIGN_IN_HINT


# ----- every visit state: signed, awaiting signature, amended, voided -----------------------------
def demo_with_accounts(path, **options):
    from pmsdesk.services.demo import create_demo_accounts

    database = Database.open(str(path))
    create_demo_accounts(database)  # as the app does before filling: the demo neurologist signs
    clinic = Clinic(database, today=lambda: TODAY)
    return clinic, fill_demo_clinic(clinic, patients=6, **options)


def visit_states(clinic: Clinic) -> dict:
    from pmsdesk.domain.audit import AuditKind

    visits = [visit for summary in clinic.find_patients() for visit in clinic.visits(summary.id)]
    entries = clinic.audit_entries()
    return {
        "signed": [(v.patient_id, v.visit_date) for v in visits if v.status == "signed"],
        "awaiting": [(v.patient_id, v.visit_date) for v in visits if v.status != "signed"],
        "amended": [(e.row_key, e.reason, e.actor_name, e.changes) for e in entries if e.kind is AuditKind.AMEND],
        "voided": [(e.table_name, e.row_key, e.reason) for e in entries if e.kind is AuditKind.SOFT_DELETE],
        "signers": {(e.actor, e.actor_name) for e in entries if e.kind is AuditKind.SIGN},
        "visit_ids": {str(v.id) for v in visits},
    }


def test_the_demo_holds_signed_amended_and_voided_visits_and_some_awaiting_signature(tmp_path):
    from pmsdesk.services.demo import AMENDMENT, SIGNED_BEFORE_DAYS, VOID_REASON

    clinic, summary = demo_with_accounts(tmp_path / "states.sqlite3")
    try:
        states = visit_states(clinic)
    finally:
        clinic.db.close()
    month_ago = TODAY - dt.timedelta(days=SIGNED_BEFORE_DAYS)
    assert len(states["signed"]) == summary.signed > 0 and len(states["awaiting"]) > 0
    assert len(states["signed"]) + len(states["awaiting"]) == summary.visits
    assert all(day < month_ago for _, day in states["signed"]) and all(day >= month_ago for _, day in states["awaiting"])
    assert states["signers"] == {("demo-neurologist", "Demo Neurologist (fictional)")}

    assert summary.amended == 1 and len(states["amended"]) == 1
    visit_key, reason, who, changes = states["amended"][0]
    assert (reason, who) == (AMENDMENT[1], "Demo Neurologist (fictional)")
    assert list(changes) == ["notes"] and AMENDMENT[0] in changes["notes"][1]
    assert visit_key in states["visit_ids"]

    assert summary.voided == 1
    voided_visits = [entry for entry in states["voided"] if entry[0] == "visit"]
    assert len(voided_visits) == 1 and voided_visits[0][2] == VOID_REASON
    assert voided_visits[0][1] not in states["visit_ids"]  # hidden from the lists, kept in the audit trail


def test_the_states_follow_the_seed(tmp_path):
    first, _ = demo_with_accounts(tmp_path / "one.sqlite3")
    again, _ = demo_with_accounts(tmp_path / "two.sqlite3")
    other, _ = demo_with_accounts(tmp_path / "three.sqlite3", seed=7)
    try:
        one, two, three = (visit_states(c) for c in (first, again, other))
    finally:
        for clinic in (first, again, other):
            clinic.db.close()
    assert one["signed"] == two["signed"] and one["amended"] == two["amended"] and one["voided"] == two["voided"]
    assert one["signed"] != three["signed"]


def test_without_anyone_who_may_sign_the_visits_stay_unsigned(clinic):
    summary = fill_demo_clinic(clinic, patients=3)
    states = visit_states(clinic)
    assert (summary.signed, summary.amended, summary.voided) == (0, 0, 1)
    assert states["signed"] == [] and states["amended"] == [] and len(states["voided"]) == 1


def test_cancelling_while_the_visits_are_signed_writes_nothing(tmp_path):
    from pmsdesk.domain.refusals import Cancelled

    asked = []

    def cancel_when_signing() -> bool:  # asked before each batch of patients written, then before the signing
        asked.append(1)
        return len(asked) > planned

    planned = 1  # six patients: one batch
    database = Database.open(str(tmp_path / "cancelled.sqlite3"))
    from pmsdesk.services.demo import create_demo_accounts

    create_demo_accounts(database)
    cancelled_clinic = Clinic(database, today=lambda: TODAY)
    try:
        with pytest.raises(Cancelled):
            fill_demo_clinic(cancelled_clinic, patients=6, cancelled=cancel_when_signing)
        assert len(asked) == planned + 1
        assert cancelled_clinic.patient_count() == 0 and cancelled_clinic.setting(DEMO_SETTING) is None
    finally:
        database.close()
