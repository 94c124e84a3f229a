"""Query plans and timings of every ``history`` filter on the benchmark log.

``ProjectionStore.explain(queries.history_statement(HistoryFilter(...)))``:
``EXPLAIN QUERY PLAN`` on SQLite, ``EXPLAIN`` on PostgreSQL. The filters use
values that exist in the log (the dataset's scrutineer, a challenged partner,
a challenge in the middle of the log). Each filter is also timed (median of
a few runs, the first page of 200 rows, as ``scrutiny history`` asks for).
"""

from __future__ import annotations

import re
import statistics
import time
from typing import Any

from bench.results import Results


def history_filters(stream_id: str) -> dict[str, dict[str, Any]]:
    return {
        "none": {},
        "stream": {"stream": stream_id},
        "actor": {"actor": "bench-scrutineer"},
        "organisation": {"organisation": "avon-and-somerset-constabulary"},
        "tier": {"tier": 3},
        "kind": {"kind": "ChallengeResolved"},
        "since": {"since": "2020-10-01"},
        "until": {"until": "2019-07-10"},
        "since_until": {"since": "2020-01-01", "until": "2020-01-31"},
        "actor_tier": {"actor": "bench-scrutineer", "tier": 2},
        # Rare values: few matching rows, where an index on the filter must be used.
        "actor_rare": {"actor": "p-scrutineer"},
        "kind_rare": {"kind": "PersonAppointed"},
        "organisation_rare": {"organisation": "p-police"},
        "until_rare": {"until": "2019-06-30"},
    }


FILTER_INDEXES = r"view_history_(stream|actor|tier|kind|occurred)|view_history_organisations"


def access_of(engine: str, lines: list[str]) -> str:
    """How the plan finds the history rows.

    ``index search``: through an index on the filtered column (or the
    organisations table's key); ``position-order scan``: walks the primary
    key in position order, testing each row, until the page is full (cheap
    when matches are common, up to the whole table when they are rare);
    ``full scan``: reads the table.
    """
    text = "\n".join(lines)
    if engine == "sqlite":
        if re.search(r"SEARCH view_history(_organisations)? ", text):
            return "index search"
        if re.search(r"SCAN view_history USING (INDEX sqlite_autoindex|INTEGER PRIMARY KEY)", text):
            return "position-order scan"
        # position is view_history's rowid: a bare scan walks positions in order
        if re.search(r"SCAN view_history$", text, re.M) and "TEMP B-TREE" not in text:
            return "position-order scan"
        return "full scan"
    if re.search(rf"(Index|Index Only|Bitmap Index) Scan (Backward )?(using|on) ({FILTER_INDEXES})", text):
        return "index search"
    if re.search(r"Index Scan (Backward )?using view_history_pkey", text):
        return "position-order scan"
    return "full scan"


def history_plans(results: Results, size: int, database: Any, stream_id: str,
                  repeats: int = 5) -> None:
    from projections.store import ProjectionStore
    from projections.store.queries import HistoryFilter, history, history_statement

    from ledger.storage.recorder import LedgerRecorder

    store = ProjectionStore.for_database(database, log=LedgerRecorder(database))
    if not store.is_sqlite:
        with database.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE view_history")
            conn.exec_driver_sql("ANALYZE view_history_organisations")
        results.note("PostgreSQL plans were taken after ANALYZE of the history tables")
    for name, fields in history_filters(stream_id).items():
        query = HistoryFilter(**fields)
        lines = store.explain(history_statement(query, store))  # as history() runs it
        times = []
        rows = 0
        for _ in range(repeats):
            started = time.perf_counter()
            rows = len(history(store, query))
            times.append(time.perf_counter() - started)
        access = access_of(results.engine, lines)
        results.plans[name] = {"filter": fields, "plan": lines, "access": access,
                               "uses_index": access == "index search", "rows": rows}
        results.put(f"history_{name}", size, statistics.median(times) * 1000, "ms")


def main(argv: list[str] | None = None) -> int:
    """``python -m bench.plans [--engine E] [--size N]``: build a log of N
    events (dataset + the handler partnership), rebuild the views, print the
    plan, access and median time of every history filter as JSON."""
    import argparse
    import json
    import tempfile
    from pathlib import Path

    from bench.__main__ import parse_sizes
    from bench.scratch import Scratch
    from bench.stores import LedgerStore

    parser = argparse.ArgumentParser(prog="python -m bench.plans")
    parser.add_argument("--engine", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--size", type=parse_sizes, default=[100_000])
    args = parser.parse_args(argv)
    size = args.size[-1]
    from bench.datasets import RealisticLog
    from projections import runner
    from projections.store import ProjectionStore

    results = Results(args.engine, [size])
    with Scratch(args.engine) as scratch:
        ledger = LedgerStore(scratch.place("plans"), Path(tempfile.mkdtemp(dir=scratch.directory)) / "k.key")
        for number in range(1, 21):
            from bench import partnership

            partnership.raise_challenge(ledger.app, number)
        log = RealisticLog(ledger.app.subject_keys)
        while ledger.size() < size:
            ledger.insert(log.stored(min(1000, size - ledger.size())))
        store = ProjectionStore.for_database(ledger.app.database, log=ledger.recorder)
        store.create_all()
        runner.rebuild(ledger.recorder, store)
        stream = f"challenge:CH-{2019 + (size // 8) % 5}-{size // 8:06x}"
        history_plans(results, size, ledger.app.database, stream)
        ledger.close()
    print(json.dumps(results.as_dict(), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
