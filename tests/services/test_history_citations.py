"""What a person reads about a computed EDSS cites the published sources, never a section of the
project's own notes: the visit history names the rule set by its label while the database keeps the
rule set's stored key unchanged (old records hold it)."""

from __future__ import annotations

import re

from sample_data import PATIENT, TODAY

from pmsdesk.domain.permissions import Actor, Role
from pmsdesk.domain.scoring.edss import RULESET_VERSION, FunctionalSystemScores, compute_edss
from pmsdesk.services.clinic import Clinic

INTERNAL_CITATION = re.compile(r"\bspec \d|\bS\d{1,2}\b|\bD[1-5]\b")
EXAMINED = {"visit_date": "2026-03-02", "kind": "assessment", "edss.edss": "2.0",
            **{f"edss.fs_{fs}": "0" for fs in ("visual", "brainstem", "cerebellar", "sensory", "bowel_bladder",
                                               "cerebral")},
            "edss.fs_pyramidal": "2", "edss.ambulation": "0"}


def test_the_history_names_the_rule_set_and_the_stored_key_is_kept(database):
    neurologist = Clinic(database, actor=Actor("d.neuro", Role.NEUROLOGIST), today=lambda: TODAY)
    patient = neurologist.create_patient(PATIENT)
    record = neurologist.create_visit(patient.id, EXAMINED)
    assert record.assessments["edss"].computed_rules == RULESET_VERSION  # stored as before

    [recorded] = [line for line in neurologist.visit_history_lines(record.visit.id) if "Recorded EDSS" in line]
    assert recorded.endswith("EDSS computed from the functional systems 2.0, "
                             "EDSS suggestion computed by pmsdesk rules v1"), recorded
    assert not INTERNAL_CITATION.search(recorded)


def test_the_explanation_and_warnings_of_a_computed_step_cite_the_published_calculators():
    def computed(**grades):
        return compute_edss(FunctionalSystemScores(**{"visual": 0, "brainstem": 0, "pyramidal": 0, "cerebellar": 0,
                                                      "sensory": 0, "bowel_bladder": 0, "cerebral": 0,
                                                      "ambulation": 0, **grades}))

    one_fs_4 = computed(pyramidal=4, brainstem=2)  # one FS 4 with FS 2 and no FS 3
    cerebral_1 = computed(cerebral=1)  # 1.0 as counted, 0 after Kurtzke's exception
    text = "\n".join(one_fs_4.explain() + cerebral_1.explain())
    assert not INTERNAL_CITATION.search(text), text
    assert ("Rule set: pmsdesk rules v1, the procedure of the open-source EDSS calculators adobrasinovic/edss "
            "and atiweb/edss-in-php, which follow the Neurostatus-EDSS scoring (Kappos) and Kurtzke 1983.") in text
    assert one_fs_4.warnings == ("published calculators disagree for this FS pattern: one FS 4 with FS 2 and no "
                                 "FS 3 is 4.5 here (adobrasinovic/edss and atiweb/edss-in-php), 4.0 in "
                                 "jirimotyl/edss (EDSScalculator); check against the Neurostatus table",)
    assert cerebral_1.warnings == ("published calculators disagree on Cerebral grade 1: 1.0 with the current "
                                   "setting, 0.0 if it were treated as 0 (Kurtzke 1983, jirimotyl/edss "
                                   "(EDSScalculator))",)
