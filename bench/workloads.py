"""The workloads and their baselines; each returns events (or rows) per second."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from eventsourcing.persistence import StoredEvent

STATE = b'{"actor_id":"person:scrutineer-1","actor_role":"independent_scrutineer","occurred_on":"2019-10-01","subject":"' + b"x" * 240 + b'","tier":2}'
TOPIC = "ledger.domain.challenges:ChallengeRaised"
PG_URL = os.environ.get("SCRUTINY_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def events(count: int, per_stream: int = 100) -> list[StoredEvent]:
    streams = [f"challenge:{uuid.uuid4()}" for _ in range(count // per_stream + 1)]
    return [
        StoredEvent(streams[i // per_stream], i % per_stream + 1, TOPIC, STATE)
        for i in range(count)
    ]


def rate(count: int, run: Callable[[], Any]) -> float:
    started = time.perf_counter()
    run()
    return count / (time.perf_counter() - started)


@contextmanager
def scratch(engine: str) -> Iterator[str]:
    """A fresh database URL on the engine, removed afterwards."""
    directory = Path(tempfile.mkdtemp(prefix="scrutiny-bench-"))
    schema = None
    try:
        if engine == "sqlite":
            yield f"sqlite:///{directory / 'bench.sqlite3'}"
        else:
            import psycopg

            schema = f"bench_{uuid.uuid4().hex[:12]}"
            plain = PG_URL.replace("postgresql+psycopg://", "postgresql://")
            with psycopg.connect(plain, autocommit=True) as conn:
                conn.execute(f'CREATE SCHEMA "{schema}"')
            yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        if schema is not None:
            import psycopg

            plain = PG_URL.replace("postgresql+psycopg://", "postgresql://")
            with psycopg.connect(plain, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        shutil.rmtree(directory, ignore_errors=True)


def ledger_append(url: str, stored: list[StoredEvent], batch: int) -> float:
    from ledger.storage.database import Database
    from ledger.storage.recorder import LedgerRecorder

    database = Database(url)
    database.create_schema()
    recorder = LedgerRecorder(database)
    try:
        return rate(len(stored), lambda: [
            recorder.insert_events(stored[i : i + batch]) for i in range(0, len(stored), batch)
        ])
    finally:
        database.dispose()


def eventsourcing_append(engine: str, url: str, stored: list[StoredEvent], batch: int) -> float:
    """The library's own recorder on the same engine, same events, same batches."""
    if engine == "sqlite":
        from eventsourcing.sqlite import SQLiteFactory

        path = url.removeprefix("sqlite:///") + ".es"
        factory: Any = SQLiteFactory({"SQLITE_DBNAME": path, "ORIGINATOR_ID_TYPE": "text"})
    else:
        from eventsourcing.postgres import PostgresFactory

        schema = url.split("%3D", 1)[1]
        factory = PostgresFactory({
            "POSTGRES_DBNAME": "test", "POSTGRES_HOST": "127.0.0.1", "POSTGRES_PORT": "5432",
            "POSTGRES_USER": "postgres", "POSTGRES_PASSWORD": "", "POSTGRES_SCHEMA": schema,
            "ORIGINATOR_ID_TYPE": "text",
        })
    recorder = factory.application_recorder()
    try:
        return rate(len(stored), lambda: [
            recorder.insert_events(stored[i : i + batch]) for i in range(0, len(stored), batch)
        ])
    finally:
        factory.close()


def raw_append(engine: str, url: str, stored: list[StoredEvent], batch: int) -> float:
    """Plain driver inserts of rows of the same size, no hashing, no checks."""
    rows = [(i, str(e.originator_id), e.originator_version, e.topic, "2026-01-01T00:00:00.000000Z", e.state)
            for i, e in enumerate(stored)]
    ddl = ("CREATE TABLE raw_events (position BIGINT PRIMARY KEY, stream_id TEXT, stream_version BIGINT, "
           "topic TEXT, recorded_at TEXT, state {blob}, UNIQUE (stream_id, stream_version))")
    if engine == "sqlite":
        path = url.removeprefix("sqlite:///") + ".raw"
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute(ddl.format(blob="BLOB"))

        def run() -> None:
            for i in range(0, len(rows), batch):
                conn.execute("BEGIN IMMEDIATE")
                conn.executemany("INSERT INTO raw_events VALUES (?,?,?,?,?,?)", rows[i : i + batch])
                conn.execute("COMMIT")

        try:
            return rate(len(rows), run)
        finally:
            conn.close()
    import psycopg

    schema = url.split("%3D", 1)[1]
    plain = PG_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, options=f"-csearch_path={schema}") as pg:
        pg.execute(ddl.format(blob="BYTEA"))
        pg.commit()

        def run_pg() -> None:
            with pg.cursor() as cursor:
                for i in range(0, len(rows), batch):
                    cursor.executemany("INSERT INTO raw_events VALUES (%s,%s,%s,%s,%s,%s)", rows[i : i + batch])
                    pg.commit()

        return rate(len(rows), run_pg)


def ledger_verify(url: str, key_dir: Path, count: int) -> tuple[float, float]:
    """(ledger verify events/s, raw read + SHA-256 of the same leaf bytes events/s)."""
    from ledger.notes import NoteSigner
    from ledger.records import StoredRecord
    from ledger.storage.database import Database
    from ledger.storage.recorder import LedgerRecorder
    from ledger.verification import verify_ledger

    database = Database(url)
    recorder = LedgerRecorder(database)
    signer = NoteSigner.generate("bench/ledger")
    try:
        verify_rate = rate(count, lambda: verify_ledger(recorder, [signer.verifier]))

        def raw_read_and_hash() -> None:
            with database.engine.connect() as conn:
                result = conn.exec_driver_sql(
                    "SELECT position, stream_id, stream_version, topic, recorded_at, state "
                    "FROM ledger_events ORDER BY position"
                )
                for row in result:
                    leaf = StoredRecord(row[0], row[1], row[2], row[3], row[4], bytes(row[5])).leaf_input()
                    hashlib.sha256(b"\x00" + leaf).digest()

        return verify_rate, rate(count, raw_read_and_hash)
    finally:
        database.dispose()


def run_all(engine: str, count: int, single: int) -> dict[str, Any]:
    figures: dict[str, dict[str, Any]] = {}

    def put(name: str, value: float, unit: str = "events/s") -> None:
        figures[name] = {"value": round(value, 1), "unit": unit}
        print(f"  measured {name}: {value:,.0f} {unit}", file=sys.stderr)

    batch_events = events(count)
    single_events = events(single)
    with scratch(engine) as url:
        put("append_batch100_ledger", ledger_append(url, batch_events, 100))
        with scratch(engine) as url2:
            put("append_batch100_eventsourcing", eventsourcing_append(engine, url2, batch_events, 100))
        with scratch(engine) as url3:
            put("append_batch100_raw_driver", raw_append(engine, url3, batch_events, 100))
        verify_rate, raw_rate = ledger_verify(url, Path(tempfile.gettempdir()), count)
        put("verify_ledger", verify_rate)
        put("read_rows_and_sha256_raw", raw_rate)
    with scratch(engine) as url:
        put("append_single_ledger", ledger_append(url, single_events, 1))
    with scratch(engine) as url:
        put("append_single_eventsourcing", eventsourcing_append(engine, url, single_events, 1))
    with scratch(engine) as url:
        put("append_single_raw_driver", raw_append(engine, url, single_events, 1))
    value = lambda name: figures[name]["value"]  # noqa: E731
    ratios = {
        "append_batch_vs_eventsourcing": value("append_batch100_ledger") / value("append_batch100_eventsourcing"),
        "append_single_vs_eventsourcing": value("append_single_ledger") / value("append_single_eventsourcing"),
        "append_batch_vs_raw_driver": value("append_batch100_ledger") / value("append_batch100_raw_driver"),
        "verify_vs_raw_read_sha256": value("verify_ledger") / value("read_rows_and_sha256_raw"),
    }
    return {"engine": engine, "figures": figures, "ratios": {k: round(v, 3) for k, v in ratios.items()}}

