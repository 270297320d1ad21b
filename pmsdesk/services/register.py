"""The intrathecal register and the second-person check of a dose, as the services run them.

The rules are in :mod:`pmsdesk.domain.register`. The administrator keeps the register
(:class:`Register`: add, renew, end; nurses and neurologists read it). A treatment visit's new or
changed dose is saved only with a valid second-person check: the checker signs in on the same screen
with their own password (:func:`confirm_checker`, before the visit's transaction: a wrong password
counts towards the checker's lockout even though the save is refused), and :func:`gate`, inside the
visit's transaction, refuses the dose unless the check, the register and the procedure record allow
it, then keeps the check (table ``dose_check``, audited like every clinical table).

A system actor (the demo clinic) records a check made elsewhere: it names the checker and the time
instead of a password; the register is applied all the same.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pmsdesk.domain.fields import VISIT_FIELDS
from pmsdesk.domain.permissions import Action, Actor, Role
from pmsdesk.domain.procedure_record import REQUIRED_AT_TREATMENT
from pmsdesk.domain.recorded_elsewhere import recorded_dose_check
from pmsdesk.domain.register import (
    CheckedDose,
    RegisterEntry,
    RegisterTask,
    checked_agent,
    dose_to_check,
    require_valid_check,
)
from pmsdesk.domain.validation import Problem, ValidationFailed
from pmsdesk.domain.vocab import VisitKind
from pmsdesk.store.database import Database
from pmsdesk.store.tables import DoseCheck, RegisterEntry as EntryRow, TreatmentCourse, UserAccount, Visit

SECOND_CHECK_KEY = "second_check"  # a save's raw values: {"checked_by": user name, "password": ...}
BENCH_ROLES = (Role.NURSE, Role.NEUROLOGIST)  # who may be on the register: the people at the bench
_VISIT = {f.name: f for f in VISIT_FIELDS}


@dataclass(frozen=True)
class Checker:
    """The second person, confirmed: their user name and name as printed, and when they checked."""

    username: str
    name: str
    at: dt.datetime
    confirmed: CheckedDose | None  # what they confirmed; None: "the dose as entered"


@dataclass(frozen=True)
class EntryView:
    """A register line for the screen: the entry and the person's names."""

    id: int
    version: int
    user_id: int
    entry: RegisterEntry
    ended_reason: str | None


def _entry(row: EntryRow, account: UserAccount) -> RegisterEntry:
    return RegisterEntry(account.username, account.full_name or account.username, RegisterTask(row.task),
                         row.trained_on, row.expires_on, row.ended_on)


def entries(session: Session) -> list[RegisterEntry]:
    rows = session.execute(select(EntryRow, UserAccount).join(UserAccount, UserAccount.id == EntryRow.user_id))
    return [_entry(row, account) for row, account in rows]


# ----- the register, kept by the administrator -------------------------------------------------
class Register:
    """The register of one database: every role reads it (who may do what at the bench is no secret);
    writes need Action.MANAGE_REGISTER."""

    def __init__(self, db: Database, actor: Actor, *, today=dt.date.today):
        self.actor = actor
        self.db = db.acting_as(actor)
        self.today = today

    def lines(self) -> list[EntryView]:
        with self.db.reading() as session:
            rows = session.execute(select(EntryRow, UserAccount).join(UserAccount, UserAccount.id == EntryRow.user_id)
                                   .order_by(UserAccount.full_name, EntryRow.task, EntryRow.trained_on))
            return [EntryView(row.id, row.version, row.user_id, _entry(row, account), row.ended_reason)
                    for row, account in rows]

    def people(self) -> list[tuple[int, str, str]]:
        """(user id, user name, full name) of the active nurses and neurologists, who may be registered."""
        with self.db.reading() as session:
            query = (select(UserAccount).where(UserAccount.active, UserAccount.role.in_([r.value for r in BENCH_ROLES]))
                     .order_by(UserAccount.full_name))
            return [(a.id, a.username, a.full_name) for a in session.scalars(query)]

    def _dates(self, trained_on: Any, expires_on: Any) -> tuple[dt.date, dt.date]:
        problems, days = [], []
        for name, label, raw in (("trained_on", "Trained on", trained_on), ("expires_on", "Expires on", expires_on)):
            try:
                days.append(raw if isinstance(raw, dt.date) else dt.date.fromisoformat(str(raw).strip()))
            except ValueError:
                problems.append(Problem(name, f"{label}: enter a date as YYYY-MM-DD."))
        if not problems:
            if days[0] > self.today():
                problems.append(Problem("trained_on", "Trained on: the training must have happened (today or "
                                                      "earlier); add the entry once it has."))
            if days[1] <= days[0]:
                problems.append(Problem("expires_on", "Expires on: enter a date after the training date."))
        if problems:
            raise ValidationFailed(problems)
        return days[0], days[1]

    def add(self, user_id: int, task: Any, trained_on: Any, expires_on: Any) -> None:
        self.actor.require(Action.MANAGE_REGISTER)
        try:
            chosen = RegisterTask(task)
        except ValueError:
            raise ValidationFailed([Problem("task", "Task: choose one of: "
                                            + ", ".join(t.label for t in RegisterTask) + ".")]) from None
        trained, expires = self._dates(trained_on, expires_on)
        with self.db.transaction() as session:
            account = session.get(UserAccount, user_id) if isinstance(user_id, int) else None
            if account is None or not account.active or Role(account.role) not in BENCH_ROLES:
                raise ValidationFailed([Problem("user_id", "Person: choose an active nurse or neurologist; "
                                                           "the register lists the people who do the procedure.")])
            open_ = session.scalar(select(EntryRow).where(EntryRow.user_id == user_id, EntryRow.task == chosen.value,
                                                          EntryRow.ended_on.is_(None),
                                                          EntryRow.expires_on >= self.today()))
            if open_ is not None:
                raise ValidationFailed([Problem("task", f"{account.full_name} is registered to {chosen.label.lower()} "
                                                        f"until {open_.expires_on.isoformat()}: renew that entry "
                                                        "instead of adding a second one.")])
            session.add(EntryRow(user_id=user_id, task=chosen.value, trained_on=trained, expires_on=expires))

    def _row(self, session: Session, entry_id: int, version: int) -> EntryRow:
        from pmsdesk.services.clinic import NotFound, StaleRecord

        row = session.get(EntryRow, entry_id)
        if row is None:
            raise NotFound(f"register entry {entry_id} does not exist")
        if row.version != version:
            raise StaleRecord("register entry")
        return row

    def renew(self, entry_id: int, version: int, trained_on: Any, expires_on: Any) -> None:
        """Record renewed training: the new training date and expiry (the trail keeps the earlier ones)."""
        self.actor.require(Action.MANAGE_REGISTER)
        trained, expires = self._dates(trained_on, expires_on)
        with self.db.transaction() as session:
            row = self._row(session, entry_id, version)
            row.trained_on, row.expires_on, row.ended_on, row.ended_reason = trained, expires, None, None

    def end(self, entry_id: int, version: int, reason: Any) -> None:
        """End an entry today, with a reason (left the clinic, competence withdrawn); it stays listed."""
        self.actor.require(Action.MANAGE_REGISTER)
        text = reason.strip() if isinstance(reason, str) else ""
        if not 1 <= len(text) <= 200:
            raise ValidationFailed([Problem("ended_reason", "Reason: say why the entry ends (up to 200 characters).")])
        with self.db.transaction() as session:
            row = self._row(session, entry_id, version)
            row.ended_on, row.ended_reason = self.today(), text


# ----- the second-person check of a dose ------------------------------------------------------
def check_of(session: Session, visit_id: int | None) -> DoseCheck | None:
    if visit_id is None:
        return None
    return session.scalar(select(DoseCheck).where(DoseCheck.visit_id == visit_id))


def checks_of(session: Session, visit_ids: Sequence[int]) -> dict[int, DoseCheck]:
    return {row.visit_id: row for row in session.scalars(select(DoseCheck).where(DoseCheck.visit_id.in_(visit_ids)))}


def confirm_checker(actor: Actor, accounts, raw: Mapping[str, Any], now: dt.datetime) -> Checker | None:
    """The checker of the check a save carries, confirmed by their own password (a person at the bench;
    a wrong one counts towards their lockout) or, for a system actor, named with the time it was made."""
    given = raw.get(SECOND_CHECK_KEY)
    if not given:
        return None
    name = given.get("checked_by")
    if not isinstance(name, str) or not name.strip():
        raise ValidationFailed([Problem("second_check.checked_by", "Checker: enter the user name of the second "
                                                                   "person, who then types their own password.")])
    if actor.is_system:
        checker, at = accounts.named(name), given.get("checked_at") or now
    else:
        password = given.get("password")
        if not isinstance(password, str) or not password:
            raise ValidationFailed([Problem("second_check.password", "Checker's password: required; the second "
                                                                     "person types their own password to sign the check.")])
        checker, at = accounts.confirm_other_person(name, password), now
    return Checker(checker.name, checker.display_name, at, _confirmed(given, required=not actor.is_system))


def _confirmed(given: Mapping[str, Any], *, required: bool) -> CheckedDose | None:
    """What the checker confirmed on the screen: the drug, dose, unit and lot they were shown, the route
    and the patient's identity (None from a system actor that sends none: the dose as entered)."""
    if "dose" not in given and not required:
        return None
    if given.get("confirmed_all") is False:
        raise ValidationFailed([Problem("second_check", "Second-person check: the checker ticks each item (drug, "
                                                        "dose, route, patient and, for a cell product, the lot) "
                                                        "once they have confirmed it.")])
    try:
        return CheckedDose(str(given["agent"]), float(given["dose"]), str(given["unit"]),
                           str(given.get("route") or ""), given.get("lot") or None, given.get("identity") is True)
    except (KeyError, TypeError, ValueError):
        raise ValidationFailed([Problem("second_check", "Second-person check: the checker confirms the drug, the "
                                                        "dose, the route, the patient and the lot shown.")]) from None


def _agent(session: Session, course_id: int | None) -> str:
    course = session.get(TreatmentCourse, course_id) if course_id is not None else None
    return checked_agent(course.agent, course.agent_name) if course is not None else checked_agent(None, None)


def _details(visit: Visit, course_id: int | None) -> tuple:
    return (visit.kind, visit.dose_given, visit.dose_unit, visit.dose_batch, visit.performed_by, course_id)


def dose_details(visit: Visit) -> tuple | None:
    """What a stored visit's check vouches for (None for a new visit): compared after the save."""
    return _details(visit, visit.course_id) if visit.id is not None else None


def _same(stored: DoseCheck, needed: CheckedDose, administrator: str | None) -> bool:
    return (stored.agent, stored.dose, stored.dose_unit, stored.lot, stored.administered_by) == (
        needed.agent, needed.dose, needed.unit, needed.lot, administrator)


def gate(session: Session, visit: Visit, before: tuple | None, checker: Checker | None, day: dt.date, *,
         required: bool) -> None:
    """After a visit's values are applied, before it is written: a treatment visit whose dose is new or
    changed (its amount, unit, batch, course or who gives it) needs its procedure record and a valid
    second-person check; the check given is kept, one that no longer matches the dose is refused.
    ``required`` False (a system process, an import of visits recorded elsewhere): a dose without a
    check is recorded as given there, with no check in pmsdesk; a check that comes with it is still
    held to every rule."""
    if visit.kind != VisitKind.TREATMENT.value or visit.dose_given is None:
        return
    stored = check_of(session, visit.id)
    needed = dose_to_check(_agent(session, visit.course_id), visit.dose_given, visit.dose_unit, visit.dose_batch)
    if checker is None and (before == _details(visit, visit.course_id)
                            or (stored is not None and _same(stored, needed, visit.performed_by))):
        return  # the dose as it was: given before the register, or already checked
    if checker is None and not required:
        return
    missing = [Problem(name, f"{_VISIT[name].label}: required when an intrathecal dose is recorded; "
                             + _VISIT[name].allowed_text() + ".")
               for name in REQUIRED_AT_TREATMENT if getattr(visit, name) in (None, "")]
    if missing:
        raise ValidationFailed(missing)
    performer = session.scalar(select(UserAccount).where(UserAccount.username == visit.performed_by))
    administrator = (visit.performed_by, performer.full_name if performer else visit.performed_by)
    if performer is None or not performer.active or Role(performer.role) not in BENCH_ROLES:
        raise ValidationFailed([Problem("performed_by", f"Performed by: \u201c{visit.performed_by}\u201d is not an "
                                                        "active nurse's or neurologist's user name; choose the "
                                                        "person giving the dose.")])
    confirmed = (checker.confirmed or needed) if checker is not None else None
    require_valid_check(entries(session), needed, confirmed, administrator=administrator,
                        checker=(checker.username, checker.name) if checker is not None else None, day=day)
    row = stored or DoseCheck(visit_id=visit.id)
    row.administered_by, row.administered_name = administrator
    row.checked_by, row.checked_name, row.checked_at = checker.username, checker.name, checker.at
    row.agent, row.dose, row.dose_unit, row.route = needed.agent, needed.dose, needed.unit, needed.route
    row.lot, row.patient_identity = needed.lot, confirmed.patient_identity
    session.add(row)


def keep_recorded(session: Session, visit: Visit, raw: Mapping[str, Any], imported_from: str) -> None:
    """An imported treatment's check as recorded where the dose was given (``dose_check.<column>`` keys
    of ``raw``; pmsdesk.domain.recorded_elsewhere), kept verbatim with the file it came from once it
    fits the dose; the register is not applied (it is the other clinic's)."""
    if visit.kind != VisitKind.TREATMENT.value or visit.dose_given is None:
        return
    needed = dose_to_check(_agent(session, visit.course_id), visit.dose_given, visit.dose_unit, visit.dose_batch)
    recorded = recorded_dose_check(raw, needed)
    if recorded is None:
        return
    row = check_of(session, visit.id) or DoseCheck(visit_id=visit.id)
    row.administered_by, row.administered_name = recorded.administered_by, recorded.administered_name
    row.checked_by, row.checked_name, row.checked_at = recorded.checked_by, recorded.checked_name, recorded.checked_at
    confirmed = recorded.confirmed
    row.agent, row.dose, row.dose_unit, row.route = confirmed.agent, confirmed.dose, confirmed.unit, confirmed.route
    row.lot, row.patient_identity, row.imported_from = confirmed.lot, confirmed.patient_identity, imported_from
    session.add(row)
