"""``python -m bench [--events N] [--single N] [--engine sqlite|postgresql] [--json]``.

Measures, in one run and on one engine, the ledger's recorder against the
baselines the claims are made against, and prints figures and ratios:

* append in batches of 100 and one event per commit: the ledger's recorder;
  eventsourcing's own recorder on the same engine; raw sqlite3 ``executemany``
  (or raw psycopg) of rows of the same size;
* verify: the ledger's full verification against a raw read of the same rows
  plus SHA-256 over the same leaf bytes.

Timings are noisy here; read the ratios. Nothing in the test suite asserts them.
"""

from __future__ import annotations

import argparse
import json
import sys

from bench.workloads import run_all


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--events", type=int, default=20_000, help="events appended in batches")
    parser.add_argument("--single", type=int, default=1_000, help="events appended one per commit")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    result = run_all(args.engine, args.events, args.single)
    if args.json:
        print(json.dumps(result, indent=2, sort_keys=True))
    else:
        print(f"engine: {result['engine']}  (events {args.events:,}, single {args.single:,})")
        for name, figure in result["figures"].items():
            print(f"  {name:42s} {figure['value']:>14,.1f} {figure['unit']}")
        for name, ratio in result["ratios"].items():
            print(f"  ratio {name:36s} {ratio:>14.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
