"""Helpers shared by tests: append events, tamper with rows behind the ledger's back."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from eventsourcing.persistence import StoredEvent
from sqlalchemy import text

from ledger.storage.database import Database
from ledger.storage.recorder import LedgerRecorder
from ledger.storage.schema import APPEND_ONLY_TABLES


def open_recorder(db_url: str) -> LedgerRecorder:
    return LedgerRecorder(Database(db_url))


def append(recorder: LedgerRecorder, count: int, stream: str = "test:s", start_version: int = 1,
           batch: int = 1) -> list[int]:
    positions: list[int] = []
    events = [
        StoredEvent(
            originator_id=stream,
            originator_version=start_version + i,
            topic="tests:Happened",
            state=json.dumps({"n": start_version + i, "text": f"event {i}"}).encode(),
        )
        for i in range(count)
    ]
    for start in range(0, count, batch):
        ids = recorder.insert_events(events[start : start + batch]) or []
        positions.extend(i - 1 for i in ids)
    return positions


def drop_append_only_triggers(database: Database) -> None:
    """What an insider with database rights could do first (the subject keys' too)."""
    with database.write() as conn:
        for table in APPEND_ONLY_TABLES:
            if database.is_sqlite:
                for action in ("update", "delete"):
                    conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {table}_refuse_{action}")
            else:
                conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {table}_refuse_change ON {table}")
                conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {table}_refuse_truncate ON {table}")
        keys = "ledger_subject_keys"
        for trigger in ("erase_only", "refuse_delete", "refuse_replace", "refuse_truncate"):
            on = "" if database.is_sqlite else f" ON {keys}"
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {keys}_{trigger}{on}")


def execute(database: Database, sql: str, **params: object) -> None:
    with database.write() as conn:
        conn.execute(text(sql), params)


def fetch_one(database: Database, sql: str, **params: object) -> Sequence[object]:
    with database.read() as conn:
        row = conn.execute(text(sql), params).one()
    return tuple(row)


def write_file(path: Path, content: str) -> Path:
    path.write_text(content, encoding="utf-8")
    return path
