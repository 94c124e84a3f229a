"""Import idempotency under random files, batch sizes and interrupted runs (both engines).

For any file of acts (with lines repeated, some with explicit keys), any
batch size, and a first run that stopped after any prefix of the file:
running the whole file records each distinct act exactly once, and running
it again records nothing.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commands.admin import init_ledger
from commands.imports import import_acts, parse_lines
from ledger.application import ScrutinyLedger, open_ledger
from tests.conftest import ENGINES, drop_pg_schema, make_db_url

BU = "jane-porter"
_EXAMPLES = itertools.count(1)


@pytest.fixture(scope="module", params=ENGINES)
def ledger(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[ScrutinyLedger]:
    directory: Path = tmp_path_factory.mktemp(f"import-{request.param}")
    url, schema = make_db_url(str(request.param), directory)
    init_ledger(url, directory / "scrutiny.key", "test.scrutiny-ledger/import")
    app = open_ledger(url)
    parsed = parse_lines([json.dumps({
        "act": "org.register", "as": BU, "on": "2019-06-03", "organisation_id": "sscp",
        "name": "SSCP", "kind": "local_body"}), json.dumps({
        "act": "person.appoint", "as": BU, "on": "2019-06-03", "person_id": BU,
        "display_name": "Jane Porter", "role": "business_unit", "organisation_id": "sscp"})])
    import_acts(app, parsed)
    try:
        yield app
    finally:
        app.close()
        if schema is not None:
            drop_pg_schema(schema)


def file_lines(example: int, picks: list[tuple[int, bool]]) -> tuple[list[str], int]:
    """Lines registering organisations (some repeated); the number of distinct acts."""
    lines = []
    for index, keyed in picks:
        row: dict[str, Any] = {"act": "org.register", "as": BU, "on": "2019-07-01",
                               "organisation_id": f"e{example}-org-{index}",
                               "name": f"Agency {index}", "kind": "relevant_agency"}
        if keyed:
            row["key"] = f"e{example}-k{index}"
        lines.append(json.dumps(row))
    return lines, len({index for index, _ in picks})


picks = st.lists(st.tuples(st.integers(0, 6), st.booleans()), min_size=1, max_size=14).map(
    # An organisation's lines are all keyed or all unkeyed, so copies share one key.
    lambda items: [(i, i % 2 == 0) for i, _ in items]
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(picks, st.integers(1, 5), st.integers(0, 14))
def test_running_a_file_again_and_again_records_each_act_once(
    ledger: ScrutinyLedger, chosen: list[tuple[int, bool]], batch_size: int, stopped_after: int
) -> None:
    lines, distinct = file_lines(next(_EXAMPLES), chosen)
    before = ledger.ledger_recorder.max_notification_id() or 0
    first = import_acts(ledger, parse_lines(lines[:stopped_after]), batch_size)
    whole = import_acts(ledger, parse_lines(lines), batch_size)
    again = import_acts(ledger, parse_lines(lines), batch_size)
    assert first.recorded + whole.recorded == distinct
    assert whole.recorded + whole.already_present == len(lines)
    assert (again.recorded, again.already_present) == (0, len(lines))
    after = ledger.ledger_recorder.max_notification_id() or 0
    assert after - before == 2 * distinct  # each act and its marker, once
