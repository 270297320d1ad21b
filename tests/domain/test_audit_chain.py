"""The audit chain's rules: any change, removal, insertion or cut at the end is found, at its entry."""

from __future__ import annotations

import pytest

from pmsdesk.domain.audit import (
    GENESIS_HASH,
    HASHED_FIELDS,
    Checkpoint,
    canonical_json,
    entry_hash,
    entry_seal,
    parse_checkpoint,
    replay,
    verify_chain,
)

KEY = bytes(range(32))


def chain(count: int, *, sealed_from: int | None = None, kinds: dict[int, str] | None = None) -> list[dict]:
    """``count`` entries, SHA-256 before ``sealed_from`` and sealed with KEY from there on."""
    entries, previous = [], GENESIS_HASH
    for number in range(1, count + 1):
        entry = dict.fromkeys(HASHED_FIELDS)
        entry.update(id=number, occurred_at=f"2026-11-20T10:00:{number:02d}+00:00", actor="n.nurse",
                     kind=(kinds or {}).get(number, "update"), table_name="visit", row_key=str(number),
                     after=canonical_json({"notes": f"n{number}"}), previous_hash=previous)
        keyed = sealed_from is not None and number >= sealed_from
        entry["entry_hash"] = previous = entry_seal(entry, KEY) if keyed else entry_hash(entry)
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


def test_keyed_entries_need_the_key_and_protect_the_plain_ones_before_them():
    entries = chain(6, sealed_from=4)
    assert verify_chain(entries, head(entries), key=KEY, sealed_from=4).complete
    without_key = verify_chain(entries, head(entries), sealed_from=4)
    assert without_key.intact and not without_key.complete and "does not have" in without_key.describe()

    forged = {**entries[4], "actor": "someone else"}
    forged["entry_hash"] = entry_hash(forged)  # the published algorithm, without the key
    report = verify_chain([*entries[:4], forged, *entries[5:]], head(entries), key=KEY, sealed_from=4)
    assert report.broken_at == 5 and "written by someone without the key" in report.problem

    rewritten = chain(3)  # the plain part recomputed after a change: the first keyed entry no longer links
    rewritten[1]["reason"] = "x"
    for number in (2, 3):
        rewritten[number - 1].update(previous_hash=rewritten[number - 2]["entry_hash"])
        rewritten[number - 1]["entry_hash"] = entry_hash(rewritten[number - 1])
    report = verify_chain([*rewritten, *entries[3:]], head(entries), key=KEY, sealed_from=4)
    assert report.broken_at == 4 and "does not link to entry 3" in report.problem


def test_a_checkpoint_must_be_in_the_chain_with_its_hash():
    entries = chain(5)
    held = Checkpoint(3, entries[2]["entry_hash"][:16], "the backup b")
    assert verify_chain(entries, head(entries), checkpoints=[held]).checkpoints == ("the backup b",)
    other = Checkpoint(3, "f" * 16, "the witness file w")
    report = verify_chain(entries, head(entries), checkpoints=[other])
    assert report.broken_at == 3 and "differs from the checkpoint in the witness file w" in report.problem
    later = Checkpoint(7, "a" * 64, "the witness file w")
    report = verify_chain(entries, head(entries), checkpoints=[later])
    assert report.broken_at == 6 and "recorded entry 7: entries were cut off the end" in report.problem
    assert "the trail was wiped" in verify_chain([], (0, GENESIS_HASH), checkpoints=[later]).problem


def test_a_restore_sets_aside_the_checkpoints_of_the_history_it_replaced():
    entries = chain(5, kinds={4: "restore"})
    before = Checkpoint(4, "e" * 64, "the witness file w", made_at="2026-11-20T10:00:03+00:00")
    after = Checkpoint(5, "e" * 64, "the witness file w", made_at="2026-11-20T10:00:09+00:00")
    assert verify_chain(entries, head(entries), checkpoints=[before]).intact
    assert verify_chain(entries, head(entries), checkpoints=[after]).broken_at == 5


@pytest.mark.parametrize("text", ["12:abc", "x:" + "a" * 16, "12:" + "g" * 16, "12"])
def test_a_checkpoint_is_an_entry_number_and_at_least_16_hex_digits(text):
    with pytest.raises(ValueError, match="a checkpoint is ENTRY:HASH"):
        parse_checkpoint(text, "here")
    assert parse_checkpoint(" 12:" + "AB" * 8, "here") == Checkpoint(12, "ab" * 8, "here")


def test_replaying_a_rows_entries_gives_its_values():
    values = replay(None, "insert", None, {"edss": 4.5, "notes": None})
    values = replay(values, "update", {"edss": 4.5}, {"edss": 5.0})
    assert replay(values, "soft_delete", {"deleted_at": None}, {"deleted_at": "2026-11-20T10:00:00+00:00"}) == {
        "edss": 5.0, "notes": None, "deleted_at": "2026-11-20T10:00:00+00:00"}
    assert replay(values, "delete", values, None) is None
