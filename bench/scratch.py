"""Scratch places to measure in: a temporary directory, and PostgreSQL schemas.

Everything made here is removed afterwards (the directory with its SQLite
files, every schema created on the server), also when a run fails half-way.
The PostgreSQL server is the test suite's: ``SCRUTINY_TEST_PG_URL``, default
``postgresql+psycopg://postgres@127.0.0.1:5432/test``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

PG_URL = os.environ.get(
    "SCRUTINY_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
ENGINES = ("sqlite", "postgresql")


def plain_pg_url() -> str:
    """The server URL as libpq (psycopg) takes it."""
    return PG_URL.replace("postgresql+psycopg://", "postgresql://", 1)


def pg_connect(schema: str | None = None, **kwargs: Any) -> Any:
    """A psycopg connection to the server, optionally with ``search_path`` set."""
    import psycopg

    if schema is not None:
        kwargs["options"] = f"-csearch_path={schema}"
    return psycopg.connect(plain_pg_url(), **kwargs)


def pg_params() -> dict[str, str]:
    """Host, port, user, password and database name of the server."""
    parts = urlsplit(plain_pg_url())
    return {
        "host": parts.hostname or "127.0.0.1",
        "port": str(parts.port or 5432),
        "user": unquote(parts.username or "postgres"),
        "password": unquote(parts.password or ""),
        "dbname": parts.path.lstrip("/") or "postgres",
    }


@dataclass
class Scratch:
    """One engine's scratch space for one run: call :meth:`close` at the end."""

    engine: str
    directory: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="scrutiny-bench-")))
    schemas: list[str] = field(default_factory=list)

    def place(self, name: str) -> Place:
        """A new, empty database place named ``name`` (a file, or a schema)."""
        if self.engine == "sqlite":
            return Place(self.engine, name, self.directory / f"{name}.sqlite3", None)
        schema = f"bench_{name}_{uuid.uuid4().hex[:10]}"
        with pg_connect(autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
        self.schemas.append(schema)
        return Place(self.engine, name, None, schema)

    def close(self) -> None:
        if self.schemas:
            with pg_connect(autocommit=True) as conn:
                for schema in self.schemas:
                    conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            self.schemas.clear()
        shutil.rmtree(self.directory, ignore_errors=True)

    def __enter__(self) -> Scratch:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass(frozen=True)
class Place:
    """Where one store lives: a SQLite file, or a PostgreSQL schema."""

    engine: str
    name: str
    path: Path | None
    schema: str | None

    @property
    def url(self) -> str:
        """The SQLAlchemy URL the ledger takes (``--db``)."""
        if self.path is not None:
            return f"sqlite:///{self.path}"
        separator = "&" if "?" in PG_URL else "?"
        return f"{PG_URL}{separator}options=-csearch_path%3D{self.schema}"

    def as_dict(self) -> dict[str, Any]:
        return {"engine": self.engine, "name": self.name,
                "path": str(self.path) if self.path else None, "schema": self.schema}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Place:
        return cls(data["engine"], data["name"],
                   Path(data["path"]) if data["path"] else None, data["schema"])
