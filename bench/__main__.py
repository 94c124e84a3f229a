"""``python -m bench [--quick | --tiny] [--sizes N,N] [--engine sqlite|postgresql|both] [--json] [--output FILE]``

Measures the ledger next to baselines run in the same process at the same
moment, at log sizes of 10,000, 100,000 and 1,000,000 events (``--quick``:
up to 100,000; ``--tiny``: a few hundred, for the test suite), and reports
figures and the ratios made of them. Timings on a shared machine are noisy:
read the ratios. Nothing fails on a ratio; targets are only reported.

Output: a table per engine on stdout (``--json``: the JSON instead), progress
on stderr; ``--output FILE`` also writes the JSON to FILE. The JSON of one
engine is an object ``{"engine", "sizes", "figures": {NAME: {"value",
"unit"}}, "ratios": {NAME: value}, "targets", "plans", "notes", "errors",
"plan", "machine", "seconds"}``; with ``--engine both`` (the default) it is
an object keyed by engine: ``{"sqlite": {...}, "postgresql": {...}}``.
See docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from bench.machine import describe
from bench.results import table
from bench.run import plan_for, run_engine
from bench.scratch import ENGINES


def parse_sizes(text: str) -> list[int]:
    sizes = []
    for part in text.split(","):
        part = part.strip().lower().replace("_", "")
        factor = 1_000_000 if part.endswith("m") else 1_000 if part.endswith("k") else 1
        number = int(part.rstrip("mk")) * factor
        if number < 100:
            raise argparse.ArgumentTypeError("each size must be at least 100 events")
        sizes.append(number)
    return sorted(set(sizes))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Measure the ledger against baselines from the same run; report figures and "
                    "ratios (see docs/performance.md).")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="sizes 10k and 100k, fewer samples (minutes)")
    mode.add_argument("--tiny", action="store_true", help="one tiny size, for the test suite (seconds)")
    parser.add_argument("--sizes", type=parse_sizes, metavar="N[,N...]",
                        help="log sizes to measure at, e.g. 10k,100k,1M (overrides the mode's)")
    parser.add_argument("--engine", choices=(*ENGINES, "both"), default="both")
    parser.add_argument("--json", action="store_true", help="print the JSON instead of the table")
    parser.add_argument("--output", type=Path, metavar="FILE", help="also write the JSON to FILE")
    args = parser.parse_args(argv)
    plan = plan_for("tiny" if args.tiny else "quick" if args.quick else "full", args.sizes)
    engines = list(ENGINES) if args.engine == "both" else [args.engine]
    machine = describe(engines)
    results: dict[str, Any] = {}
    text = ""
    for engine in engines:
        result = run_engine(engine, plan)
        result["machine"] = machine
        results[engine] = result
        document: Any = results if args.engine == "both" else results[engines[0]]
        text = json.dumps(document, indent=2, sort_keys=True)
        if args.output is not None:  # after each engine, so a long run keeps what it has
            args.output.write_text(text + "\n")
    if args.json:
        print(text)
    else:
        print("\n\n".join(table(result) for result in results.values()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
