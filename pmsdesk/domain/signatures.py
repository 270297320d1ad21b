"""What an electronic signature on a visit is: who, their printed name, when, what it means, and the
content it was given to.

The rules follow the US FDA's 21 CFR Part 11 (Electronic records; electronic signatures, 1997,
https://www.ecfr.gov/current/title-21/chapter-I/subchapter-A/part-11): a signed record shows the
signer's printed name, the date and time of signing and the meaning of the signature (§ 11.50);
a signature is linked to its record so that it cannot be excised, copied or otherwise transferred
to falsify another record (§ 11.70); signing needs the signer's password again (§ 11.200(a)).

The link is a digest: SHA-256 over the canonical JSON of the visit's identity and content and of the
signature itself. A signature moved to another visit, or a visit changed after signing, no longer
matches its digest. Pure Python: no Qt, no database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from typing import Any

from pmsdesk.domain.audit import canonical_json
from pmsdesk.domain.vocab import Choice


class SignatureMeaning(Choice):
    """What the signer declares by signing; shown before signing and with every signature."""

    REVIEWED_AND_APPROVED = ("reviewed_and_approved", ("Reviewed and approved: I have reviewed this visit's "
                                                       "record and approve it as complete and correct"))
    PERFORMED = ("performed", ("Performed and recorded: I examined the patient and recorded this visit "
                               "myself and take responsibility for it"))

    @property
    def short_label(self) -> str:
        """The meaning in a few words, for a sign-off line or a printed record."""
        return self.label.split(":", 1)[0]


DEFAULT_MEANING = SignatureMeaning.REVIEWED_AND_APPROVED


def signature_digest(visit_id: int, patient_id: int, content: Mapping[str, Any], *, signer_id: int,
                     signed_name: str, signed_at: dt.datetime, meaning: SignatureMeaning | str) -> str:
    """The SHA-256 (hex) binding a signature to one visit's content: ``content`` is every value a
    change or an amendment could touch, keyed like the visit form. The time is taken to the second in
    UTC, as a database stores it back."""
    if signed_at.tzinfo is None:  # SQLite gives back the UTC time it was given, without its zone
        signed_at = signed_at.replace(tzinfo=dt.UTC)
    moment = signed_at.astimezone(dt.UTC).replace(microsecond=0, tzinfo=None).isoformat()
    signed = {"visit_id": visit_id, "patient_id": patient_id, "content": dict(content), "signer_id": signer_id,
              "signed_name": signed_name, "signed_at": moment, "meaning": str(meaning)}
    return hashlib.sha256(canonical_json(signed).encode()).hexdigest()
