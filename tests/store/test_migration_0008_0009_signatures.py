"""A visit signed before the safety check (revision 0008) or the CTCAE adverse-event answers (0009)
keeps its signature through the upgrade to head: its content digest is computed over what it was
signed with (the new columns are blank), so Clinic.signature_problems() is empty, and the visit, its
examination, its laboratory values (from 0008) and its adverse event read as they were."""

from __future__ import annotations

import pytest
from alembic import command
from people import TEST_PASSWORD, signed_in
from sample_data import TODAY

from pmsdesk.domain.permissions import Role
from pmsdesk.services.clinic import Clinic
from pmsdesk.store.database import Database, _alembic_config, current_revision, head_revision

EDSS = {f"edss.{name}": grade for name, grade in (
    ("edss", "3.5"), ("pyramidal", "2"), ("cerebellar", "1"), ("brainstem", "1"), ("sensory", "2"),
    ("bowel_bladder", "1"), ("visual", "0"), ("cerebral", "1"), ("ambulation", "0"))}
HEADACHE = {"term": "post_lp_headache", "onset_date": TODAY.isoformat(), "ctcae_grade": "1", "outcome": "recovered",
            "resolution_date": TODAY.isoformat()}
LABS = {"labs.sampled_on": TODAY.isoformat(), "labs.platelets": "240", "labs.wbc": "6.2", "labs.lymphocytes": "1.5"}


@pytest.mark.parametrize("before, extra", [("0007", {}), ("0008", LABS)], ids=["before-0008", "before-0009"])
def test_a_visit_signed_before_the_revision_keeps_its_signature_at_head(database, database_url, patient, before,
                                                                         extra):
    neurologist = Clinic(database, actor=signed_in(database, "dr-sign", Role.NEUROLOGIST, "Dr Sig Ner"),
                         today=lambda: TODAY)
    saved = neurologist.create_visit(patient.id, {"visit_date": TODAY.isoformat(), "kind": "follow_up",
                                                  "notes": "Stable", **EDSS, **extra, "adverse_events": [HEADACHE]})
    signed = neurologist.sign_visit(saved.visit.id, saved.visit.version, password=TEST_PASSWORD)
    was = neurologist.visit_record(signed.id)
    with database.engine.begin() as connection:  # the schema the older pmsdesk signed with
        command.downgrade(_alembic_config(connection), before)
    assert current_revision(database.engine) == before
    database.close()

    reopened = Database.open(database_url)  # upgraded to head on opening
    try:
        assert current_revision(reopened.engine) == head_revision()
        clinic = Clinic(reopened, actor=signed_in(reopened, "dr-sign", Role.NEUROLOGIST), today=lambda: TODAY)
        assert clinic.signature_problems() == []
        assert clinic.signature_holds(signed.id)
        now = clinic.visit_record(signed.id)
        assert now.visit.status == "signed" and now.visit.signature_digest == signed.signature_digest
        assert now.form_values() == was.form_values()
        [event] = now.adverse_events
        assert (event.term, event.ctcae_grade, event.related_procedure, event.related_drug) == (
            "post_lp_headache", 1, None, None)
    finally:
        reopened.close()
