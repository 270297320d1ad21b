"""What a real treatment visit carries before its dose is recorded, for tests that save one
(``from bench import passed_check``). Issue 15's dose gates each add their part here: the
pre-puncture safety check (services.safety) ...
"""

from __future__ import annotations

import datetime as dt


def passed_check(day: dt.date | str | object, **answers) -> dict[str, object]:
    """A visit's raw values for a safety check that passes on ``day``: no antithrombotic, no pregnancy,
    infection, allergy or neurotoxicity, and that day's blood count within every threshold (platelets,
    white cells, lymphocytes). ``answers`` replace single answers ("active_infection": True)."""
    day = day.isoformat() if isinstance(day, dt.date) else str(day)
    given = {"antithrombotic": "none", "pregnancy_possible": "no", "active_infection": "no",
             "methotrexate_allergy": "no", "methotrexate_neurotoxicity": "no", **answers}
    return {"labs.sampled_on": day, "labs.platelets": "250", "labs.wbc": "6.1", "labs.lymphocytes": "1.8",
            **{f"safety_check.{name}": value for name, value in given.items()}}


def with_check(visit: dict, **answers) -> dict:
    """``visit`` (raw values) with a passing safety check on its day when it is a treatment with a dose."""
    if visit.get("kind") != "treatment" or visit.get("dose_given") in (None, ""):
        return visit
    return {**passed_check(visit["visit_date"], **answers), **visit}
