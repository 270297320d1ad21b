"""The audit trail's rules: what an entry records, how entries are chained, how a chain is checked.

Each entry stores the previous entry's hash and its own SHA-256 over the canonical JSON of all its
other fields, so changing, removing or inserting an entry anywhere breaks the chain from there on;
the chain's head (its last id and hash, kept apart) shows entries cut off the end. Pure Python: the
store writes entries (pmsdesk.store.audit), this module says what a valid chain is.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Any

from pmsdesk.domain.vocab import Choice

GENESIS_HASH = "0" * 64  # the previous hash of entry 1
HASHED_FIELDS = ("id", "occurred_at", "actor", "kind", "table_name", "row_key", "patient_id", "visit_id",
                 "before", "after", "reason", "details", "previous_hash")


class AuditKind(Choice):
    INSERT = "insert", "Created"
    UPDATE = "update", "Changed"
    DELETE = "delete", "Erased"
    SOFT_DELETE = "soft_delete", "Deleted (kept, hidden)"
    SIGN = "sign", "Signed"
    AMEND = "amend", "Amended after signing"
    SIGN_IN = "sign_in", "Signed in"
    SIGN_IN_FAILED = "sign_in_failed", "Sign-in refused"
    UNLOCK_FAILED = "unlock_failed", "Unlock refused"
    EXPORT = "export", "Exported"
    IMPORT = "import", "Imported"
    REPORT = "report", "Report made"
    RESTORE = "restore", "Restored from a backup"


def _plain(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    raise TypeError(f"cannot record a {type(value).__name__} in the audit trail")


def canonical_json(value: Any) -> str:
    """One text for one value: sorted keys, no spaces, UTF-8 as is, dates as ISO text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_plain)


def entry_hash(entry: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_json({name: entry.get(name) for name in HASHED_FIELDS}).encode()).hexdigest()


@dataclass(frozen=True)
class ChainReport:
    entries: int  # entries checked (up to the first break)
    last_hash: str
    broken_at: int | None = None  # the id of the first entry that fails, or the head's last id
    problem: str | None = None

    @property
    def intact(self) -> bool:
        return self.broken_at is None

    def describe(self) -> str:
        if self.intact:
            return f"Audit trail intact: {self.entries} entries, last hash {self.last_hash[:16]}\u2026"
        return f"Audit trail BROKEN at entry {self.broken_at}: {self.problem}"


def verify_chain(entries: Iterable[Mapping[str, Any]], head: tuple[int, str]) -> ChainReport:
    """Check ``entries`` (in id order) link up from the genesis hash and end where ``head`` says."""
    count, previous = 0, GENESIS_HASH
    for entry in entries:
        expected_id = count + 1
        if entry["id"] != expected_id:
            return ChainReport(count, previous, expected_id,
                               f"entry {expected_id} is missing (the next one stored is {entry['id']})")
        if entry["previous_hash"] != previous:
            return ChainReport(count, previous, expected_id,
                               f"it does not link to entry {count}: an entry before it was changed or replaced")
        if entry_hash(entry) != entry["entry_hash"]:
            return ChainReport(count, previous, expected_id,
                               "its content does not match its hash: it was changed after it was written")
        count, previous = expected_id, entry["entry_hash"]
    last_id, last_hash = head
    if (last_id, last_hash) != (count, previous):
        return ChainReport(count, previous, count + 1 if last_id > count else last_id,
                           f"the chain ends at entry {count} but its head records entry {last_id}: "
                           "entries were removed from the end, or the head was changed")
    return ChainReport(count, previous)
