"""Fixtures shared by every test: a real database on each engine.

``db_url`` is parametrised over SQLite (a file in tmp_path) and PostgreSQL (a
fresh schema per test on SCRUTINY_TEST_PG_URL, default the local server). The
PostgreSQL tests never skip: if the server cannot be reached they fail, so a
green run always means both engines were tested.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

PG_URL = os.environ.get(
    "SCRUTINY_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
ENGINES = ("sqlite", "postgresql")


def new_pg_schema_url() -> tuple[str, str]:
    """Create an empty schema; return (url whose search_path is it, schema name)."""
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:16]}"
    plain = PG_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{separator}options=-csearch_path%3D{schema}", schema


def drop_pg_schema(schema: str) -> None:
    import psycopg

    plain = PG_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def make_db_url(engine: str, directory: Path) -> tuple[str, str | None]:
    if engine == "sqlite":
        return f"sqlite:///{directory / 'ledger.sqlite3'}", None
    url, schema = new_pg_schema_url()
    return url, schema


@pytest.fixture(params=ENGINES)
def engine_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def db_url(engine_name: str, tmp_path: Path) -> Iterator[str]:
    url, schema = make_db_url(engine_name, tmp_path)
    yield url
    if schema is not None:
        drop_pg_schema(schema)


@pytest.fixture
def key_path(tmp_path: Path) -> Path:
    return tmp_path / "keys" / "scrutiny.key"


@pytest.fixture
def initialised(db_url: str, key_path: Path) -> tuple[str, Path]:
    """An initialised, empty ledger: (db_url, key_path)."""
    from commands.admin import init_ledger

    key_path.parent.mkdir(parents=True, exist_ok=True)
    init_ledger(db_url, key_path, "test.scrutiny-ledger/ledger")
    return db_url, key_path


@pytest.fixture
def pg_database() -> Iterator[Any]:
    """A ledger schema on PostgreSQL alone, for what only that engine does
    (pooled connections, pipelined round trips)."""
    from ledger.storage.database import Database

    url, schema = new_pg_schema_url()
    database = Database(url)
    database.create_schema()
    yield database
    database.dispose()
    drop_pg_schema(schema)
