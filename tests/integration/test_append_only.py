"""The database itself refuses to change or remove recorded history."""

from __future__ import annotations

import pytest

from ledger.errors import AppendOnlyViolation
from ledger.storage.schema import APPEND_ONLY_TABLES
from tests.ledger_helpers import append, execute, fetch_one, open_recorder

CHANGES = {
    "ledger_events": ("UPDATE ledger_events SET topic = 'x' WHERE position = 0",
                      "DELETE FROM ledger_events WHERE position = 0"),
    "ledger_tree": ("UPDATE ledger_tree SET hash = hash WHERE level = 0 AND idx = 0",
                    "DELETE FROM ledger_tree WHERE level = 0"),
    "ledger_checkpoints": ("UPDATE ledger_checkpoints SET tree_size = 99",
                           "DELETE FROM ledger_checkpoints"),
    "ledger_meta": ("UPDATE ledger_meta SET value = 'forged' WHERE key = 'vkey'",
                    "DELETE FROM ledger_meta"),
}


def test_every_append_only_table_has_its_refusals_tested() -> None:
    assert set(CHANGES) == set(APPEND_ONLY_TABLES)


@pytest.mark.parametrize("table", sorted(CHANGES))
@pytest.mark.parametrize("kind", ["update", "delete"])
def test_the_database_refuses_to_change_recorded_history(initialised, table: str, kind: str) -> None:
    db_url, _ = initialised
    recorder = open_recorder(db_url)
    append(recorder, 3)
    recorder.append_checkpoint(3, "a stored note\n")
    count_sql = f"SELECT COUNT(*) FROM {table}"
    before = fetch_one(recorder.database, count_sql)
    statement = CHANGES[table][0 if kind == "update" else 1]
    with pytest.raises(AppendOnlyViolation, match="append-only"):
        execute(recorder.database, statement)
    assert fetch_one(recorder.database, count_sql) == before
    assert fetch_one(recorder.database, "SELECT topic FROM ledger_events WHERE position = 0") == ("tests:Happened",)


def test_postgresql_refuses_truncate(initialised, engine_name: str) -> None:
    db_url, _ = initialised
    recorder = open_recorder(db_url)
    append(recorder, 2)
    if engine_name == "sqlite":
        # SQLite has no TRUNCATE; its DELETE trigger covers "DELETE FROM t".
        with pytest.raises(AppendOnlyViolation):
            execute(recorder.database, "DELETE FROM ledger_events")
    else:
        with pytest.raises(AppendOnlyViolation):
            execute(recorder.database, "TRUNCATE ledger_events")
    assert fetch_one(recorder.database, "SELECT COUNT(*) FROM ledger_events") == (2,)


@pytest.mark.parametrize("stream, topic", [("s:\x00", "t"), ("s:a", "t\x00"), ("", "t"), ("s:a", "")])
def test_text_neither_engine_can_store_is_refused_alike(initialised, stream: str, topic: str) -> None:
    from eventsourcing.persistence import StoredEvent

    from ledger.errors import InvalidInputError

    db_url, _ = initialised
    recorder = open_recorder(db_url)
    with pytest.raises(InvalidInputError):
        recorder.insert_events([StoredEvent(stream, 1, topic, b"x")])
    assert recorder.max_notification_id() is None
