"""An append refused by the database is one clean error, on both engines.

On PostgreSQL the append's statements travel pipelined; a write the server
refuses (here: a stream version a rival recorded first) must surface as one
ConflictError, with nothing written and nothing logged besides. (When the
refusal reached psycopg inside the pipeline block, closing the aborted
pipeline could log a second, racy warning that a command printed to stderr;
every read now comes before the first write, and the block closes quietly.)
"""

from __future__ import annotations

import logging

import pytest
from eventsourcing.persistence import StoredEvent

from ledger.errors import ConflictError
from ledger.storage.database import Database
from ledger.storage.recorder import LedgerRecorder


def _event(version: int) -> StoredEvent:
    return StoredEvent(originator_id="org:rival", originator_version=version,
                       topic="bench:Plain", state=b'{"n":%d}' % version)


def test_a_stream_version_recorded_first_by_a_rival_is_one_conflict_and_nothing_is_written(
    db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    ours_db, rival_db = Database(db_url), Database(db_url)
    try:
        ours_db.create_schema()
        ours, rival = LedgerRecorder(ours_db), LedgerRecorder(rival_db)
        ours.insert_events([_event(1)])
        rival.insert_events([_event(2)])  # our frontier is now stale: it is read again
        with caplog.at_level(logging.DEBUG):
            with pytest.raises(ConflictError, match="another writer recorded this stream version"):
                ours.insert_events([_event(2), _event(3)])
        assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
        assert ours.size() == 2
        assert [e.originator_version for e in ours.select_events("org:rival")] == [1, 2]
        ours.insert_events([_event(3)])  # the connection is fine afterwards
        assert ours.size() == 3
    finally:
        ours_db.dispose()
        rival_db.dispose()
