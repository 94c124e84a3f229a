"""Properties of the stored ledger, on both engines.

* For any sequence of appended batches, verify passes, and every inclusion and
  consistency proof of every size, computed from stored subtrees, verifies
  against the roots of the RFC 9162 leaf-based functions.
* Any single-byte change to any stored column of any event is detected and
  named by its position.
* An append that fails part-way leaves no trace.
"""

from __future__ import annotations

import base64
import json
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from eventsourcing.persistence import StoredEvent
from hypothesis import HealthCheck, assume, given, reject, settings
from hypothesis import strategies as st

from commands.admin import init_ledger, make_checkpoint, verify
from ledger import integrity
from ledger.errors import ConflictError, StorageError
from ledger.storage.database import Database
from ledger.storage.recorder import LedgerRecorder
from tests.conftest import ENGINES, drop_pg_schema, make_db_url
from tests.ledger_helpers import drop_append_only_triggers, execute

PROPERTY_SETTINGS = settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

stream_texts = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    min_size=1,
    max_size=12,
)
event_states = st.one_of(
    st.binary(max_size=40),
    st.dictionaries(st.text(max_size=5), st.integers(-5, 5), max_size=3).map(
        lambda d: json.dumps(d).encode()
    ),
)
batches = st.lists(
    st.lists(st.tuples(stream_texts, event_states), min_size=1, max_size=6),
    min_size=1,
    max_size=6,
)


@contextmanager
def fresh_ledger(engine: str) -> Iterator[tuple[str, Path, LedgerRecorder]]:
    directory = Path(tempfile.mkdtemp(prefix="scrutiny-prop-"))
    url, schema = make_db_url(engine, directory)
    key = directory / "scrutiny.key"
    try:
        init_ledger(url, key, "test.scrutiny-ledger/property")
        database = Database(url)
        try:
            yield url, key, LedgerRecorder(database)
        finally:
            database.dispose()
    finally:
        if schema is not None:
            drop_pg_schema(schema)
        shutil.rmtree(directory, ignore_errors=True)


def append_batches(recorder: LedgerRecorder, plan: list[list[tuple[str, bytes]]]) -> int:
    versions: dict[str, int] = {}
    size = 0
    for batch in plan:
        events = []
        for stream, state in batch:
            versions[stream] = versions.get(stream, 0) + 1
            events.append(StoredEvent(f"s:{stream}", versions[stream], "tests:Happened", state))
        ids = recorder.insert_events(events)
        assert list(ids or []) == list(range(size + 1, size + len(events) + 1))
        size += len(events)
    return size


@pytest.mark.parametrize("engine", ENGINES)
@PROPERTY_SETTINGS
@given(plan=batches)
def test_any_appended_history_verifies_and_proves(engine: str, plan) -> None:
    with fresh_ledger(engine) as (url, key, recorder):
        size = append_batches(recorder, plan)
        report, _ = verify(url, key)
        assert report.ok, report.problem
        leaves = [r.leaf_input() for r in recorder.iter_records()]
        assert [r.position for r in recorder.iter_records()] == list(range(size))
        roots = {n: integrity.merkle_root(leaves[:n]) for n in range(1, size + 1)}
        assert report.root == roots[size]
        for n in range(1, size + 1):
            assert recorder.root(n) == roots[n]
            nodes = recorder.tree_nodes(sorted(integrity.nodes_needed_for_root(n) |
                                               set().union(*(integrity.nodes_needed_for_inclusion(i, n) for i in range(n)))))
            lookup = lambda level, idx: nodes[(level, idx)]  # noqa: E731
            for index in range(n):
                proof = integrity.inclusion_proof_from_store(index, n, lookup)
                assert integrity.verify_inclusion(integrity.leaf_hash(leaves[index]), index, n, proof, roots[n])
            for m in range(1, n + 1):
                old_nodes = recorder.tree_nodes(sorted(integrity.nodes_needed_for_consistency(m, n)))
                proof = integrity.consistency_proof_from_store(m, n, lambda l, i: old_nodes[(l, i)])
                assert integrity.verify_consistency(m, n, roots[m], roots[n], proof)


COLUMNS = ("stream_id", "stream_version", "topic", "recorded_at", "state")


@pytest.mark.parametrize("engine", ENGINES)
@PROPERTY_SETTINGS
@given(data=st.data())
def test_any_single_byte_change_to_a_stored_event_is_detected_and_named(engine: str, data) -> None:
    with fresh_ledger(engine) as (url, key, recorder):
        size = append_batches(recorder, [[("a", b'{"x":1}'), ("b", b"\x00\x01")], [("a", b"[]")] * 1,
                                         [("c", b"payload"), ("a", b"{}"), ("d", b"z")]])
        make_checkpoint(url, key)
        drop_append_only_triggers(recorder.database)
        position = data.draw(st.integers(0, size - 1), label="position")
        column = data.draw(st.sampled_from(COLUMNS), label="column")
        (record,) = list(recorder.iter_records(start=position, stop=position + 1))
        original = getattr(record, column)
        if column == "state":
            at = data.draw(st.integers(0, len(original) - 1), label="byte")
            flip = data.draw(st.integers(1, 255), label="xor")
            changed = bytearray(original)
            changed[at] ^= flip
            tampered: object = bytes(changed)
        elif column == "stream_version":
            tampered = original + data.draw(st.integers(1, 1000), label="delta")
        else:
            # Text columns: change one character to another printable one.
            at = data.draw(st.integers(0, len(original) - 1), label="char")
            replacement = data.draw(st.characters(min_codepoint=0x21, max_codepoint=0x7E).filter(
                lambda c: c != original[at]), label="replacement")
            tampered = original[:at] + replacement + original[at + 1:]
        try:
            execute(recorder.database, f"UPDATE ledger_events SET {column} = :v WHERE position = :p",
                    v=tampered, p=position)
        except ConflictError:
            reject()  # the change collides with another event's stream version: refused anyway
        report, _ = verify(url, key)
        assert not report.ok
        assert report.first_bad_position == position, report.problem
        assert f"position {position}" in (report.problem or "")


def inject_failing_tree_insert(database: Database, level: int) -> None:
    """A real database failure in the middle of an append: a trigger that aborts."""
    if database.is_sqlite:
        execute(database, f"CREATE TRIGGER fail_tree BEFORE INSERT ON ledger_tree "
                          f"WHEN NEW.level = {level} BEGIN SELECT RAISE(ABORT, 'injected failure'); END")
    else:
        execute(database, "CREATE OR REPLACE FUNCTION fail_tree() RETURNS trigger LANGUAGE plpgsql "
                          "AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$")
        execute(database, f"CREATE TRIGGER fail_tree BEFORE INSERT ON ledger_tree FOR EACH ROW "
                          f"WHEN (NEW.level = {level}) EXECUTE FUNCTION fail_tree()")


def snapshot(recorder: LedgerRecorder) -> tuple[object, ...]:
    return (
        recorder.size(),
        recorder.max_notification_id(),
        recorder.count_tree_nodes(),
        [(r.position, r.stream_id, r.stream_version) for r in recorder.iter_records()],
    )


@pytest.mark.parametrize("engine", ENGINES)
@PROPERTY_SETTINGS
@given(before=st.integers(0, 9), batch=st.integers(1, 9), failing_level=st.integers(0, 4),
       conflict=st.booleans())
def test_an_append_that_fails_part_way_leaves_no_trace(engine: str, before: int, batch: int,
                                                       failing_level: int, conflict: bool) -> None:
    with fresh_ledger(engine) as (url, key, recorder):
        append_batches(recorder, [[("a", b"x")] * before] if before else [])
        state_before = snapshot(recorder)
        if conflict:
            # The last event of the batch collides with an existing stream version.
            events = [StoredEvent(f"s:new{i}", 1, "tests:Happened", b"y") for i in range(batch)]
            events.append(StoredEvent("s:a" if before else "s:new0", 1, "tests:Happened", b"y"))
            with pytest.raises(ConflictError):
                recorder.insert_events(events)
        else:
            new_size = before + batch
            # Only batches that complete a node at that level reach the failing insert.
            assume(any((p + 1) % (1 << failing_level) == 0 for p in range(before, new_size)))
            inject_failing_tree_insert(recorder.database, failing_level)
            events = [StoredEvent(f"s:new{i}", 1, "tests:Happened", b"y") for i in range(batch)]
            with pytest.raises(StorageError, match="injected failure"):
                recorder.insert_events(events)
        assert snapshot(recorder) == state_before
        report, _ = verify(url, key)
        assert report.ok, report.problem
        # The next append takes the next dense position.
        if not conflict:
            execute(recorder.database, "DROP TRIGGER fail_tree" + ("" if recorder.database.is_sqlite else " ON ledger_tree"))
        ids = recorder.insert_events([StoredEvent("s:after", 1, "tests:Happened", b"z")])
        assert list(ids or []) == [before + 1]
