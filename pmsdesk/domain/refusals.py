"""What pmsdesk says when it will not do what was asked, and when the person stopped it.

Every "not allowed / not valid / changed by someone else / not found / refused" exception of pmsdesk
is a :class:`Refusal`: its ``str()`` is the sentence shown to the person, beside the action they
took. The screens show a refusal and carry on; anything else that escapes an operation is a fault
of pmsdesk and is reported (and logged) as one. The existing exception types keep their other bases
too (``ValueError``, ``PermissionError``, ...), so code that catches those keeps working.

:class:`Cancelled` is not a refusal: the person stopped a long operation, and the operation left
nothing half-written (its transaction was rolled back, its file never written).

Pure Python: no Qt, no database.
"""

from __future__ import annotations


class Refusal(Exception):
    """An operation refused; ``str()`` is the message for the person (never a traceback)."""

    @property
    def message(self) -> str:
        return str(self)


class Cancelled(Exception):
    """The person cancelled a long operation; nothing of it was written."""
