"""Verification reads the log in pages of positions; nothing is missed at a page's edge.

``verify_ledger`` streams ``LedgerRecorder.iter_leaf_pages``: each page is a
range of positions with its stored rows, leaf hashes and the inner nodes its
leaves complete. These tests use pages of four positions on a 23-event log,
so every check meets a page boundary, a whole missing page and a short last
page, on both engines.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from commands.admin import make_checkpoint
from ledger.keys import load_verifier
from ledger.storage.recorder import LedgerRecorder
from ledger.verification import VerificationReport, verify_ledger
from tests.ledger_helpers import append, drop_append_only_triggers, execute, open_recorder

SIZE = 23
PAGE = 4


@pytest.fixture
def log(initialised) -> tuple[LedgerRecorder, Path]:
    """23 events in batches of 5, a checkpoint at 23; triggers dropped (an insider)."""
    db_url, key_path = initialised
    recorder = open_recorder(db_url)
    append(recorder, SIZE, batch=5)
    make_checkpoint(db_url, key_path)
    drop_append_only_triggers(recorder.database)
    return recorder, key_path


def verify_in_pages(recorder: LedgerRecorder, key_path: Path, page_size: int = PAGE) -> VerificationReport:
    return verify_ledger(recorder, [load_verifier(key_path)], page_size=page_size)


def completed_by(position: int) -> set[tuple[int, int]]:
    """The inner nodes (level, idx) that the leaf at ``position`` completes."""
    nodes = set()
    level = 0
    while position >> level & 1:
        level += 1
        nodes.add((level, position >> level))
    return nodes


@pytest.mark.parametrize("page_size", [1, 2, 3, PAGE, 7, SIZE, 100])
def test_an_untouched_log_verifies_whatever_the_page_size(log, page_size: int) -> None:
    recorder, key_path = log
    report = verify_in_pages(recorder, key_path, page_size)
    assert report.ok, report.problem
    assert (report.size, report.root, report.checkpoints_checked) == (SIZE, recorder.root(SIZE), 1)


def test_the_pages_hold_every_position_below_the_stop_once_with_the_nodes_they_complete(log) -> None:
    recorder, _ = log
    append(recorder, 5, stream="test:later")  # stored, but beyond the stop
    positions: list[int] = []
    inner_nodes: set[tuple[int, int]] = set()
    for start, (rows, leaf_hashes, inner) in zip(range(0, SIZE, PAGE), recorder.iter_leaf_pages(PAGE, stop=SIZE),
                                                 strict=True):
        page = list(range(start, min(start + PAGE, SIZE)))
        assert [row[0] for row in rows] == page
        assert all(isinstance(row, tuple) and len(row) == 6 and isinstance(row[5], bytes) for row in rows)
        assert sorted(leaf_hashes) == page
        assert set(inner) == set().union(*(completed_by(position) for position in page))
        positions += page
        inner_nodes |= set(inner)
    assert positions == list(range(SIZE))
    assert len(inner_nodes) == SIZE - bin(SIZE).count("1")


def test_progress_is_reported_after_each_page(log) -> None:
    recorder, key_path = log
    seen: list[int] = []
    report = verify_ledger(recorder, [load_verifier(key_path)], progress=seen.append, page_size=PAGE)
    assert report.ok, report.problem
    assert seen == [4, 8, 12, 16, 20, 23]


@pytest.mark.parametrize(
    "statement, first_bad, words",
    [
        ("DELETE FROM ledger_events WHERE position = 8", 8, "position 8 is missing"),
        ("DELETE FROM ledger_events WHERE position BETWEEN 8 AND 11", 8, "position 8 is missing"),
        ("DELETE FROM ledger_events WHERE position = 7", 7, "position 7 is missing"),
        ("DELETE FROM ledger_events WHERE position = 22", 22, "from position 22 were removed"),
        ("DELETE FROM ledger_tree WHERE level = 0 AND idx = 11", 11, "leaf hash is missing"),
        ("UPDATE ledger_tree SET hash = :zero WHERE level = 0 AND idx = 12", 12, "does not match the stored"),
        ("DELETE FROM ledger_tree WHERE level = 2 AND idx = 2", 8, "(2, 2) covering positions 8..11 is missing"),
        ("UPDATE ledger_tree SET hash = :zero WHERE level = 3 AND idx = 1", 8,
         "(3, 1) covering positions 8..15 does not match"),
        ("UPDATE ledger_events SET topic = 'tests:Forged' WHERE position = 20", 20, "position 20"),
    ],
)
def test_tampering_at_a_page_edge_is_named_by_its_first_position(
    log, statement: str, first_bad: int, words: str
) -> None:
    recorder, key_path = log
    execute(recorder.database, statement, zero=b"\x00" * 32)
    report = verify_in_pages(recorder, key_path)
    assert (report.ok, report.first_bad_position) == (False, first_bad), report.problem
    assert words in (report.problem or "")


@pytest.mark.parametrize("engine_name", ["sqlite"])  # only SQLite stores a value of another type
@pytest.mark.parametrize("column, value", [("state", "'not bytes'"), ("stream_version", "'seven'")])
def test_a_column_of_the_wrong_type_is_named_by_position(log, column: str, value: str) -> None:
    recorder, key_path = log
    execute(recorder.database, f"UPDATE ledger_events SET {column} = {value} WHERE position = 6")
    report = verify_in_pages(recorder, key_path)
    assert (report.ok, report.first_bad_position) == (False, 6), report.problem
    assert "position 6 cannot be encoded" in (report.problem or "")
