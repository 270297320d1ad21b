"""pmsdesk on a real PostgreSQL server: what the application's own login cannot do to the audit trail
and the schema, and schema upgrades by several workstations starting at once."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time

import pytest
from sqlalchemy import create_engine, exc, text

from postgres_server import OWNER, PASSWORD, PASSWORD_LOGIN, TEMPLATE, WORKSTATION
from pmsdesk.services.clinic import Clinic
from pmsdesk.store.database import Database, DatabaseError, current_revision, head_revision
from sample_data import PATIENT, TODAY


@pytest.fixture
def clinic_database(postgres):
    return postgres.fresh_database()


def workstation_connection(postgres, name):
    return create_engine(postgres.url(name, role=WORKSTATION)).connect()


def test_the_workstation_login_records_visits_and_extends_the_audit_chain(postgres, clinic_database):
    database = Database.open(postgres.url(clinic_database, role=WORKSTATION), create=False)
    try:
        clinic = Clinic(database, today=lambda: TODAY)
        patient = clinic.create_patient(PATIENT)
        assert clinic.patient(patient.id).family_name == PATIENT["family_name"]
        with database.engine.connect() as connection:
            from pmsdesk.store import audit

            report = audit.verify(connection)
        assert report.intact and report.keyed and report.entries >= 1
    finally:
        database.close()


@pytest.mark.parametrize("statement", [
    "ALTER TABLE audit_event DISABLE TRIGGER ALL",
    "ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only",
    "DROP TRIGGER audit_event_append_only ON audit_event",
    "DROP FUNCTION pmsdesk_append_only() CASCADE",
    "UPDATE audit_event SET reason = 'rewritten'",
    "DELETE FROM audit_event",
    "TRUNCATE audit_event",
    "DELETE FROM audit_head",
    "ALTER TABLE patient ADD COLUMN smuggled integer",
    "DROP TABLE visit CASCADE",
    "UPDATE alembic_version SET version_num = '0001'",
    "CREATE TABLE shadow (id integer)",
])
def test_the_workstation_login_cannot_change_the_schema_or_the_audit_trail(postgres, clinic_database, statement):
    owner = Database.open(postgres.url(clinic_database), create=False)  # one audited write: a trail to attack
    Clinic(owner, today=lambda: TODAY).create_patient(PATIENT)
    owner.close()
    with workstation_connection(postgres, clinic_database) as connection:
        with pytest.raises(exc.DBAPIError) as refused:
            connection.execute(text(statement))
        assert type(refused.value.orig).__name__ in {"InsufficientPrivilege", "RaiseException"}, refused.value


def test_an_outdated_schema_is_upgraded_by_the_owner_not_by_a_workstation(postgres):
    name = postgres.fresh_database()
    owner_url = postgres.url(name)
    database = Database.open(owner_url)
    database.close()
    with create_engine(owner_url).begin() as connection:  # as if this pmsdesk were newer than the database
        connection.execute(text("UPDATE alembic_version SET version_num = '0006'"))
    with pytest.raises(DatabaseError, match="owner upgrades it"):
        Database.open(postgres.url(name, role=WORKSTATION), create=False)


UPGRADE = textwrap.dedent("""
    import sys
    from pmsdesk.store.database import Database
    Database.open(sys.argv[1]).close()
""")


def test_workstations_starting_at_once_upgrade_an_empty_database_once(postgres):
    name = "clinic_started_together"
    postgres.admin(f"CREATE DATABASE {name} OWNER {OWNER}")
    url = postgres.url(name)
    starts = [subprocess.Popen([sys.executable, "-c", UPGRADE, url], stderr=subprocess.PIPE, text=True)
              for _ in range(4)]
    failures = [process.stderr.read() for process in starts if process.wait(timeout=300) != 0]
    assert failures == []
    engine = create_engine(url)
    try:
        assert current_revision(engine) == head_revision()
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1
    finally:
        engine.dispose()


def test_a_password_in_the_database_option_is_refused(postgres):
    url = postgres.url(TEMPLATE, role=f"{PASSWORD_LOGIN}:{PASSWORD.replace(' ', '%20')}")
    with pytest.raises(DatabaseError, match="can be read by every user of this computer"):
        Database.open(url, create=False)


def test_the_password_comes_from_pgpassword_or_is_asked_for_once(postgres, clinic_database, monkeypatch):
    url = postgres.url(clinic_database, role=PASSWORD_LOGIN)
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", "/nonexistent/pgpass")
    with pytest.raises(DatabaseError, match="password"):
        Database.open(url, create=False)
    asked = []
    Database.open(url, create=False, ask_password=lambda shown: asked.append(shown) or PASSWORD).close()
    assert asked == [url]  # the server as shown: it carries no password
    with pytest.raises(DatabaseError, match="password authentication failed"):
        Database.open(url, create=False, ask_password=lambda shown: "wrong")
    monkeypatch.setenv("PGPASSWORD", PASSWORD)
    Database.open(url, create=False).close()


def test_pmsdesk_upgrade_makes_the_schema_with_the_owner_login(postgres, capsys):
    from pmsdesk.cli import main

    name = "clinic_set_up_by_command"
    postgres.admin(f"CREATE DATABASE {name} OWNER {OWNER}")
    assert main(["upgrade", "--database", postgres.url(name)]) == 0
    printed = capsys.readouterr().out
    assert f"schema {head_revision()}, up to date" in printed and "pmsdesk_application role may read" in printed
    assert main(["upgrade", "--database", postgres.url(name, role=WORKSTATION)]) == 0  # up to date: nothing to do
    with create_engine(postgres.url(name)).begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0006'"))
    assert main(["upgrade", "--database", postgres.url(name, role=WORKSTATION)]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "owner upgrades it" in error


def test_pmsdesk_migrate_moves_the_demo_clinic_to_the_server_identically(postgres, tmp_path, capsys, monkeypatch):
    from pmsdesk.cli import main
    from pmsdesk.services.demo import DEMO_PASSWORD

    source = tmp_path / "single-workstation.sqlite3"
    assert main(["demo", "--patients", "4", "--database", str(source)]) == 0
    name = "clinic_moved"
    postgres.admin(f"CREATE DATABASE {name} OWNER {OWNER}")
    target = postgres.url(name)
    monkeypatch.setenv("PMSDESK_PASSWORD", DEMO_PASSWORD)
    capsys.readouterr()
    assert main(["migrate", "--from", str(source), "--to", target, "--user", "demo-admin"]) == 0
    assert "identical to the source, audit trail verified" in capsys.readouterr().out
    exports = {}
    for label, database in (("sqlite", str(source)), ("postgresql", target)):
        output = tmp_path / f"{label}.csv"
        assert main(["export", "--format", "csv", "-o", str(output), "--user", "demo-admin",
                     "--database", database]) == 0, capsys.readouterr().err
        exports[label] = output.read_bytes()
    assert exports["sqlite"] == exports["postgresql"] and exports["sqlite"].count(b"\n") > 10
    assert main(["audit", "verify", "--user", "demo-admin", "--database", target]) == 0
    # Moving it again: the target holds a clinic now.
    assert main(["migrate", "--from", str(source), "--to", target, "--user", "demo-admin"]) == 2
    assert "moves a clinic only into an empty database" in capsys.readouterr().err
    # A workstation login after the move saves with numbers after the copied ones.
    database = Database.open(postgres.url(name, role=WORKSTATION), create=False)
    try:
        patient = Clinic(database, today=lambda: TODAY).create_patient(PATIENT)
        assert patient.id > 4
    finally:
        database.close()


WRITER = textwrap.dedent("""
    import json, os, sys, time
    from pmsdesk.domain.permissions import Actor, Role
    from pmsdesk.domain.treatment_slots import TreatmentSlotTaken
    from pmsdesk.services.clinic import Clinic, StaleRecord
    from pmsdesk.store.database import Database

    url, patient_id, name, go, rounds, treatment = (sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4],
                                                    int(sys.argv[5]), json.loads(sys.argv[6]))
    database = Database.open(url, create=False)
    clinic = Clinic(database, actor=Actor(name, Role.NURSE))
    open(go + "." + name, "w").close()
    while not os.path.exists(go):
        time.sleep(0.005)
    try:  # every writer records today's treatment of the patient at the same moment (as a system process:
        # a nurse's dose would also need the second person's check, which is not what this test is about)
        print("treated", Clinic(database).create_visit(patient_id, treatment).visit.id)
    except TreatmentSlotTaken:
        print("refused")
    stale = 0
    for number in range(rounds):
        while True:  # what a nurse does when told the record changed meanwhile: reload, apply again
            patient = clinic.patient(patient_id)
            values = {key: getattr(patient, key) for key in ("clinic_id", "family_name", "given_names", "birth_date",
                      "sex", "phenotype", "onset_year", "diagnosis_date", "dominant_hand", "education_years")}
            values["notes"] = (patient.notes or "") + f"{name}:{number};"
            try:
                clinic.update_patient(patient_id, patient.version, values)
                break
            except StaleRecord:
                stale += 1
        clinic.save_relapse(patient_id, {"onset_date": "2019-05-01", "notes": f"{name} {number}"})
    database.close()
    print("stale", stale)
""")
WRITERS = 8  # the count of processes writing at once
WRITERS_TIME_LIMIT_S = 120  # from the start signal to the last writer's end (measured: 3 s on two shared cores)


def test_workstations_writing_at_once_lose_no_update_no_treatment_slot_and_keep_one_chain(postgres, tmp_path):
    from bench import with_check

    from pmsdesk.store import audit

    url = postgres.url(postgres.fresh_database(), role=WORKSTATION)
    database = Database.open(url, create=False)
    clinic = Clinic(database, today=lambda: TODAY)
    patient_id = clinic.create_patient(PATIENT).id
    course = clinic.create_course(patient_id, {"agent": "it_methotrexate", "planned_dose": "12.5", "dose_unit": "mg",
                                               "interval_weeks_min": "8", "interval_weeks_max": "11",
                                               "start_date": TODAY.isoformat()})
    treatment = with_check({"visit_date": TODAY.isoformat(), "kind": "treatment", "dose_given": "12.5",
                            "dose_unit": "mg", "course_id": course.id, "treatment_number": "1"})
    names, rounds, go = [f"ws{n}" for n in range(WRITERS)], 8, tmp_path / "go"
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, url, str(patient_id), name, str(go), str(rounds),
                                 json.dumps(treatment)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for name in names]
    try:
        deadline = time.monotonic() + 120
        while not all((tmp_path / f"go.{name}").exists() for name in names):
            assert time.monotonic() < deadline, "the writers did not start"
            time.sleep(0.02)
        go.touch()
        started = time.monotonic()
        results = [writer.communicate(timeout=max(1.0, started + WRITERS_TIME_LIMIT_S - time.monotonic()))
                   for writer in writers]
        print(f"{WRITERS} writers done in {time.monotonic() - started:.1f} s")
        assert [writer.returncode for writer in writers] == [0] * len(names), [err for _out, err in results]
        notes = Clinic(database).patient(patient_id).notes
        assert sorted(notes.rstrip(";").split(";")) == sorted(f"{name}:{n}" for name in names for n in range(rounds))
        assert len(Clinic(database).relapses(patient_id)) == len(names) * rounds
        # One treatment: the first nurse's; every other one was refused as the slot's second.
        treated = [out.split()[1] for out, _err in results if out.startswith("treated")]
        assert len(treated) == 1 and sum(out.startswith("refused") for out, _err in results) == WRITERS - 1
        assert [str(visit.id) for visit in Clinic(database).visits(patient_id)] == treated
        with database.engine.connect() as connection:
            report = audit.verify(connection)
            data = audit.verify_data(connection)
            recorded = dict(connection.execute(text(
                "SELECT table_name, count(*) FROM audit_event WHERE table_name IN ('patient', 'relapse', 'visit')"
                " GROUP BY table_name")).all())
        assert report.complete and data.intact, (report.describe(), data.describe())
        # the patient made, then per round one change of it and one relapse from every writer; one visit
        assert recorded == {"patient": 1 + len(names) * rounds, "relapse": len(names) * rounds, "visit": 1}
    finally:
        for writer in writers:
            writer.kill()
        database.close()


def test_typing_while_the_server_is_down_is_kept_here_and_saved_when_it_is_back(tmp_path):
    """Its own server, killed in the middle of a nurse's visit: the draft goes to this computer, and the
    first draft write after the server is back takes it into the database."""
    from postgres_server import start_server
    from pmsdesk.services.clinic import DraftKept, ServerUnreachable

    server = start_server()
    if server is None:
        pytest.skip("no PostgreSQL server binaries")
    try:
        name = server.fresh_database_without_template()
        database = Database.open(server.url(name))
        clinic = Clinic(database, today=lambda: TODAY)
        patient = clinic.create_patient(PATIENT)
        other = clinic.create_patient({**PATIENT, "clinic_id": "MS-0002"})
        assert clinic.save_draft(patient.id, None, {"visit_date": "2026-06-01", "notes": "first"}) is DraftKept.IN_DATABASE

        server.kill()
        typed = {"visit_date": "2026-06-01", "notes": "typed while the server was down"}
        assert clinic.save_draft(patient.id, None, typed) is DraftKept.ON_THIS_COMPUTER
        assert clinic.save_draft(other.id, None, {"notes": "the next patient"}) is DraftKept.ON_THIS_COMPUTER
        kept = list(clinic.offline_drafts.pending())
        assert {d.patient_id for d in kept} == {patient.id, other.id}
        assert all(path.stat().st_mode & 0o077 == 0 for path in clinic.offline_drafts.folder.iterdir())
        assert clinic.draft(patient.id, None)[0] == typed  # reopening the visit gives what was typed
        with pytest.raises(ServerUnreachable, match="cannot be reached"):
            clinic.create_visit(patient.id, {"visit_date": "2026-06-01", "kind": "baseline"})

        server.restart()
        assert clinic.save_draft(patient.id, None, typed) is DraftKept.IN_DATABASE
        assert list(clinic.offline_drafts.pending()) == []  # the other patient's draft went along
        fresh = Clinic(Database.open(server.url(name), create=False))  # another workstation sees both
        assert fresh.draft(patient.id, None)[0] == typed
        assert fresh.draft(other.id, None)[0] == {"notes": "the next patient"}
        fresh.db.close()
        database.close()
    finally:
        server.stop()


def test_backup_and_restore_on_the_server_use_its_own_tools_with_the_same_checks(postgres, tmp_path, capsys,
                                                                                 monkeypatch):
    from pmsdesk.cli import main
    from pmsdesk.services.demo import DEMO_PASSWORD

    source = tmp_path / "demo.sqlite3"
    assert main(["demo", "--patients", "3", "--database", str(source)]) == 0
    live = "clinic_backed_up"
    postgres.admin(f"CREATE DATABASE {live} OWNER {OWNER}")
    monkeypatch.setenv("PMSDESK_PASSWORD", DEMO_PASSWORD)
    assert main(["migrate", "--from", str(source), "--to", postgres.url(live), "--user", "demo-admin"]) == 0
    dump = tmp_path / "clinic.pgdump"
    assert main(["backup", "--database", postgres.url(live), "--user", "demo-admin"]) == 2
    assert "name the dump" in capsys.readouterr().err
    assert main(["backup", "-o", str(dump), "--database", postgres.url(live), "--user", "demo-admin"]) == 0
    assert "Backup written" in capsys.readouterr().out
    assert dump.stat().st_mode & 0o077 == 0 and (tmp_path / "clinic.pgdump.checkpoint").exists()
    assert not list(tmp_path.glob(".*.partial"))

    assert main(["restore", str(dump), "--database", postgres.url(live), "--user", "demo-admin"]) == 2
    assert "is not empty" in capsys.readouterr().err  # the live clinic is never overwritten
    restored = "clinic_restored"
    postgres.admin(f"CREATE DATABASE {restored} OWNER {OWNER}")
    assert main(["restore", str(dump), "--database", postgres.url(restored), "--user", "demo-admin"]) == 0
    assert "checked (schema, audit chain" in capsys.readouterr().out
    assert main(["audit", "verify", "--user", "demo-admin", "--database", postgres.url(restored),
                 "--checkpoint", str(tmp_path / "clinic.pgdump.checkpoint")]) == 0
    exports = []
    for name in (live, restored):
        output = tmp_path / f"{name}.csv"
        assert main(["export", "--format", "csv", "-o", str(output), "--user", "demo-admin",
                     "--database", postgres.url(name)]) == 0
        exports.append(output.read_bytes())
    assert exports[0] == exports[1]
    # A workstation's login works on the restored clinic (its rights were given again).
    database = Database.open(postgres.url(restored, role=WORKSTATION), create=False)
    try:
        Clinic(database, today=lambda: TODAY).create_patient({**PATIENT, "clinic_id": "MS-AFTER-RESTORE"})
    finally:
        database.close()

    damaged = tmp_path / "damaged.pgdump"
    damaged.write_bytes(dump.read_bytes()[: dump.stat().st_size // 2])
    postgres.admin("CREATE DATABASE clinic_from_damaged OWNER " + OWNER)
    assert main(["restore", str(damaged), "--database", postgres.url("clinic_from_damaged"),
                 "--user", "demo-admin"]) == 2
    assert "not restored" in capsys.readouterr().err
    engine = create_engine(postgres.url("clinic_from_damaged"))
    try:
        from sqlalchemy import inspect

        assert inspect(engine).get_table_names() == []  # one transaction: nothing of a damaged dump stays
    finally:
        engine.dispose()
