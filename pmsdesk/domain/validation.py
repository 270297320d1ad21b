"""Validation of whole records: every field's rule plus the rules that span fields.

Each ``validate_*`` function takes raw values (text as typed, or already-typed values) keyed by
field name and either returns the clean values or raises :class:`ValidationFailed` carrying
*every* problem at once, each tied to its field, so a screen can show each one beside its field
and keep everything the person typed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pmsdesk.domain.adverse_events import ctcae_wording
from pmsdesk.domain.assessments import REGISTRY
from pmsdesk.domain.fields import (
    ADVERSE_EVENT_FIELDS,
    COURSE_FIELDS,
    DMT_FIELDS,
    PATIENT_FIELDS,
    RELAPSE_FIELDS,
    VISIT_FIELDS,
    Field,
    FieldError,
)
from pmsdesk.domain.refusals import Refusal
from pmsdesk.domain.vocab import AdverseEventTerm, Agent, VisitKind

EARLIEST_BIRTH_DATE = dt.date(1900, 1, 1)


@dataclass(frozen=True)
class Problem:
    field: str  # the field's name, prefixed by its section for assessments ("t25fw.trial1_s")
    message: str


class ValidationFailed(Refusal, ValueError):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(p.message for p in problems))

    def for_field(self, name: str) -> list[str]:
        return [p.message for p in self.problems if p.field == name]


class _Checker:
    """Collects the clean values and the problems of one record."""

    def __init__(self, raw: Mapping[str, Any]):
        self.raw = raw
        self.problems: list[Problem] = []

    def clean(self, fields: tuple[Field, ...], prefix: str = "") -> dict[str, Any]:
        values: dict[str, Any] = {}
        for field in fields:
            key = prefix + field.name
            try:
                values[field.name] = field.parse(self.raw.get(key))
            except FieldError as error:
                self.problems.append(Problem(key, str(error)))
                values[field.name] = None
        return values

    def problem(self, field: str, message: str) -> None:
        if not any(p.field == field for p in self.problems):  # one message per field is enough
            self.problems.append(Problem(field, message))

    def date_between(self, field: str, label: str, value, earliest, latest, earliest_why: str) -> None:
        if value is None:
            return
        if latest is not None and value > latest:
            self.problem(field, f"{label}: {value.isoformat()} is in the future; enter a date up to {latest.isoformat()}.")
        elif earliest is not None and value < earliest:
            self.problem(field, f"{label}: {value.isoformat()} is before {earliest_why} ({earliest.isoformat()}).")

    def done(self) -> None:
        if self.problems:
            raise ValidationFailed(self.problems)


def validate_patient(raw: Mapping[str, Any], *, today: dt.date) -> dict[str, Any]:
    check = _Checker(raw)
    values = check.clean(PATIENT_FIELDS)
    birth = values["birth_date"]
    check.date_between("birth_date", "Date of birth", birth, EARLIEST_BIRTH_DATE, today, "1900")
    if values["onset_year"] is not None:
        latest = today.year
        earliest = birth.year if birth else EARLIEST_BIRTH_DATE.year
        if not earliest <= values["onset_year"] <= latest:
            check.problem("onset_year", f"Year of onset: {values['onset_year']} is not allowed; enter a year from {earliest} (birth) to {latest}.")
    check.date_between("diagnosis_date", "Date of diagnosis", values["diagnosis_date"], birth, today, "the date of birth")
    check.done()
    return values


def validate_course(raw: Mapping[str, Any], *, birth_date: dt.date) -> dict[str, Any]:
    check = _Checker(raw)
    values = check.clean(COURSE_FIELDS)
    if values["agent"] is Agent.OTHER and not values["agent_name"]:
        check.problem("agent_name", "Agent name: required when the agent is \u2018Other\u2019; enter the product's name.")
    if values["planned_dose"] is not None and not values["dose_unit"]:
        check.problem("dose_unit", "Dose unit: required with a planned dose; enter for example mg.")
    low, high = values["interval_weeks_min"], values["interval_weeks_max"]
    if low is not None and high is not None and high < low:
        check.problem("interval_weeks_max", f"Interval to (weeks): {high} is shorter than the interval from ({low}); enter at least {low}.")
    check.date_between("start_date", "Start date", values["start_date"], birth_date, None, "the date of birth")
    start, end = values["start_date"], values["end_date"]
    if start is not None and end is not None and end < start:
        check.problem("end_date", f"End date: {end.isoformat()} is before the start date ({start.isoformat()}).")
    check.done()
    return values


@dataclass(frozen=True)
class VisitValues:
    """A visit's clean values: the visit itself and each assessment section (None = not recorded)."""

    visit: dict[str, Any]
    assessments: dict[str, dict[str, Any] | None]


def _section_present(raw: Mapping[str, Any], prefix: str, fields: tuple[Field, ...]) -> bool:
    for field in fields:
        value = raw.get(prefix + field.name)
        if value is None or value is False or (isinstance(value, str) and not value.strip()):
            continue  # 0 is a real entry (a grade, a score), so no "in (None, '', False)" here
        return True
    return False


def validate_visit(raw: Mapping[str, Any], *, birth_date: dt.date, today: dt.date) -> VisitValues:
    """Validate a visit with its assessments; assessment keys are prefixed ("edss.edss")."""
    check = _Checker(raw)
    visit = check.clean(VISIT_FIELDS)
    check.date_between("visit_date", "Visit date", visit["visit_date"], birth_date, today, "the date of birth")
    if visit["kind"] is VisitKind.TREATMENT and visit["dose_given"] is None:
        check.problem("dose_given", "Dose given: required for a treatment visit; enter the dose administered.")
    if visit["dose_given"] is not None and not visit["dose_unit"]:
        check.problem("dose_unit", "Dose unit: required with a dose; enter for example mg.")

    assessments: dict[str, dict[str, Any] | None] = {}
    for assessment in REGISTRY:
        prefix = assessment.prefix
        if not _section_present(raw, prefix, assessment.fields):
            assessments[assessment.key] = None
            continue
        values = check.clean(assessment.fields, prefix)
        assessments[assessment.key] = values
        if assessment.check is not None:
            assessment.check(values, lambda name, message, prefix=prefix: check.problem(prefix + name, message))
    check.done()
    return VisitValues(visit, assessments)


def validate_adverse_event(raw: Mapping[str, Any], *, birth_date: dt.date, today: dt.date) -> dict[str, Any]:
    check = _Checker(raw)
    values = check.clean(ADVERSE_EVENT_FIELDS)
    if values["term"] is AdverseEventTerm.OTHER and not values["term_other"]:
        check.problem("term_other", "Description: required when the event is \u2018Other\u2019; describe the event.")
    grade = values["ctcae_grade"]
    if grade is not None and values["term"] is not None:
        wording = ctcae_wording(values["term"])
        offered = wording.offered()
        if grade not in offered:  # CTCAE's "-": e.g. Headache has no grade 4 or 5
            check.problem("ctcae_grade", f"CTCAE grade: {wording.ctcae_term} has no grade {grade} in CTCAE v5.0; "
                                         f"choose a grade from {offered[0]} to {offered[-1]}.")
    check.date_between("onset_date", "Onset", values["onset_date"], birth_date, today, "the date of birth")
    onset, resolved = values["onset_date"], values["resolved_date"]
    check.date_between("resolved_date", "Resolved on", resolved, onset, today, "the onset")
    check.done()
    return values


def validate_relapse(raw: Mapping[str, Any], *, birth_date: dt.date, today: dt.date) -> dict[str, Any]:
    check = _Checker(raw)
    values = check.clean(RELAPSE_FIELDS)
    check.date_between("onset_date", "Relapse onset", values["onset_date"], birth_date, today, "the date of birth")
    check.done()
    return values


def validate_dmt(raw: Mapping[str, Any], *, birth_date: dt.date, today: dt.date) -> dict[str, Any]:
    check = _Checker(raw)
    values = check.clean(DMT_FIELDS)
    check.date_between("start_date", "Started", values["start_date"], birth_date, today, "the date of birth")
    check.date_between("stop_date", "Stopped", values["stop_date"], values["start_date"], today, "the start")
    check.done()
    return values
