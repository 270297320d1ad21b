"""The audit trail's rules: what an entry records, how entries are chained, how a chain is checked.

Each entry stores the previous entry's hash and its own hash over the canonical JSON of all its
other fields, so changing, removing or inserting an entry anywhere breaks the chain from there on;
the chain's head (its last id and hash, kept apart) shows entries cut off the end.

A plain SHA-256 can be recomputed by anyone who has the database file, so from the clinic's first
keyed entry on (``sealed_from``) the hash is an HMAC-SHA256 under the clinic's audit key, which is
kept outside the database (pmsdesk.store.audit_key). Entries written before a clinic had a key keep
their SHA-256: the keyed entries that follow link to them, so they cannot be changed either without
breaking a seal. What the key cannot show (a tail cut off together with the head) is shown by
checkpoints: an entry number and hash recorded outside the database (backups, reports, exports, a
witness file), which the live chain must still contain. Pure Python: the store writes entries
(pmsdesk.store.audit), this module says what a valid chain is.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
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


def _hashed_text(entry: Mapping[str, Any]) -> bytes:
    return canonical_json({name: entry.get(name) for name in HASHED_FIELDS}).encode()


def entry_hash(entry: Mapping[str, Any]) -> str:
    """The published, unkeyed hash: SHA-256 of the canonical JSON of :data:`HASHED_FIELDS`."""
    return hashlib.sha256(_hashed_text(entry)).hexdigest()


def entry_seal(entry: Mapping[str, Any], key: bytes) -> str:
    """The keyed hash: HMAC-SHA256 under the clinic's audit key, over the same text as :func:`entry_hash`."""
    return hmac.new(key, _hashed_text(entry), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Checkpoint:
    """The chain's head as recorded somewhere outside the database: entry ``entry_id`` had ``entry_hash``
    (a prefix of at least 16 hex digits is enough: that is what a printed page shows)."""

    entry_id: int
    entry_hash: str
    source: str  # where it was found, for the report ("the backup clinic-20261201T...", "the witness file ...")
    made_at: str | None = None  # ISO UTC time it was recorded, where known (see verify_chain on restores)

    def matches(self, entry_hash_: str) -> bool:
        return entry_hash_.startswith(self.entry_hash.lower())


def parse_checkpoint(text: str, source: str) -> Checkpoint:
    """``N:HASH`` as printed on reports and written in manifests and witness files."""
    number, _, digest = text.strip().partition(":")
    digest = digest.strip().lower()
    if not (number.strip().isdigit() and 16 <= len(digest) <= 64 and all(c in "0123456789abcdef" for c in digest)):
        raise ValueError(f"a checkpoint is ENTRY:HASH, e.g. 1234:9f86d081884c7d65 (the hash's first 16 to 64 hex "
                         f"digits), not {text.strip()[:80]!r}")
    return Checkpoint(int(number), digest, source)


def format_checkpoint(entry_id: int, entry_hash_: str) -> str:
    return f"{entry_id}:{entry_hash_}"


@dataclass(frozen=True)
class ChainReport:
    entries: int  # entries checked (up to the first break)
    last_hash: str
    broken_at: int | None = None  # the id of the first entry that fails, or the head's last id
    problem: str | None = None
    sealed_from: int | None = None  # the first entry keyed with the clinic's key, if it has one
    keyed: bool = False  # whether the keyed entries' seals were checked (the key was at hand)
    checkpoints: tuple[str, ...] = field(default_factory=tuple)  # the checkpoints found and held, by source

    @property
    def intact(self) -> bool:
        return self.broken_at is None

    @property
    def complete(self) -> bool:
        """Intact, and every entry's own hash or seal was checked (no keyed entry left unchecked)."""
        return self.intact and (self.keyed or self.sealed_from is None or self.sealed_from > self.entries)

    def describe(self) -> str:
        if not self.intact:
            return f"Audit trail BROKEN at entry {self.broken_at}: {self.problem}"
        text = f"Audit trail intact: {self.entries} entries, last hash {self.last_hash[:16]}\u2026"
        if self.sealed_from is None:
            text += " (no clinic key yet: SHA-256 only, which anyone with the file can recompute)"
        elif not self.keyed:
            text += (" as far as it could be checked: its entries are sealed with the clinic's key, which this "
                     "workstation does not have, so only the links between entries and the checkpoints were "
                     "checked, not each entry's content")
        else:
            text += f", sealed with the clinic's key from entry {self.sealed_from}"
        return text


def _by_entry(checkpoints: Iterable[Checkpoint]) -> dict[int, list[Checkpoint]]:
    found: dict[int, list[Checkpoint]] = {}
    for checkpoint in checkpoints:
        found.setdefault(checkpoint.entry_id, []).append(checkpoint)
    return found


def verify_chain(entries: Iterable[Mapping[str, Any]], head: tuple[int, str], *, key: bytes | None = None,
                 sealed_from: int | None = None, checkpoints: Sequence[Checkpoint] = ()) -> ChainReport:
    """Check ``entries`` (in id order) link up from the genesis hash, each with its own hash (SHA-256
    before ``sealed_from``, the HMAC under ``key`` from there on; without the key those are not
    checked), that each checkpoint's entry is there with its hash, and that the chain ends where
    ``head`` says.

    A restore from a backup puts an earlier chain back and records itself as the next entry: the
    checkpoints made before it of entries from there on belong to the history it replaced, and are
    left out (a restore entry cannot be forged without the key)."""
    checkpoints = list(checkpoints)
    by_entry = _by_entry(checkpoints)

    def report(broken_at: int | None = None, problem: str | None = None) -> ChainReport:
        return ChainReport(count, previous, broken_at, problem, sealed_from, key is not None,
                           tuple(c.source for c in checkpoints if c.entry_id <= count))

    count, previous = 0, GENESIS_HASH
    for entry in entries:
        expected_id = count + 1
        if entry["id"] != expected_id:
            return report(expected_id, f"entry {expected_id} is missing (the next one stored is {entry['id']})")
        if entry["previous_hash"] != previous:
            return report(expected_id, f"it does not link to entry {count}: an entry before it was changed or replaced")
        if sealed_from is None or expected_id < sealed_from:
            if entry_hash(entry) != entry["entry_hash"]:
                return report(expected_id, "its content does not match its hash: it was changed after it was written")
        elif key is not None and not hmac.compare_digest(entry_seal(entry, key), entry["entry_hash"]):
            return report(expected_id, "its seal does not match the clinic's key: it was changed after it was "
                                       "written, or written by someone without the key (a forged entry, or the "
                                       "chain recomputed)")
        if entry["kind"] == AuditKind.RESTORE.value:
            checkpoints = [c for c in checkpoints if c.entry_id < expected_id or c.made_at is None
                           or c.made_at >= entry["occurred_at"]]
            by_entry = _by_entry(checkpoints)
        for checkpoint in by_entry.get(expected_id, ()):
            if not checkpoint.matches(entry["entry_hash"]):
                return report(expected_id, f"its hash differs from the checkpoint in {checkpoint.source}: the trail "
                                           "was rewritten from here on (entries replaced and the chain recomputed)")
        count, previous = expected_id, entry["entry_hash"]
    beyond = [checkpoint for checkpoint in checkpoints if checkpoint.entry_id > count]
    if beyond:
        furthest = max(beyond, key=lambda checkpoint: checkpoint.entry_id)
        what = "the trail was wiped" if count == 0 else "entries were cut off the end"
        return report(count + 1, f"the trail ends at entry {count} but {furthest.source} recorded entry "
                                 f"{furthest.entry_id}: {what} (and its head reset)")
    last_id, last_hash = head
    if (last_id, last_hash) != (count, previous):
        return report(count + 1 if last_id > count else last_id,
                      f"the chain ends at entry {count} but its head records entry {last_id}: "
                      "entries were removed from the end, or the head was changed")
    return report()


# ----- the data the trail describes ---------------------------------------------------------------
ROW_KINDS = (AuditKind.INSERT, AuditKind.UPDATE, AuditKind.SOFT_DELETE, AuditKind.DELETE)


def replay(values: dict[str, Any] | None, kind: str, before: Mapping[str, Any] | None,
           after: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A row's recorded values after one more of its entries (None: the row was erased)."""
    if kind == AuditKind.INSERT.value:
        return dict(after or {})
    if kind == AuditKind.DELETE.value:
        return None
    return {**(values or before or {}), **(after or {})}


@dataclass(frozen=True)
class DataReport:
    """Whether the audited tables hold what replaying the trail gives, and the first row that does not."""

    rows: int  # rows compared
    table: str | None = None
    row_key: str | None = None
    problem: str | None = None

    @property
    def intact(self) -> bool:
        return self.problem is None

    def describe(self) -> str:
        if self.intact:
            return f"Data matches the audit trail: {self.rows} rows replayed and compared"
        return f"Data DIFFERS from the audit trail: {self.table} row {self.row_key}: {self.problem}"
