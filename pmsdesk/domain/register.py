"""The intrathecal register and the second-person check of an intrathecal dose.

UK national guidance on the safe administration of intrathecal chemotherapy (Department of Health,
HSC 2008/001, 2008; as summarised by the Specialist Pharmacy Service, "Managing an intrathecal
chemotherapy service") requires a designated lead and a register of the staff who have been trained
and assessed as competent for each task (prescribing, dispensing, issuing, checking, administering);
only registered staff do that task, and everyone on the register makes sure the colleagues they involve
are registered for theirs. The dose is checked with a second person before it is given. pmsdesk keeps
the clinic's register for the three tasks done at the bench (prescribe, check, administer), each
entry with a training date and an expiry, kept by the administrator.

Whether intrathecal methotrexate for MS counts as intrathecal chemotherapy under that guidance is the
clinic's decision (methotrexate is a cytotoxic); pmsdesk applies the register to every intrathecal dose.

Pure Python: the register service stores the entries and the checks (pmsdesk.services.register).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from pmsdesk.domain.refusals import Refusal
from pmsdesk.domain.vocab import Agent, Choice

HSC_2008_001 = ("Department of Health. Updated national guidance on the safe administration of intrathecal "
                "chemotherapy. HSC 2008/001. London: Department of Health, 2008")

# Cell products carry a product or lot number that the check confirms (chain of identity: each MSC-NP
# dose is made from the patient's own cells, Harris et al., Stem Cell Res Ther 2024;15:151).
CELL_PRODUCTS = frozenset({Agent.MSC_NP, Agent.AUTOLOGOUS_MSC})
INTRATHECAL = "intrathecal"


class RegisterTask(Choice):
    PRESCRIBE = "prescribe", "Prescribe"
    CHECK = "check", "Check (second person)"
    ADMINISTER = "administer", "Administer"


@dataclass(frozen=True)
class RegisterEntry:
    """One person's training for one task: valid from ``trained_on`` to ``expires_on`` inclusive,
    unless ended earlier (``ended_on``: the last day it counted)."""

    username: str
    full_name: str
    task: RegisterTask
    trained_on: dt.date
    expires_on: dt.date
    ended_on: dt.date | None = None

    def valid_on(self, day: dt.date) -> bool:
        last = min(self.expires_on, self.ended_on) if self.ended_on is not None else self.expires_on
        return self.trained_on <= day <= last


class RegisterRefused(Refusal):
    """A person not registered (or no longer) for the task asked of them."""


class SecondCheckRefused(Refusal):
    """A second-person check that is missing, incomplete or by someone who may not give it."""


def registration_problem(entries: Iterable[RegisterEntry], username: str, shown_name: str, task: RegisterTask,
                         day: dt.date) -> str | None:
    """Why ``username`` may not do ``task`` on ``day`` (None when an entry covers it): whose entry,
    which task and, for one that has lapsed, when it expired or ended."""
    theirs = [e for e in entries if e.username == username and e.task is task]
    if any(e.valid_on(day) for e in theirs):
        return None
    what = f"{shown_name} is not registered to {task.label.split(' (')[0].lower()} intrathecal doses"
    if not theirs:
        return f"{what}: there is no register entry for this task (the administrator keeps the register)."
    latest = max(theirs, key=lambda e: e.ended_on or e.expires_on)
    if latest.trained_on > day:
        return f"{what} yet: the entry starts {latest.trained_on.isoformat()}."
    if latest.ended_on is not None and latest.ended_on < latest.expires_on:
        return f"{what}: the entry was ended on {latest.ended_on.isoformat()}; the administrator can add a new one."
    return (f"{what}: the entry expired on {latest.expires_on.isoformat()} (trained {latest.trained_on.isoformat()}); "
            "renewed training is recorded by the administrator (Register\u2026).")


def require_registered(entries: Iterable[RegisterEntry], username: str, shown_name: str, task: RegisterTask,
                       day: dt.date) -> None:
    problem = registration_problem(entries, username, shown_name, task, day)
    if problem is not None:
        raise RegisterRefused(problem)


@dataclass(frozen=True)
class CheckedDose:
    """What the second person confirmed against the syringe and the patient before the dose is given."""

    agent: str  # the course's agent (an Agent code, or the named agent for "other")
    dose: float
    unit: str
    route: str  # always INTRATHECAL
    lot: str | None  # the product or lot number; required for a cell product
    patient_identity: bool  # identity confirmed with the patient (name and date of birth) and the label


def checked_agent(agent: str | None, agent_name: str | None) -> str:
    """A course's agent as the check names it: the named agent of an "other" course, else its code."""
    if agent is None:
        return "(no course)"
    return agent_name if agent == "other" and agent_name else agent


def dose_to_check(agent: str, dose: float | None, unit: str | None, lot: str | None) -> CheckedDose:
    """The check a dose about to be saved needs: its drug, dose, route and lot, with identity confirmed."""
    return CheckedDose(agent, float(dose) if dose is not None else 0.0, unit or "", INTRATHECAL, lot or None, True)


def check_problems(needed: CheckedDose, confirmed: CheckedDose | None) -> list[str]:
    """What is missing or different between the dose being saved and the check given (empty: valid)."""
    if confirmed is None:
        return ["no second-person check was given for this dose"]
    problems = []
    if not confirmed.patient_identity:
        problems.append("the patient's identity was not confirmed")
    if confirmed.route != INTRATHECAL:
        problems.append("the route was not confirmed as intrathecal")
    if (confirmed.agent, confirmed.dose, confirmed.unit) != (needed.agent, needed.dose, needed.unit):
        problems.append(f"the check was for {confirmed.dose:g} {confirmed.unit} {confirmed.agent}, the dose "
                        f"recorded is {needed.dose:g} {needed.unit} {needed.agent}")
    if needed.agent in CELL_PRODUCTS and not needed.lot:
        problems.append("a cell product needs its product or lot number (Batch or lot)")
    elif confirmed.lot != needed.lot:
        problems.append(f"the check confirmed lot {confirmed.lot or '(none)'}, the dose records "
                        f"{needed.lot or '(none)'}")
    return problems


def require_valid_check(entries: Iterable[RegisterEntry], needed: CheckedDose, confirmed: CheckedDose | None, *,
                        administrator: tuple[str, str] | None, checker: tuple[str, str] | None,
                        day: dt.date) -> None:
    """The dose gate: a valid check of this very dose, by a registered, unexpired checker who is not
    the person administering, who is registered to administer. ``administrator`` and ``checker`` are
    (user name, name as shown). Refused with every reason at once, and what is allowed."""
    entries = tuple(entries)
    problems = check_problems(needed, confirmed if checker is not None else None)
    if administrator is None:
        problems.append("the person giving the dose (Performed by) is not named")
    else:
        problems.append(registration_problem(entries, *administrator, RegisterTask.ADMINISTER, day))
    if checker is not None:
        if administrator is not None and checker[0] == administrator[0]:
            problems.append(f"{checker[1]} is giving the dose and cannot also check it: a second person checks")
        else:
            problems.append(registration_problem(entries, *checker, RegisterTask.CHECK, day))
    problems = [p.rstrip(".") for p in problems if p]
    if problems:
        raise SecondCheckRefused(
            "The intrathecal dose cannot be saved without a valid second-person check: " + "; ".join(problems)
            + ". Allowed: a second person registered to check, other than the one giving the dose, confirms the "
              "drug, dose, route, patient and lot and signs in with their own password (Second-person check).")
