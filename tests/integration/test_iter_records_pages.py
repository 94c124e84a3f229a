"""``LedgerRecorder.iter_records`` reads fixed ranges of positions; nothing is missed.

Each page is a primary-key range of ``page_size`` positions (no keyset
``LIMIT``, which PostgreSQL without table statistics can plan as a scan of
the rest of the table). These tests check, on both engines, that the records
are exactly the stored rows of ``[start, stop)`` in order, whatever the page
size and bounds, also when positions are missing from a damaged log, and that
no read transaction stays open between pages.
"""

from __future__ import annotations

import pytest

from ledger.records import StoredRecord
from ledger.storage.recorder import LedgerRecorder
from tests.ledger_helpers import append, drop_append_only_triggers, execute, open_recorder

SIZE = 23


@pytest.fixture
def recorder(initialised) -> LedgerRecorder:
    """23 events in batches of 5."""
    db_url, _ = initialised
    recorder = open_recorder(db_url)
    append(recorder, SIZE, batch=5)
    return recorder


def stored_rows(recorder: LedgerRecorder) -> list[StoredRecord]:
    """Every stored row, in one plain query (what the pages must add up to)."""
    with recorder.database.read() as conn:
        rows = conn.exec_driver_sql(
            "SELECT position, stream_id, stream_version, topic, recorded_at, state "
            "FROM ledger_events ORDER BY position"
        ).all()
    return [StoredRecord(int(r[0]), r[1], int(r[2]), r[3], r[4], bytes(r[5])) for r in rows]


@pytest.mark.parametrize("page_size", [1, 2, 4, 5, 22, 23, 24, 5000])
def test_the_whole_log_comes_back_in_order_whatever_the_page_size(recorder, page_size: int) -> None:
    records = list(recorder.iter_records(page_size=page_size))
    assert records == stored_rows(recorder)
    assert [r.position for r in records] == list(range(SIZE))


@pytest.mark.parametrize(
    "start, stop",
    [(0, None), (0, SIZE), (5, 9), (4, 8), (7, 8), (22, None), (22, 23), (23, None), (30, None),
     (9, 9), (9, 3), (0, 10**12), (-3, 2)],
)
@pytest.mark.parametrize("page_size", [1, 3, 4, 100])
def test_a_slice_holds_exactly_the_positions_from_start_below_stop(
    recorder, start: int, stop: int | None, page_size: int
) -> None:
    expected = [r for r in stored_rows(recorder) if r.position >= start and (stop is None or r.position < stop)]
    assert list(recorder.iter_records(start=start, stop=stop, page_size=page_size)) == expected


@pytest.mark.parametrize("page_size", [1, 2, 4, 100])
def test_missing_positions_are_skipped_and_reading_goes_on_after_them(recorder, page_size: int) -> None:
    drop_append_only_triggers(recorder.database)
    execute(recorder.database, "DELETE FROM ledger_events WHERE position BETWEEN 4 AND 15")
    execute(recorder.database, "DELETE FROM ledger_events WHERE position = 19")
    expected = [r for r in stored_rows(recorder)]
    assert [r.position for r in expected] == [0, 1, 2, 3, 16, 17, 18, 20, 21, 22]
    assert list(recorder.iter_records(page_size=page_size)) == expected
    assert [r.position for r in recorder.iter_records(start=5, stop=21, page_size=page_size)] == [16, 17, 18, 20]


def test_events_appended_while_reading_are_read_by_a_later_page(recorder) -> None:
    pages = recorder.iter_records(page_size=10)
    first = [next(pages) for _ in range(10)]
    append(recorder, 4, stream="test:later")
    rest = list(pages)
    assert [r.position for r in first + rest] == list(range(SIZE + 4))


def test_no_read_transaction_is_left_open_between_pages(recorder) -> None:
    """A reader that pauses between pages holds no snapshot (VACUUM FULL of an
    erasure would otherwise wait for it)."""
    pages = recorder.iter_records(page_size=4)
    next(pages)
    pool = recorder.database.engine.pool
    assert pool.checkedout() == 0
    pages.close()


def test_a_page_size_below_one_is_refused(recorder) -> None:
    with pytest.raises(ValueError):
        list(recorder.iter_records(page_size=0))
