"""Tampering with the audit trail and the data, each done as someone holding the database file would:
sqlite3 on the file, triggers dropped first, hashes recomputed with the published algorithm
(SHA-256 of the canonical JSON, pmsdesk.domain.audit.entry_hash) since the key is not in the file.
Each one must be found and named by ``pmsdesk audit verify`` with a non-zero exit, as long as the
clinic's key or one checkpoint outside the database is out of the attacker's reach; the last tests
show what cannot be found (an attacker who has the key and every checkpoint)."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import zipfile

import pytest
from people import ensure_command_accounts, signed
from pdf_reading import pdf_text
from pypdf import PdfReader
from sample_data import PATIENT, TODAY

from pmsdesk.cli import main
from pmsdesk.domain.audit import GENESIS_HASH, canonical_json, entry_hash, entry_seal
from pmsdesk.domain.permissions import Actor, Role
from pmsdesk.services.accounts import Accounts
from pmsdesk.services.clinic import Clinic
from pmsdesk.store import audit_key, checkpoints
from pmsdesk.store.audit import AuditTrailDamaged
from pmsdesk.store.audit_key import CLINIC_SETTING, AuditKeyMissing
from pmsdesk.store.backup import make_backup
from pmsdesk.store.database import Database

NEUROLOGIST = Actor("d.neuro", Role.NEUROLOGIST, None, "Dr Dana Neuro")
VISIT = {
    "visit_date": "2026-03-02", "kind": "assessment", "edss.edss": "6.0", "sdmt.score": "48", "sdmt.modality": "oral",
    "adverse_events": [{"term": "back_pain", "onset_date": "2026-03-02", "ctcae_grade": "1"},
                       {"term": "fatigue", "onset_date": "2026-03-02", "ctcae_grade": "2"}],
}
TRIGGERS = ("audit_event_no_update", "audit_event_no_delete", "audit_head_no_delete")


@pytest.fixture(scope="module")
def original(tmp_path_factory):
    """A small clinic: three accounts, a patient, a visit by the neurologist with EDSS 6.0 and two
    adverse events, a later change. Made once; each test attacks its own copy."""
    path = tmp_path_factory.mktemp("original") / "clinic.sqlite3"
    database = Database.open(str(path))
    try:
        admin = Accounts(database).create_first_administrator("a.admin", "Ada Admin", "a long enough password")
        accounts = Accounts(database, actor=admin)
        accounts.create_user("n.nurse", "Nat Nurse", "nurse", "another long password")
        accounts.create_user("d.neuro", "Dana Neuro", "neurologist", "a third long password")
        clinic = Clinic(database, actor=NEUROLOGIST, today=lambda: TODAY)
        patient = clinic.create_patient(PATIENT)
        clinic.create_visit(patient.id, VISIT)
        clinic.save_relapse(patient.id, {"onset_date": "2019-05-01"})
        ensure_command_accounts(database)  # the commands' test accounts, there before any attack
    finally:
        database.close()
    return path


@pytest.fixture
def clinic_file(original, tmp_path, monkeypatch):
    """A copy of the clinic with a copy of its key (in a key folder of its own), as if made here."""
    copy = tmp_path / "clinic.sqlite3"
    shutil.copyfile(original, copy)
    keys = tmp_path / "keys"
    shutil.copytree(audit_key.key_folder(), keys, ignore=shutil.ignore_patterns("*.head"))
    monkeypatch.setenv(audit_key.KEY_DIR_VARIABLE, str(keys))
    key = clinic_key(copy)
    key.path.write_text(json.dumps({**json.loads(key.as_json()), "database": str(copy)}))
    checkpoints.witness(key, str(copy), *head(copy))  # this workstation's last save to it
    return copy


@pytest.fixture
def verify(capsys):
    """Run ``pmsdesk audit verify`` on a file; (exit status, what it printed)."""
    def run(path, *options):
        capsys.readouterr()
        status = main(signed(["audit", "verify", "--database", str(path), *options]))
        return status, capsys.readouterr().out
    return run


# ----- the attacker's tools: the file and the published algorithm, not the key -------------------------
def sql(path, *statements, parameters=()):
    connection = sqlite3.connect(path)
    try:
        for trigger in TRIGGERS:
            connection.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        for statement in statements:
            connection.execute(statement, parameters)
        connection.commit()
    finally:
        connection.close()


def entries(path) -> list[dict]:
    connection = sqlite3.connect(path)
    connection.row_factory = sqlite3.Row
    try:
        return [dict(row) for row in connection.execute("SELECT * FROM audit_event ORDER BY id")]
    finally:
        connection.close()


def rewrite_chain(path, rows: list[dict], *, start: int = 1, seal=entry_hash) -> None:
    """Replace the trail by ``rows``, renumbered, relinked and rehashed from entry ``start`` on (``seal``:
    the published SHA-256 by default; an attacker holding the key could pass its HMAC), with the head
    set to match. Entries before ``start`` are kept as they are."""
    previous = GENESIS_HASH
    for number, row in enumerate(rows, start=1):
        if number >= start:
            row.update(id=number, previous_hash=previous)
            row["entry_hash"] = seal(row)
        previous = row["entry_hash"]
    connection = sqlite3.connect(path)
    try:
        for trigger in TRIGGERS:
            connection.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        connection.execute("DELETE FROM audit_event")
        if rows:
            columns = list(rows[0])
            connection.executemany(f"INSERT INTO audit_event ({', '.join(columns)}) VALUES "
                                   f"({', '.join('?' for _ in columns)})", [[row[c] for c in columns] for row in rows])
        connection.execute("UPDATE audit_head SET last_id = ?, last_hash = ?", (len(rows), previous))
        connection.commit()
    finally:
        connection.close()


def head(path) -> tuple[int, str]:
    connection = sqlite3.connect(path)
    try:
        return connection.execute("SELECT last_id, last_hash FROM audit_head").fetchone()
    finally:
        connection.close()


def clinic_key(path) -> audit_key.AuditKey:
    connection = sqlite3.connect(path)
    try:
        (named,) = connection.execute("SELECT value FROM setting WHERE key = ?", (CLINIC_SETTING,)).fetchone()
    finally:
        connection.close()
    return audit_key.load(named)


def save_a_relapse(path) -> None:
    """A save through pmsdesk, as the clinic makes every day."""
    database = Database.open(str(path))
    try:
        Clinic(database, today=lambda: TODAY).save_relapse(1, {"onset_date": "2020-02-01"})
    finally:
        database.close()


def forget_last_save(path) -> None:
    """Remove this workstation's record of its last save (the case where only other checkpoints remain)."""
    for found in clinic_key(path).path.parent.glob("*.head"):
        found.unlink()


# ----- the trail -------------------------------------------------------------------------------------
def change_an_entry(path):
    sql(path, "UPDATE audit_event SET after = replace(after, '6.0', '4.0') WHERE table_name = 'edss_assessment'")


def change_an_entry_and_rechain(path):
    rows = entries(path)
    (edss,) = [row for row in rows if row["table_name"] == "edss_assessment"]
    edss["after"] = edss["after"].replace("6.0", "4.0")
    rewrite_chain(path, rows, start=edss["id"])


def insert_an_entry(path):
    rows = entries(path)
    forged = {**rows[3], "kind": "update", "table_name": "user_account", "row_key": "2", "before": '{"role":"nurse"}',
              "after": '{"role":"neurologist"}', "reason": None}
    rewrite_chain(path, [*rows[:4], forged, *rows[4:]], start=5)


def delete_an_entry(path):
    sql(path, "DELETE FROM audit_event WHERE id = 5")


def delete_an_entry_and_rechain(path):
    rows = entries(path)
    rewrite_chain(path, [*rows[:4], *rows[5:]], start=5)


def rechain_everything(path):
    rewrite_chain(path, entries(path))


def forge_an_append(path):
    rows = entries(path)
    forged = {**rows[-1], "kind": "amend", "table_name": "visit", "row_key": "1", "before": None, "after": None,
              "reason": "corrected", "details": canonical_json({"fields": ["edss"]})}
    rewrite_chain(path, [*rows, forged], start=len(rows) + 1)


def cut_the_tail_and_reset_the_head(path):
    rows = entries(path)
    rewrite_chain(path, rows[:-3], start=len(rows))  # the kept entries untouched


def wipe_the_trail(path):
    rewrite_chain(path, [])


@pytest.mark.parametrize(("attack", "entry", "named"), [
    (change_an_entry, "edss", "changed after it was written"),
    (change_an_entry_and_rechain, "edss", "written by someone without the key"),
    (insert_an_entry, 5, "written by someone without the key"),
    (delete_an_entry, 5, "entry 5 is missing"),
    (delete_an_entry_and_rechain, 5, "written by someone without the key"),
    (rechain_everything, 1, "written by someone without the key"),
    (forge_an_append, "last+1", "written by someone without the key"),
    (cut_the_tail_and_reset_the_head, "last-2", "entries were cut off the end"),
    (wipe_the_trail, 1, "the trail was wiped"),
])
def test_each_change_to_the_trail_is_found_at_its_entry(clinic_file, verify, attack, entry, named):
    rows = entries(clinic_file)
    first = {"edss": next((row["id"] for row in rows if row["table_name"] == "edss_assessment"), None),
             "last+1": len(rows) + 1, "last-2": len(rows) - 2}.get(entry, entry)
    attack(clinic_file)
    status, out = verify(clinic_file)
    assert status == 1, out
    assert out.startswith(f"Audit trail BROKEN at entry {first}:") and named in out, out


def test_a_trail_wiped_with_the_setting_naming_its_key_is_found_by_the_key_made_for_that_place(
        clinic, patient, db_path, verify):
    ensure_command_accounts(clinic.db)  # audit verify's administrator, there before the attack
    rewrite_chain(db_path, [])
    sql(db_path, "DELETE FROM setting WHERE key = ?", parameters=(CLINIC_SETTING,))
    status, out = verify(db_path)
    assert status == 1 and "this database names no clinic key, but this workstation made the key of clinic" in out
    assert "the audit trail was wiped or replaced" in out


def test_a_cut_tail_is_found_by_a_backup_or_a_printed_checkpoint_when_nothing_else_remains(clinic_file, verify):
    rows = entries(clinic_file)
    backup = make_backup(clinic_file)
    printed = f"{len(rows)}:{rows[-1]['entry_hash'][:16]}"
    forget_last_save(clinic_file)
    cut_the_tail_and_reset_the_head(clinic_file)

    status, out = verify(clinic_file)
    assert status == 1 and f"but the backup {backup.name} recorded entry {len(rows)}" in out, out
    backup.unlink()
    status, out = verify(clinic_file)  # the chain alone holds, but rows the lost entries described remain
    assert status == 1 and "Audit trail intact" in out and "the audit trail has no entry for it" in out, out
    status, out = verify(clinic_file, "--checkpoint", printed)
    assert status == 1 and f"--checkpoint {printed} recorded entry {len(rows)}: entries were cut off" in out, out


def test_reports_and_archives_carry_the_checkpoint_they_were_made_at(clinic_file, tmp_path, verify):
    summary, archive, bundle = tmp_path / "summary.pdf", tmp_path / "clinic.zip", tmp_path / "bundle.json"
    last_id, _ = head(clinic_file)
    assert main(signed(["report", "1", "-o", str(summary), "--database", str(clinic_file)])) == 0
    assert main(signed(["export", "--format", "archive", "-o", str(archive), "--database", str(clinic_file)])) == 0
    assert main(signed(["export", "--format", "fhir", "-o", str(bundle), "--database", str(clinic_file)])) == 0
    # each command signs in first (an entry), then writes its file at that checkpoint, then its own entry
    rows = entries(clinic_file)
    report_sign_in, reported, export_sign_in, exported, fhir_sign_in = rows[last_id:last_id + 5]
    assert [r["kind"] for r in (report_sign_in, reported, export_sign_in, exported, fhir_sign_in)] == [
        "sign_in", "report", "sign_in", "export", "sign_in"]
    reader = PdfReader(summary)
    at, hashed = report_sign_in["id"], report_sign_in["entry_hash"]
    assert reader.metadata["/Keywords"] == f"pmsdesk audit checkpoint {at}:{hashed}"
    assert f"audit checkpoint {at}:{hashed[:16]}" in pdf_text(summary.read_bytes())
    with zipfile.ZipFile(archive) as opened:
        exported_at = json.loads(opened.read("manifest.json"))["audit_checkpoint"]
    assert exported_at == f"{export_sign_in['id']}:{export_sign_in['entry_hash']}"
    (tag,) = json.loads(bundle.read_text())["meta"]["tag"]
    assert tag["code"] == f"{fhir_sign_in['id']}:{fhir_sign_in['entry_hash']}"
    status, out = verify(clinic_file, *(f"--checkpoint={path}" for path in (summary, archive, bundle)))
    assert status == 0 and out.count("--checkpoint") == 3, out

    forget_last_save(clinic_file)
    rows = entries(clinic_file)
    rewrite_chain(clinic_file, rows[:last_id], start=last_id + 1)
    status, out = verify(clinic_file, "--checkpoint", str(summary))
    assert status == 1 and f"but --checkpoint {summary} recorded entry {last_id + 1}: entries were cut off" in out, out



def test_csv_and_msprog_exports_carry_their_checkpoint_in_a_file_beside_them(clinic_file, tmp_path, verify):
    """A comment line would break R, pandas and msprog reading these files: the checkpoint goes beside the
    CSV (``clinic.csv.checkpoint``) and into the msprog folder (``pmsdesk.checkpoint``)."""
    tidy, folder = tmp_path / "clinic.csv", tmp_path / "msprog"
    last_id, _ = head(clinic_file)
    assert main(signed(["export", "--format", "csv", "-o", str(tidy), "--database", str(clinic_file)])) == 0
    assert main(signed(["export", "--format", "msprog", "-o", str(folder), "--database", str(clinic_file)])) == 0
    csv_sign_in, _exported, msprog_sign_in = entries(clinic_file)[last_id:last_id + 3]
    carried = json.loads((tmp_path / "clinic.csv.checkpoint").read_text())
    assert carried["audit_checkpoint"] == f"{csv_sign_in['id']}:{csv_sign_in['entry_hash']}"
    assert (carried["format"], carried["files"]) == ("csv", ["clinic.csv"])
    assert tidy.read_text().startswith("clinic_id,visit_date,")  # the CSV itself is untouched
    carried = json.loads((folder / "pmsdesk.checkpoint").read_text())
    assert carried["audit_checkpoint"] == f"{msprog_sign_in['id']}:{msprog_sign_in['entry_hash']}"
    assert "edss.csv" in carried["files"] and "relapses.csv" in carried["files"]
    status, out = verify(clinic_file, "--checkpoint", str(tidy), "--checkpoint", str(folder),
                         "--checkpoint", str(tmp_path / "clinic.csv.checkpoint"))
    assert status == 0 and out.count("--checkpoint") == 3, out

    forget_last_save(clinic_file)  # the attacker removes this workstation's record, cuts the tail, re-chains it
    rows = entries(clinic_file)
    rewrite_chain(clinic_file, rows[:last_id], start=last_id + 1)
    for export in (tidy, folder):
        status, out = verify(clinic_file, "--checkpoint", str(export))
        assert status == 1 and f"but --checkpoint {export} recorded entry" in out and "entries were cut off" in out, out
    rechain_everything(clinic_file)
    status, out = verify(clinic_file, "--checkpoint", str(tidy))
    assert status == 1 and "BROKEN at entry 1" in out, out


def test_a_checkpoint_file_that_is_not_there_is_refused_in_one_line(clinic_file, tmp_path, capsys):
    lone = tmp_path / "someone-elses.csv"
    lone.write_text("clinic_id,visit_date\n")
    assert main(signed(["audit", "verify", "--checkpoint", str(lone), "--database", str(clinic_file)])) == 2
    assert f"--checkpoint {lone}: this carries no audit checkpoint" in capsys.readouterr().err


def test_a_restore_keeps_verifying_and_a_backup_kept_elsewhere_is_a_checkpoint(clinic_file, tmp_path, verify):
    kept = tmp_path / "kept-elsewhere.sqlite3"
    assert main(signed(["backup", "-o", str(kept), "--database", str(clinic_file)])) == 0
    save_a_relapse(clinic_file)
    # Putting the copy back replaces later history: the checkpoints of that history no longer count.
    assert main(signed(["restore", str(kept), "--database", str(clinic_file)])) == 0
    status, out = verify(clinic_file, "--checkpoint", str(kept))
    assert status == 0 and f"--checkpoint {kept}" in out, out

    forget_last_save(clinic_file)
    rows = entries(clinic_file)
    rewrite_chain(clinic_file, rows[:-2], start=len(rows))  # the restore entry and the backup's last one cut
    status, out = verify(clinic_file, "--checkpoint", str(kept))
    assert status == 1 and f"but --checkpoint {kept} recorded entry {len(rows) - 1}: entries were cut off" in out, out


def test_a_chosen_witness_file_gets_every_save_and_finds_a_rewrite(clinic_file, tmp_path, verify, capsys):
    witness = tmp_path / "elsewhere" / "witness.txt"
    witness.parent.mkdir()
    assert main(signed(["audit", "witness", str(witness), "--database", str(clinic_file)])) == 0
    save_a_relapse(clinic_file)
    lines = witness.read_text().splitlines()
    assert len(lines) == 2 and lines[-1].startswith(f"{head(clinic_file)[0]}:{head(clinic_file)[1]} ")
    assert oct(witness.stat().st_mode & 0o777) == "0o600"
    status, out = verify(clinic_file)
    assert status == 0 and "the witness file" in out

    forget_last_save(clinic_file)
    cut_the_tail_and_reset_the_head(clinic_file)
    status, out = verify(clinic_file)
    assert status == 1 and f"but the witness file {witness} recorded entry" in out, out


def test_without_the_key_a_rewrite_is_still_found_by_a_checkpoint(clinic_file, verify, monkeypatch, tmp_path):
    make_backup(clinic_file)
    monkeypatch.setenv(audit_key.KEY_DIR_VARIABLE, str(tmp_path / "no-keys-here"))
    status, out = verify(clinic_file)
    assert status == 3 and "does not have, so only the links between entries and the checkpoints" in out, out

    rechain_everything(clinic_file)
    status, out = verify(clinic_file)
    assert status == 1 and "its hash differs from the checkpoint in the backup" in out, out


# ----- the data --------------------------------------------------------------------------------------
@pytest.mark.parametrize(("statement", "named"), [
    ("UPDATE edss_assessment SET edss = 9.5",
     "edss_assessment row 1: field edss: the trail says 6.0, the table holds 9.5"),
    ("UPDATE visit SET status = 'signed', signed_by = 3, signed_at = '2026-03-02 12:00:00.000000'",
     'visit row 1: field status: the trail says "draft", the table holds "signed"'),
    ("DELETE FROM adverse_event", "adverse_event row 1: the audit trail says it exists, but it is not in the table"),
    ("UPDATE user_account SET role = 'neurologist' WHERE username = 'n.nurse'",
     'user_account row 2: field role: the trail says "nurse", the table holds "neurologist"'),
    ("UPDATE user_account SET password_hash = (SELECT password_hash FROM user_account WHERE username = 'a.admin') "
     "WHERE username = 'd.neuro'", "user_account row 3: field password_hash: the trail says \"(hidden) sha256:"),
    ("INSERT INTO relapse (patient_id, onset_date, created_at, updated_at, version) "
     "VALUES (1, '2021-01-01', '2021-01-01', '2021-01-01', 1)",
     "relapse row 2: it is in the table but the audit trail has no entry for it"),
])
def test_each_direct_edit_of_the_data_is_named_with_its_row_and_field(clinic_file, verify, statement, named):
    assert verify(clinic_file)[0] == 0
    sql(clinic_file, statement)
    status, out = verify(clinic_file)
    assert status == 1 and "Audit trail intact" in out and f"Data DIFFERS from the audit trail: {named}" in out, out


def test_an_overview_row_changed_in_the_file_is_named(clinic_file, verify):
    status, out = verify(clinic_file)
    assert status == 0 and "Clinic overview rows match the record" in out, out
    sql(clinic_file, """UPDATE patient_overview SET row = replace(row, '"status": "', '"status": "stable, not ')""")
    status, out = verify(clinic_file)
    assert status == 1 and "Data matches the audit trail" in out, out  # the rows are derived: not in the trail
    assert "Clinic overview rows DO NOT MATCH the record for 1 patient (patient ids 1)" in out, out


def test_verify_runs_as_a_real_command(clinic_file):
    sql(clinic_file, "UPDATE edss_assessment SET edss = 9.5")
    done = subprocess.run([sys.executable, "-m", "pmsdesk",
                           *signed(["audit", "verify", "--database", str(clinic_file)])],
                          capture_output=True, text=True, timeout=60, env=os.environ.copy())
    assert done.returncode == 1 and "field edss: the trail says 6.0, the table holds 9.5" in done.stdout, done



# ----- signatures --------------------------------------------------------------------------------------
SIGNED_VISIT = {"visit_date": "2026-04-06", "kind": "assessment", "edss.edss": "6.5"}
SIGNATURE_COLUMNS = ("status", "signed_by", "signed_at", "signed_name", "signature_meaning", "signature_digest")


def sign_a_visit(path) -> int:
    """The neurologist records a second visit and signs it through pmsdesk, password re-entered; its id."""
    database = Database.open(str(path))
    try:
        neurologist = Clinic(database, actor=Accounts(database).sign_in("d.neuro", "a third long password"),
                             today=lambda: TODAY)
        saved = neurologist.create_visit(1, SIGNED_VISIT)
        return neurologist.sign_visit(saved.visit.id, saved.visit.version, password="a third long password").id
    finally:
        database.close()


def published_digest(path, visit_id: int, **signature) -> str:
    """The signature digest an attacker computes for ``visit_id`` as it would be with ``signature`` set,
    with pmsdesk's own (published) SHA-256 over the visit's content: no key is needed for it."""
    database = Database.open(str(path))
    try:
        clinic = Clinic(database)
        with database.reading() as session:
            from pmsdesk.store.tables import Visit

            visit = session.get(Visit, visit_id)
            for name, value in signature.items():
                setattr(visit, name, value)
            digest = clinic._content_digest(session, visit)
            session.rollback()
        return digest
    finally:
        database.close()


def copy_the_signature_to_visit_1(path, signed: int) -> None:
    sql(path, f"UPDATE visit SET ({', '.join(SIGNATURE_COLUMNS)}) = (SELECT {', '.join(SIGNATURE_COLUMNS)} "
              f"FROM visit WHERE id = {signed}) WHERE id = 1")


def forge_a_signature_on_visit_1(path, signed: int) -> None:
    """Visit 1 marked signed by the neurologist, with the digest its content would have: it holds by itself."""
    when = dt.datetime(2026, 3, 2, 12, 0, 0)
    digest = published_digest(path, 1, signed_by=3, signed_name="Dana Neuro", signed_at=when,
                              signature_meaning="reviewed_and_approved")
    sql(path, "UPDATE visit SET status = 'signed', signed_by = 3, signed_name = 'Dana Neuro', signed_at = ?, "
              "signature_meaning = 'reviewed_and_approved', signature_digest = ? WHERE id = 1",
        parameters=(when.isoformat(sep=" "), digest))


def change_the_signed_visit_and_rechain(path, signed: int) -> None:
    """EDSS 6.5 of the signed visit made 9.5 in its table and in its entry, the chain recomputed from there
    with the published SHA-256 (the key is not in the file)."""
    sql(path, f"UPDATE edss_assessment SET edss = 9.5 WHERE visit_id = {signed}")
    rows = entries(path)
    (edss,) = [row for row in rows if row["table_name"] == "edss_assessment" and row["visit_id"] == signed]
    edss["after"] = edss["after"].replace("6.5", "9.5")
    rewrite_chain(path, rows, start=edss["id"])


def change_the_signed_visit_and_its_digest(path, signed: int) -> None:
    """The same change, and the visit's digest recomputed to match its new content."""
    sql(path, f"UPDATE edss_assessment SET edss = 9.5 WHERE visit_id = {signed}")
    sql(path, "UPDATE visit SET signature_digest = ? WHERE id = ?",
        parameters=(published_digest(path, signed), signed))


def remove_the_signature(path, signed: int) -> None:
    sql(path, "UPDATE visit SET status = 'draft', signed_by = NULL, signed_at = NULL, signed_name = NULL, "
              f"signature_meaning = NULL, signature_digest = NULL WHERE id = {signed}")


@pytest.mark.parametrize(("attack", "visit", "named"), [
    (copy_the_signature_to_visit_1, 1,
     ["visit 1 (patient 1, signed by Dana Neuro): signature does not hold: its content or its signature is not what "
      "was signed", "the table holds it signed, but the audit trail has no signature of it that stands"]),
    (forge_a_signature_on_visit_1, 1,
     ["visit 1: signature does not hold: the table holds it signed, but the audit trail has no signature of it"]),
    (change_the_signed_visit_and_rechain, "signed",
     ["(patient 1, signed by Dana Neuro): signature does not hold: its content or its signature is not what was "
      "signed (changed after signing"]),
    (change_the_signed_visit_and_its_digest, "signed",
     ["signature does not hold: its signature digest", "is not the", "the audit trail recorded when Dana Neuro "
      "signed it"]),
    (remove_the_signature, "signed",
     ["signature does not hold: the audit trail says Dana Neuro signed it and no amendment voided that, but the "
      "table holds it unsigned"]),
])
def test_each_signature_forged_copied_outlived_or_removed_is_named_with_its_visit_and_signer(
        clinic_file, verify, attack, visit, named):
    signed = sign_a_visit(clinic_file)
    status, out = verify(clinic_file)
    assert status == 0 and "Signatures hold: 1 signed visit checked against their content and the audit trail" in out
    attack(clinic_file, signed)
    status, out = verify(clinic_file)
    visit = signed if visit == "signed" else visit
    assert status == 1 and "Signatures DO NOT HOLD on 1 visit:" in out, out
    (line,) = [line for line in out.splitlines() if line.startswith(f"  visit {visit}")]
    assert all(part in line for part in named), out


# ----- what cannot be found ----------------------------------------------------------------------------
def test_someone_with_the_key_and_every_checkpoint_can_rewrite_unseen(clinic_file, verify):
    """The documented limit: the key file and this workstation's last save are in the attacker's hands
    and no backup, witness or printed checkpoint is out of reach."""
    key = clinic_key(clinic_file)
    rows = entries(clinic_file)
    (edss,) = [row for row in rows if row["table_name"] == "edss_assessment"]
    edss["after"] = edss["after"].replace("6.0", "9.5")
    rewrite_chain(clinic_file, rows, seal=lambda row: entry_seal(row, key.secret))
    sql(clinic_file, "UPDATE edss_assessment SET edss = 9.5")
    first = rows[key.sealed_from - 1]["entry_hash"]
    key.path.write_text(json.dumps({**json.loads(key.as_json()), "first_seal": first}))
    forget_last_save(clinic_file)
    assert verify(clinic_file)[0] == 0


# ----- the key ------------------------------------------------------------------------------------------
def test_the_key_is_private_outside_the_database_and_needed_to_write(clinic_file, monkeypatch, tmp_path):
    key = clinic_key(clinic_file)
    assert oct(key.path.stat().st_mode & 0o777) == "0o600"
    assert oct(key.path.parent.stat().st_mode & 0o777) == "0o700"
    assert key.secret.hex() not in clinic_file.read_bytes().hex()
    monkeypatch.setenv(audit_key.KEY_DIR_VARIABLE, str(tmp_path / "another-workstation"))
    with pytest.raises(AuditKeyMissing, match="no audit key for this clinic"):
        save_a_relapse(clinic_file)


def test_a_trail_from_before_keys_keeps_verifying_and_is_sealed_from_its_next_entry_on(clinic_file, verify):
    """A database written before keys existed (schema 0005: plain SHA-256, no clinic id) verifies as it
    is; its next write makes the key; the keyed entries then protect the plain ones before them."""
    key = clinic_key(clinic_file)
    forget_last_save(clinic_file)
    key.path.unlink()
    rechain_everything(clinic_file)
    sql(clinic_file, "DELETE FROM setting WHERE key = ?", parameters=(CLINIC_SETTING,))
    plain = len(entries(clinic_file))
    status, out = verify(clinic_file)
    assert status == 0 and "no clinic key yet" in out, out

    save_a_relapse(clinic_file)
    assert clinic_key(clinic_file).sealed_from == plain + 1
    status, out = verify(clinic_file)
    assert status == 0 and f"sealed with the clinic's key from entry {plain + 1}" in out, out

    rows = entries(clinic_file)
    rows[1]["reason"] = "rewritten"
    rewrite_chain(clinic_file, rows[:plain], start=2)  # the plain part recomputed; the first keyed entry kept
    first_keyed = rows[plain]
    sql(clinic_file, f"INSERT INTO audit_event ({', '.join(first_keyed)}) VALUES ({', '.join('?' * len(first_keyed))})",
        parameters=tuple(first_keyed.values()))
    status, out = verify(clinic_file)
    assert status == 1 and f"BROKEN at entry {plain + 1}: it does not link to entry {plain}" in out, out


def test_a_head_moved_back_behind_stored_entries_refuses_every_save_in_one_line(clinic_file):
    last_id, _ = head(clinic_file)
    earlier = entries(clinic_file)[last_id - 3]
    sql(clinic_file, "UPDATE audit_head SET last_id = ?, last_hash = ?", parameters=(earlier["id"], earlier["entry_hash"]))
    with pytest.raises(AuditTrailDamaged, match=f"head says entry {earlier['id']} is the last, but later entries"):
        save_a_relapse(clinic_file)
    assert head(clinic_file) == (earlier["id"], earlier["entry_hash"])  # nothing was written
