"""Code that runs in other OS processes: spawned by multiprocessing, or ``python -c``.

Everything here is importable at module level (the 'spawn' start method
imports this module in the child) and talks to the ledger only through its
public pieces: ``Database``, ``LedgerRecorder`` and the ``commands.admin``
handlers. Results travel back through a ``multiprocessing`` queue as plain
tuples, never as exceptions (those may not pickle).
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

TOPIC = "tests.reliability:Appended"
START_TIMEOUT = 60.0


def stored_event(stream: str, version: int, payload: dict[str, Any]) -> Any:
    from eventsourcing.persistence import StoredEvent

    return StoredEvent(
        originator_id=stream,
        originator_version=version,
        topic=TOPIC,
        state=json.dumps(payload, sort_keys=True).encode(),
    )


def _wait(go: Any) -> None:
    """Wait for the start signal: a multiprocessing Event or Barrier."""
    if go is not None and go.wait(START_TIMEOUT) is False:
        raise TimeoutError("the start signal never came")


def append_batches(db_url: str, writer: str, batch_sizes: Sequence[int], go: Any, results: Any) -> None:
    """Append batches to the stream ``writer:<writer>``, versions 1, 2, ...

    Puts ``("appended", writer, [(first position, batch size), ...])`` on
    ``results``, or ``("error", writer, repr)`` on any failure.
    """
    from ledger.storage.database import Database
    from ledger.storage.recorder import LedgerRecorder

    try:
        recorder = LedgerRecorder(Database(db_url))
        _wait(go)
        version = 1
        batches: list[tuple[int, int]] = []
        for size in batch_sizes:
            events = [
                stored_event(f"writer:{writer}", version + i, {"writer": writer, "n": version + i})
                for i in range(size)
            ]
            ids = list(recorder.insert_events(events) or [])
            positions = [i - 1 for i in ids]
            if positions != list(range(positions[0], positions[0] + size)):
                raise AssertionError(f"batch positions are not contiguous: {positions}")
            batches.append((positions[0], size))
            version += size
        recorder.database.dispose()
        results.put(("appended", writer, batches))
    except BaseException as exc:  # report everything; the parent decides
        results.put(("error", writer, f"{type(exc).__name__}: {exc}"))


def take_checkpoints(db_url: str, key_path: str, count: int, go: Any, results: Any) -> None:
    """Take ``count`` checkpoints while others append; ``("checkpoints", [(id, size)])``."""
    from commands.admin import make_checkpoint
    from ledger.checkpoints import open_checkpoint
    from ledger.keys import load_verifier

    try:
        verifier = load_verifier(Path(key_path))
        _wait(go)
        taken: list[tuple[int, int]] = []
        for _ in range(count):
            checkpoint_id, note = make_checkpoint(db_url, Path(key_path))
            taken.append((checkpoint_id, open_checkpoint(note, [verifier]).size))
            time.sleep(0.01)
        results.put(("checkpoints", key_path, taken))
    except BaseException as exc:
        results.put(("error", "checkpointer", f"{type(exc).__name__}: {exc}"))


def race_for_version(db_url: str, stream: str, version: int, who: str, go: Any, results: Any) -> None:
    """Append ``stream`` at ``version``: ``("won", who, position)`` or ``("conflict", who, message)``."""
    from ledger.errors import ConflictError
    from ledger.storage.database import Database
    from ledger.storage.recorder import LedgerRecorder

    try:
        recorder = LedgerRecorder(Database(db_url))
        event = stored_event(stream, version, {"by": who})
        _wait(go)
        try:
            ids = list(recorder.insert_events([event]) or [])
        except ConflictError as exc:
            results.put(("conflict", who, str(exc)))
        else:
            results.put(("won", who, ids[0] - 1))
        recorder.database.dispose()
    except BaseException as exc:
        results.put(("error", who, f"{type(exc).__name__}: {exc}"))


def append_whole_batches_forever(db_url: str, batch_size: int, first: int) -> None:
    """Batch k is the stream ``batch:<k>``, versions 1..batch_size, one transaction.

    Appends batches ``first``, ``first + 1``, ... until killed; prints the
    number of each batch once it is committed.
    """
    from ledger.storage.database import Database
    from ledger.storage.recorder import LedgerRecorder

    recorder = LedgerRecorder(Database(db_url))
    number = first
    while True:
        events = [
            stored_event(f"batch:{number}", v, {"batch": number, "v": v, "pad": "x" * 200})
            for v in range(1, batch_size + 1)
        ]
        recorder.insert_events(events)
        print(number, flush=True)
        number += 1


def main() -> None:
    """``python -m tests.reliability.workers append-forever URL BATCH_SIZE FIRST``."""
    command, *args = sys.argv[1:]
    if command == "append-forever":
        append_whole_batches_forever(args[0], int(args[1]), int(args[2]))
    else:
        raise SystemExit(f"unknown worker {command!r}")


if __name__ == "__main__":
    main()
