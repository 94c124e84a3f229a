"""Properties of the read side, for any sequence of acts, on both engines.

* a view rebuilt from scratch equals the view built incrementally (caught up
  at arbitrary points);
* redelivering events a view has applied changes nothing;
* ``--as-known-at`` position p equals a fresh ledger holding only events
  0..p-1.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from eventsourcing.persistence import StoredEvent
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commands.acts import (
    EscalateChallenge,
    RaiseChallenge,
    RenameOrganisation,
    ResolveChallenge,
    RespondToChallenge,
    WithdrawChallenge,
)
from commands.admin import init_ledger
from ledger.application import ScrutinyLedger, open_ledger
from ledger.errors import InvalidInputError, NotFoundError, RefusedError
from ledger.storage.schema import subject_keys
from projections import runner
from projections.feed import Cut, pages
from projections.store import ProjectionStore
from tests.conftest import ENGINES, drop_pg_schema, make_db_url
from tests.integration.test_acts import CCG, POLICE, SCC, act, set_up_partnership

PARTNERS = (SCC, POLICE, CCG)
RESPONDERS = {SCC: "sam-hughes", POLICE: "priya-shah", CCG: "kate-mills"}
START = date(2019, 10, 1)

steps = st.lists(
    st.tuples(
        st.sampled_from(("raise", "respond", "escalate", "resolve", "withdraw", "rename", "catch_up")),
        st.integers(0, 2),  # which challenge
        st.integers(0, 2),  # which partner
        st.integers(0, 9),  # days after the previous act
    ),
    min_size=1,
    max_size=14,
)


@contextmanager
def fresh(engine: str) -> Iterator[tuple[str, ScrutinyLedger]]:
    directory = Path(tempfile.mkdtemp(prefix="scrutiny-views-"))
    url, schema = make_db_url(engine, directory)
    try:
        init_ledger(url, directory / "k", "test.scrutiny-ledger/views")
        app = open_ledger(url)
        try:
            yield url, app
        finally:
            app.close()
    finally:
        if schema is not None:
            drop_pg_schema(schema)
        shutil.rmtree(directory, ignore_errors=True)


def play(app: ScrutinyLedger, plan: list[tuple[str, int, int, int]], store: ProjectionStore) -> None:
    day = START
    for kind, which, partner, shift in plan:
        day += timedelta(days=shift)
        key = f"CH-2019-00{which}"
        org = PARTNERS[partner]
        fields: dict[str, Any] = {"occurred_on": day.isoformat()}
        try:
            if kind == "catch_up":
                runner.catch_up(app.ledger_recorder, store)
            elif kind == "raise":
                act(app, RaiseChallenge, actor="helen-morgan", challenge_id=key, to_partners=[org, SCC]
                    if org != SCC else [SCC], subject=f"challenge {which}", tier=1 + which, **fields)
            elif kind == "respond":
                act(app, RespondToChallenge, actor=RESPONDERS[org], challenge_id=key, organisation_id=org,
                    response="noted", **fields)
            elif kind == "escalate":
                act(app, EscalateChallenge, actor="helen-morgan", challenge_id=key, to="executive",
                    reason="no answer", **fields)
            elif kind == "resolve":
                act(app, ResolveChallenge, actor="ruth-evans", challenge_id=key, outcome="accepted", **fields)
            elif kind == "withdraw":
                act(app, WithdrawChallenge, actor="helen-morgan", challenge_id=key, reason="moot", **fields)
            elif kind == "rename":
                act(app, RenameOrganisation, actor="jane-porter", organisation_id=org,
                    new_name=f"Renamed {org} {day.isoformat()}", **fields)
        except (RefusedError, InvalidInputError, NotFoundError):
            pass  # a refused act writes nothing; the sequence goes on


def without_recorded_at(snapshot: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    return {
        table: [{k: v for k, v in row.items() if k != "recorded_at"} for row in rows]
        for table, rows in snapshot.items()
    }


PROPERTY = settings(max_examples=12, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@pytest.mark.parametrize("engine", ENGINES)
@PROPERTY
@given(plan=steps)
def test_a_rebuilt_view_equals_the_incremental_one_and_redelivery_changes_nothing(engine: str, plan) -> None:
    with fresh(engine) as (_, app):
        set_up_partnership(app)
        store = ProjectionStore.for_database(app.database)
        store.create_all()
        play(app, plan, store)
        recorder = app.ledger_recorder
        runner.catch_up(recorder, store)
        incremental = store.snapshot()
        assert len(incremental["view_history"]) == recorder.size()
        # Redeliver every page: the views have seen them all, so nothing changes.
        positions = store.positions()
        views = runner.make_views(recorder)
        for page in pages(recorder, -1):
            runner.apply_page(store, views, page, dict(positions))
        assert store.snapshot() == incremental
        runner.rebuild(recorder, store)
        assert store.snapshot() == incremental


@pytest.mark.parametrize("engine", ENGINES)
@PROPERTY
@given(plan=steps, data=st.data())
def test_as_known_at_position_p_equals_a_ledger_holding_only_events_before_p(engine: str, plan, data) -> None:
    with fresh(engine) as (_, app):
        set_up_partnership(app)
        store = ProjectionStore.for_database(app.database)
        store.create_all()
        play(app, plan, store)
        recorder = app.ledger_recorder
        p = data.draw(st.integers(0, recorder.size()), label="p")
        travelled = runner.project_cut(recorder, Cut(stop=p))
        try:
            expected_views = travelled.snapshot()
        finally:
            travelled.close()
        with fresh("sqlite") as (_, copy):
            records = list(recorder.iter_records(stop=p))
            with app.database.read() as conn:  # the personal fields' keys go with them
                keys = [dict(row._mapping) for row in conn.execute(subject_keys.select())]
            if keys:
                with copy.database.write() as conn:
                    conn.execute(subject_keys.insert(), keys)
            for record in records:
                copy.ledger_recorder.insert_events([StoredEvent(
                    record.stream_id, record.stream_version, record.topic, record.state)])
            copy_store = ProjectionStore.for_database(copy.database)
            copy_store.create_all()
            runner.catch_up(copy.ledger_recorder, copy_store)
            assert without_recorded_at(copy_store.snapshot()) == without_recorded_at(expected_views)
