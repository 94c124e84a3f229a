"""Verification detects every way of changing history behind the ledger's back."""

from __future__ import annotations

from pathlib import Path

import pytest

from commands.admin import make_checkpoint, verify
from ledger.checkpoints import Checkpoint, sign_checkpoint
from ledger.errors import IntegrityFailure
from ledger.notes import NoteSigner
from tests.ledger_helpers import append, drop_append_only_triggers, execute, open_recorder


@pytest.fixture
def ledger_with_history(initialised):
    """12 events in batches of 5, a checkpoint at 12; triggers dropped (an insider)."""
    db_url, key_path = initialised
    recorder = open_recorder(db_url)
    append(recorder, 12, batch=5)
    make_checkpoint(db_url, key_path)
    drop_append_only_triggers(recorder.database)
    return db_url, key_path, recorder


def verify_report(db_url: str, key_path: Path, against: str | None = None):
    report, _ = verify(db_url, key_path, against)
    return report


def test_an_untouched_ledger_verifies(ledger_with_history) -> None:
    db_url, key_path, _ = ledger_with_history
    report = verify_report(db_url, key_path)
    assert report.ok, report.problem
    assert report.size == 12
    assert report.checkpoints_checked == 1


@pytest.mark.parametrize(
    "column, new_value",
    [
        ("stream_id", "'test:other'"),
        ("stream_version", "stream_version + 100"),
        ("topic", "'tests:Forged'"),
        ("recorded_at", "'2020-01-01T00:00:00.000000Z'"),
    ],
)
def test_a_changed_column_is_named_by_position(ledger_with_history, column: str, new_value: str) -> None:
    db_url, key_path, recorder = ledger_with_history
    execute(recorder.database, f"UPDATE ledger_events SET {column} = {new_value} WHERE position = 7")
    report = verify_report(db_url, key_path)
    assert not report.ok
    assert report.first_bad_position == 7
    assert "position 7" in (report.problem or "")


def test_a_changed_state_byte_is_named_by_position(ledger_with_history) -> None:
    db_url, key_path, recorder = ledger_with_history
    (record,) = list(recorder.iter_records(start=4, stop=5))
    changed = bytearray(record.state)
    changed[3] ^= 0x01
    execute(recorder.database, "UPDATE ledger_events SET state = :s WHERE position = 4", s=bytes(changed))
    report = verify_report(db_url, key_path)
    assert (report.ok, report.first_bad_position) == (False, 4)


def test_a_deleted_event_is_named(ledger_with_history) -> None:
    db_url, key_path, recorder = ledger_with_history
    execute(recorder.database, "DELETE FROM ledger_events WHERE position = 5")
    report = verify_report(db_url, key_path)
    assert (report.ok, report.first_bad_position) == (False, 5)
    assert "missing" in (report.problem or "")


def test_two_swapped_events_are_detected_at_the_first(ledger_with_history) -> None:
    db_url, key_path, recorder = ledger_with_history
    execute(recorder.database, "UPDATE ledger_events SET position = -1 WHERE position = 2")
    execute(recorder.database, "UPDATE ledger_events SET position = 2 WHERE position = 9")
    execute(recorder.database, "UPDATE ledger_events SET position = 9 WHERE position = -1")
    report = verify_report(db_url, key_path)
    assert (report.ok, report.first_bad_position) == (False, 2)


def test_a_rewritten_history_with_recomputed_tree_is_caught_by_the_checkpoint(ledger_with_history) -> None:
    db_url, key_path, recorder = ledger_with_history
    # The insider rewrites event 6 and recomputes every hash the database stores.
    execute(recorder.database, "UPDATE ledger_events SET topic = 'tests:Forged' WHERE position = 6")
    execute(recorder.database, "DELETE FROM ledger_tree")
    from ledger.integrity import complete_subtrees_after_append, leaf_hash

    hashes = [leaf_hash(r.leaf_input()) for r in recorder.iter_records()]
    nodes: dict[tuple[int, int], bytes] = {}
    for level, idx, digest in complete_subtrees_after_append(0, hashes, lambda l, i: nodes[(l, i)]):
        nodes[(level, idx)] = digest
    with recorder.database.write() as conn:
        from ledger.storage import schema

        conn.execute(schema.tree.insert(), [{"level": l, "idx": i, "hash": h} for (l, i), h in nodes.items()])
    report = verify_report(db_url, key_path)
    assert not report.ok
    assert "checkpoint #1" in (report.problem or "")
    assert "0..11" in (report.problem or "")


def test_a_truncated_tail_is_caught_against_a_checkpoint_kept_outside(ledger_with_history) -> None:
    db_url, key_path, recorder = ledger_with_history
    kept_outside = recorder.checkpoints()[-1][3]
    # The insider removes the last three events, their tree rows and every checkpoint.
    execute(recorder.database, "DELETE FROM ledger_events WHERE position >= 9")
    execute(recorder.database, "DELETE FROM ledger_tree")
    execute(recorder.database, "DELETE FROM ledger_checkpoints")
    execute(recorder.database, "UPDATE ledger_head SET size = 9")
    from ledger.integrity import complete_subtrees_after_append, leaf_hash
    from ledger.storage import schema

    hashes = [leaf_hash(r.leaf_input()) for r in recorder.iter_records()]
    nodes = complete_subtrees_after_append(0, hashes, lambda l, i: b"")
    with recorder.database.write() as conn:
        conn.execute(schema.tree.insert(), [{"level": l, "idx": i, "hash": h} for l, i, h in nodes])
    assert verify_report(db_url, key_path).ok  # nothing inside the database shows it
    report = verify_report(db_url, key_path, against=kept_outside)
    assert not report.ok
    assert report.first_bad_position == 9
    assert "removed" in (report.problem or "")


def test_a_forged_checkpoint_is_rejected(ledger_with_history, tmp_path: Path) -> None:
    db_url, key_path, recorder = ledger_with_history
    impostor = NoteSigner.generate("test.scrutiny-ledger/ledger")
    forged = sign_checkpoint(Checkpoint("test.scrutiny-ledger/ledger", 12, recorder.root(12)), impostor)
    recorder.append_checkpoint(12, forged)
    report = verify_report(db_url, key_path)
    assert not report.ok
    assert "checkpoint #2" in (report.problem or "")


def test_an_altered_checkpoint_is_rejected(ledger_with_history) -> None:
    db_url, key_path, recorder = ledger_with_history
    note = recorder.checkpoints()[0][3]
    altered = note.replace("\n12\n", "\n11\n", 1)
    assert altered != note
    execute(recorder.database, "UPDATE ledger_checkpoints SET signed_note = :n, tree_size = 11", n=altered)
    report = verify_report(db_url, key_path)
    assert not report.ok
    assert "checkpoint #1" in (report.problem or "")


def test_a_replaced_verifier_key_in_the_database_is_refused(ledger_with_history) -> None:
    db_url, key_path, recorder = ledger_with_history
    impostor = NoteSigner.generate("test.scrutiny-ledger/ledger")
    execute(recorder.database, "UPDATE ledger_meta SET value = :v WHERE key = 'vkey'", v=impostor.vkey)
    with pytest.raises(IntegrityFailure, match="verifier key"):
        verify_report(db_url, key_path)


def test_an_edited_tree_node_is_detected(ledger_with_history) -> None:
    db_url, key_path, recorder = ledger_with_history
    execute(recorder.database, "UPDATE ledger_tree SET hash = :h WHERE level = 2 AND idx = 1", h=b"\x00" * 32)
    report = verify_report(db_url, key_path)
    assert not report.ok
    assert report.first_bad_position == 4


def test_an_extra_tree_row_is_detected(ledger_with_history) -> None:
    db_url, key_path, recorder = ledger_with_history
    execute(recorder.database, "INSERT INTO ledger_tree (level, idx, hash) VALUES (0, 500, :h)", h=b"\x00" * 32)
    report = verify_report(db_url, key_path)
    assert not report.ok
    assert "tree table" in (report.problem or "")


def test_checkpoint_refuses_to_sign_a_tampered_log(ledger_with_history) -> None:
    db_url, key_path, recorder = ledger_with_history
    execute(recorder.database, "UPDATE ledger_events SET topic = 'x' WHERE position = 3")
    before = len(recorder.checkpoints())
    with pytest.raises(IntegrityFailure, match="position 3"):
        make_checkpoint(db_url, key_path)
    assert len(recorder.checkpoints()) == before


def test_a_backdated_recorded_at_is_named_even_when_every_hash_was_recomputed(ledger_with_history) -> None:
    db_url, key_path, recorder = ledger_with_history
    # An insider appends a forged, backdated event with its tree rows and head.
    from eventsourcing.persistence import StoredEvent

    from ledger.integrity import complete_subtrees_after_append, leaf_hash
    from ledger.records import leaf_input
    from ledger.storage import schema

    forged = StoredEvent("test:forged", 1, "tests:Happened", b"{}")
    at = "2001-01-01T00:00:00.000000Z"
    digest = leaf_hash(leaf_input(12, "test:forged", 1, "tests:Happened", at, b"{}"))
    frontier = recorder.tree_nodes([(2, 2), (3, 0)])
    nodes = complete_subtrees_after_append(12, [digest], lambda l, i: frontier[(l, i)])
    with recorder.database.write() as conn:
        conn.execute(schema.events.insert().values(position=12, stream_id=forged.originator_id,
                     stream_version=1, topic=forged.topic, recorded_at=at, state=forged.state))
        conn.execute(schema.tree.insert(), [{"level": l, "idx": i, "hash": h} for l, i, h in nodes])
        conn.execute(schema.head.update().values(size=13))
    report = verify_report(db_url, key_path)
    assert (report.ok, report.first_bad_position) == (False, 12)
    assert "never goes back" in (report.problem or "")
