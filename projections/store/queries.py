"""The read side's queries. Every filter of ``history`` is served by an index
(or, for a common value, by walking positions and stopping at the page)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import UnaryExpression

from ledger.errors import StorageError
from projections.feed import opened_fields
from projections.store import ProjectionStore, Row, schema

h = schema.history.c


@dataclass(frozen=True)
class HistoryFilter:
    stream: str | None = None
    actor: str | None = None
    organisation: str | None = None
    tier: int | None = None
    kind: str | None = None
    since: str | None = None
    until: str | None = None
    after: int | None = None
    limit: int = 200


# A date bound alone (``--since``/``--until``, with no stream, actor, tier, kind
# or organisation) leaves SQLite, which keeps no histogram of dates, guessing:
# it walks positions (the whole table when the range is rare) or, for two
# bounds, sorts every row in the range (however wide). PostgreSQL keeps a
# histogram, but a range at its edge can be estimated far too wide (2,062
# rows for 4 on a 1,000,000-event log, after ANALYZE), and for a page of 200
# it then walks positions to the end of the table (287 ms there). So the range
# is sized first, by counting up to this many entries of
# ``view_history_occurred`` (index only): below it, on both engines, the page
# is read through that index and sorted; otherwise SQLite is sent in position
# order, where a page of 200 is found after about 200 x (rows / matches) rows,
# and PostgreSQL chooses alone (it walks positions too, from its statistics).
RARE_DATES = 5_000


def history_statement(f: HistoryFilter, store: ProjectionStore | None = None) -> Any:
    """The page of history ``f`` asks for, in position order.

    With a store (as :func:`history` passes), a date-only filter is sized
    first: a rare range is steered to the date index on either engine, a
    common one to position order on SQLite (see ``RARE_DATES``); without a
    store it is left to the planner.
    """
    c = schema.history_corrections.c
    query = select(
        schema.history,
        c.corrected_by.label("later_corrected_by"),
        c.corrected_values.label("corrected_values"),
    ).outerjoin(
        schema.history_corrections,
        and_(c.stream_id == h.stream_id, c.stream_version == h.stream_version),
    )
    order = h.position
    if f.organisation is not None:
        o = schema.history_organisations.c
        query = query.join(
            schema.history_organisations,
            and_(o.position == h.position, o.organisation_id == f.organisation),
        )
        # Equal to h.position by the join; ordering by it lets SQLite walk the
        # key (organisation_id, position) in order and stop at the limit
        # instead of sorting every row of the organisation.
        order = o.position
        if f.after is not None:
            query = query.where(o.position > f.after)
    if f.stream is not None:
        query = query.where(h.stream_id == f.stream)
    if f.actor is not None:
        query = query.where(h.actor_id == f.actor)
    if f.tier is not None:
        query = query.where(h.tier == f.tier)
    if f.kind is not None:
        query = query.where(h.event_type == f.kind)
    if f.after is not None:
        query = query.where(h.position > f.after)
    dates = h.occurred_on
    if store is not None and _only_dates(f):
        if _dates_are_rare(store, f):
            # Ordering by +position (the same order), which neither engine can
            # take from the table's key, leaves the date index as the cheaper access.
            order = _unindexed(h.position)
        elif store.is_sqlite:
            # Comparing +occurred_on (the same values), which no index serves,
            # makes SQLite walk positions and stop at the limit.
            dates = _unindexed(h.occurred_on)
    query = query.where(*_date_terms(f, dates))
    return query.order_by(order).limit(f.limit)


def _unindexed(column: Any) -> Any:
    """``+column``: the same values, but no index serves the term (SQLite's
    documented idiom; on PostgreSQL unary plus is an expression like any other)."""
    return UnaryExpression(column, operator=operators.custom_op("+"), type_=column.type)


def _only_dates(f: HistoryFilter) -> bool:
    """A date bound and no filter that an equality index serves."""
    narrowed = (f.stream, f.actor, f.organisation, f.tier, f.kind)
    return (f.since is not None or f.until is not None) and all(v is None for v in narrowed)


def _date_terms(f: HistoryFilter, occurred_on: Any) -> list[Any]:
    terms = []
    if f.since is not None:
        terms.append(occurred_on >= f.since)
    if f.until is not None:
        terms.append(occurred_on <= f.until)
    return terms


def _dates_are_rare(store: ProjectionStore, f: HistoryFilter) -> bool:
    """Fewer than ``RARE_DATES`` rows in the date range (after ``f.after``)?"""
    entries = select(h.position).where(*_date_terms(f, h.occurred_on))
    if f.after is not None:
        entries = entries.where(h.position > f.after)
    counted = select(func.count()).select_from(entries.limit(RARE_DATES).subquery())
    return int(store.scalar(counted) or 0) < RARE_DATES


def history(store: ProjectionStore, f: HistoryFilter) -> list[Row]:
    if store.log is None:
        raise StorageError("history needs the ledger it was projected from: its fields are read there")
    rows = store.rows(history_statement(f, store))
    opened = opened_fields(store.log, [row["position"] for row in rows])
    for row in rows:
        stored = opened.get(row["position"], {})
        row["evidence"] = stored.get("evidence", [])
        row["corrected_by"] = row.pop("later_corrected_by")
        values = row.pop("corrected_values")
        row["corrected_values"] = json.loads(values) if values else None
        row["fields"] = {k: v for k, v in stored.items() if k not in HISTORY_ENVELOPE}
    return rows


# Fields every event carries, shown as columns of their own rather than as fields.
HISTORY_ENVELOPE = {"actor_id", "actor_role", "occurred_on", "tier", "evidence"}


def name_spans(store: ProjectionStore, entity_ids: list[str]) -> dict[str, list[tuple[str, str]]]:
    """For each entity: (valid_from, name) in date order."""
    if not entity_ids:
        return {}
    n = schema.names.c
    spans: dict[str, list[tuple[str, str]]] = {}
    for row in store.rows(
        select(n.entity_id, n.valid_from, n.name)
        .where(n.entity_id.in_(sorted(set(entity_ids))))
        .order_by(n.entity_id, n.valid_from)
    ):
        spans.setdefault(row["entity_id"], []).append((row["valid_from"], row["name"]))
    return spans


def streams(store: ProjectionStore, kind: str, statuses: list[str] | None = None) -> list[Row]:
    s = schema.streams.c
    query = select(schema.streams).where(s.kind == kind)
    if statuses:
        query = query.where(s.status.in_(statuses))
    rows = store.rows(query.order_by(s.opened_on, s.stream_id))
    for row in rows:
        row["data"] = json.loads(row["data"])
    return rows


def stream(store: ProjectionStore, stream_id: str) -> Row | None:
    rows = store.rows(select(schema.streams).where(schema.streams.c.stream_id == stream_id))
    if not rows:
        return None
    rows[0]["data"] = json.loads(rows[0]["data"])
    return rows[0]


def deadlines(store: ProjectionStore) -> list[Row]:
    d, s = schema.deadlines.c, schema.streams.c
    query = (
        select(schema.deadlines, s.kind, s.key, s.status, s.closed_on)
        .join(schema.streams, s.stream_id == d.stream_id)
        .order_by(d.due, d.stream_id, d.name)
    )
    return store.rows(query)


def activity(store: ProjectionStore, person: str | None = None) -> list[Row]:
    a = schema.scrutiny_activity.c
    query = select(a.person_id, a.tier, a.kind, a.month, func.count().label("count")).group_by(
        a.person_id, a.tier, a.kind, a.month
    )
    if person is not None:
        query = query.where(a.person_id == person)
    return store.rows(query.order_by(a.person_id, a.month, a.tier, a.kind))


def tier_coverage(store: ProjectionStore) -> list[Row]:
    """Per tier and year: scrutiny acts by independent scrutineers, and all acts."""
    a = schema.scrutiny_activity.c
    year = func.substr(a.month, 1, 4)
    scrutiny = store.rows(
        select(a.tier, year.label("year"), func.count().label("scrutiny_acts"),
               func.count(func.distinct(a.person_id)).label("scrutineers"))
        .where(a.tier.is_not(None))
        .group_by(a.tier, year)
        .order_by(a.tier, year)
    )
    hyear = func.substr(h.occurred_on, 1, 4)
    totals = {
        (row["tier"], row["year"]): row["acts"]
        for row in store.rows(
            select(h.tier, hyear.label("year"), func.count().label("acts"))
            .where(h.tier.is_not(None))
            .group_by(h.tier, hyear)
        )
    }
    seen = set()
    for row in scrutiny:
        row["acts"] = totals.get((row["tier"], row["year"]), 0)
        seen.add((row["tier"], row["year"]))
    for (tier, year), acts in totals.items():
        if (tier, year) not in seen:
            scrutiny.append({"tier": tier, "year": year, "scrutiny_acts": 0, "scrutineers": 0, "acts": acts})
    return sorted(scrutiny, key=lambda r: (r["tier"], r["year"]))


def event_count(store: ProjectionStore) -> int:
    return int(store.scalar(select(func.count()).select_from(schema.history)) or 0)


def kind_status_counts(store: ProjectionStore) -> list[Row]:
    s = schema.streams.c
    return store.rows(
        select(s.kind, s.status, func.count().label("count"))
        .group_by(s.kind, s.status)
        .order_by(s.kind, s.status)
    )
