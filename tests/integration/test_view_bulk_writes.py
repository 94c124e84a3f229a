"""The view writer's bulk paths write exactly the rows the per-row path wrote.

On PostgreSQL a flush writes inserts with ``COPY ... FROM STDIN`` and each
table's upserts with one ``INSERT ... SELECT * FROM unnest(...) ON CONFLICT``;
on SQLite it stays one ``executemany`` per table. ``TableWrites`` -- the
per-row ``executemany`` path the writer used before -- runs on either engine,
so every test here writes the same rows both ways into a real database and
compares the tables, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from commands.acts import CorrectEvent, RenameOrganisation, RespondToChallenge, ResolveChallenge
from ledger.application import ScrutinyLedger, open_ledger
from ledger.errors import StorageError
from ledger.storage.database import Database
from projections import runner
from projections.store import ProjectionStore, schema
from projections.store.writes import PostgresTableWrites, TableWrites
from projections.views import VIEW_NAMES
from tests.integration.test_acts import CCG, POLICE, SCC, act, raise_one, set_up_partnership

Snapshot = dict[str, list[dict[str, Any]]]

# Text that COPY's text format must escape, and values at the edges of the column types.
AWKWARD = ["tab\there", "new\nline", "back\\slash", "\\N", "", "quote ' and \"", "ünïcödé ✓",
           "carriage\rreturn", "a,b;c|d", "{braces}", "NULL"]


@pytest.fixture
def store(db_url: str) -> Iterator[ProjectionStore]:
    database = Database(db_url)
    store = ProjectionStore.for_database(database)
    store.create_all()
    yield store
    database.dispose()


def test_the_writer_takes_the_bulk_path_on_postgresql_and_executemany_on_sqlite(
    store: ProjectionStore, engine_name: str
) -> None:
    assert isinstance(store.writes, PostgresTableWrites) == (engine_name == "postgresql")


def history_row(position: int, text: str, tier: int | None) -> dict[str, Any]:
    return {
        "position": position, "stream_id": f"challenge:{text}", "stream_kind": "challenge",
        "stream_version": 2**40 + position, "event_type": "ChallengeRaised",
        "actor_id": text or None, "actor_role": None if position % 2 else text, "tier": tier,
        "occurred_on": None if position % 3 == 0 else f"2019-10-{1 + position % 28:02d}",
        "recorded_at": "2026-11-27T01:00:00.000000Z", "fields": f'{{"subject": "{text}"}}',
    }


def write_awkward_rows(store: ProjectionStore) -> None:
    """Three transactions: inserts into every insert-only table, upserts that
    create rows, then upserts that replace some of them and add others."""
    with store.transaction() as writer:
        for position, text in enumerate(AWKWARD):
            tier = [None, 1, 2, 3][position % 4]
            writer.insert(schema.history, history_row(position, text, tier))
            writer.insert(schema.history_organisations,
                          {"organisation_id": text, "position": position})
            writer.insert(schema.scrutiny_activity, {"position": position, "person_id": text,
                                                     "tier": None, "kind": text,
                                                     "month": "2019-10"})
            writer.upsert(schema.names, name_row(f"org:{text}", text))
        writer.set_position("history", len(AWKWARD) - 1)
    with store.transaction() as writer:
        for number, text in enumerate(AWKWARD):
            writer.upsert(schema.streams, stream_row(text, number, status=None))
            writer.upsert(schema.deadlines, deadline_row(text, rule=text, met_on=None))
        writer.upsert(schema.history_corrections, correction_row(corrected_by=7, values="{}"))
        writer.set_position("streams", 3)
    with store.transaction() as writer:
        for number, text in enumerate(AWKWARD[::2]):
            writer.upsert(schema.streams, stream_row(text, 100 + number, status="resolved"))
            writer.upsert(schema.deadlines,
                          deadline_row(text, rule="replaced", met_on="2019-10-30"))
        writer.upsert(schema.streams, stream_row("new", 999, status="raised"))
        writer.upsert(schema.history_corrections,
                      correction_row(corrected_by=9, values='{"a":"\\t"}'))
        writer.upsert(schema.names, name_row("org:", "renamed"))
        writer.set_position("streams", 4)
        writer.set_position("names", 0)


def name_row(entity_id: str, name: str) -> dict[str, Any]:
    return {"entity_id": entity_id, "valid_from": "2019-06-03", "name": name}


def deadline_row(text: str, rule: str, met_on: str | None) -> dict[str, Any]:
    return {"stream_id": f"challenge:{text}", "name": "response", "due": "2019-11-01",
            "rule": rule, "met_on": met_on, "description": text}


def correction_row(corrected_by: int, values: str) -> dict[str, Any]:
    return {"stream_id": "challenge:x", "stream_version": 1, "corrected_by": corrected_by,
            "corrected_values": values}


def stream_row(text: str, version: int, status: str | None) -> dict[str, Any]:
    return {"stream_id": f"challenge:{text}", "kind": "challenge", "key": text, "status": status,
            "tier": None if version % 2 else 2, "opened_on": "2019-10-01", "closed_on": None,
            "version": version, "last_position": 2**50 + version, "data": f'{{"k": "{text}"}}'}


def both_ways(store: ProjectionStore,
              write: Callable[[ProjectionStore], None]) -> tuple[Snapshot, Snapshot]:
    """The views and positions after ``write`` through the engine's own path,
    then (from empty tables) through the per-row ``executemany`` path."""
    bulk = store.writes
    write(store)
    through_bulk = {"positions": [store.positions()], **store.snapshot()}
    store.reset_views(VIEW_NAMES)
    store.writes = TableWrites(store.engine)
    try:
        write(store)
    finally:
        store.writes = bulk
    return through_bulk, {"positions": [store.positions()], **store.snapshot()}


def test_awkward_rows_are_written_alike_by_the_bulk_and_the_per_row_paths(
    store: ProjectionStore,
) -> None:
    through_bulk, through_rows = both_ways(store, write_awkward_rows)
    assert through_bulk == through_rows
    history = through_bulk["view_history"]
    assert [row["actor_id"] for row in history] == [text or None for text in AWKWARD]
    # The later upserts replaced the stored rows (ON CONFLICT DO UPDATE), the others stayed.
    streams = {row["key"]: row for row in through_bulk["view_streams"]}
    assert streams["tab\there"]["status"] == "resolved" and streams["new\nline"]["status"] is None
    assert streams["new"]["version"] == 999
    assert through_bulk["view_history_corrections"][0]["corrected_by"] == 9
    assert through_bulk["positions"] == [{"history": 10, "names": 0, "streams": 4,
                                          "scrutineers": -1}]


@pytest.fixture
def ledger(initialised: tuple[str, Path]) -> Iterator[ScrutinyLedger]:
    app = open_ledger(initialised[0])
    set_up_partnership(app)
    for number in range(1, 7):
        key = f"CH-2019-0c5a0{number}"
        raise_one(app, key, tier=1 + number % 3, occurred_on=f"2019-10-{10 + number}")
        act(app, RespondToChallenge, actor="sam-hughes", challenge_id=key, organisation_id=SCC,
            response=f"Agreed\tplan {number}\nsee \\minutes", occurred_on="2019-10-25")
        if number % 2:
            act(app, ResolveChallenge, actor="ruth-evans", challenge_id=key, outcome="accepted",
                occurred_on="2019-11-01")
    act(app, RenameOrganisation, actor="jane-porter", organisation_id=CCG,
        new_name="NHS Somerset Integrated Care Board", occurred_on="2022-07-01")
    act(app, CorrectEvent, actor="helen-morgan", occurred_on="2019-10-20",
        stream_id="challenge:CH-2019-0c5a01", version=1,
        values={"subject": "Threshold for a CSPR, corrected"}, reason="Typo.")
    act(app, RespondToChallenge, actor="priya-shah", challenge_id="CH-2019-0c5a02",
        organisation_id=POLICE, response="Noted.", occurred_on="2019-10-28")
    yield app
    app.close()


@pytest.mark.parametrize("page_size", [1, 5, 2000])
def test_projecting_a_ledger_writes_the_same_views_by_either_path(
    ledger: ScrutinyLedger, page_size: int
) -> None:
    store = ProjectionStore.for_database(ledger.database)
    store.create_all()
    recorder = ledger.ledger_recorder

    def project(store: ProjectionStore) -> None:
        # Small pages: later pages upsert over rows that earlier ones stored.
        runner.catch_up(recorder, store, runner.make_views(recorder), page_size=page_size)

    through_bulk, through_rows = both_ways(store, project)
    assert through_bulk == through_rows
    assert len(through_bulk["view_history"]) == recorder.size()
    assert through_bulk["view_history_corrections"] and through_bulk["view_stream_corrections"]
    ccg = [row["name"] for row in through_bulk["view_names"] if row["entity_id"] == f"org:{CCG}"]
    assert ccg == ["Somerset Clinical Commissioning Group", "NHS Somerset Integrated Care Board"]


def test_a_duplicate_insert_fails_the_whole_transaction(store: ProjectionStore) -> None:
    with store.transaction() as writer:
        writer.insert(schema.history, history_row(1, "first", 1))
        writer.set_position("history", 1)
    before = store.snapshot(), store.positions()
    with pytest.raises(StorageError, match="(?i)unique|duplicate"):
        with store.transaction() as writer:
            writer.insert(schema.history, history_row(2, "second", 1))
            writer.insert(schema.history, history_row(1, "again", 1))
            writer.set_position("history", 2)
    assert (store.snapshot(), store.positions()) == before


def test_a_flushed_writer_writes_nothing_twice(store: ProjectionStore) -> None:
    with store.transaction() as writer:
        writer.insert(schema.history, history_row(1, "once", 1))
        writer.upsert(schema.names, {"entity_id": "org:x", "valid_from": "2019-06-03", "name": "x"})
        writer.flush()  # the transaction flushes again as it ends: nothing is left to write
    assert len(store.snapshot(["history"])["view_history"]) == 1
