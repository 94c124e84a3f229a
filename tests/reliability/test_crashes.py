"""kill -9 at the worst moments: the ledger keeps everything committed and nothing partial.

Each test starts the real program in a subprocess, lets it get demonstrably
into the middle of its work, sends SIGKILL (no handler runs, no rollback by
the process itself), then "restarts": opens the ledger again and checks that
verification passes, positions are dense, no batch is partial, and work
carries on.

"In the middle" is made certain, not hoped for: a checkpoint or a rebuild is
held at its first progress line (stderr on a stopped terminal, see
``support.paused_at_first_progress``); an appender reports each committed
batch; an import is killed once rows appear and before it ends.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import pytest

from bench.datasets import fill
from commands.admin import make_checkpoint
from commands.reads import Scope, rebuild_views, views
from ledger.storage.database import Database
from ledger.storage.recorder import LedgerRecorder
from projections.store import ProjectionStore
from projections.views import VIEW_NAMES
from tests.reliability.partnership import ORGANISATIONS, PEOPLE
from tests.reliability.support import (
    ROOT,
    SCRUTINY,
    assert_whole,
    cli_env,
    kill_9,
    paused_at_first_progress,
    records,
    run_cli,
)
from tests.reliability.workers import stored_event


def open_recorder(db_url: str) -> LedgerRecorder:
    return LedgerRecorder(Database(db_url))


def filled(db_url: str, count: int) -> None:
    recorder = open_recorder(db_url)
    try:
        assert fill(recorder, count) == count
    finally:
        recorder.database.dispose()


def stored_checkpoint_sizes(db_url: str) -> list[int]:
    recorder = open_recorder(db_url)
    try:
        return [size for _, size, _, _ in recorder.checkpoints()]
    finally:
        recorder.database.dispose()


# -- a checkpoint killed while it verifies -------------------------------------------------


def test_kill_9_during_a_checkpoint_leaves_no_checkpoint_and_the_next_one_verifies(initialised) -> None:
    db_url, key_path = initialised
    size = 6_000  # verification reads pages of 5,000: it is killed after the first
    filled(db_url, size)
    make_checkpoint(db_url, key_path)  # an earlier checkpoint, which must stay intact
    argv = [str(SCRUTINY), "--db", db_url, "--key", str(key_path), "checkpoint"]
    with paused_at_first_progress(argv) as process:
        kill_9(process)
        assert process.stdout is not None and process.stdout.read() == b""  # it never signed
    assert stored_checkpoint_sizes(db_url) == [size]
    assert assert_whole(db_url, key_path).checkpoints_checked == 1
    # After the restart a checkpoint is signed, and the log verifies against it.
    signed = run_cli("--db", db_url, "--key", str(key_path), "checkpoint")
    assert signed.returncode == 0, signed.stderr
    kept = key_path.parent / "kept.checkpoint"
    kept.write_text(signed.stdout)
    checked = run_cli("--db", db_url, "--key", str(key_path), "verify", "--against", str(kept))
    assert checked.returncode == 0, checked.stderr
    assert stored_checkpoint_sizes(db_url) == [size, size]


# -- a projection rebuild killed half-way -----------------------------------------------------


def view_snapshot(db_url: str) -> dict[str, list[dict[str, object]]]:
    database = Database(db_url)
    try:
        return ProjectionStore.for_database(database).snapshot()
    finally:
        database.dispose()


def view_positions(db_url: str) -> dict[str, int]:
    database = Database(db_url)
    try:
        return ProjectionStore.for_database(database).positions()
    finally:
        database.dispose()


def test_kill_9_during_a_projection_rebuild_then_views_catch_up_to_a_fresh_rebuild(initialised) -> None:
    db_url, key_path = initialised
    size = 4_500  # the rebuild applies pages of 4,000: it is killed after the first
    filled(db_url, size)
    rebuild_views(db_url, list(VIEW_NAMES))
    built_before = view_snapshot(db_url)
    argv = [str(SCRUTINY), "--db", db_url, "--key", str(key_path), "projections", "rebuild"]
    with paused_at_first_progress(argv) as process:
        kill_9(process)
    # Killed half-way: every view was reset and has applied only part of the log.
    positions = view_positions(db_url)
    assert set(positions) == set(VIEW_NAMES)
    assert max(positions.values()) < size - 1, positions
    assert_whole(db_url, key_path)  # the log itself was never touched
    # Restart: a read catches the views up, and they equal a rebuild from scratch.
    with views(db_url, Scope()):
        pass
    assert set(view_positions(db_url).values()) == {size - 1}
    caught_up = view_snapshot(db_url)
    rebuild_views(db_url, list(VIEW_NAMES))
    assert caught_up == view_snapshot(db_url) == built_before
    status = run_cli("--db", db_url, "--key", str(key_path), "projections", "status", "--json")
    assert status.returncode == 0, status.stderr
    assert {row["behind"] for row in json.loads(status.stdout)} == {0}


# -- long batched appends killed, again and again ---------------------------------------------


BATCH = 300


def whole_batches(db_url: str) -> int:
    """How many batches are stored, checking each is whole and they run 0, 1, 2, ..."""
    by_stream: dict[str, list] = defaultdict(list)
    for record in records(db_url):
        by_stream[record.stream_id].append(record)
    numbers = sorted(int(stream.split(":")[1]) for stream in by_stream if stream.startswith("batch:"))
    assert numbers == list(range(len(numbers))), "a batch is missing"
    for number in numbers:
        batch = by_stream[f"batch:{number}"]
        assert [r.stream_version for r in batch] == list(range(1, BATCH + 1)), f"batch {number} is partial"
        first = batch[0].position
        assert [r.position for r in batch] == list(range(first, first + BATCH)), f"batch {number} is split"
        assert {json.loads(r.state)["batch"] for r in batch} == {number}
    return len(numbers)


def run_appender_and_kill_it(db_url: str, first: int, rng: random.Random) -> int:
    """Append batches ``first``, ``first + 1``, ... in a subprocess; SIGKILL it after a
    random number of committed batches, at a random moment of a later one.
    Returns how many batches it reported committed before it died."""
    argv = [sys.executable, "-m", "tests.reliability.workers", "append-forever", db_url, str(BATCH),
            str(first)]
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=cli_env(),
                               cwd=ROOT, text=True)
    try:
        wanted = rng.randint(1, 3)
        reported = 0
        assert process.stdout is not None
        while reported < wanted:
            line = process.stdout.readline()  # a line per committed batch, or EOF if it died
            assert line, process.stderr.read() if process.stderr else "the appender died"
            assert int(line) == first + reported
            reported += 1
        time.sleep(rng.uniform(0, 0.03))
        kill_9(process)
        return reported + len(process.stdout.read().split())
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def kill_appenders(db_url: str, key_path: Path, rounds: int, seed: int) -> None:
    rng = random.Random(seed)
    present = 0
    for _ in range(rounds):
        reported = run_appender_and_kill_it(db_url, present, rng)
        now = whole_batches(db_url)
        # Every batch it reported is there (durable); at most one more, committed
        # just before the kill but not yet printed; nothing partial (whole_batches).
        assert present + reported <= now <= present + reported + 1
        present = now
        assert_whole(db_url, key_path)
    # Work carries on after the crashes: the next append lands at the next position.
    recorder = open_recorder(db_url)
    try:
        size = recorder.size()
        ids = list(recorder.insert_events([stored_event("after:crash", 1, {"ok": True})]) or [])
        assert [i - 1 for i in ids] == [size]
    finally:
        recorder.database.dispose()
    assert_whole(db_url, key_path)


def test_kill_9_during_long_batched_appends_leaves_only_whole_batches(initialised) -> None:
    db_url, key_path = initialised
    kill_appenders(db_url, key_path, rounds=3, seed=7)


@pytest.mark.soak
def test_kill_9_during_batched_appends_many_times(initialised) -> None:
    db_url, key_path = initialised
    kill_appenders(db_url, key_path, rounds=30, seed=11)


# -- an import killed half-way, then run again --------------------------------------------------


IMPORT_BATCH = 10
IMPORTED_CHALLENGES = 150


def import_lines(challenges: int) -> list[dict[str, object]]:
    lines: list[dict[str, object]] = []
    for key, name, kind, role in ORGANISATIONS:
        line: dict[str, object] = {"act": "org.register", "as": "bu-jane", "on": "2019-06-03",
                                   "organisation_id": key, "name": name, "kind": kind}
        if role:
            line["statutory_role"] = role
        lines.append(line)
    for key, name, role, org in PEOPLE:
        lines.append({"act": "person.appoint", "as": "bu-jane", "on": "2019-06-03", "person_id": key,
                      "display_name": name, "role": role, "organisation_id": org})
    for number in range(challenges):
        lines.append({"act": "challenge.raise", "as": "helen-morgan", "on": "2019-09-02",
                      "challenge_id": f"CH-2019-{number:06d}", "to_partners": ["somerset-county-council"],
                      "subject": f"Challenge number {number}", "tier": 1 + number % 3})
    return lines


def recorded_imports(db_url: str) -> tuple[list[str], int]:
    """(challenge ids recorded in position order, number of import markers)."""
    stored = records(db_url)
    challenges = [r.stream_id.removeprefix("challenge:") for r in stored if r.stream_id.startswith("challenge:")]
    markers = sum(1 for r in stored if r.stream_id.startswith("import:"))
    return challenges, markers


def test_kill_9_during_an_import_then_running_it_again_records_nothing_twice(initialised,
                                                                             tmp_path: Path) -> None:
    db_url, key_path = initialised
    lines = import_lines(IMPORTED_CHALLENGES)
    acts = tmp_path / "acts.jsonl"
    acts.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    argv = [str(SCRUTINY), "--db", db_url, "--key", str(key_path), "import", str(acts),
            "--batch-size", str(IMPORT_BATCH)]
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=cli_env())
    try:
        recorder = open_recorder(db_url)
        deadline = time.monotonic() + 120
        while recorder.size() < 6 * IMPORT_BATCH:  # three batches of an act and its marker
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            assert time.monotonic() < deadline, "the import made no progress"
            time.sleep(0.02)
        recorder.database.dispose()
        kill_9(process)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)
        if process.stderr is not None:
            process.stderr.close()
    challenges, markers = recorded_imports(db_url)
    acts_recorded = markers
    # Whole batches only: every recorded act has its marker, in batches of 10 lines.
    assert 3 * IMPORT_BATCH <= acts_recorded < len(lines), "killed before the end, after three batches"
    assert acts_recorded % IMPORT_BATCH == 0
    set_up = len(ORGANISATIONS) + len(PEOPLE)
    assert challenges == [f"CH-2019-{n:06d}" for n in range(acts_recorded - set_up)]
    assert_whole(db_url, key_path)

    again = run_cli("--db", db_url, "--key", str(key_path), "import", str(acts), "--json",
                    "--batch-size", str(IMPORT_BATCH), timeout=300)
    assert again.returncode == 0, again.stderr
    result = json.loads(again.stdout)
    assert (result["recorded"], result["already_present"]) == (len(lines) - acts_recorded, acts_recorded)
    once_more = run_cli("--db", db_url, "--key", str(key_path), "import", str(acts), "--json", timeout=300)
    assert once_more.returncode == 0, once_more.stderr
    assert (json.loads(once_more.stdout)["recorded"], json.loads(once_more.stdout)["already_present"]) == (
        0, len(lines))
    challenges, markers = recorded_imports(db_url)
    assert markers == len(lines)
    assert challenges == [f"CH-2019-{n:06d}" for n in range(IMPORTED_CHALLENGES)]  # each exactly once, in order
    assert_whole(db_url, key_path)
