"""PostgreSQL: a pooled connection the server closed is replaced, not used.

A connection idle for longer than POSTGRESQL_PING_AFTER_IDLE_SECONDS is
pinged when it is checked out; one used more recently is not (that round
trip is saved on every busy transaction).
"""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from ledger.storage import database as database_module
from ledger.storage.database import Database
from tests.conftest import PG_URL


def _backend_pid(database: Database) -> int:
    with database.read_cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


def _terminate(pid: int) -> None:
    plain = PG_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(%s)", (pid,))


def test_a_connection_closed_by_the_server_while_idle_is_replaced(
    pg_database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _backend_pid(pg_database)
    _terminate(first)
    monkeypatch.setattr(database_module, "POSTGRESQL_PING_AFTER_IDLE_SECONDS", 0.0)
    second = _backend_pid(pg_database)  # the ping fails, the pool connects anew
    assert second != first
    with pg_database.write_cursor() as cursor:  # and writes go through
        cursor.execute("UPDATE ledger_head SET last_recorded_at = last_recorded_at WHERE id = 1")


def test_a_recently_used_connection_is_not_pinged(
    pg_database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _backend_pid(pg_database)
    monkeypatch.setattr(database_module, "POSTGRESQL_PING_AFTER_IDLE_SECONDS", 3600.0)
    statements: list[str] = []
    raw = pg_database.engine.raw_connection()
    try:
        connection_class: Any = type(raw.dbapi_connection)
        original = connection_class.execute

        def counting(self, query, *args, **kwargs):  # type: ignore[no-untyped-def]
            statements.append(str(query))
            return original(self, query, *args, **kwargs)

        monkeypatch.setattr(connection_class, "execute", counting)
    finally:
        raw.close()
    assert _backend_pid(pg_database) == first  # the same pooled connection, taken as it is
    assert "SELECT 1" not in statements
    monkeypatch.setattr(database_module, "POSTGRESQL_PING_AFTER_IDLE_SECONDS", 0.0)
    assert _backend_pid(pg_database) == first
    assert "SELECT 1" in statements  # idle "too long": pinged, alive, kept


def test_a_recently_used_connection_closed_by_the_server_fails_once_then_is_replaced(
    pg_database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ledger.errors import StorageError

    monkeypatch.setattr(database_module, "POSTGRESQL_PING_AFTER_IDLE_SECONDS", 3600.0)
    first = _backend_pid(pg_database)
    _terminate(first)
    with pytest.raises(StorageError):
        with pg_database.write_cursor() as cursor:
            cursor.execute("UPDATE ledger_head SET size = size + 1 WHERE id = 1")
    assert _backend_pid(pg_database) != first
    with pg_database.read_cursor() as cursor:  # nothing was recorded by the failed transaction
        cursor.execute("SELECT size FROM ledger_head WHERE id = 1")
        assert cursor.fetchone()[0] == 0
