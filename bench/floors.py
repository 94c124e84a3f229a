"""``python -m bench.floors [--before N] [--count N] [--batch N] [--acts N]``: what
SQLite itself costs an append, and what is left to the ledger's own work.

**Batches** (``measure``): what the database costs a batch append, under the
tree layout the ledger stores and under others.

The harness measures ``append_batch_vs_eventsourcing`` on SQLite at about
half its target. This splits the ledger's append into the database's share
and the rest, and asks what another tree layout would change, in one run:

1. a ledger and a plain eventsourcing store are grown to ``--before`` events,
   then both append ``--count`` more, ``--batch`` per commit, interleaved
   batch by batch (as the harness does): the ledger's whole append and the
   library's whole append;
2. the bare ``sqlite3`` driver writes the very rows the ledger wrote (events,
   the subject key rows of the subjects each batch used first, the head
   update, tree rows), with the ledger's own tables and triggers (taken from
   its schema), the same pragmas, the same batches, under four layouts:

   * ``tree_as_stored``: a row per leaf hash and per complete subtree, keyed
     ``(level, idx)``, as the ledger stores them (what the ledger writes);
   * ``leaves_and_heights_8_up``: the leaf rows, and subtrees of 256 leaves
     and more only (the heights in between computed when a proof needs them);
   * ``leaf_column_heights_8_up``: the leaf hash as a column of the event row,
     and subtrees of 256 leaves and more;
   * ``events_and_keys_only``: no tree at all.

   Hashes are random bytes: hashing is not the database's cost.

The ledger's cost outside the database is its whole append minus
``tree_as_stored``; adding that to each layout's floor estimates what the
ledger would take with that layout. Nothing here changes how the ledger
stores anything: it is the measurement behind "Why three targets are
missed" in docs/performance.md.

**One act per commit** (``single_acts``): the harness's
``append_single_vs_eventsourcing`` workload (``ScrutinyLedger.record`` against
``Application.save``, interleaved act by act) run twice, with the stores on
disk and in ``/dev/shm``, where a commit's fsync costs nothing. The tmpfs
figures are the two sides' own work; the difference between the places is
what each commit waits for the disk.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.__main__ import parse_sizes
from bench.datasets import RealisticLog
from bench.scratch import Scratch
from bench.results import Results
from bench.stores import LedgerStore, PlainStore
from bench.workloads import append_acts
from ledger.sealing import subjects_in

LAYOUTS = ("tree_as_stored", "leaves_and_heights_8_up", "leaf_column_heights_8_up",
           "events_and_keys_only")
_LOWEST_HEIGHT = {"tree_as_stored": 0, "leaves_and_heights_8_up": 8,
                  "leaf_column_heights_8_up": 8, "events_and_keys_only": None}
_TABLES = ("ledger_events", "ledger_tree", "ledger_head", "ledger_subject_keys")
_HASH = os.urandom(32)


def tree_rows(position: int, layout: str) -> list[tuple[int, int, bytes]]:
    """The tree rows a layout writes when the leaf at ``position`` is appended:
    the leaf's own row (if the layout keeps leaves as rows) and a row per
    subtree that leaf completes, at the heights the layout keeps."""
    lowest = _LOWEST_HEIGHT[layout]
    if lowest is None:
        return []
    rows = [(0, position, _HASH)] if layout != "leaf_column_heights_8_up" else []
    height, index = 0, position
    while index % 2 == 1:
        height, index = height + 1, index // 2
        if height >= max(lowest, 1):
            rows.append((height, index, _HASH))
    return rows


def measure(before: int = 10_000, count: int = 10_000, batch: int = 100) -> dict[str, Any]:
    """Seconds spent appending ``count`` events after ``before``, by each store."""
    with Scratch("sqlite") as scratch:
        ledger, plain, log = _grown(scratch, before)
        start = ledger.size()
        spent = {"ledger": 0.0, "eventsourcing": 0.0}
        done = 0
        while done < count:
            events = log.stored(min(batch, count - done))
            encoded = plain.encode(events)
            spent["ledger"] += ledger.insert(events)
            spent["eventsourcing"] += plain.insert(encoded)
            done += len(events)
        assert ledger.place.path is not None
        ledger_file = ledger.place.path
        ledger.close()
        plain.close()
        floors, tree_rows_written = _raw_floors(ledger_file, scratch.directory, start, done, batch)
    seconds = spent | floors
    outside = spent["ledger"] - floors["tree_as_stored"]
    return {
        "before": start, "count": done, "batch": batch,
        "seconds": seconds,
        "tree_rows_written": tree_rows_written,
        "ratios": {f"eventsourcing_vs_{name}": spent["eventsourcing"] / value
                   for name, value in seconds.items() if name != "eventsourcing"},
        "ledger_outside_database": outside,
        "estimated_ratio_with_layout": {
            layout: spent["eventsourcing"] / (outside + floors[layout]) for layout in LAYOUTS
        },
    }


def _grown(scratch: Scratch, before: int) -> tuple[LedgerStore, PlainStore, RealisticLog]:
    """A ledger and a plain eventsourcing store in ``scratch``, both given the
    same realistic events, 1,000 per commit, until the ledger holds ``before``."""
    ledger = LedgerStore(scratch.place("ledger"), scratch.directory / "keys" / "p.key")
    plain = PlainStore(scratch.place("plain"))
    log = RealisticLog(ledger.app.subject_keys)
    while ledger.size() < before:
        events = log.stored(min(1000, before - ledger.size()))
        ledger.insert(events)
        plain.insert(plain.encode(events))
    return ledger, plain, log


def _raw_floors(ledger_file: Path, directory: Path, start: int, count: int,
                batch: int) -> tuple[dict[str, float], dict[str, int]]:
    """Seconds each layout spent on the timed appends, and the tree rows each
    wrote for them (``ledger`` too: what the ledger itself stored)."""
    source = sqlite3.connect(ledger_file)
    try:
        ddl = [sql for (sql,) in source.execute(
            "SELECT sql FROM sqlite_master WHERE tbl_name IN (?, ?, ?, ?) AND sql IS NOT NULL "
            "ORDER BY type = 'trigger', type = 'index'", _TABLES)]
        rows = source.execute(
            "SELECT position, stream_id, stream_version, topic, recorded_at, state "
            "FROM ledger_events ORDER BY position").fetchall()
        # A node covers [idx * 2^level, (idx + 1) * 2^level): it was written
        # by the append of the last leaf it covers.
        ledger_nodes = sum(1 for level, idx in source.execute("SELECT level, idx FROM ledger_tree")
                           if start <= (idx + 1) * 2**level - 1 < start + count)
    finally:
        source.close()
    seen: set[str] = set()
    key_rows: list[list[tuple[str, bytes, str]]] = []  # per event: the keys it uses first
    for row in rows:
        new = sorted(subjects_in(row[5]) - seen)
        seen.update(new)
        key_rows.append([(subject, _HASH, row[4]) for subject in new])
    stores = {layout: _RawLedger(directory / f"floor-{layout}.sqlite3", ddl, layout)
              for layout in LAYOUTS}
    try:
        for store in stores.values():  # the log before the timed appends, untimed
            for first in range(0, start, 1000):
                store.append(rows[first:min(first + 1000, start)], key_rows)
        spent = dict.fromkeys(LAYOUTS, 0.0)
        for first in range(start, start + count, batch):
            chunk = rows[first:min(first + batch, start + count)]
            for layout, store in stores.items():
                spent[layout] += store.append(chunk, key_rows)
        written = {"ledger": ledger_nodes} | {
            layout: sum(len(tree_rows(p, layout)) for p in range(start, start + count))
            for layout in LAYOUTS}
        return spent, written
    finally:
        for store in stores.values():
            store.close()


class _RawLedger:
    """The ledger's tables, written by the bare driver under one tree layout."""

    def __init__(self, path: Path, ddl: list[str], layout: str) -> None:
        self.layout = layout
        self.conn = sqlite3.connect(path, isolation_level=None)
        for pragma in ("journal_mode=WAL", "synchronous=FULL", "secure_delete=ON"):
            self.conn.execute(f"PRAGMA {pragma}")
        columns = 6
        for sql in ddl:
            if layout == "leaf_column_heights_8_up" and sql.startswith("CREATE TABLE ledger_events"):
                sql = sql.replace("state BLOB NOT NULL,", "state BLOB NOT NULL, leaf_hash BLOB NOT NULL,")
                columns = 7
            self.conn.execute(sql)
        self.conn.execute("INSERT INTO ledger_head VALUES (1, 0, '')")
        self.insert_event = f"INSERT INTO ledger_events VALUES ({', '.join('?' * columns)})"

    def append(self, chunk: list[tuple[Any, ...]], key_rows: list[list[tuple[str, bytes, str]]]) -> float:
        events = [row + (_HASH,) for row in chunk] if self.layout == "leaf_column_heights_8_up" else chunk
        keys = [key for row in chunk for key in key_rows[row[0]]]
        nodes = [node for row in chunk for node in tree_rows(row[0], self.layout)]
        started = time.perf_counter()
        self.conn.execute("BEGIN IMMEDIATE")
        self.conn.execute("UPDATE ledger_head SET size = size + ?, last_recorded_at = ? WHERE id = 1 "
                          "RETURNING size", (len(chunk), chunk[-1][4])).fetchone()
        if keys:
            self.conn.executemany("INSERT INTO ledger_subject_keys (subject_id, key, created_at) "
                                  "VALUES (?, ?, ?)", keys)
        self.conn.executemany(self.insert_event, events)
        if nodes:
            self.conn.executemany("INSERT INTO ledger_tree VALUES (?, ?, ?)", nodes)
        self.conn.execute("COMMIT")
        return time.perf_counter() - started

    def close(self) -> None:
        self.conn.close()


def single_acts(before: int = 10_000, count: int = 1_000,
                places: tuple[str, ...] = ("disk", "tmpfs")) -> dict[str, dict[str, float]]:
    """Microseconds per act, one act per commit, for the ledger and for plain
    eventsourcing, with the stores on disk (a temporary directory) and in
    ``/dev/shm``."""
    found: dict[str, dict[str, float]] = {}
    for where in places:
        parent = "/dev/shm" if where == "tmpfs" else None
        directory = Path(tempfile.mkdtemp(prefix="scrutiny-floors-", dir=parent))
        with Scratch("sqlite", directory=directory) as scratch:
            ledger, plain, log = _grown(scratch, before)
            results = Results("sqlite", [before])
            append_acts(results, before, count, log, ledger, plain)
            ledger_rate = results.value("append_single_ledger_app", before)
            plain_rate = results.value("append_single_eventsourcing_app", before)
            assert ledger_rate is not None and plain_rate is not None
            found[where] = {"ledger_us": 1e6 / ledger_rate, "eventsourcing_us": 1e6 / plain_rate,
                            "ratio": ledger_rate / plain_rate}
            ledger.close()
            plain.close()
        shutil.rmtree(directory, ignore_errors=True)
    return found


def render_acts(found: dict[str, dict[str, float]]) -> str:
    lines = ["One act per commit (append_single_vs_eventsourcing's workload)", "",
             "| stores | ledger µs/act | eventsourcing µs/act | ratio |", "|---|---:|---:|---:|"]
    lines += [f"| {where} | {f['ledger_us']:.0f} | {f['eventsourcing_us']:.0f} | {f['ratio']:.2f} |"
              for where, f in found.items()]
    if {"disk", "tmpfs"} <= set(found):
        waits = {side: found["disk"][f"{side}_us"] - found["tmpfs"][f"{side}_us"]
                 for side in ("ledger", "eventsourcing")}
        lines += ["", f"waiting for the disk (disk - tmpfs): ledger {waits['ledger']:.0f} µs, "
                      f"eventsourcing {waits['eventsourcing']:.0f} µs per act"]
    return "\n".join(lines)


def render(result: dict[str, Any]) -> str:
    lines = [f"SQLite, {result['count']:,} events appended {result['batch']} per commit "
             f"after {result['before']:,}",
             "", "| store | seconds | tree rows written | eventsourcing / store |",
             "|---|---:|---:|---:|"]
    for name, value in result["seconds"].items():
        ratio = result["ratios"].get(f"eventsourcing_vs_{name}")
        rows = result["tree_rows_written"].get(name, "")
        lines.append(f"| {name} | {value:.3f} | {rows} | {'' if ratio is None else f'{ratio:.2f}'} |")
    lines += ["", f"ledger outside the database (ledger - tree_as_stored): "
                  f"{result['ledger_outside_database']:.3f} s", "",
              "| layout | estimated append_batch_vs_eventsourcing |", "|---|---:|"]
    lines += [f"| {layout} | {ratio:.2f} |"
              for layout, ratio in result["estimated_ratio_with_layout"].items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.floors", description=__doc__.split("\n")[0])
    parser.add_argument("--before", type=parse_sizes, default=[10_000], help="events before (10k)")
    parser.add_argument("--count", type=parse_sizes, default=[10_000], help="events timed (10k)")
    parser.add_argument("--batch", type=int, default=100, help="events per commit (100)")
    parser.add_argument("--acts", type=int, default=1000,
                        help="acts timed one per commit, on disk and in /dev/shm (1000; 0: skip)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of the tables")
    args = parser.parse_args(argv)
    result = measure(args.before[-1], args.count[-1], args.batch)
    acts = single_acts(args.before[-1], args.acts) if args.acts else {}
    if args.json:
        print(json.dumps({"batches": result, "single_acts": acts}, indent=1))
    else:
        print(render(result) + ("\n\n" + render_acts(acts) if acts else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
