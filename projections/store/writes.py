"""How one transaction's buffered view rows reach their tables.

:class:`~projections.store.ViewWriter` buffers rows per table and hands each
table's rows to the engine's :class:`TableWrites` when it flushes: inserts
(rows that are new by construction) and upserts (rows keyed by the table's
primary key, at most one per key, that replace any stored row).

* **SQLite**: one driver ``executemany`` per table, of ``INSERT`` or
  ``INSERT ... ON CONFLICT (key) DO UPDATE``. The engine runs in-process, so
  a row costs no round trip.
* **PostgreSQL**: ``executemany`` still makes the server run one statement
  per row. Inserts go through ``COPY table (columns) FROM STDIN`` instead
  (psycopg's ``cursor.copy``, rows formatted by its C extension), and each
  table's upserts through one ``INSERT ... SELECT ... FROM
  json_populate_recordset(NULL::table, %s) ON CONFLICT (key) DO UPDATE``,
  the rows sent as one JSON array that the table's row type casts column by
  column. (``unnest`` of one array per column was measured too: psycopg
  builds array literals in Python, escaping element by element, which made it
  slower than ``executemany``.)

Both write the same rows with the same outcome: a duplicate key among
inserted rows fails the transaction on either engine (``COPY`` checks the
primary key like ``INSERT``), and an upsert leaves the last row given for a
key. The one-statement upsert relies on the keys of a table's rows being
distinct (PostgreSQL refuses ``ON CONFLICT DO UPDATE`` touching a row twice
in one statement); :class:`~projections.store.ViewWriter` keeps one row per
key, so they are.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, Table

Row = dict[str, Any]


class TableWrites:
    """SQLite (and the generic path, on any engine): one ``executemany`` per table."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._marker = "?" if engine.dialect.paramstyle == "qmark" else "%s"
        self._sql: dict[tuple[str, str], str] = {}
        self._getters: dict[str, Callable[[Row], tuple[Any, ...]]] = {}

    def insert(self, conn: Any, table: Table, rows: list[Row]) -> None:
        conn.exec_driver_sql(self._statement(table, "insert"), self.values(table, rows))

    def upsert(self, conn: Any, table: Table, rows: list[Row]) -> None:
        conn.exec_driver_sql(self._statement(table, "upsert"), self.values(table, rows))

    def values(self, table: Table, rows: list[Row]) -> list[tuple[Any, ...]]:
        """Each row as a tuple in the table's column order."""
        getter = self._getters.get(table.name)
        if getter is None:
            names = [c.name for c in table.columns]
            getter = operator.itemgetter(*names) if len(names) > 1 else _single(names[0])
            self._getters[table.name] = getter
        return [getter(row) for row in rows]

    def _statement(self, table: Table, kind: str) -> str:
        sql = self._sql.get((table.name, kind))
        if sql is None:
            sql = self._sql[(table.name, kind)] = self.build(table, kind)
        return sql

    def build(self, table: Table, kind: str) -> str:
        columns = [c.name for c in table.columns]
        sql = (f"INSERT INTO {table.name} ({', '.join(columns)}) "
               f"VALUES ({', '.join(self._marker for _ in columns)})")
        return sql + on_conflict(table) if kind == "upsert" else sql


class PostgresTableWrites(TableWrites):
    """PostgreSQL: ``COPY`` for inserts, one ``json_populate_recordset`` statement per upsert."""

    def insert(self, conn: Any, table: Table, rows: list[Row]) -> None:
        copy_sql = self._statement(table, "copy")
        with conn.connection.driver_connection.cursor() as cursor, cursor.copy(copy_sql) as copy:
            for values in self.values(table, rows):
                copy.write_row(values)

    def upsert(self, conn: Any, table: Table, rows: list[Row]) -> None:
        names = [c.name for c in table.columns]
        records = [dict(zip(names, values, strict=True)) for values in self.values(table, rows)]
        document = json.dumps(records, default=str, ensure_ascii=False)
        conn.exec_driver_sql(self._statement(table, "upsert"), (document,))

    def build(self, table: Table, kind: str) -> str:
        columns = ", ".join(c.name for c in table.columns)
        if kind == "copy":
            return f"COPY {table.name} ({columns}) FROM STDIN"
        if kind == "upsert":
            # The table's own row type gives every JSON value its column's type.
            return (f"INSERT INTO {table.name} ({columns}) SELECT {columns} "
                    f"FROM json_populate_recordset(NULL::{table.name}, %s)" + on_conflict(table))
        return super().build(table, kind)


def _single(name: str) -> Callable[[Row], tuple[Any, ...]]:
    """A one-column table's getter (``itemgetter`` of one name returns the bare value)."""

    def getter(row: Row) -> tuple[Any, ...]:
        return (row[name],)

    return getter


def on_conflict(table: Table) -> str:
    """``ON CONFLICT (key) DO UPDATE`` of every other column (``DO NOTHING`` if none)."""
    keys = [c.name for c in table.primary_key.columns]
    updates = [f"{c.name} = excluded.{c.name}" for c in table.columns if c.name not in keys]
    action = f"UPDATE SET {', '.join(updates)}" if updates else "NOTHING"
    return f" ON CONFLICT ({', '.join(keys)}) DO {action}"


def for_engine(engine: Engine) -> TableWrites:
    if engine.dialect.name == "postgresql":
        return PostgresTableWrites(engine)
    return TableWrites(engine)
