"""The audit chain's rules: any change, removal, insertion or cut at the end is found, at its entry."""

from __future__ import annotations

import pytest

from pmsdesk.domain.audit import (
    GENESIS_HASH,
    HASHED_FIELDS,
    canonical_json,
    entry_hash,
    verify_chain,
)


def chain(count: int) -> list[dict]:
    entries, previous = [], GENESIS_HASH
    for number in range(1, count + 1):
        entry = dict.fromkeys(HASHED_FIELDS)
        entry.update(id=number, occurred_at=f"2026-11-20T10:00:{number:02d}+00:00", actor="n.nurse", kind="update",
                     table_name="visit", row_key=str(number), after=canonical_json({"notes": f"n{number}"}),
                     previous_hash=previous)
        entry["entry_hash"] = previous = entry_hash(entry)
        entries.append(entry)
    return entries


def head(entries: list[dict]) -> tuple[int, str]:
    return (entries[-1]["id"], entries[-1]["entry_hash"]) if entries else (0, GENESIS_HASH)


def test_an_untouched_chain_is_intact():
    entries = chain(5)
    report = verify_chain(entries, head(entries))
    assert report.intact and report.entries == 5 and report.last_hash == entries[-1]["entry_hash"]
    assert report.describe().startswith("Audit trail intact: 5 entries")
    assert verify_chain([], (0, GENESIS_HASH)).intact


def test_canonical_json_is_one_text_per_value():
    assert canonical_json({"b": 1, "a": "Ö"}) == '{"a":"Ö","b":1}'


@pytest.mark.parametrize("field", ["actor", "after", "occurred_at", "reason", "kind"])
def test_a_changed_entry_is_found_at_that_entry(field):
    entries = chain(5)
    entries[2] = {**entries[2], field: "tampered"}
    report = verify_chain(entries, head(chain(5)))
    assert (report.broken_at, report.entries) == (3, 2)
    assert "changed after it was written" in report.problem
    assert report.describe().startswith("Audit trail BROKEN at entry 3:")


def test_a_changed_entry_with_a_recomputed_hash_breaks_the_next_link():
    entries = chain(5)
    forged = {**entries[2], "actor": "someone else"}
    forged["entry_hash"] = entry_hash(forged)
    entries[2] = forged
    report = verify_chain(entries, head(chain(5)))
    assert report.broken_at == 4 and "does not link to entry 3" in report.problem


def test_a_removed_entry_is_found():
    entries = chain(5)
    del entries[1]
    report = verify_chain(entries, head(entries))
    assert report.broken_at == 2 and "entry 2 is missing" in report.problem


def test_entries_cut_off_the_end_are_found_through_the_head():
    entries = chain(5)
    report = verify_chain(entries[:3], head(entries))
    assert report.broken_at == 4 and "removed from the end" in report.problem
