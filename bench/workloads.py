"""The workloads, each measured next to its baseline in the same run.

Every function here takes the stores of one engine at one log size, runs the
ledger's workload and its baseline *interleaved* (batch by batch, event by
event or call by call) so that a burst of load from elsewhere on the machine
hits both, and records figures in a :class:`bench.results.Results`.
"""

from __future__ import annotations

import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import partnership
from bench.child import run_child
from bench.datasets import RealisticLog, plain_fields
from bench.plain import PlainStream
from bench.results import Results
from bench.stores import LedgerStore, PlainStore, RawStore

MIB = 1024.0


def grow(results: Results, size: int, target: int, log: RealisticLog, ledger: LedgerStore,
         plain: PlainStore, raw: RawStore, progress: Callable[[str], None]) -> None:
    """Append realistic events in batches of 1,000 to all three stores until the
    ledger holds ``target`` events; figures are the rates of that growth."""
    spent = {"ledger": 0.0, "plain": 0.0, "raw": 0.0}
    appended = 0
    current = ledger.size()
    next_report = current + 100_000
    while current < target:
        events = log.stored(min(1000, target - current))
        spent["ledger"] += ledger.insert(events)
        spent["plain"] += plain.insert(plain.encode(events))
        spent["raw"] += raw.insert(raw.rows(events))
        appended += len(events)
        current += len(events)
        if current >= next_report:
            progress(f"grown to {current:,} events")
            next_report += 100_000
    if appended:
        for store, name in (("ledger", "ledger"), ("plain", "eventsourcing"), ("raw", "raw_driver")):
            results.put(f"append_batch1000_{name}", size, appended / spent[store], "events/s")


def storage_size(results: Results, size: int, ledger: LedgerStore) -> None:
    """Bytes on disk per event: the log with its tree and indexes, and the views
    (tables and indexes; measured after a rebuild). SQLite: ``dbstat``;
    PostgreSQL: ``pg_total_relation_size``."""
    if ledger.place.engine == "sqlite":
        sql = ("SELECT CASE WHEN name LIKE 'view%' OR tbl_name LIKE 'view%' THEN 'views' "
               "WHEN name LIKE '%ledger_events%' OR name LIKE '%ledger_tree%' THEN 'log' "
               "ELSE 'other' END, SUM(pgsize) FROM dbstat JOIN sqlite_master USING (name) GROUP BY 1")
    else:
        sql = ("SELECT CASE WHEN tablename LIKE 'view%%' THEN 'views' "
               "WHEN tablename IN ('ledger_events', 'ledger_tree') THEN 'log' ELSE 'other' END, "
               "SUM(pg_total_relation_size(quote_ident(tablename))) FROM pg_tables "
               "WHERE schemaname = current_schema() GROUP BY 1")
    with ledger.app.database.engine.connect() as conn:
        rows = conn.exec_driver_sql(sql).all()
    sizes = {str(row[0]): float(row[1] or 0) for row in rows}
    events = ledger.size()
    results.put("log_bytes_per_event", size, sizes.get("log", 0.0) / events, "bytes")
    if sizes.get("views"):
        results.put("views_bytes_per_event", size, sizes["views"] / events, "bytes")


def append_batches(results: Results, size: int, count: int, log: RealisticLog, ledger: LedgerStore,
                   plain: PlainStore, raw: RawStore, batch: int = 100) -> None:
    """``count`` events, ``batch`` per commit, into each store (interleaved by batch)."""
    spent = {"ledger": 0.0, "plain": 0.0, "raw": 0.0}
    done = 0
    while done < count:
        events = log.stored(min(batch, count - done))
        plain_events = plain.encode(events)
        rows = raw.rows(events)
        spent["ledger"] += ledger.insert(events)
        spent["plain"] += plain.insert(plain_events)
        spent["raw"] += raw.insert(rows)
        done += len(events)
    results.put("append_batch100_ledger", size, done / spent["ledger"], "events/s")
    results.put("append_batch100_eventsourcing", size, done / spent["plain"], "events/s")
    results.put("append_batch100_raw_driver", size, done / spent["raw"], "events/s")


def append_singles(results: Results, size: int, count: int, log: RealisticLog, ledger: LedgerStore,
                   plain: PlainStore, raw: RawStore) -> None:
    """One event per commit through each recorder (interleaved event by event)."""
    spent = {"ledger": 0.0, "plain": 0.0, "raw": 0.0}
    for _ in range(count):
        events = log.stored(1)
        plain_events = plain.encode(events)
        rows = raw.rows(events)
        spent["ledger"] += ledger.insert(events)
        spent["plain"] += plain.insert(plain_events)
        spent["raw"] += raw.insert(rows)
    results.put("append_single_ledger_recorder", size, count / spent["ledger"], "events/s")
    results.put("append_single_eventsourcing_recorder", size, count / spent["plain"], "events/s")
    results.put("append_single_raw_driver", size, count / spent["raw"], "events/s")


def append_acts(results: Results, size: int, count: int, log: RealisticLog, ledger: LedgerStore,
                plain: PlainStore) -> None:
    """One act per commit through each application's save path.

    Ledger: ``ScrutinyLedger.record(challenge)`` of a challenge whose
    ChallengeRaised is pending (pydantic event -> canonical JSON -> recorder ->
    Merkle nodes -> commit). Baseline: ``Application.save`` of a plain
    eventsourcing aggregate whose one pending event carries the same fields.
    Building the aggregates is domain work and is not timed.
    """
    spent = {"ledger": 0.0, "plain": 0.0}
    for _ in range(count):
        challenge, event = log.raised_challenge()
        stored = log.mapper.to_stored_event(event)
        kind, data = plain_fields(stored)
        stream = PlainStream(kind=kind, data=data)
        started = time.perf_counter()
        ledger.app.record(challenge)
        middle = time.perf_counter()
        plain.app.save(stream)
        spent["ledger"] += middle - started
        spent["plain"] += time.perf_counter() - middle
    results.put("append_single_ledger_app", size, count / spent["ledger"], "events/s")
    results.put("append_single_eventsourcing_app", size, count / spent["plain"], "events/s")


def handler_acts(results: Results, size: int, count: int, ledger: LedgerStore, first: int) -> None:
    """Whole commands through ``commands.acts``: validation, loading the actor and
    the challenged partners, authorisation, the guard, one transaction."""
    started = time.perf_counter()
    for number in range(first, first + count):
        partnership.raise_challenge(ledger.app, number)
    results.put("act_raise_challenge_handler", size, count / (time.perf_counter() - started), "acts/s")


def whole_log(results: Results, size: int, ledger: LedgerStore, plain: PlainStore, repeats: int,
              progress: Callable[[str], None]) -> None:
    """Verify, rebuild and their baselines, each in a fresh child process.

    Best time of ``repeats`` (alternating the order), peak memory the largest seen.
    """
    specs = {
        "verify": {"task": "verify", "place": ledger.place.as_dict(), "key": str(ledger.key_path)},
        "read_sha256": {"task": "read_sha256", "place": ledger.place.as_dict()},
        "rebuild": {"task": "rebuild", "place": ledger.place.as_dict()},
        "plain_decode": {"task": "plain_decode", "plain_place": plain.place.as_dict()},
    }
    best: dict[str, dict[str, Any]] = {}
    order = list(specs)
    for repeat in range(repeats):
        for task in order if repeat % 2 == 0 else list(reversed(order)):
            progress(f"{task} (child process, {repeat + 1}/{repeats})")
            result = run_child(specs[task])
            previous = best.get(task)
            if previous is None or result["seconds"] < previous["seconds"]:
                if previous is not None:
                    result["peak_rss_kib"] = max(result["peak_rss_kib"], previous["peak_rss_kib"])
                best[task] = result
            else:
                previous["peak_rss_kib"] = max(result["peak_rss_kib"], previous["peak_rss_kib"])
    names = {"verify": "verify_ledger", "read_sha256": "read_rows_and_sha256_raw",
             "rebuild": "rebuild_views", "plain_decode": "decode_eventsourcing"}
    for task, result in best.items():
        results.put(names[task], size, result["count"] / result["seconds"], "events/s")
        results.put(f"{task}_peak_rss", size, result["peak_rss_kib"] / MIB, "MiB")
    idle = run_child({"task": "idle", "place": ledger.place.as_dict()})
    results.put("idle_peak_rss", size, idle["peak_rss_kib"] / MIB, "MiB")


def as_known_at(results: Results, size: int, ledger: LedgerStore) -> None:
    """``scrutiny history --as-known-at T`` in-process in a child, T the time the
    middle position was recorded (so half the log is replayed)."""
    known_at = ledger.recorded_at(size // 2)
    result = run_child({"task": "as_known_at", "place": ledger.place.as_dict(), "known_at": known_at})
    results.put("as_known_at_history", size, result["seconds"], "s")
    results.put("as_known_at_peak_rss", size, result["peak_rss_kib"] / MIB, "MiB")


def proofs(results: Results, size: int, count: int, ledger: LedgerStore, raw: RawStore,
           seed: int, budget: float = 60.0) -> None:
    """Inclusion and consistency proofs at random positions against the whole
    log, next to single primary-key row lookups (median time of each).

    ``count`` rounds, or fewer (at least 20) when they take more than
    ``budget`` seconds: a slow proof is a finding, not a reason to wait.
    """
    from sqlalchemy import select

    from ledger.storage import schema

    prove_inclusion, prove_consistency, via = _provers()
    results.note(f"proofs measured through {via}")
    recorder = ledger.recorder
    n = recorder.size()
    rng = random.Random(seed)
    e = schema.events.c
    lookup_query = select(e.position, e.stream_id, e.stream_version, e.topic, e.recorded_at, e.state)

    def row_lookup(position: int) -> Any:
        with recorder.database.read() as conn:
            return conn.execute(lookup_query.where(e.position == position)).first()

    times: dict[str, list[float]] = {"inclusion": [], "consistency": [], "lookup": [], "raw": []}
    raw_size = raw.size
    started_all = time.perf_counter()
    for round_ in range(count):
        if round_ >= 20 and time.perf_counter() - started_all > budget:
            results.note(f"proofs at {size:,}: {round_} rounds (time budget of {budget:.0f} s)")
            break
        index = rng.randrange(n)
        old = rng.randrange(1, n + 1)
        raw_position = rng.randrange(raw_size)
        for name, call in (
            ("lookup", lambda: row_lookup(index)),
            ("inclusion", lambda: prove_inclusion(recorder, index, n)),
            ("consistency", lambda: prove_consistency(recorder, old, n)),
            ("raw", lambda: raw.lookup(raw_position)),
        ):
            started = time.perf_counter()
            if call() is None:
                raise RuntimeError(f"{name} found nothing")
            times[name].append(time.perf_counter() - started)
    median = {name: statistics.median(values) * 1000 for name, values in times.items()}
    results.put("proof_inclusion", size, median["inclusion"], "ms")
    results.put("proof_consistency", size, median["consistency"], "ms")
    results.put("row_lookup_ledger_db", size, median["lookup"], "ms")
    results.put("row_lookup_raw_driver", size, median["raw"], "ms")


def _provers() -> tuple[Callable[..., Any], Callable[..., Any], str]:
    """``ledger.proofs`` (what ``scrutiny prove`` runs) if present, else the
    integrity functions over ``recorder.tree_nodes``."""
    try:
        from ledger.proofs import prove_consistency, prove_inclusion

        return prove_inclusion, prove_consistency, "ledger.proofs.prove_inclusion/prove_consistency"
    except ImportError:
        from ledger import integrity

        def inclusion(recorder: Any, index: int, size: int) -> Any:
            nodes = recorder.tree_nodes(sorted(integrity.nodes_needed_for_inclusion(index, size)))
            return integrity.inclusion_proof_from_store(index, size, lambda lv, i: nodes[(lv, i)])

        def consistency(recorder: Any, old: int, new: int) -> Any:
            nodes = recorder.tree_nodes(sorted(integrity.nodes_needed_for_consistency(old, new)))
            return integrity.consistency_proof_from_store(old, new, lambda lv, i: nodes[(lv, i)])

        return inclusion, consistency, "ledger.integrity.*_from_store with recorder.tree_nodes"


# -- the command line, as a user starts it -----------------------------------------------


def scrutiny_program() -> str:
    return str(Path(sys.executable).parent / "scrutiny")


def _seconds(argv: list[str], expect: int = 0) -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != expect:
        message = (done.stderr or done.stdout).decode(errors="replace").strip().splitlines()[-1:]
        raise RuntimeError(f"{' '.join(argv[:6])} ... exited {done.returncode}: {message}")
    return elapsed


def cli_start(results: Results, repeats: int) -> None:
    """``python -c pass`` against ``scrutiny --help`` (median of interleaved runs)."""
    python, help_ = [], []
    for _ in range(repeats):
        python.append(_seconds([sys.executable, "-c", "pass"]))
        help_.append(_seconds([scrutiny_program(), "--help"]))
    results.put("python_startup", None, statistics.median(python) * 1000, "ms")
    results.put("cli_help", None, statistics.median(help_) * 1000, "ms")


def cli_commands(results: Results, size: int, repeats: int, ledger: LedgerStore, first: int,
                 prove: bool) -> None:
    """One write command (``scrutiny challenge raise``) and, when the command
    exists, ``scrutiny prove inclusion``, each a new process."""
    python, write, proof = [], [], []
    n = ledger.size()
    rng = random.Random(size)
    for number in range(first, first + repeats):
        python.append(_seconds([sys.executable, "-c", "pass"]))
        if ledger.setup_error is None:
            write.append(_seconds([scrutiny_program(), *partnership.raise_command(ledger.url, number)]))
        if prove:
            proof.append(_seconds([scrutiny_program(), "--db", ledger.url, "prove", "inclusion",
                                   str(rng.randrange(n)), "--size", str(n), "--json"]))
    results.put("python_startup_at_size", size, statistics.median(python) * 1000, "ms")
    if write:
        results.put("cli_write_challenge_raise", size, statistics.median(write) * 1000, "ms")
    if proof:
        results.put("cli_prove_inclusion", size, statistics.median(proof) * 1000, "ms")


def cli_import(results: Results, size: int, count: int, ledger: LedgerStore, first: int,
               directory: Path) -> None:
    """``scrutiny import FILE.jsonl`` of ``count`` acts (100 per transaction, the
    default), as a new process: start-up, validation of the whole file, then
    each act and its idempotency marker recorded."""
    path = directory / f"import-{first}.jsonl"
    path.write_text("\n".join(partnership.import_lines(first, count)) + "\n")
    try:
        seconds = _seconds([scrutiny_program(), "--db", ledger.url, "import", str(path), "--json"])
    finally:
        path.unlink()
    results.put("import_acts_cli", size, count / seconds, "acts/s")


def cli_has(command: str) -> bool:
    done = subprocess.run([scrutiny_program(), command, "--help"], capture_output=True, check=False)
    return done.returncode == 0
