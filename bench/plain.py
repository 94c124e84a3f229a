"""The baseline: plain eventsourcing, with its own recorder, on the same engine.

``PlainStream`` is an ordinary eventsourcing aggregate whose events carry the
same fields as the ledger's (a dict), encoded by the library's own mapper and
JSON transcoder and stored by the library's built-in SQLite or PostgreSQL
recorder. No canonical JSON, no Merkle tree, no pydantic: what the ledger is
compared with when the claim is "integrity at (almost) no cost".
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import StoredEvent

from bench.scratch import Place, pg_params

NAMESPACE = uuid.UUID("6f1c3a52-9d0e-4c1b-8f7a-2b5d9e0c4a11")
TIMESTAMP = datetime(2026, 1, 1, tzinfo=timezone.utc)


class PlainStream(Aggregate):
    """One stream of plain events; created with the first event's fields."""

    def __init__(self, kind: str, data: dict[str, Any]) -> None:
        self.kind = kind
        self.data = data

    class Recorded(Aggregate.Event):
        kind: str
        data: dict[str, Any]

        def apply(self, aggregate: Aggregate) -> None:
            aggregate.data = self.data  # type: ignore[attr-defined]


def plain_id(stream_id: str) -> uuid.UUID:
    """The library's aggregates have UUID ids; one per ledger stream."""
    return uuid.uuid5(NAMESPACE, stream_id)


def environment(place: Place) -> dict[str, str]:
    """The library's settings for its built-in recorder at ``place``."""
    if place.engine == "sqlite":
        return {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(place.path)}
    params = pg_params()
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": params["dbname"],
        "POSTGRES_HOST": params["host"],
        "POSTGRES_PORT": params["port"],
        "POSTGRES_USER": params["user"],
        "POSTGRES_PASSWORD": params["password"],
        "POSTGRES_SCHEMA": str(place.schema),
    }


def open_application(place: Place) -> Application[uuid.UUID]:
    """A plain eventsourcing application over the library's recorder at ``place``."""
    return Application(env=environment(place))


class PlainEncoder:
    """Turns the ledger's events into the library's own stored events."""

    def __init__(self, app: Application[uuid.UUID]) -> None:
        self.mapper = app.mapper

    def encode(self, stream_id: str, version: int, kind: str, data: dict[str, Any]) -> StoredEvent:
        event = PlainStream.Recorded(  # type: ignore[call-arg]
            originator_id=plain_id(stream_id),
            originator_version=version,
            timestamp=TIMESTAMP,
            kind=kind,
            data=data,
        )
        return self.mapper.to_stored_event(event)
