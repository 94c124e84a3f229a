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
from pathlib import Path
from typing import Any

import pytest
from eventsourcing.persistence import StoredEvent
from sqlalchemy import event

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


def test_an_append_on_postgresql_waits_for_the_server_twice(
    pg_database: Database, tmp_path: Path
) -> None:
    """The head and the keys' settlement in one round trip; the rows, tree
    nodes and commit in a second (libpq's protocol trace: one ReadyForQuery
    for each time the client waited)."""
    recorder = LedgerRecorder(pg_database)
    recorder.insert_events([_event(1)])  # the frontier is now known
    trace = tmp_path / "protocol.txt"
    with trace.open("w") as out:
        def start(dbapi_connection: Any, *_: Any) -> None:
            dbapi_connection.pgconn.trace(out.fileno())

        def stop(dbapi_connection: Any, *_: Any) -> None:
            dbapi_connection.pgconn.untrace()

        event.listen(pg_database.engine, "checkout", start)
        event.listen(pg_database.engine, "checkin", stop)
        try:
            recorder.insert_events([_event(2), _event(3)])
        finally:
            event.remove(pg_database.engine, "checkout", start)
            event.remove(pg_database.engine, "checkin", stop)
    sent = trace.read_text()
    assert sent.count("\tReadyForQuery\t") == 2, sent
    assert "COMMIT" in sent and recorder.size() == 3


def test_connections_go_back_to_the_pool_as_they_came_after_appends_that_commit_or_fail(
    pg_database: Database,
) -> None:
    """An append begins its own transaction (the driver in autocommit mode
    meanwhile); every connection returns to the pool out of autocommit, so
    the next user's statements are transactional again."""
    recorder = LedgerRecorder(pg_database)
    recorder.insert_events([_event(1)])
    with pytest.raises(ConflictError):
        recorder.insert_events([_event(2), _event(1)])  # a version twice: refused whole
    assert recorder.size() == 1
    held = [pg_database.engine.raw_connection() for _ in range(3)]  # the pooled one among them
    try:
        assert [c.driver_connection.autocommit for c in held] == [False, False, False]
    finally:
        for connection in held:
            connection.close()
    with pytest.raises(RuntimeError):  # an error inside SQLAlchemy's transaction rolls it back
        with pg_database.write() as conn:
            conn.exec_driver_sql("UPDATE ledger_head SET last_recorded_at = 'x' WHERE id = 1")
            raise RuntimeError("changed my mind")
    with pg_database.read_cursor() as cursor:
        cursor.execute("SELECT size, last_recorded_at <> 'x' FROM ledger_head WHERE id = 1")
        assert cursor.fetchone() == (1, True)
