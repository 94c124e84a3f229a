"""One engine's run: grow three stores side by side and measure at each size.

For each size (ascending) the ledger, plain eventsourcing and the raw table
are grown with the same events to that size, then, at that size:

1. a checkpoint is signed (so verification checks a signed root);
2. whole-log workloads run in child processes: verify and its baseline (raw
   read + SHA-256), rebuild of every view and its baseline (eventsourcing
   decode), with their peak memory; ``--as-known-at`` of the middle;
3. inclusion and consistency proofs at random positions, next to row lookups;
4. at the largest size, the plan and time of every ``history`` filter;
5. appends: 100 per commit, one per commit (recorder and application path),
   whole commands through the handlers; then the command line as a user
   starts it.

A workload that fails is reported under ``errors`` and the run goes on.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from bench import workloads
from bench.datasets import RealisticLog
from bench.plans import history_plans
from bench.results import Results
from bench.scratch import Scratch
from bench.stores import LedgerStore, PlainStore, RawStore


@dataclass(frozen=True)
class Plan:
    name: str
    sizes: tuple[int, ...]
    batch_events: int  # appended 100 per commit, per store
    single_events: int  # appended one per commit, per store
    app_events: int  # acts saved through each application, one per commit
    handler_acts: int  # whole commands through commands.acts
    proofs: int  # inclusion + consistency proofs and row lookups
    cli_repeats: int  # processes started per command line
    history_repeats: int
    import_acts: int  # acts in the `scrutiny import` file
    proof_budget: float  # seconds of proofs per size, at least 20 rounds

    def read_repeats(self, size: int) -> int:
        """Whole-log workloads: best of 3 up to 100k events (quick: of 2 at
        10k), else one run."""
        if self.name == "tiny" or size > 100_000:
            return 1
        if self.name == "quick":
            return 2 if size <= 10_000 else 1
        return 3


PLANS = {
    "full": Plan("full", (10_000, 100_000, 1_000_000), 20_000, 1_000, 500, 200, 300, 10, 5, 2_000, 60.0),
    "quick": Plan("quick", (10_000, 100_000), 10_000, 400, 300, 100, 200, 3, 5, 1_000, 15.0),
    "tiny": Plan("tiny", (300,), 200, 10, 10, 3, 10, 1, 1, 20, 5.0),
}


def plan_for(name: str, sizes: list[int] | None = None) -> Plan:
    plan = PLANS[name]
    return replace(plan, sizes=tuple(sorted(sizes))) if sizes else plan


def run_engine(engine: str, plan: Plan, log_line: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Measure everything on one engine; the JSON-ready result."""
    say = log_line or (lambda text: print(text, file=sys.stderr, flush=True))
    results = Results(engine, list(plan.sizes))
    started = time.perf_counter()

    def progress(text: str) -> None:
        say(f"[{engine} {time.perf_counter() - started:7.1f}s] {text}")

    def attempt(workload: str, size: int | None, call: Callable[[], Any]) -> None:
        progress(workload + (f" at {size:,}" if size is not None else ""))
        try:
            call()
        except Exception as exc:  # report it, measure the rest
            results.error(workload, size, exc)
            progress(f"  failed: {type(exc).__name__}: {exc}")

    with Scratch(engine) as scratch:
        ledger = LedgerStore(scratch.place("ledger"), scratch.directory / "keys" / "bench.key")
        if ledger.setup_error:
            results.errors["partnership_setup"] = ledger.setup_error
        plain = PlainStore(scratch.place("plain"))
        raw = RawStore(scratch.place("raw"))
        log = RealisticLog(ledger.app.subject_keys)
        has_prove = workloads.cli_has("prove")
        if not has_prove:
            results.note("`scrutiny prove` is not present: proofs measured in-process only")
        has_import = workloads.cli_has("import")
        if not has_import:
            results.note("`scrutiny import` is not present: not measured")
        try:
            attempt("cli_start", None, lambda: workloads.cli_start(results, plan.cli_repeats * 2))
            numbers = iter(range(1, 10**9))
            for size in plan.sizes:
                attempt("grow", size, lambda: workloads.grow(results, size, size, log, ledger, plain, raw, progress))
                attempt("checkpoint", size, ledger.checkpoint)
                attempt("whole_log", size, lambda: workloads.whole_log(
                    results, size, ledger, plain, plan.read_repeats(size), progress))
                attempt("storage_size", size, lambda: workloads.storage_size(results, size, ledger))
                attempt("as_known_at", size, lambda: workloads.as_known_at(results, size, ledger))
                attempt("proofs", size, lambda: workloads.proofs(
                    results, size, plan.proofs, ledger, raw, seed=size, budget=plan.proof_budget))
                if size == plan.sizes[-1]:
                    stream = f"challenge:CH-{2019 + (size // 8) % 5}-{size // 8:06x}"
                    attempt("history_plans", size, lambda: history_plans(
                        results, size, ledger.app.database, stream, plan.history_repeats))
                attempt("append_batches", size, lambda: workloads.append_batches(
                    results, size, plan.batch_events, log, ledger, plain, raw))
                attempt("append_singles", size, lambda: workloads.append_singles(
                    results, size, plan.single_events, log, ledger, plain, raw))
                attempt("append_acts", size, lambda: workloads.append_acts(
                    results, size, plan.app_events, log, ledger, plain))
                if ledger.setup_error is None:
                    first = next(numbers)
                    for _ in range(plan.handler_acts):
                        next(numbers)
                    attempt("handler_acts", size, lambda: workloads.handler_acts(
                        results, size, plan.handler_acts, ledger, first))
                first_cli = next(numbers)
                for _ in range(plan.cli_repeats):
                    next(numbers)
                attempt("cli_commands", size, lambda: workloads.cli_commands(
                    results, size, plan.cli_repeats, ledger, first_cli, has_prove))
                if has_import and ledger.setup_error is None:
                    first_import = next(numbers)
                    for _ in range(plan.import_acts):
                        next(numbers)
                    attempt("cli_import", size, lambda: workloads.cli_import(
                        results, size, plan.import_acts, ledger, first_import, scratch.directory))
        finally:
            for store in (ledger, plain, raw):
                try:
                    store.close()
                except Exception:
                    pass
    progress("done")
    result = results.as_dict()
    result["plan"] = {"name": plan.name, "sizes": list(plan.sizes), "batch_events": plan.batch_events,
                      "single_events": plan.single_events, "app_events": plan.app_events,
                      "handler_acts": plan.handler_acts, "proofs": plan.proofs,
                      "cli_repeats": plan.cli_repeats, "import_acts": plan.import_acts}
    result["seconds"] = round(time.perf_counter() - started, 1)
    return result
