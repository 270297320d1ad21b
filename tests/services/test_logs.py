"""pmsdesk's log is private and never holds a patient's name or a clinical value, even at DEBUG and
with SQLAlchemy's statement logging switched on."""

from __future__ import annotations

import logging
import re
import stat

import pytest
from sample_data import TODAY

from pmsdesk.logs import LOG_DIR_VARIABLE, configure_logging
from pmsdesk.services.accounts import Accounts, SignInRefused
from pmsdesk.services.clinic import Clinic
from pmsdesk.services.demo import fill_demo_clinic
from pmsdesk.store.backup import backup_if_due

MARKED_PATIENT = {
    "clinic_id": "ZQ-7781", "family_name": "Quillfeather", "given_names": "Ottoline", "birth_date": "1966-07-21",
    "sex": "female", "phenotype": "PPMS", "notes": "Prefers morning appointments",
}
MARKED_VISIT = {
    "visit_date": "2026-04-14", "kind": "assessment", "edss.edss": "6.5", "t25fw.trial1_s": "13.37",
    "t25fw.trial2_s": "14.63", "sdmt.score": "37", "six_minute_walk.distance_m": "943",
    "notes": "Complained of tingling in the left foot",
}


@pytest.fixture
def log_file(tmp_path, monkeypatch):
    monkeypatch.setenv(LOG_DIR_VARIABLE, str(tmp_path / "logs"))
    path = configure_logging("DEBUG")
    sql_logger = logging.getLogger("sqlalchemy.engine")
    monkeypatch.setattr(sql_logger, "level", logging.INFO)  # someone switched SQL logging on
    yield path
    pmsdesk_logger = logging.getLogger("pmsdesk")
    for handler in list(pmsdesk_logger.handlers):
        pmsdesk_logger.removeHandler(handler)
        handler.close()


def test_a_working_day_leaves_no_name_or_clinical_value_in_the_log(log_file, database, db_path):
    clinic = Clinic(database, today=lambda: TODAY)
    # first: the demo clinic makes its (fictional) staff accounts, and then only an administrator makes more
    Accounts(database).create_first_administrator("a.admin", "Ada Admin", "a long enough password")
    fill_demo_clinic(clinic, patients=3)
    patient = clinic.create_patient(MARKED_PATIENT)
    record = clinic.create_visit(patient.id, MARKED_VISIT)
    clinic.update_visit(record.visit.id, record.visit.version, {**record.form_values(), "sdmt.score": "41"})
    with pytest.raises(SignInRefused):
        Accounts(database).sign_in("a.admin", "Quillfeather's wrong password")
    Accounts(database).sign_in("a.admin", "a long enough password")
    backup_if_due(db_path, keep_days=14)

    text = log_file.read_text()
    assert "audit:" in text and "signed in" in text and "backup written" in text  # it does log
    names = {value for p in clinic.find_patients() for value in (p.family_name, p.given_names)}
    secrets = names | {"ZQ-7781", "Prefers morning", "tingling", "13.37", "14.63", "943", "Quillfeather",
                       "1966-07-21", "a long enough password"}
    # A number counts as leaked only standing alone, not inside another (SQLAlchemy logs "cached since 1.287s").
    leaked = [secret for secret in secrets if re.search(rf"(?<![\d.]){re.escape(secret)}(?![\d.])", text)]
    assert len(names) >= 6 and leaked == []


def test_the_log_is_readable_by_this_user_only(log_file):
    logging.getLogger("pmsdesk.test").info("written")
    assert stat.S_IMODE(log_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(log_file.parent.stat().st_mode) == 0o700
