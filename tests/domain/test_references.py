"""The reference cohort library: the shipped file's content, the queries the plots use, and the
validation that turns a broken clinic file into a clear start-up error."""

from __future__ import annotations

import copy
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from pmsdesk.domain.comparators import PatientProfile, Role, comparators_for
from pmsdesk.domain.references import (
    Arm,
    Measure,
    ReferenceFileError,
    SignConvention,
    SourceType,
    ValueKind,
    load_reference_library,
    shipped_reference_file,
)
from pmsdesk.domain.vocab import Phenotype

SHARED_COHORTS = Path(__file__).resolve().parents[3] / "shared" / "reference-cohorts" / "cohorts.json"

SEED_IDS = {
    "kolb2025_itmtx_phase1",  # intrathecal methotrexate phase 1
    "stark2019_itmtx_longterm",  # long-term ITMTX series
    "sadiq2010_itmtx",  # first ITMTX series from the same centre
    "harris2024_mscnp_phase2",  # MSC-NP phase 2
    "harris2018_mscnp_phase1",
    "smartms_kvistad",  # SMART-MS
}


@pytest.fixture(scope="module")
def library():
    return load_reference_library()


def clinic_document() -> dict:
    """A minimal valid clinic file: one cohort, one proportion."""
    return {
        "format": "pmsdesk.reference-cohorts",
        "format_version": 1,
        "data_version": "2026.1",
        "cohorts": [{
            "id": "clinic_itmtx_2020_2025",
            "name": "Our clinic's ITMTX patients 2020-2025",
            "short_name": "Clinic ITMTX",
            "seed": False,
            "category": "clinic_cohort",
            "citation": {"authors": "MS clinic audit team", "title": "Internal audit of ITMTX 2020-2025", "year": 2025},
            "design": "Retrospective audit of all patients treated at the clinic.",
            "population": {"n": 40, "phenotypes": ["SPMS"]},
            "treatment": {"description": "ITMTX 12.5 mg every 3 months", "agent": "it_methotrexate",
                          "routes": ["intrathecal"]},
            "sources": [{"what": "clinic audit spreadsheet, March 2025"}],
            "values": [{
                "measure": "edss",
                "kind": "proportion_stable",
                "value": 0.75,
                "n": 40,
                "timepoint_months": 24,
                "timepoint_label": "2 years",
                "outcome": "had a stable EDSS",
                "group": "all",
                "arm": "active",
                "phenotype": "SPMS",
                "source": {"type": "clinic_records", "location": "audit sheet, column F", "verified": True},
            }],
        }],
    }


def write(tmp_path: Path, document: dict | str, name: str = "clinic.json") -> Path:
    path = tmp_path / name
    path.write_text(document if isinstance(document, str) else json.dumps(document, indent=1), encoding="utf-8")
    return path


# -- the shipped file ----------------------------------------------------------------------------

def test_shipped_file_declares_its_format_and_version():
    document = json.loads(shipped_reference_file().read_text(encoding="utf-8"))
    assert document["format"] == "pmsdesk.reference-cohorts"
    assert document["format_version"] == 1
    assert document["data_version"] and document["data_date"] == "2026-11-22"


def test_every_seed_cohort_is_present_and_intrathecal(library):
    seeds = {cohort.id: cohort for cohort in library.seed_cohorts()}
    assert set(seeds) == SEED_IDS
    assert all(cohort.treatment.routes == ("intrathecal",) for cohort in seeds.values())
    assert seeds["kolb2025_itmtx_phase1"].citation.registry_id == "NCT02644044"
    assert seeds["harris2024_mscnp_phase2"].citation.doi == "10.1186/s13287-024-03765-6"
    assert seeds["smartms_kvistad"].citation.registry_id == "NCT04749667"


def test_every_number_has_a_source_with_type_and_location(library):
    values = [value for cohort in library.cohorts for value in cohort.values]
    assert len(library.cohorts) == 27 and len(values) == 139
    for cohort in library.cohorts:
        assert cohort.sources, cohort.id
    for value in values:
        assert isinstance(value.source.type, SourceType)
        assert value.source.location.strip(), value
        assert value.source.url and value.source.verified, value


def test_every_kind_in_the_source_data_is_represented(library):
    kinds = Counter(value.kind for cohort in library.cohorts for value in cohort.values)
    assert kinds == {
        ValueKind.MEAN: 17, ValueKind.MEDIAN: 5, ValueKind.CENTRAL_VALUE_UNSPECIFIED: 2,
        ValueKind.MEAN_CHANGE: 10, ValueKind.MEDIAN_CHANGE: 6, ValueKind.MEAN_PERCENT_CHANGE: 19,
        ValueKind.BETWEEN_GROUP_DIFFERENCE: 3, ValueKind.PROPORTION_WORSENED: 28,
        ValueKind.PROPORTION_STABLE: 6, ValueKind.PROPORTION_IMPROVED: 8,
        ValueKind.PROPORTION_STABLE_OR_IMPROVED: 1, ValueKind.PROPORTION_WITH_EVENT: 10,
        ValueKind.PROPORTION_WITH_CHARACTERISTIC: 3, ValueKind.COUNT: 6, ValueKind.RATE_PER_YEAR: 3,
        ValueKind.MODEL_ESTIMATE: 2, ValueKind.QUALITATIVE: 10,
    }


def test_qualitative_findings_carry_text_and_no_number(library):
    kolb_edss = library.values_for("kolb2025_itmtx_phase1", Measure.EDSS)[0]
    assert kolb_edss.kind is ValueKind.QUALITATIVE and kolb_edss.value is None
    assert kolb_edss.finding == "no significant change in EDSS from baseline to 12 months"
    assert kolb_edss.timepoint_months == 12 and kolb_edss.n == 17


def test_mean_change_keeps_its_sd_and_percent_change_its_sign_convention(library):
    sham_edss = [v for v in library.values_for("petrou2020_itmsc_ivmsc_sham", "edss")
                 if v.arm is Arm.PLACEBO and v.kind is ValueKind.MEAN_CHANGE]
    assert [(v.timepoint_months, v.value, v.sd) for v in sham_edss] == [(3, 0.24, 0.4), (6, 0.3, 0.4)]
    harris_saline_walk = next(v for v in library.values_for("harris2024_mscnp_phase2", "t25fw")
                              if v.group.startswith("saline"))
    assert (harris_saline_walk.value, harris_saline_walk.sd) == (-54.4, 70.5)
    assert harris_saline_walk.sign_convention is SignConvention.POSITIVE_IS_BETTER  # % improvement
    oratorio_walk = next(v for v in library.values_for("oratorio_placebo", "t25fw") if v.arm is Arm.PLACEBO)
    assert oratorio_walk.value == 55.1 and oratorio_walk.sign_convention is SignConvention.POSITIVE_IS_WORSE


def test_nine_hole_peg_values_say_which_hand(library):
    hands = {(v.group, v.hand.value if v.hand else None) for v in library.values_for("petrou2020_itmsc_ivmsc_sham", "nhpt")}
    assert ("sham (placebo), dominant hand", "dominant") in hands
    assert ("sham (placebo), non-dominant hand", "non_dominant") in hands
    impact = {v.hand.value for v in library.values_for("impact_placebo_edssplus", "nhpt")}
    assert impact == {"either", "dominant", "non_dominant"}


def test_uncertain_citation_details_stay_flagged(library):
    oratorio = library.cohort("oratorio_placebo").citation
    assert oratorio.unconfirmed == ("doi",)
    assert "[Unconfirmed: doi; check before citing.]" in oratorio.text()
    assert "direction is our interpretation" in " ".join(library.cohort("stark2019_itmtx_longterm").caveats)


@pytest.mark.skipif(not SHARED_COHORTS.exists(), reason="../shared is only present in development and CI")
def test_every_number_was_read_in_the_shared_source_data(library):
    """No invented numbers: each figure in a value appears in the same cohort's shared records."""
    shared = {c["id"]: c for c in json.loads(SHARED_COHORTS.read_text(encoding="utf-8"))["cohorts"]}
    for cohort in library.cohorts:
        records = shared[cohort.id]["measures"]
        seen = {float(r["value"]) for r in records if r["value"] is not None}
        seen |= {float(r["n"]) for r in records if r["n"] is not None}
        text = " ".join(f"{r['source_location']} {r['note']}" for r in records)
        # a minus sign right after a digit is a range dash ("0.29-18.45"), not a negative number
        seen |= {float(x) for x in re.findall(r"(?<![\d.])-?\d+(?:\.\d+)?", text)}
        for value in cohort.values:
            figures = [value.value, value.sd, value.n, *(value.ci95 or ()), *(value.range or ()), *(value.iqr or ())]
            for figure in figures:
                if figure is not None:
                    assert float(figure) in seen, (cohort.id, value, figure)


# -- queries -------------------------------------------------------------------------------------

def test_cohorts_reporting_a_measure(library):
    assert [c.id for c in library.cohorts_reporting(Measure.SDMT)] == [
        "kolb2025_itmtx_phase1", "expand_placebo", "sprintms_placebo", "mssmart_placebo",
        "colato2021_spms_trial_baseline"]


def test_values_are_sorted_by_timepoint_with_undated_last(library):
    petrou = library.values_for("petrou2020_itmsc_ivmsc_sham", Measure.EDSS)
    assert [v.timepoint_months for v in petrou] == [0] + [3] * 6 + [6] * 6
    kolb = library.values_for("kolb2025_itmtx_phase1", Measure.EDSS)
    assert [v.timepoint_months for v in kolb] == [12, None, None]


def test_the_data_carries_what_fair_comparison_needs(library):
    """Phenotype, EDSS range, agent and arm type, read from the papers' entry criteria and arms."""
    harris = library.cohort("harris2024_mscnp_phase2")
    assert harris.population.edss_range == (3.0, 6.5) and harris.treatment.agent == "msc_np"
    subgroup = {v.group: v for v in harris.values_for(Measure.T25FW)}
    assert subgroup["saline, EDSS 6.0-6.5 subgroup"].edss_range == (6.0, 6.5)
    assert subgroup["saline, EDSS 6.0-6.5 subgroup"].arm is Arm.PLACEBO
    assert {library.cohort(c).treatment.agent for c in SEED_IDS} == {"it_methotrexate", "msc_np", "autologous_msc"}
    progressors = [v for v in library.cohort("impact_placebo_edssplus").values if v.selected_by_outcome]
    assert {v.group for v in progressors} == {"placebo, T25FW progressors only", "placebo, dominant-hand progressors only",
                                              "placebo, non-dominant-hand progressors only"}
    assert {v.agent for v in library.cohort("petrou2020_itmsc_ivmsc_sham").values if v.group.startswith("IV-MSC")} == {
        "intravenous autologous MSC"}
    # every cohort in the shipped file is of progressive MS and says which phenotypes
    assert all(set(c.population.phenotypes) & {Phenotype.PPMS, Phenotype.SPMS} for c in library.cohorts)


def test_short_statements_for_proportions_counts_and_findings(library):
    impact_walk = library.values_for("impact_placebo_edssplus", Measure.T25FW)[0]
    assert impact_walk.short_statement() == (
        "IMPACT placebo, SPMS: 41.9% had a 24-week confirmed 20% T25FW worsening by 2 years")
    kolb_edss = library.values_for("kolb2025_itmtx_phase1", Measure.EDSS)
    assert kolb_edss[0].short_statement() == (
        "Kolb 2025 ITMTX phase 1: no significant change in EDSS from baseline to 12 months (month 12)")
    assert kolb_edss[1].short_statement() == (
        "Kolb 2025 ITMTX phase 1 long-term follow-up subset: 70% had a stable EDSS at last follow-up, 2-9 y")
    harris = library.values_for("harris2018_mscnp_phase1", Measure.EDSS)
    assert harris[-1].short_statement() == (
        "Harris 2018 MSC-NP phase 1 all completing 2-y FU: 7 of 18 had sustained EDSS improvement "
        "by 2 years after third injection")
    msstat2 = library.values_for("msstat2", Measure.EDSS)[0]
    assert "about 40% had confirmed EDSS progression" in msstat2.short_statement()


def test_short_statement_for_a_mean_change_shows_spread(library):
    sham = [v for v in library.values_for("petrou2020_itmsc_ivmsc_sham", "t25fw") if v.arm is Arm.PLACEBO][0]
    assert sham.short_statement() == (
        "Petrou 2020 IT/IV-MSC sham (placebo): T25FW mean % change from baseline +14% "
        "(SD 25.4; positive = worse) at month 6")


def test_full_citation_text(library):
    assert library.cohort("sadiq2010_itmtx").citation.text() == (
        "Sadiq SA, Simon EV, Puccio LM. Intrathecal methotrexate treatment in multiple sclerosis. "
        "J Neurol 2010;257(11):1806-1811. doi:10.1007/s00415-010-5614-4. PMID 20532907.")


# -- clinic files and validation -----------------------------------------------------------------

def test_a_clinic_file_is_added_to_the_library(tmp_path):
    clinic = write(tmp_path, clinic_document())
    library = load_reference_library([clinic])
    assert library.files[-1] == clinic and len(library.cohorts) == 28
    cohort = library.cohort("clinic_itmtx_2020_2025")
    assert cohort.file == clinic and cohort.population.phenotypes == (Phenotype.SPMS,)
    (value,) = cohort.values
    assert value.source.type.is_primary
    assert value.short_statement() == "Clinic ITMTX, SPMS: 75% had a stable EDSS at 2 years"
    # the clinic's own ITMTX patients are a fair comparison for its SPMS patients on ITMTX
    own = PatientProfile(Phenotype.SPMS, 5.0, frozenset({"it_methotrexate"}))
    (arm,) = [c for c in comparators_for(library, own, "edss") if c.cohort is cohort]
    assert arm.default_on and arm.role is Role.OWN_TREATMENT


def test_a_cohort_id_already_shipped_is_refused(tmp_path):
    document = clinic_document()
    document["cohorts"][0]["id"] = "kolb2025_itmtx_phase1"
    clinic = write(tmp_path, document)
    with pytest.raises(ReferenceFileError) as caught:
        load_reference_library([clinic])
    message = str(caught.value)
    assert str(clinic) in message and str(shipped_reference_file()) in message
    assert "duplicate cohort id 'kolb2025_itmtx_phase1'" in message


def test_a_cohort_id_repeated_across_two_clinic_files_is_refused(tmp_path):
    first = write(tmp_path, clinic_document(), "first.json")
    second = write(tmp_path, clinic_document(), "second.json")
    with pytest.raises(ReferenceFileError, match="duplicate cohort id 'clinic_itmtx_2020_2025', already defined in .*first.json"):
        load_reference_library([first, second])


def _set(path: tuple, new_value):
    def change(document):
        target = document
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = new_value
    return change


def _delete(path: tuple):
    def change(document):
        target = document
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]
    return change


VALUE = ("cohorts", 0, "values", 0)

BROKEN_FILES = {
    "unknown kind": (_set(VALUE + ("kind",), "average"),
                     ["$.cohorts[0].values[0].kind", "unknown kind 'average'", "allowed: mean, median,"]),
    "unknown measure": (_set(VALUE + ("measure",), "gait_speed"),
                        ["$.cohorts[0].values[0].measure", "unknown measure 'gait_speed'", "edss, t25fw, nhpt, sdmt"]),
    "missing source": (_delete(VALUE + ("source",)),
                       ["$.cohorts[0].values[0].source", "missing source", "\"type\", \"location\""]),
    "unknown source type": (_set(VALUE + ("source", "type"), "blog"),
                            ["unknown type 'blog'", "primary_fulltext_table", "clinic_records"]),
    "proportion above 1": (_set(VALUE + ("value",), 75),
                           ["$.cohorts[0].values[0].value", "75 is out of range; must be between 0 and 1",
                            "proportions are written 0-1"]),
    "negative SD": (_set(VALUE + ("sd",), -0.4),
                    ["$.cohorts[0].values[0].sd", "-0.4 is out of range", "cannot be negative"]),
    "no timepoint": (lambda d: [d["cohorts"][0]["values"][0].pop(k) for k in ("timepoint_months", "timepoint_label")],
                     ["needs timepoint_months or timepoint_label"]),
    "proportion without outcome": (_delete(VALUE + ("outcome",)),
                                   ["$.cohorts[0].values[0].outcome", "must be a non-empty string"]),
    "misspelt field": (_set(VALUE + ("valeu",), 0.5), ["unknown field(s) valeu", "allowed:"]),
    "wrong format_version": (_set(("format_version",), 2),
                             ["$.format_version", "format_version 2 is not supported", "reads 1"]),
    "wrong format": (_set(("format",), "cohorts"), ["$.format", "must declare format 'pmsdesk.reference-cohorts'"]),
    "duplicate id in one file": (lambda d: d["cohorts"].append(copy.deepcopy(d["cohorts"][0])),
                                 ["duplicate cohort id 'clinic_itmtx_2020_2025' in this file"]),
    "no cohort sources": (_set(("cohorts", 0, "sources"), []), ["$.cohorts[0].sources", "at least one source"]),
    "unknown phenotype": (_set(("cohorts", 0, "population", "phenotypes"), ["PRMS"]),
                          ["$.cohorts[0].population.phenotypes[0]", "unknown phenotypes 'PRMS'", "PPMS, SPMS"]),
    "EDSS range beyond the scale": (_set(VALUE + ("edss_range",), [6.0, 12]),
                                    ["$.cohorts[0].values[0].edss_range", "both ends must be 0 to 10"]),
    "EDSS range upside down": (_set(("cohorts", 0, "population", "edss_range"), [6.5, 3.0]),
                               ["$.cohorts[0].population.edss_range", "low 6.5 is above high 3"]),
    "outcome selection not a flag": (_set(VALUE + ("selected_by_outcome",), "yes"),
                                     ["$.cohorts[0].values[0].selected_by_outcome", "must be true or false"]),
}


@pytest.mark.parametrize("change, expected", BROKEN_FILES.values(), ids=BROKEN_FILES.keys())
def test_broken_clinic_files_are_rejected_with_a_clear_message(tmp_path, change, expected):
    document = clinic_document()
    change(document)
    path = write(tmp_path, document)
    with pytest.raises(ReferenceFileError) as caught:
        load_reference_library([path])
    message = str(caught.value)
    assert message.startswith(str(path))
    assert "cohort 'clinic_itmtx_2020_2025'" in message or expected[0].startswith("$.format")
    for fragment in expected:
        assert fragment in message


def test_qualitative_finding_with_a_number_is_rejected(tmp_path):
    document = clinic_document()
    document["cohorts"][0]["values"][0].update(kind="qualitative", finding="no change")
    path = write(tmp_path, document)
    with pytest.raises(ReferenceFileError, match=r"values\[0\]\.value: must be null for a qualitative finding"):
        load_reference_library([path])


def test_percent_change_without_sign_convention_is_rejected(tmp_path):
    document = clinic_document()
    document["cohorts"][0]["values"][0].update(kind="mean_percent_change", value=12.0, unit="%", measure="t25fw")
    path = write(tmp_path, document)
    with pytest.raises(ReferenceFileError, match="sign_convention.*allowed: positive_is_worse, positive_is_better"):
        load_reference_library([path])


def test_malformed_json_names_line_and_column(tmp_path):
    path = write(tmp_path, '{\n  "format": "pmsdesk.reference-cohorts",\n  "cohorts": [,]\n}\n')
    with pytest.raises(ReferenceFileError) as caught:
        load_reference_library([path])
    assert str(caught.value).startswith(f"{path}: malformed JSON at line 3, column 15")


def test_missing_clinic_file_is_reported_by_name(tmp_path):
    missing = tmp_path / "not-there.json"
    with pytest.raises(ReferenceFileError, match=r"not-there\.json: cannot be read"):
        load_reference_library([missing])
