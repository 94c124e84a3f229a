"""``python -m bench.profile WORKLOAD [--engine E] [--size N]``: one workload under pyinstrument.

Builds a realistic log of N events (``bench.datasets``) in a scratch place,
then profiles one workload and prints pyinstrument's text report (call tree
with seconds). WORKLOAD: ``rebuild`` (every view), ``verify``, ``append``
(20,000 events, 100 per commit, ledger and eventsourcing interleaved),
``proofs`` (100 inclusion proofs), ``acts`` (100 RaiseChallenge commands
through the handlers). pyinstrument is not a dependency of the project:
``.venv/bin/pip install pyinstrument`` first. docs/performance.md, "Hotspots",
quotes these profiles.
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path
from typing import Any

from bench.__main__ import parse_sizes
from bench.datasets import RealisticLog
from bench.scratch import Scratch
from bench.stores import LedgerStore, PlainStore

WORKLOADS = ("rebuild", "verify", "append", "proofs", "acts")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile")
    parser.add_argument("workload", choices=WORKLOADS)
    parser.add_argument("--engine", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--size", type=parse_sizes, default=[100_000])
    args = parser.parse_args(argv)
    from pyinstrument import Profiler

    size = args.size[-1]
    with Scratch(args.engine) as scratch:
        ledger = LedgerStore(scratch.place("profile"), scratch.directory / "keys" / "p.key")
        plain = PlainStore(scratch.place("plain"))
        log = RealisticLog(ledger.app.subject_keys)
        while ledger.size() < size:
            ledger.insert(log.stored(min(1000, size - ledger.size())))
        work, count = _prepare(args.workload, ledger, plain, log)
        profiler = Profiler()
        profiler.start()
        started = time.perf_counter()
        work()
        seconds = time.perf_counter() - started
        profiler.stop()
        print(f"{args.workload} on {args.engine}, log of {size:,}: {count:,} in {seconds:.2f} s "
              f"({count / seconds:,.0f}/s)")
        print(profiler.output_text())
        ledger.close()
        plain.close()
    return 0


def _prepare(workload: str, ledger: LedgerStore, plain: PlainStore, log: RealisticLog) -> tuple[Any, int]:
    recorder = ledger.recorder
    if workload == "rebuild":
        from projections import runner
        from projections.store import ProjectionStore

        store = ProjectionStore.for_database(ledger.app.database)
        store.create_all()
        return (lambda: runner.rebuild(recorder, store)), recorder.size()
    if workload == "verify":
        from ledger.verification import verify_ledger

        return (lambda: verify_ledger(recorder, [])), recorder.size()
    if workload == "append":
        chunks = [log.stored(100) for _ in range(200)]
        plain_chunks = [plain.encode(chunk) for chunk in chunks]

        def append() -> None:
            for chunk, plain_chunk in zip(chunks, plain_chunks, strict=True):
                ledger.insert(chunk)
                plain.insert(plain_chunk)

        return append, 20_000
    if workload == "proofs":
        from bench.workloads import _provers

        prove_inclusion, _, _ = _provers()
        n = recorder.size()
        positions = [random.Random(n).randrange(n) for _ in range(100)]
        return (lambda: [prove_inclusion(recorder, p, n) for p in positions]), 100
    from bench import partnership

    return (lambda: [partnership.raise_challenge(ledger.app, i) for i in range(1, 101)]), 100


if __name__ == "__main__":
    raise SystemExit(main())
