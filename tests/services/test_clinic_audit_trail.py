"""The clinic-wide audit trail: every kind of entry told readably, filtered in SQL by person, patient,
kind and local date, paged newest first without splitting a transaction, fast on a big trail, and
exported as a private CSV that is itself audited."""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import stat
import time

import pytest
from sample_data import PATIENT, TODAY

from pmsdesk.domain.audit import AuditKind
from pmsdesk.domain.refusals import Refusal
from pmsdesk.services.accounts import Accounts, SignInRefused
from pmsdesk.services.clinic import Clinic
from pmsdesk.services.clinic_audit import (
    AuditFilter,
    audit_page,
    audit_people,
    audit_rows,
    export_audit_csv,
)
from pmsdesk.store import audit
from pmsdesk.store.database import Database

WALK = {"visit_date": "2026-03-02", "kind": "assessment", "t25fw.trial1_s": "7.5", "t25fw.trial2_s": "7.7"}


@pytest.fixture(scope="module")
def trail(tmp_path_factory):
    """A short clinic history in Berlin's time zone: accounts, sign-ins, a refused sign-in, two
    patients, a visit. Each step is audited on its own November day of 2026 at 22:30 UTC, which is
    23:30 in Berlin: the local day, not the UTC day, decides the date filter. Made once (passwords
    are slow to hash); the tests only read it, the export test last."""
    now = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TZ", "Europe/Berlin")
        time.tzset()
        patch.setattr(audit, "_now", lambda: now[-1])

        def clock(day: int) -> None:
            now.append(dt.datetime(2026, 11, day, 22, 30, tzinfo=dt.UTC).isoformat(timespec="microseconds"))

        database = Database.open(str(tmp_path_factory.mktemp("trail") / "clinic.sqlite3"))
        accounts = Accounts(database)
        clock(1)
        admin = accounts.create_first_administrator("a.admin", "Ada Admin", "a long enough password")
        clock(2)
        Accounts(database, admin).create_user("n.nurse", "Nina Nurse", "nurse", "nurse's own password")
        clock(3)
        nurse = Clinic(database, actor=accounts.sign_in("n.nurse", "nurse's own password"), today=lambda: TODAY)
        clock(4)
        with pytest.raises(SignInRefused):
            accounts.sign_in("n.nurse", "not the password")
        clock(5)
        alex = nurse.create_patient(PATIENT)
        clock(6)
        bea = nurse.create_patient({**PATIENT, "clinic_id": "MS-0002", "family_name": "Brown", "given_names": "Bea"})
        clock(7)
        nurse.create_visit(bea.id, WALK)
        clock(8)
        yield Clinic(database, actor=admin, today=lambda: TODAY), nurse, alex, bea
        database.close()
    time.tzset()


def test_every_kind_of_entry_reads_like_a_record_newest_first(trail):
    administrator, _nurse, _alex, _bea = trail
    rows = list(audit_rows(administrator))
    whats = [row.what for row in rows]
    # the newest transaction first, its lines in the order they happened
    assert whats[:2] == ["Recorded the visit (Assessment only, 2026-03-02)",
                         "Recorded Timed 25-foot walk: T25FW trial 1 7.50 s, T25FW trial 2 7.70 s"]
    assert rows[0].patient == "BROWN, Bea (MS-0002), visit of 2026-03-02"
    assert rows[0].when == "2026-11-07 23:30" and rows[0].who == "Nina Nurse (n.nurse)"  # local time, to the minute
    refused = next(row for row in rows if row.what == "Sign-in refused")
    assert refused.who == "Nina Nurse (n.nurse)" and refused.when == "2026-11-04 23:30"
    assert "Signed in" in whats
    created = next(row for row in rows if row.what.startswith("Created User account"))
    assert created.what.startswith("Created User account: User name n.nurse, Full name Nina Nurse, Role MS nurse, "
                                   "Active yes, Password (hidden)") and created.who == "Ada Admin (a.admin)"
    assert any(w.startswith("Recorded Patient: Clinic identifier MS-0001") for w in whats)
    assert not any("_" in w.split(":")[0] for w in whats)  # labels, never field names


def test_a_nurse_may_not_read_the_clinic_wide_trail(trail):
    _administrator, nurse, _alex, _bea = trail
    with pytest.raises(Refusal, match="read by administrators"):
        audit_page(nurse)
    with pytest.raises(Refusal):
        audit_people(nurse)


def test_filters_by_person_patient_kind_and_local_dates(trail):
    administrator, _nurse, _alex, _bea = trail

    def whats(**filters):
        return [row.what for row in audit_rows(administrator, AuditFilter(**filters))]

    assert {row.user for row in audit_rows(administrator, AuditFilter(actor="a.admin"))} == {"a.admin"}
    assert whats(patient="brown") == ["Recorded the visit (Assessment only, 2026-03-02)",
                                      "Recorded Timed 25-foot walk: T25FW trial 1 7.50 s, T25FW trial 2 7.70 s",
                                      whats(patient="MS-0002")[-1]]
    assert whats(patient="brown")[-1].startswith("Recorded Patient: Clinic identifier MS-0002")
    assert whats(patient="nobody such") == []
    assert whats(kind="refused") == ["Sign-in refused"]
    assert whats(kind="sign_ins") == ["Signed in", "Signed in"]
    users = whats(kind="users")
    assert sum(w.startswith("Created User account") for w in users) == 2 and "Signed in" not in users
    assert len(whats(kind="records")) == 4  # two patients, the visit and its walk
    # 22:30 UTC is 23:30 in Berlin, the same day; a UTC day would start an hour late
    assert "Sign-in refused" in whats(since=dt.date(2026, 11, 4), until=dt.date(2026, 11, 4))
    assert "Signed in" not in whats(since=dt.date(2026, 11, 4), until=dt.date(2026, 11, 4))
    assert len(whats(since=dt.date(2026, 11, 7))) == 2
    assert whats(until=dt.date(2026, 10, 31)) == []


def test_pages_are_newest_first_never_split_a_transaction_and_stay_fast_on_a_big_trail(database, monkeypatch):
    administrator = Clinic(database)
    # 10,000 entries, fifty per transaction, appended as the store appends them
    moments = (dt.datetime(2026, 1, 1, tzinfo=dt.UTC) + dt.timedelta(seconds=n) for n in itertools.count())
    with database.transaction() as session:
        connection = session.connection()
        for _ in range(200):
            when = next(moments).isoformat(timespec="microseconds")
            monkeypatch.setattr(audit, "_now", lambda when=when: when)  # one time per transaction
            audit.append(connection, [{"actor": "n.nurse", "kind": AuditKind.EXPORT.value,
                                       "details": '{"what":"a test","path":"/tmp/x","lines":1}'}] * 50)
    started = time.perf_counter()
    first = audit_page(administrator, limit=195)
    took = time.perf_counter() - started
    # 195 asked, rounded up to the end of the fourth transaction; the newest transaction first
    assert sorted(row.entry_id for row in first.rows) == list(range(9801, 10001))
    assert [row.entry_id for row in first.rows[:51]] == [*range(9951, 10001), 9901]
    second = audit_page(administrator, before_id=first.next_before_id, limit=195)
    assert max(row.entry_id for row in second.rows) == 9800
    filtered = audit_page(administrator, AuditFilter(actor="n.nurse", since=dt.date(2026, 1, 1)))
    assert len(filtered.rows) == 200
    assert took < 0.5, f"the first page of a 10,000-entry trail took {took:.2f} s"


def test_the_export_writes_what_is_shown_privately_and_is_audited(trail, tmp_path):
    administrator, nurse, _alex, _bea = trail
    shown = AuditFilter(patient="brown")
    path, written = export_audit_csv(administrator, shown, tmp_path / "audit-brown")
    assert path == tmp_path / "audit-brown.csv"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with path.open(encoding="utf-8", newline="") as file:
        header, *lines = list(csv.reader(file))
    assert header == ["When (local time)", "Who", "User name", "Patient", "What", "Reason"]
    assert written == len(lines) == 3
    assert [line[4] for line in lines] == [row.what for row in audit_rows(administrator, shown)]
    export = audit_rows(administrator, AuditFilter(kind="exports"))
    assert next(export).what == f"Exported the clinic's audit trail to {path.resolve()}: 3 lines"
    assert administrator.audit_entries()[-1].details["filters"] == {"patient": "brown"}
    with pytest.raises(Refusal):
        export_audit_csv(nurse, shown, tmp_path / "nurse.csv")
    assert not (tmp_path / "nurse.csv").exists()
