"""Checks made where a visit was first recorded, as an import carries them: the second-person check of
a dose, a neurologist's override of a failed pre-puncture safety check, and a neurologist's clearance
of a methotrexate neurotoxicity event (and an event's earlier single relatedness answer, no longer asked).

Review decision (issue 15): pmsdesk makes these only with the person present (the checker's own
password, the neurologist signed in, now). An archive's checks were made by other people at other
times, so an import can neither make them again nor drop them without losing the record. They are
kept verbatim, as recorded there, with the name of the file they came from (``imported_from``); the
screens and the summary print them "as recorded in <file>". Each must be whole (who, when, why) and
fit its visit: a dose check of another dose is refused like any other bad value.

The columns are named as the archive names them (its tables ``dose_check``, ``safety_check`` and
``adverse_event``); a blank section is "not recorded".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from pmsdesk.domain.adverse_events import blocks_methotrexate
from pmsdesk.domain.fields import Field, FieldError, choice, decimal, flag, text
from pmsdesk.domain.procedure_safety import Override
from pmsdesk.domain.register import CheckedDose, check_problems
from pmsdesk.domain.validation import Problem, ValidationFailed
from pmsdesk.domain.vocab import Relatedness

DOSE_CHECK_PREFIX = "dose_check."
OVERRIDE_PREFIX = "safety_check."

_MOMENT_ALLOWED = "enter a date and time as YYYY-MM-DDTHH:MM:SS, with its UTC offset (UTC when none)"


DOSE_CHECK_FIELDS: tuple[Field, ...] = (
    text("administered_by", "Dose given by (user name)", required=True, max_length=60),
    text("administered_name", "Dose given by (name)", required=True, max_length=120),
    text("checked_by", "Checked by (user name)", required=True, max_length=60),
    text("checked_name", "Checked by (name)", required=True, max_length=120),
    text("checked_at", "Checked at", required=True, max_length=40),
    text("agent", "Drug checked", required=True, max_length=100),
    replace(decimal("dose", "Dose checked", 0, 10_000, decimals=4), required=True),
    text("dose_unit", "Dose unit checked", required=True, max_length=30),
    text("route", "Route checked", required=True, max_length=20),
    text("lot", "Lot checked", max_length=60),
    flag("patient_identity", "Patient identity confirmed"),
)
OVERRIDE_FIELDS: tuple[Field, ...] = (
    text("override_by", "Overridden by (user name)", required=True, max_length=60),
    text("override_name", "Overridden by (name)", max_length=120),
    text("override_reason", "Reason for the override", required=True, max_length=500),
    text("override_at", "Overridden at", required=True, max_length=40),
    text("override_items", "Items overridden", max_length=300),
)
CLEARANCE_FIELDS: tuple[Field, ...] = (
    text("cleared_by", "Cleared by (user name)", required=True, max_length=60),
    text("cleared_by_name", "Cleared by (name)", max_length=120),
    text("cleared_at", "Cleared at", required=True, max_length=40),
    text("clearance_reason", "Reason for the clearance", required=True, max_length=500),
)
MOMENTS = frozenset({"checked_at", "override_at", "cleared_at"})
# Before 0009 one answer mixed the procedure and the drug; it is no longer asked, only carried as recorded.
EARLIER_RELATEDNESS = choice("relatedness", "Related to treatment (earlier single answer)", Relatedness)


@dataclass(frozen=True)
class RecordedDoseCheck:
    administered_by: str
    administered_name: str
    checked_by: str
    checked_name: str
    checked_at: dt.datetime  # aware, UTC
    confirmed: CheckedDose


@dataclass(frozen=True)
class RecordedOverride:
    given: Override
    at: dt.datetime


@dataclass(frozen=True)
class RecordedClearance:
    by: str
    by_name: str
    at: dt.datetime
    reason: str


def as_recorded(imported_from: str | None) -> str:
    """What the screens and the summary add to a check kept from an import ('' for one made here)."""
    return f" (as recorded in {imported_from}, imported)" if imported_from else ""


def parse_moment(field: Field, raw: Any) -> dt.datetime:
    """A time as an archive writes it (ISO 8601); one without an offset is UTC, as pmsdesk stores times."""
    if isinstance(raw, dt.datetime):
        moment = raw
    else:
        try:
            moment = dt.datetime.fromisoformat(str(raw).strip())
        except ValueError:
            raise FieldError(field, raw, _MOMENT_ALLOWED) from None
    return moment.replace(tzinfo=dt.timezone.utc) if moment.tzinfo is None else moment.astimezone(dt.timezone.utc)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _section(raw: Mapping[str, Any], fields: tuple[Field, ...], prefix: str) -> dict[str, Any] | None:
    """The section's clean values, None when every column is blank; every bad value refused at once."""
    if all(_blank(raw.get(prefix + f.name)) for f in fields):
        return None
    values, problems = {}, []
    for f in fields:
        key = prefix + f.name
        try:
            value = f.parse(raw.get(key))
            values[f.name] = parse_moment(f, value) if f.name in MOMENTS else value
        except FieldError as error:
            problems.append(Problem(key, str(error)))
    if problems:
        raise ValidationFailed(problems)
    return values


def recorded_dose_check(raw: Mapping[str, Any], needed: CheckedDose) -> RecordedDoseCheck | None:
    """The dose check ``raw`` carries (``dose_check.<column>`` keys), held to the dose it is kept
    with: the same drug, dose, unit and lot, the route intrathecal and the identity confirmed."""
    values = _section(raw, DOSE_CHECK_FIELDS, DOSE_CHECK_PREFIX)
    if values is None:
        return None
    confirmed = CheckedDose(values["agent"], float(values["dose"]),
                            values["dose_unit"], values["route"], values["lot"] or None,
                            bool(values["patient_identity"]))
    problems = check_problems(needed, confirmed)
    if problems:
        raise ValidationFailed([Problem(DOSE_CHECK_PREFIX + "dose", "The dose check recorded with this visit does "
                                        "not fit its dose: " + "; ".join(problems) + ".")])
    return RecordedDoseCheck(values["administered_by"], values["administered_name"], values["checked_by"],
                             values["checked_name"], values["checked_at"], confirmed)


def recorded_override(raw: Mapping[str, Any], *, answered: bool) -> RecordedOverride | None:
    """The override ``raw`` carries (``safety_check.override_*`` keys); kept only with the check it
    overrode (``answered``: the visit has the check's answers)."""
    values = _section(raw, OVERRIDE_FIELDS, OVERRIDE_PREFIX)
    if values is None:
        return None
    if not answered:
        raise ValidationFailed([Problem(OVERRIDE_PREFIX + "override_by", "Overridden by: an override of the "
                                        "safety check is kept only with the check's answers, and this visit has none.")])
    items = tuple(code.strip() for code in (values["override_items"] or "").split(",") if code.strip())
    return RecordedOverride(Override(values["override_by"], values["override_name"] or values["override_by"],
                                     values["override_reason"], items), values["override_at"])


def recorded_clearance(raw: Mapping[str, Any], term: str) -> RecordedClearance | None:
    """The clearance an adverse event's ``raw`` values carry (``cleared_by`` ... keys); only an event
    of ``term`` that blocks methotrexate is cleared."""
    values = _section(raw, CLEARANCE_FIELDS, "")
    if values is None:
        return None
    if not blocks_methotrexate(term):
        raise ValidationFailed([Problem("cleared_by", "Cleared by: only a methotrexate neurotoxicity event is "
                                                      "cleared; leave the clearance of this event blank.")])
    return RecordedClearance(values["cleared_by"], values["cleared_by_name"] or values["cleared_by"],
                             values["cleared_at"], values["clearance_reason"])


def recorded_relatedness(raw: Mapping[str, Any]) -> str | None:
    """An event's earlier single relatedness answer as recorded (``relatedness``), None when blank."""
    try:
        value = EARLIER_RELATEDNESS.parse(raw.get(EARLIER_RELATEDNESS.name))
    except FieldError as error:
        raise ValidationFailed([Problem(EARLIER_RELATEDNESS.name, str(error))]) from None
    return value.value if value is not None else None
