"""Whole-log workloads, each run in a fresh child process.

``python -m bench.child SPEC_JSON`` runs one task and prints one JSON line:
``{"count": events handled, "seconds": time spent in the work (imports and
connecting excluded), "peak_rss_kib": the process's peak resident set size}``.

Peak memory is the kernel's high-water mark of the child's own address space,
``VmHWM`` in ``/proc/self/status``, read by the child as it finishes: the whole
process (interpreter, imported modules, driver buffers and the work), not
just Python objects as tracemalloc would count. ``ru_maxrss`` from
``getrusage(RUSAGE_CHILDREN)`` (or ``os.wait4``) is *not* used: Linux carries
the parent's high-water mark across fork and exec into the child's
``ru_maxrss``, so a large parent would inflate every child's figure (it is
still reported, as ``ru_maxrss_kib``, for comparison).

Tasks: ``idle`` (imports and one query: the floor), ``verify``
(``ledger.verification.verify_ledger``), ``read_sha256`` (the baseline: a raw
driver read of the same rows and SHA-256 over the same leaf bytes),
``rebuild`` (``projections.runner.rebuild`` of every view), ``plain_decode``
(the baseline: every notification read with eventsourcing's own recorder and
``mapper.to_domain_event`` on each) and ``as_known_at`` (what ``scrutiny
history --as-known-at TIME`` does).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.scratch import Place

ROOT = Path(__file__).resolve().parent.parent


def run_child(spec: dict[str, Any]) -> dict[str, Any]:
    """Run one task in a new interpreter; its result plus ``peak_rss_kib`` and ``wall``."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.child", json.dumps(spec)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    out, err = process.stdout.read(), process.stderr.read()  # type: ignore[union-attr]
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    process.stdout.close()  # type: ignore[union-attr]
    process.stderr.close()  # type: ignore[union-attr]
    if process.returncode != 0:
        last = err.decode(errors="replace").strip().splitlines()[-1:] or ["(no output)"]
        raise RuntimeError(f"child task {spec['task']!r} failed: {last[0]}")
    result: dict[str, Any] = json.loads(out.decode().strip().splitlines()[-1])
    result["ru_maxrss_kib"] = usage.ru_maxrss
    result["wall"] = time.perf_counter() - started
    return result


# -- the tasks (run in the child) ----------------------------------------------------


def _idle(spec: dict[str, Any]) -> tuple[int, float]:
    import ledger.verification  # noqa: F401
    import projections.runner  # noqa: F401
    from ledger.storage.database import Database
    from ledger.storage.recorder import LedgerRecorder

    database = Database(Place.from_dict(spec["place"]).url)
    started = time.perf_counter()
    LedgerRecorder(database).size()
    return 0, time.perf_counter() - started


def _verify(spec: dict[str, Any]) -> tuple[int, float]:
    from ledger.keys import load_verifier
    from ledger.storage.database import Database
    from ledger.storage.recorder import LedgerRecorder
    from ledger.verification import verify_ledger

    database = Database(Place.from_dict(spec["place"]).url)
    recorder = LedgerRecorder(database)
    verifier = load_verifier(Path(spec["key"]))
    started = time.perf_counter()
    report = verify_ledger(recorder, [verifier])
    seconds = time.perf_counter() - started
    if not report.ok:
        raise RuntimeError(f"verification failed: {report.problem}")
    return report.size, seconds


def _read_sha256(spec: dict[str, Any]) -> tuple[int, float]:
    import hashlib

    from ledger.records import leaf_input

    place = Place.from_dict(spec["place"])
    sql = ("SELECT position, stream_id, stream_version, topic, recorded_at, state "
           "FROM ledger_events ORDER BY position")
    sha256 = hashlib.sha256
    count = 0
    if place.engine == "sqlite":
        import sqlite3

        conn = sqlite3.connect(str(place.path))
        started = time.perf_counter()
        for row in conn.execute(sql):
            sha256(b"\x00" + leaf_input(row[0], row[1], row[2], row[3], row[4], row[5])).digest()
            count += 1
        seconds = time.perf_counter() - started
        conn.close()
        return count, seconds
    from bench.scratch import pg_connect

    with pg_connect(place.schema) as conn:
        started = time.perf_counter()
        with conn.cursor(name="bench_read") as cursor:  # server-side: streamed, not loaded
            cursor.itersize = 5000
            cursor.execute(sql)
            for row in cursor:
                sha256(b"\x00" + leaf_input(row[0], row[1], row[2], row[3], row[4], bytes(row[5]))).digest()
                count += 1
        return count, time.perf_counter() - started


def _rebuild(spec: dict[str, Any]) -> tuple[int, float]:
    from ledger.storage.database import Database
    from ledger.storage.recorder import LedgerRecorder
    from projections import runner
    from projections.store import ProjectionStore

    database = Database(Place.from_dict(spec["place"]).url)
    recorder = LedgerRecorder(database)
    store = ProjectionStore.for_database(database)
    store.create_all()
    started = time.perf_counter()
    count = runner.rebuild(recorder, store)
    return count, time.perf_counter() - started


def _plain_decode(spec: dict[str, Any]) -> tuple[int, float]:
    from bench.plain import open_application

    app = open_application(Place.from_dict(spec["plain_place"]))
    recorder, mapper = app.recorder, app.mapper
    to_domain_event = mapper.to_domain_event
    count = 0
    started = time.perf_counter()
    start: int | None = None
    while True:
        page = recorder.select_notifications(start, limit=2000, inclusive_of_start=start is None)
        for notification in page:
            to_domain_event(notification)
        count += len(page)
        if len(page) < 2000:
            break
        start = page[-1].id
    seconds = time.perf_counter() - started
    app.close()
    return count, seconds


def _as_known_at(spec: dict[str, Any]) -> tuple[int, float]:
    from commands.reads import Scope, views
    from projections.history import HistoryQuery, history_rows

    url = Place.from_dict(spec["place"]).url
    started = time.perf_counter()
    with views(url, Scope(known_at=spec["known_at"])) as store:
        rows = history_rows(store, HistoryQuery(limit=200))
    seconds = time.perf_counter() - started
    return len(rows), seconds


TASKS = {
    "idle": _idle,
    "verify": _verify,
    "read_sha256": _read_sha256,
    "rebuild": _rebuild,
    "plain_decode": _plain_decode,
    "as_known_at": _as_known_at,
}


def peak_rss_kib() -> int:
    """This process's peak resident set size (VmHWM), in KiB."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    import resource

    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def main(argv: list[str]) -> int:
    spec = json.loads(argv[0])
    count, seconds = TASKS[spec["task"]](spec)
    print(json.dumps({"count": count, "seconds": seconds, "peak_rss_kib": peak_rss_kib()}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
