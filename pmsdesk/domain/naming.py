"""How a patient and a treatment are named wherever pmsdesk shows or prints them: one rule each."""

from __future__ import annotations

from pmsdesk.domain.vocab import Agent


def family_name_shown(family_name: str) -> str:
    """The family name in capitals, letter by letter, keeping any letter whose capital would change
    the spelling ("Weiß" stays "WEIß", never "WEISS"); scripts without case are left as they are."""
    return "".join(letter.upper() if len(letter.upper()) == 1 else letter for letter in family_name)


def patient_display_name(family_name: str, given_names: str) -> str:
    """"FAMILY, Given", as the patient list, the editor, the trajectory and the reports show it."""
    return f"{family_name_shown(family_name)}, {given_names}"


def agent_label(agent: str, agent_name: str | None) -> str:
    """A course's agent as a person reads it: the product's own name for "Other"."""
    if agent == Agent.OTHER:
        return agent_name or Agent.OTHER.label
    return Agent(agent).label
