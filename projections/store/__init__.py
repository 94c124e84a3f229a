"""The read side's storage: view tables, tracked positions, batched writes.

The only module of ``projections/`` (with its submodules) that speaks
SQLAlchemy. Projectors write through a :class:`ViewWriter`, which buffers the
rows of one transaction and flushes them table by table in bulk (see
:mod:`projections.store.writes`: ``executemany`` on SQLite; ``COPY`` and
one upsert statement per table on PostgreSQL), so a page of events costs a
handful of statements, and each view's position is written in the same
transaction as its rows (exactly once).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Engine, Table, create_engine, delete, inspect, select
from sqlalchemy.pool import StaticPool

from ledger.storage.database import Database, translate_errors
from ledger.storage.recorder import LedgerRecorder
from projections.store import schema, writes

Row = dict[str, Any]


class ProjectionStore:
    """View tables in the ledger's database, or in memory for time travel."""

    def __init__(self, engine: Engine, *, log: LedgerRecorder | None = None,
                 owns_engine: bool = False) -> None:
        self.engine = engine
        self.is_sqlite = engine.dialect.name == "sqlite"
        # The log the views were projected from: history reads each event's
        # fields from it (the views keep no copy of them).
        self.log = log
        self._owns_engine = owns_engine
        self.writes = writes.for_engine(engine)

    @classmethod
    def for_database(cls, database: Database, log: LedgerRecorder | None = None) -> ProjectionStore:
        return cls(database.engine, log=log)

    @classmethod
    def in_memory(cls, log: LedgerRecorder | None = None) -> ProjectionStore:
        engine = create_engine(
            "sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False}
        )
        store = cls(engine, log=log, owns_engine=True)
        store.create_all()
        return store

    def close(self) -> None:
        if self._owns_engine:
            self.engine.dispose()

    # -- schema -------------------------------------------------------------------

    def create_all(self) -> None:
        """Create the view tables; a view whose tables an older version made
        differently is dropped and made anew (it is rebuilt from the log)."""
        with self._read() as conn:
            inspector = inspect(conn)
            present = set(inspector.get_table_names())
            stored = {
                table.name: {column["name"] for column in inspector.get_columns(table.name)}
                for tables in schema.VIEW_TABLES.values() for table in tables
                if table.name in present
            }
        outdated = [
            view for view, tables in schema.VIEW_TABLES.items()
            if any(table.name in stored and stored[table.name] != {c.name for c in table.columns}
                   for table in tables)
        ]
        if outdated:
            self.reset_views(outdated)
        with self._write() as conn:
            schema.views_metadata.create_all(conn)

    def reset_views(self, views: Sequence[str]) -> None:
        """Drop and recreate the tables of the named views; their positions restart."""
        with self._write() as conn:
            schema.positions.create(conn, checkfirst=True)
            for view in views:
                for table in reversed(schema.VIEW_TABLES[view]):
                    table.drop(conn, checkfirst=True)
                for table in schema.VIEW_TABLES[view]:
                    table.create(conn)
                conn.execute(delete(schema.positions).where(schema.positions.c.view == view))

    def positions(self) -> dict[str, int]:
        """Position of the last event each view has applied (-1: none)."""
        found = {view: -1 for view in schema.VIEW_TABLES}
        with self._read() as conn:
            for view, position in conn.execute(select(schema.positions.c.view, schema.positions.c.position)):
                found[view] = int(position)
        return found

    # -- transactions ---------------------------------------------------------------

    @contextlib.contextmanager
    def _write(self) -> Iterator[Any]:
        # COPY runs on the driver's own cursor: its errors are translated too.
        driver_error = self.engine.dialect.loaded_dbapi.Error
        with translate_errors(driver_error), self.engine.connect() as conn:
            conn = conn.execution_options(scrutiny_write=True)
            with conn.begin():
                yield conn

    @contextlib.contextmanager
    def _read(self) -> Iterator[Any]:
        with translate_errors(), self.engine.connect() as conn:
            yield conn

    @contextlib.contextmanager
    def transaction(self) -> Iterator[ViewWriter]:
        """One transaction: buffered rows and positions are written together."""
        with self._write() as conn:
            writer = ViewWriter(self, conn)
            yield writer
            writer.flush()

    # -- reading ----------------------------------------------------------------------

    def rows(self, statement: Any) -> list[Row]:
        with self._read() as conn:
            return [dict(row._mapping) for row in conn.execute(statement)]

    def scalar(self, statement: Any) -> Any:
        with self._read() as conn:
            return conn.execute(statement).scalar()

    def snapshot(self, views: Sequence[str] | None = None) -> dict[str, list[Row]]:
        """Every row of the named views' tables, in key order (for comparisons)."""
        result: dict[str, list[Row]] = {}
        with self._read() as conn:
            for view in views or list(schema.VIEW_TABLES):
                for table in schema.VIEW_TABLES[view]:
                    keys = list(table.primary_key.columns)
                    result[table.name] = [dict(r._mapping) for r in conn.execute(select(table).order_by(*keys))]
        return result

    def explain(self, statement: Any) -> list[str]:
        """The engine's query plan for a statement (for docs/performance.md)."""
        compiled = statement.compile(self.engine, compile_kwargs={"literal_binds": True})
        prefix = "EXPLAIN QUERY PLAN " if self.is_sqlite else "EXPLAIN "
        with self._read() as conn:
            return [" ".join(str(cell) for cell in row) for row in conn.exec_driver_sql(prefix + str(compiled))]


class ViewWriter:
    """Buffers one transaction's rows; ``flush`` writes them table by table."""

    def __init__(self, store: ProjectionStore, conn: Any) -> None:
        self._store = store
        self._conn = conn
        self._inserts: dict[Table, list[Row]] = {}
        self._upserts: dict[Table, dict[tuple[Any, ...], Row]] = {}
        self._positions: dict[str, int] = {}

    def insert(self, table: Table, row: Row) -> None:
        self._inserts.setdefault(table, []).append(row)

    def upsert(self, table: Table, row: Row) -> None:
        key = tuple(row[c.name] for c in table.primary_key.columns)
        self._upserts.setdefault(table, {})[key] = row

    def get(self, table: Table, *key: Any) -> Row | None:
        pending = self._upserts.get(table, {}).get(tuple(key))
        if pending is not None:
            return pending
        columns = list(table.primary_key.columns)
        query = select(table).where(*(c == value for c, value in zip(columns, key, strict=True)))
        row = self._conn.execute(query).first()
        return None if row is None else dict(row._mapping)

    def set_position(self, view: str, position: int) -> None:
        self._positions[view] = position

    def flush(self) -> None:
        """Write the buffered rows: inserts, then upserts, then positions, in bulk per table."""
        writes = self._store.writes
        for table, rows in self._inserts.items():
            if rows:
                writes.insert(self._conn, table, rows)
        for table, keyed in self._upserts.items():
            if keyed:
                writes.upsert(self._conn, table, list(keyed.values()))
        if self._positions:
            writes.upsert(
                self._conn,
                schema.positions,
                [{"view": view, "position": position} for view, position in self._positions.items()],
            )
        self._inserts.clear()
        self._upserts.clear()
        self._positions.clear()


# One encoder for every view row (json.dumps would build one per call).
_ENCODER = json.JSONEncoder(sort_keys=True, default=str, separators=(",", ":"))


def dumps(value: Any) -> str:
    return _ENCODER.encode(value)
