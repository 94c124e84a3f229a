"""History for inspectors: every act, names as they were on the act's date."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from projections.reports import Names
from projections.store import ProjectionStore
from projections.store import queries as q


@dataclass(frozen=True)
class HistoryQuery:
    stream: str | None = None
    actor: str | None = None
    organisation: str | None = None
    tier: int | None = None
    kind: str | None = None
    since: str | None = None
    until: str | None = None
    after: int | None = None
    limit: int = 200


def history_rows(store: ProjectionStore, query: HistoryQuery) -> list[dict[str, Any]]:
    rows = q.history(store, q.HistoryFilter(**query.__dict__))
    entities = [f"person:{r['actor_id']}" for r in rows if r["actor_id"]]
    entities += [r["stream_id"] for r in rows if r["stream_id"].startswith("org:")]
    names = Names(store, entities)
    for row in rows:
        actor_name = names.on(f"person:{row['actor_id']}", row["occurred_on"]) if row["actor_id"] else None
        row["actor"] = f"{actor_name} ({row['actor_id']}, {row['actor_role']})" if actor_name else (
            f"{row['actor_id']} ({row['actor_role']})" if row["actor_id"] else None)
        if row["stream_id"].startswith("org:"):
            row["organisation_name_then"] = names.on(row["stream_id"], row["occurred_on"])
    return rows
