"""The checks an import keeps as recorded where they were made (pmsdesk.domain.recorded_elsewhere):
whole or refused, times read as the archive writes them, and a dose check held to its dose."""

from __future__ import annotations

import datetime as dt

import pytest

from pmsdesk.domain.recorded_elsewhere import (
    as_recorded,
    recorded_clearance,
    recorded_dose_check,
    recorded_override,
)
from pmsdesk.domain.register import dose_to_check
from pmsdesk.domain.validation import ValidationFailed

CHECK = {"dose_check.administered_by": "rn-ann", "dose_check.administered_name": "Ann Nurse",
         "dose_check.checked_by": "dr-bo", "dose_check.checked_name": "Bo Doctor",
         "dose_check.checked_at": "2025-03-10T09:55:00", "dose_check.agent": "it_methotrexate",
         "dose_check.dose": "12.5", "dose_check.dose_unit": "mg", "dose_check.route": "intrathecal",
         "dose_check.lot": "", "dose_check.patient_identity": True}  # as the import hands a yes/no cell
NEEDED = dose_to_check("it_methotrexate", 12.5, "mg", None)
UTC = dt.timezone.utc


def test_a_whole_dose_check_that_fits_its_dose_is_kept_with_its_time_in_utc():
    kept = recorded_dose_check(CHECK, NEEDED)
    assert (kept.checked_by, kept.checked_name, kept.administered_name) == ("dr-bo", "Bo Doctor", "Ann Nurse")
    assert kept.checked_at == dt.datetime(2025, 3, 10, 9, 55, tzinfo=UTC)  # no offset: UTC, as stored
    with_offset = recorded_dose_check({**CHECK, "dose_check.checked_at": "2025-03-10T10:55:00+01:00"}, NEEDED)
    assert with_offset.checked_at == kept.checked_at


def test_a_blank_section_is_not_recorded():
    assert recorded_dose_check({key: "" for key in CHECK}, NEEDED) is None
    assert recorded_override({}, answered=False) is None
    assert recorded_clearance({"cleared_by": " "}, "fatigue") is None


@pytest.mark.parametrize(("changed", "field", "says"), [
    ({"dose_check.dose": "15"}, "dose_check.dose", "the check was for 15 mg it_methotrexate, the dose recorded is 12.5 mg"),
    ({"dose_check.lot": "B-7"}, "dose_check.dose", "the check confirmed lot B-7, the dose records (none)"),
    ({"dose_check.route": "intravenous"}, "dose_check.dose", "the route was not confirmed as intrathecal"),
    ({"dose_check.patient_identity": False}, "dose_check.dose", "the patient's identity was not confirmed"),
    ({"dose_check.checked_at": "10/03/2025"}, "dose_check.checked_at", "enter a date and time as YYYY-MM-DDTHH:MM:SS"),
    ({"dose_check.checked_name": ""}, "dose_check.checked_name", "this is required"),
])
def test_a_dose_check_that_is_incomplete_or_for_another_dose_is_refused(changed, field, says):
    with pytest.raises(ValidationFailed) as refused:
        recorded_dose_check({**CHECK, **changed}, NEEDED)
    assert [problem.field for problem in refused.value.problems] == [field]
    assert says in refused.value.problems[0].message


def test_an_override_needs_its_reason_and_the_check_it_overrode():
    raw = {"safety_check.override_by": "dr-bo", "safety_check.override_name": "Bo Doctor",
           "safety_check.override_reason": "Platelets stable for years.", "safety_check.override_at":
           "2025-03-10T09:50:00+00:00", "safety_check.override_items": "platelets, wbc"}
    kept = recorded_override(raw, answered=True)
    assert (kept.given.by, kept.given.reason, kept.given.items) == ("dr-bo", "Platelets stable for years.",
                                                                      ("platelets", "wbc"))
    with pytest.raises(ValidationFailed, match="kept only with the check's answers"):
        recorded_override(raw, answered=False)
    with pytest.raises(ValidationFailed, match="Reason for the override"):
        recorded_override({**raw, "safety_check.override_reason": ""}, answered=True)


def test_only_a_neurotoxicity_event_carries_a_clearance():
    raw = {"cleared_by": "dr-bo", "cleared_by_name": "", "cleared_at": "2025-01-20T08:00:00",
           "clearance_reason": "Resolved; MRI normal."}
    kept = recorded_clearance(raw, "neurotoxicity")
    assert (kept.by, kept.by_name, kept.at) == ("dr-bo", "dr-bo", dt.datetime(2025, 1, 20, 8, tzinfo=UTC))
    with pytest.raises(ValidationFailed, match="only a methotrexate neurotoxicity event is cleared"):
        recorded_clearance(raw, "fatigue")


def test_what_the_screens_add_names_the_file():
    assert as_recorded("clinic.zip") == " (as recorded in clinic.zip, imported)" and as_recorded(None) == ""
