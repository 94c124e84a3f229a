"""Every ``history`` filter returns the same page however the statement is
steered, and the steering gives the plan it is there for.

The view is filled directly (6,000 events' rows, more than ``RARE_DATES``
in the common date ranges), on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pytest

from ledger.storage.database import Database
from ledger.storage.recorder import LedgerRecorder
from projections.store import ProjectionStore, schema
from projections.store.queries import RARE_DATES, HistoryFilter, history, history_statement
from tests.conftest import drop_pg_schema, make_db_url

EVENTS = 6_000
ORGANISATIONS = ("police", "council", "health")
KINDS = ("ChallengeRaised", "ChallengeResponded", "ChallengeResolved")


def occurred_on(position: int) -> str | None:
    """Days cycling through 2019-2020, a few early outliers, and some undated rows."""
    if position % 97 == 0:
        return None
    if position % 1000 == 5:
        return "2018-12-31"
    return f"{2019 + position % 2}-{1 + position % 12:02d}-{1 + position % 28:02d}"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProjectionStore]:
    url, pg_schema = make_db_url(request.param, tmp_path_factory.mktemp("history"))
    database = Database(url)
    database.create_schema()  # an empty log: each row's fields read from it are {}
    store = ProjectionStore.for_database(database, log=LedgerRecorder(database))
    store.create_all()
    with store.transaction() as writer:
        for position in range(EVENTS):
            writer.insert(schema.history, {
                "position": position, "stream_id": f"challenge:CH-{position // 4}",
                "stream_kind": "challenge", "stream_version": 1 + position % 4,
                "event_type": KINDS[position % 3], "actor_id": f"person-{position % 5}",
                "actor_role": "scrutineer", "tier": 1 + position % 3,
                "occurred_on": occurred_on(position), "recorded_at": "2026-11-27T00:00:00Z",
            })
            for organisation in ORGANISATIONS[: 1 + position % 3]:
                writer.insert(schema.history_organisations,
                              {"organisation_id": organisation, "position": position})
        # Corrects stream CH-10 version 2: position 41.
        writer.upsert(schema.history_corrections,
                      {"stream_id": "challenge:CH-10", "stream_version": 2,
                       "corrected_by": 5_999, "corrected_values": '{"a": 1}'})
    if not store.is_sqlite:  # the statistics autovacuum would gather after a rebuild
        with database.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE view_history")
    yield store
    database.dispose()
    if pg_schema is not None:
        drop_pg_schema(pg_schema)


FILTERS: dict[str, dict[str, Any]] = {
    "none": {},
    "organisation": {"organisation": "council"},
    "organisation_after": {"organisation": "health", "after": 3_000},
    "organisation_until": {"organisation": "police", "until": "2019-03-01"},
    "until_rare": {"until": "2018-12-31"},
    "until_common": {"until": "2020-12-31"},
    "since_common": {"since": "2019-06-01"},
    "since_until_rare": {"since": "2018-01-01", "until": "2019-01-01"},
    "since_until_narrow": {"since": "2019-05-01", "until": "2019-05-31"},
    "since_until_wide": {"since": "2000-01-01", "until": "2099-12-31"},
    "until_after": {"until": "2020-12-31", "after": 5_900},
    "until_rare_after": {"until": "2018-12-31", "after": 2_000},
    "actor_since": {"actor": "person-2", "since": "2020-01-01"},
    "stream": {"stream": "challenge:CH-10"},
    "kind_tier": {"kind": "ChallengeResolved", "tier": 3},
}


@pytest.mark.parametrize("name", FILTERS)
def test_a_steered_page_equals_the_planners_own(store: ProjectionStore, name: str) -> None:
    f = HistoryFilter(**FILTERS[name])
    steered = store.rows(history_statement(f, store))  # sized first, as history() runs it
    unsteered = store.rows(history_statement(f))  # the planner alone
    assert steered == unsteered
    page = history(store, f)
    assert [row["position"] for row in page] == expected_positions(f)[: f.limit]
    corrected = [row["position"] for row in page if row["corrected_by"] is not None]
    assert corrected == [p for p in (41,) if p in expected_positions(f)[: f.limit]]


def expected_positions(f: HistoryFilter) -> list[int]:
    """The page worked out in Python from how the rows were made."""
    found = []
    for position in range(EVENTS):
        day = occurred_on(position)
        organisations = ORGANISATIONS[: 1 + position % 3]
        if f.organisation is not None and f.organisation not in organisations:
            continue
        if f.actor is not None and f.actor != f"person-{position % 5}":
            continue
        if f.stream is not None and f.stream != f"challenge:CH-{position // 4}":
            continue
        if f.tier is not None and f.tier != 1 + position % 3:
            continue
        if f.kind is not None and f.kind != KINDS[position % 3]:
            continue
        if f.since is not None and (day is None or day < f.since):
            continue
        if f.until is not None and (day is None or day > f.until):
            continue
        if f.after is not None and position <= f.after:
            continue
        found.append(position)
    return found


def plan_of(store: ProjectionStore, **fields: Any) -> str:
    return "\n".join(store.explain(history_statement(HistoryFilter(**fields), store)))


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)
def test_sqlite_walks_an_organisations_key_in_order_without_sorting(store: ProjectionStore) -> None:
    plan = plan_of(store, organisation="council", after=10)
    assert "SEARCH view_history_organisations" in plan and "TEMP B-TREE" not in plan
    assert "USING INTEGER PRIMARY KEY" in plan  # the position is the rowid


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)
def test_sqlite_reads_a_rare_date_range_through_its_index_and_a_common_one_in_position_order(
    store: ProjectionStore,
) -> None:
    assert len(expected_positions(HistoryFilter(until="2020-12-31", limit=EVENTS))) >= RARE_DATES
    rare = plan_of(store, until="2018-12-31")
    assert "USING INDEX view_history_occurred" in rare
    for common in ({"until": "2020-12-31"}, {"since": "2000-01-01", "until": "2099-12-31"}):
        plan = plan_of(store, **common)
        assert "SCAN view_history" in plan and "occurred" not in plan and "TEMP B-TREE" not in plan


@pytest.mark.parametrize("store", ["postgresql"], indirect=True)
def test_postgresql_reads_a_rare_date_range_through_its_index(store: ProjectionStore) -> None:
    """At 1,000,000 events PostgreSQL's histogram put 2,062 rows where there were
    4, and the planner walked positions to the end of the table for a page of
    200. A one-bucket histogram and a page of 5 make the same mistake on this
    small table."""
    rare: dict[str, Any] = {"until": "2018-12-31", "limit": 5}
    with coarse_date_statistics(store):
        unsteered = "\n".join(store.explain(history_statement(HistoryFilter(**rare))))
        assert "view_history_pkey" in unsteered and "view_history_occurred" not in unsteered
        assert "view_history_occurred" in plan_of(store, **rare)
        page = history(store, HistoryFilter(**rare))
        assert [row["position"] for row in page] == expected_positions(HistoryFilter(**rare))[:5]


@contextlib.contextmanager
def coarse_date_statistics(store: ProjectionStore) -> Iterator[None]:
    def analyze(target: int) -> None:
        with store.engine.begin() as conn:
            conn.exec_driver_sql(f"ALTER TABLE view_history ALTER COLUMN occurred_on SET STATISTICS {target}")
            conn.exec_driver_sql("ANALYZE view_history")

    analyze(1)
    try:
        yield
    finally:
        analyze(-1)
