"""The pre-puncture safety check of treatment visits, as the Clinic service runs it.

The rules are in :mod:`pmsdesk.domain.procedure_safety`; this module gives them what they read (the
answers, the patient's latest laboratory values, the course's agent, the clinic's thresholds), keeps
the answers, the result and an override per visit (table ``safety_check``, audited like every
clinical table), and refuses a dose the check does not allow. Called from
:meth:`pmsdesk.services.clinic.Clinic._store_visit` inside the visit's own transaction, so a refused
dose writes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pmsdesk.domain.assessments.labs import LAB_KEYS, LABS
from pmsdesk.domain.fields import VISIT_FIELDS, FieldError
from pmsdesk.domain.permissions import Action, Actor
from pmsdesk.domain.procedure_safety import (
    ANSWER_FIELDS,
    SECTION,
    Answers,
    YesNo,
    CheckResult,
    LabResult,
    Override,
    earlier_neurotoxicity,
    override,
    parse_answers,
    pre_puncture_check,
    require_dose_allowed,
)
from pmsdesk.domain.recorded_elsewhere import RecordedOverride, recorded_override
from pmsdesk.domain.settings import (
    LAB_REFERENCE_RANGES,
    REFERENCE_SETTINGS,
    SAFETY_SETTINGS,
    WholeNumberSetting,
    safety_thresholds,
)
from pmsdesk.domain.validation import Problem, ValidationFailed
from pmsdesk.domain.vocab import VisitKind
from pmsdesk.services import neurotoxicity
from pmsdesk.store.tables import LabAssessment, SafetyCheck, Setting, TreatmentCourse, Visit, utcnow

if TYPE_CHECKING:
    from pmsdesk.services.clinic import Clinic

OVERRIDE_KEY = "safety_override_reason"  # a new override's reason in a visit's raw values
# What a stored check keeps beside its answers (exchanged in the archive as it was found).
SAFETY_CHECK_EXTRAS = ("result", "findings", "override_by", "override_name", "override_reason", "override_at",
                       "override_items")
VISIT_DATE = next(f for f in VISIT_FIELDS if f.name == "visit_date")


CHECK_SETTINGS = (*SAFETY_SETTINGS, *REFERENCE_SETTINGS)  # what the check reads, and the settings screen edits


def _stored_settings(session: Session) -> dict[str, str]:
    keys = [setting.key for setting in CHECK_SETTINGS]
    return dict(session.execute(select(Setting.key, Setting.value).where(Setting.key.in_(keys))).all())


def thresholds(session: Session):
    return safety_thresholds(_stored_settings(session))


# ----- the thresholds and reference ranges as clinic settings ------------------------------------
@dataclass(frozen=True)
class SettingInForce:
    """One of the check's settings as the clinic has it now."""

    setting: WholeNumberSetting
    value: float  # in force: the clinic's own, else the published default
    own: bool  # the clinic set a value of its own (it may equal the default)


def check_settings(clinic: Clinic) -> list[SettingInForce]:
    """Every threshold of the check and every reference range, with the value in force."""
    with clinic.db.reading() as session:
        stored = _stored_settings(session)
    return [SettingInForce(setting, setting.parse(stored.get(setting.key)), setting.key in stored)
            for setting in CHECK_SETTINGS]


def change_check_settings(clinic: Clinic, raw: Mapping[str, object]) -> list[str]:
    """Store the values typed for the check's settings (key -> text; blank: the published default).
    Only an administrator may; every value out of its range, and a reference range whose low end is
    above its high end, is refused at once with what is allowed, and nothing is stored. Each change is
    an audited setting write (Clinic.set_setting). Returns the keys changed."""
    clinic.actor.require(Action.MANAGE_SETTINGS)
    by_key = {setting.key: setting for setting in CHECK_SETTINGS}
    in_force = {line.setting.key: line.value for line in check_settings(clinic)}
    problems, wanted = [], {}
    for key, typed in raw.items():
        setting = by_key[key]
        text = str(typed).strip() if typed is not None else ""
        if not text:
            wanted[key] = setting.text(setting.default)
        elif (problem := setting.problem(text)) is not None:
            problems.append(Problem(key, problem))
        else:
            wanted[key] = setting.text(text)
    for low, high in LAB_REFERENCE_RANGES.values():
        low_value = float(wanted.get(low.key, in_force[low.key]))
        high_value = float(wanted.get(high.key, in_force[high.key]))
        if not any(problem.field in (low.key, high.key) for problem in problems) and low_value > high_value:
            problems.append(Problem(low.key, f"{low.label}: {low_value:g} is above the high end "
                                             f"{high_value:g}; enter a low end at most the high end."))
    if problems:
        raise ValidationFailed(problems)
    changed = [key for key, text in wanted.items() if float(text) != in_force[key]]
    for key in changed:
        clinic.set_setting(key, wanted[key])
    return changed


def latest_labs(session: Session, patient_id: int, on: dt.date, *, visit_id: int | None = None,
                entered: Mapping[str, Any] | None = None) -> dict[str, LabResult]:
    """Each laboratory value's latest result sampled on or before ``on``, from the patient's visits
    (the visit ``visit_id`` counts with what is ``entered`` for it now, not as stored). One query."""
    rows = [(values["sampled_on"], values) for values in ([entered] if entered else [])
            if values.get("sampled_on") is not None]
    query = (select(LabAssessment).join(Visit, Visit.id == LabAssessment.visit_id)
             .where(Visit.patient_id == patient_id, Visit.deleted_at.is_(None), LabAssessment.sampled_on <= on,
                    *([LabAssessment.visit_id != visit_id] if visit_id is not None else [])))
    rows += [(row.sampled_on, {key: getattr(row, key) for key in LAB_KEYS}) for row in session.scalars(query)]
    latest: dict[str, LabResult] = {}
    for sampled_on, values in sorted(rows, key=lambda row: row[0], reverse=True):
        for key in LAB_KEYS:
            if key not in latest and values.get(key) is not None and sampled_on <= on:
                latest[key] = LabResult(float(values[key]), sampled_on)
    return latest


def stored_answers(row: SafetyCheck | None) -> dict[str, Any]:
    """A stored check's answers keyed like a visit's values ("safety_check.antithrombotic")."""
    if row is None:
        return {}
    def shown(value):
        return ("yes" if value else "no") if isinstance(value, bool) else value

    return {f"{SECTION}.{answer.name}": shown(getattr(row, answer.name)) for answer in ANSWER_FIELDS
            if getattr(row, answer.name) is not None}


def stored_override(row: SafetyCheck | None) -> Override | None:
    if row is None or row.override_by is None:
        return None
    return Override(row.override_by, row.override_name or row.override_by, row.override_reason or "",
                    tuple(code for code in (row.override_items or "").split(",") if code))


def answers_in(raw: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The answers a save carries ("safety_check.<name>" keys), or None when it carries none: blank
    boxes sent by the editor are none (re-saving a visit whose dose was recorded elsewhere, say)."""
    prefix = SECTION + "."
    given = {key[len(prefix):]: value for key, value in raw.items() if key.startswith(prefix)}
    return given if any(value is not None and str(value).strip() for value in given.values()) else None


def evaluate(session: Session, patient_id: int, visit_id: int | None, visit_date: dt.date, course_id: int | None,
             answers: Answers, entered_labs: Mapping[str, Any] | None) -> CheckResult:
    course = session.get(TreatmentCourse, course_id) if course_id is not None else None
    labs = latest_labs(session, patient_id, visit_date, visit_id=visit_id, entered=entered_labs)
    recorded = earlier_neurotoxicity(neurotoxicity.patient_events(session, patient_id), visit_date, visit_id)
    return pre_puncture_check(answers, labs, agent=course.agent if course else "", visit_date=visit_date,
                              thresholds=thresholds(session), recorded_neurotoxicity=recorded)


def prefilled_answers(clinic: Clinic, patient_id: int, visit_date: dt.date) -> dict[str, str]:
    """The answers a new treatment visit starts with, from what pmsdesk has recorded: "earlier
    methotrexate neurotoxicity" is yes when the patient has a neurotoxicity event from an earlier
    visit. Nothing else is prefilled (no recorded event is no proof of none: the nurse asks)."""
    with clinic.db.reading() as session:
        recorded = earlier_neurotoxicity(neurotoxicity.patient_events(session, patient_id), visit_date, None)
    return {f"{SECTION}.methotrexate_neurotoxicity": YesNo.YES.value} if recorded else {}


@dataclass
class PendingCheck:
    """What a visit's save will keep of its check once the visit has its id."""

    answers: Answers
    result: CheckResult
    given: Override | None
    new_override: bool
    recorded: RecordedOverride | None = None  # an import's override, kept as recorded there
    imported_from: str | None = None


def check_before_dose(session: Session, actor: Actor, visit: Visit, entered: Mapping[str, Any],
                      labs: Mapping[str, Any] | None, raw: Mapping[str, Any], course_id: int | None, *,
                      required: bool = True, imported_from: str | None = None) -> PendingCheck | None:
    """Before a treatment visit's values are applied: evaluate its check (the answers sent, else the
    stored ones) and refuse a new or changed dose it does not allow. A new override in ``raw`` is
    refused for anyone but a neurologist and without a reason. None: not a treatment visit, or a save
    that neither sends answers, nor an override, nor changes the dose (the check stays as stored).
    ``required`` False: the answers sent are kept, the dose is not refused. Review decision: an import
    and the system actor are exempt from this gate (as from the second-person check's): an import
    records a dose given and checked where it was recorded, it does not perform one, and refusing it
    would only lose what happened; the system actor fills the demo clinic. Such a dose without a
    check is shown "not recorded in pmsdesk" on the screen (ui.safety_check) and the summary
    (reports.content.safety_check_lines). ``imported_from``: an import, whose override recorded where
    the visit was first recorded (``safety_check.override_*`` keys) is kept verbatim
    (pmsdesk.domain.recorded_elsewhere); the result is worked out again with this clinic's thresholds."""
    if entered["kind"] is not VisitKind.TREATMENT:
        return None
    stored = session.scalar(select(SafetyCheck).where(SafetyCheck.visit_id == visit.id)) if visit.id else None
    sent = answers_in(raw)
    dose_changed = entered.get("dose_given") is not None and (visit.id is None or visit.dose_given != entered["dose_given"]
                                                             or visit.visit_date != entered["visit_date"])
    if sent is None and OVERRIDE_KEY not in raw and not dose_changed:
        return None
    if sent is None and stored is None:
        answers, result = None, None
    else:
        source = sent if sent is not None else {a.name: getattr(stored, a.name) for a in ANSWER_FIELDS}
        answers = parse_answers(source)
        result = evaluate(session, visit.patient_id, visit.id, entered["visit_date"], course_id, answers, labs)
    given = stored_override(stored)
    new_override = OVERRIDE_KEY in raw and result is not None and not result.passed
    if new_override:
        given = override(result, actor, raw[OVERRIDE_KEY])
    recorded = recorded_override(raw, answered=answers is not None) if imported_from else None
    if recorded is not None:
        given = recorded.given
    if required and entered.get("dose_given") is not None:
        require_dose_allowed(result, given)
    if answers is None:
        return None
    return PendingCheck(answers, result, given, new_override, recorded, imported_from if recorded else None)


def store(session: Session, visit: Visit, pending: PendingCheck | None) -> None:
    """Keep the check of a saved visit (its answers, result, findings and override)."""
    if pending is None:
        return
    row = session.scalar(select(SafetyCheck).where(SafetyCheck.visit_id == visit.id))
    if row is None:
        row = SafetyCheck(visit_id=visit.id, result="", findings="")
        session.add(row)
    for answer in ANSWER_FIELDS:
        value = getattr(pending.answers, answer.name)
        setattr(row, answer.name, value.value if hasattr(value, "value") else value)
    row.result, row.findings = pending.result.outcome.value, pending.result.explain()
    given = pending.given
    if pending.new_override or pending.recorded is not None:
        row.override_by, row.override_name, row.override_reason = given.by, given.by_name, given.reason
        row.override_items = ",".join(given.items)
        row.override_at = pending.recorded.at if pending.recorded is not None else utcnow()
        row.override_imported_from = pending.imported_from


def _lenient(field, raw: object) -> Any:
    try:
        return field.parse(raw)
    except FieldError:  # refused beside its field at the save; not answered meanwhile
        return None


def preview(session: Session, patient_id: int, visit_id: int | None, raw: Mapping[str, Any]) -> CheckResult | None:
    """The check as a save of ``raw`` (a visit as typed) would find it, for the screen while typing;
    an unreadable entry counts as not answered. None without a visit date."""
    day = _lenient(VISIT_DATE, raw.get("visit_date"))
    if day is None:
        return None
    typed = {f.name: _lenient(f, raw.get(f"{SECTION}.{f.name}")) for f in ANSWER_FIELDS}
    answers = Answers(**{name: (value is YesNo.YES) if isinstance(value, YesNo) else value
                         for name, value in typed.items()})
    labs = {f.name: _lenient(f, raw.get(LABS.prefix + f.name)) for f in LABS.fields}
    return evaluate(session, patient_id, visit_id, day, raw.get("course_id"), answers, labs)


def check_of(session: Session, visit_id: int) -> SafetyCheck | None:
    return session.scalar(select(SafetyCheck).where(SafetyCheck.visit_id == visit_id))


def checks_of(session: Session, visit_ids: Sequence[int]) -> dict[int, SafetyCheck]:
    return {row.visit_id: row for row in session.scalars(select(SafetyCheck).where(SafetyCheck.visit_id.in_(visit_ids)))}


# ----- Today: patients due for treatment whose labs are missing or out of date ------------------
def lab_gaps(session: Session, patient_ids: Sequence[int], today: dt.date) -> dict[int, str]:
    """For each of ``patient_ids`` whose platelet count (asked at every puncture) is missing or older
    than the clinic's limit, what is wrong in words. One grouped query for all the patients."""
    limit = thresholds(session).lab_max_age_days
    latest = dict(session.execute(
        select(Visit.patient_id, func.max(LabAssessment.sampled_on))
        .join(Visit, Visit.id == LabAssessment.visit_id)
        .where(Visit.patient_id.in_(patient_ids), Visit.deleted_at.is_(None), LabAssessment.platelets.is_not(None),
               LabAssessment.sampled_on <= today)
        .group_by(Visit.patient_id)).all())
    gaps = {}
    for patient_id in patient_ids:
        sampled = latest.get(patient_id)
        if sampled is None:
            gaps[patient_id] = "labs missing"
        elif (today - sampled).days > limit:
            gaps[patient_id] = f"labs out of date ({sampled.isoformat()}, over {limit} days)"
    return gaps
