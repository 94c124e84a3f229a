"""``python -m bench.proof_check [SIZE]``: inclusion and consistency proofs against
primary-key row lookups on SQLite, at one log size (default 100,000), alone.

The same method as the harness's ``proofs`` workload (median of 200 rounds at
random positions, through ``ledger.proofs``), without the rest of a run.
"""

from __future__ import annotations

import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bench.datasets import fill
from bench.workloads import _provers
from ledger.storage import schema
from ledger.storage.database import Database
from ledger.storage.recorder import LedgerRecorder


def main(size: int = 100_000, rounds: int = 200) -> str:
    directory = Path(tempfile.mkdtemp(prefix="scrutiny-proofs-"))
    database = Database(f"sqlite:///{directory / 'proofs.sqlite3'}")
    try:
        database.create_schema()
        recorder = LedgerRecorder(database)
        fill(recorder, size)
        prove_inclusion, prove_consistency, via = _provers()
        e = schema.events.c
        query = select(e.position, e.stream_id, e.stream_version, e.topic, e.recorded_at, e.state)

        def row(position: int) -> Any:
            with database.read() as conn:
                return conn.execute(query.where(e.position == position)).first()

        rng = random.Random(7)
        n = recorder.size()
        times: dict[str, list[float]] = {"inclusion": [], "consistency": [], "row": []}
        for _ in range(rounds):
            index, old = rng.randrange(n), rng.randrange(1, n + 1)
            for name, call in (("row", lambda: row(index)),
                               ("inclusion", lambda: prove_inclusion(recorder, index, n)),
                               ("consistency", lambda: prove_consistency(recorder, old, n))):
                started = time.perf_counter()
                call()
                times[name].append(time.perf_counter() - started)
        ms = {name: statistics.median(values) * 1000 for name, values in times.items()}
        return (f"via {via}; n={n:,}; inclusion {ms['inclusion']:.3f} ms, consistency "
                f"{ms['consistency']:.3f} ms, row lookup {ms['row']:.3f} ms; proof_vs_row_lookup "
                f"{ms['inclusion'] / ms['row']:.1f}")
    finally:
        database.dispose()
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    print(main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000))
