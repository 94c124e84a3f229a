"""The three stores a run grows side by side, fed the same events.

* :class:`LedgerStore`: a ledger made by ``scrutiny init``'s handler, with a
  small partnership recorded through the real handlers, then grown with the
  realistic dataset through the ledger's recorder;
* :class:`PlainStore`: plain eventsourcing with its built-in recorder on the
  same engine, given the same events in the library's own encoding;
* :class:`RawStore`: a table shaped like the ledger's event table, filled with
  the same rows by the bare driver (``sqlite3`` / ``psycopg``) ``executemany``.

Every ``insert`` returns the seconds spent inside the store only (building
the events is not timed).
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

from eventsourcing.persistence import StoredEvent

from bench import partnership
from bench.datasets import plain_fields
from bench.plain import PlainEncoder, open_application
from bench.scratch import Place, pg_connect

ORIGIN = "bench.scrutiny-ledger.example/ledger"
RAW_RECORDED_AT = "2026-01-01T00:00:00.000000Z"
RAW_DDL = ("CREATE TABLE raw_events (position BIGINT PRIMARY KEY, stream_id TEXT NOT NULL, "
           "stream_version BIGINT NOT NULL, topic TEXT NOT NULL, recorded_at TEXT NOT NULL, "
           "state {blob} NOT NULL, UNIQUE (stream_id, stream_version))")
RAW_COLUMNS = "position, stream_id, stream_version, topic, recorded_at, state"


class LedgerStore:
    def __init__(self, place: Place, key_path: Path) -> None:
        from commands.admin import init_ledger
        from ledger.application import open_ledger

        self.place = place
        self.key_path = key_path
        key_path.parent.mkdir(parents=True, exist_ok=True)
        init_ledger(place.url, key_path, ORIGIN)
        self.app = open_ledger(place.url)
        self.recorder = self.app.ledger_recorder
        self.setup_error: str | None = None
        try:
            partnership.set_up(self.app)
        except Exception as exc:  # the domain is young: say so, measure the rest
            self.setup_error = f"{type(exc).__name__}: {exc}"

    @property
    def url(self) -> str:
        return self.place.url

    def size(self) -> int:
        return self.recorder.size()

    def insert(self, events: list[StoredEvent]) -> float:
        started = time.perf_counter()
        self.recorder.insert_events(events)
        return time.perf_counter() - started

    def checkpoint(self) -> int:
        """Sign and store a checkpoint of the whole log (no verification pass)."""
        from ledger.checkpoints import Checkpoint, sign_checkpoint
        from ledger.keys import load_signer

        signer = load_signer(self.key_path)
        size = self.recorder.size()
        note = sign_checkpoint(Checkpoint(origin=signer.name, size=size,
                                          root_hash=self.recorder.root(size)), signer)
        self.recorder.append_checkpoint(size, note)
        return size

    def recorded_at(self, position: int) -> str:
        record = next(iter(self.recorder.iter_records(position, position + 1, page_size=1)))
        return record.recorded_at

    def close(self) -> None:
        self.app.close()
        self.app.database.dispose()


class PlainStore:
    def __init__(self, place: Place) -> None:
        self.place = place
        self.app = open_application(place)
        self.recorder = self.app.recorder
        self.encoder = PlainEncoder(self.app)

    def encode(self, events: list[StoredEvent]) -> list[StoredEvent]:
        encoded = []
        for stored in events:
            kind, data = plain_fields(stored)
            encoded.append(self.encoder.encode(str(stored.originator_id), stored.originator_version,
                                               kind, data))
        return encoded

    def insert(self, events: list[StoredEvent]) -> float:
        started = time.perf_counter()
        self.recorder.insert_events(events)
        return time.perf_counter() - started

    def close(self) -> None:
        self.app.close()


class RawStore:
    def __init__(self, place: Place) -> None:
        self.place = place
        self.size = 0
        if place.engine == "sqlite":
            self.conn: Any = sqlite3.connect(str(place.path), isolation_level=None)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=FULL")
            self.conn.execute(RAW_DDL.format(blob="BLOB"))
            self.marker = "?"
        else:
            self.conn = pg_connect(place.schema)
            self.conn.execute(RAW_DDL.format(blob="BYTEA"))
            self.conn.commit()
            self.marker = "%s"
        self.insert_sql = (f"INSERT INTO raw_events ({RAW_COLUMNS}) VALUES "
                           f"({', '.join([self.marker] * 6)})")
        self.lookup_sql = f"SELECT {RAW_COLUMNS} FROM raw_events WHERE position = {self.marker}"

    def rows(self, events: list[StoredEvent]) -> list[tuple[Any, ...]]:
        first = self.size
        self.size += len(events)
        return [(first + i, str(e.originator_id), e.originator_version, e.topic, RAW_RECORDED_AT, e.state)
                for i, e in enumerate(events)]

    def insert(self, rows: list[tuple[Any, ...]]) -> float:
        started = time.perf_counter()
        if self.place.engine == "sqlite":
            self.conn.execute("BEGIN IMMEDIATE")
            self.conn.executemany(self.insert_sql, rows)
            self.conn.execute("COMMIT")
        else:
            with self.conn.cursor() as cursor:
                cursor.executemany(self.insert_sql, rows)
            self.conn.commit()
        return time.perf_counter() - started

    def lookup(self, position: int) -> Any:
        cursor = self.conn.execute(self.lookup_sql, (position,))
        row = cursor.fetchone()
        if self.place.engine != "sqlite":
            self.conn.commit()
        return row

    def close(self) -> None:
        self.conn.close()
