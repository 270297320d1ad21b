"""Every refusal of pmsdesk has one base, and keeps the base it had before (old ``except`` code works)."""

from __future__ import annotations

import pytest

from pmsdesk.domain.refusals import Cancelled, Refusal
from pmsdesk.domain.permissions import Action, Actor, PermissionDenied, Role
from pmsdesk.domain.validation import Problem, ValidationFailed
from pmsdesk.domain.fields import FieldError
from pmsdesk.exchange.importer import ImportCancelled, ImportRefused
from pmsdesk.exchange.sources import SourceError
from pmsdesk.services.accounts import SignInRefused
from pmsdesk.services.clinic import NotFound, StaleRecord
from pmsdesk.services.demo import DatabaseNotEmpty


@pytest.mark.parametrize("refusal, old_base", [
    (PermissionDenied(Actor("a.admin", Role.ADMINISTRATOR), Action.RECORD), PermissionError),
    (ValidationFailed([Problem("sdmt.score", "SDMT: 200 is not allowed")]), ValueError),
    (StaleRecord("visit"), RuntimeError),
    (NotFound("visit 3 does not exist"), LookupError),
    (SignInRefused("The user name or the password is not right."), Exception),
    (ImportRefused("visits.csv has 2 problems"), ValueError),
    (SourceError("not a CSV file"), ValueError),
    (DatabaseNotEmpty("this database already holds 3 patients"), ValueError),
])
def test_each_refusal_is_a_refusal_with_its_message_and_its_old_base(refusal, old_base):
    assert isinstance(refusal, Refusal) and isinstance(refusal, old_base)
    assert refusal.message == str(refusal) and str(refusal)


def test_a_field_error_is_a_refusal():
    from pmsdesk.domain.fields import VISIT_FIELDS

    with pytest.raises(FieldError) as caught:
        next(f for f in VISIT_FIELDS if f.name == "visit_date").parse("2026-13-45")
    assert isinstance(caught.value, Refusal) and isinstance(caught.value, ValueError)


def test_cancelling_is_not_a_refusal():
    assert issubclass(ImportCancelled, Cancelled) and not issubclass(Cancelled, Refusal)
