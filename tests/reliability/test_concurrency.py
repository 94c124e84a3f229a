"""Many OS processes write at once: nothing is lost, duplicated, misplaced or forked.

Writers are separate processes (multiprocessing, 'spawn'), so they share
nothing but the database: one SQLite file, or one PostgreSQL schema. They
start together behind a barrier.
"""

from __future__ import annotations

import contextlib
import json
import re
import sqlite3
import subprocess
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest

from ledger.checkpoints import open_checkpoint
from ledger.integrity import merkle_root
from ledger.keys import load_verifier
from ledger.storage.database import Database
from ledger.storage.recorder import LedgerRecorder
from tests.ledger_helpers import append
from tests.reliability import workers
from tests.reliability.partnership import CHALLENGE, cli_runner, set_up_partnership
from tests.reliability.support import SCRUTINY, assert_whole, cli_env, records, run_spawned

BATCH_PATTERN = (1, 3, 1, 7, 2, 1, 5, 1, 1, 4)  # 26 events in 10 transactions


def writer_batches(rounds: int) -> list[int]:
    return list(BATCH_PATTERN) * rounds


def check_concurrent_history(db_url: str, key_path: Path, results: list[tuple], writers: int,
                             batches: list[int], checkpointers: int, checkpoints_each: int) -> None:
    errors = [r for r in results if r[0] == "error"]
    assert not errors, errors
    appended = {r[1]: r[2] for r in results if r[0] == "appended"}
    taken = [c for r in results if r[0] == "checkpoints" for c in r[2]]
    assert sorted(appended) == [f"w{i}" for i in range(writers)]
    assert len(taken) == checkpointers * checkpoints_each

    # Dense positions, head = count, stored root = recomputed root, verify passes.
    report = assert_whole(db_url, key_path)
    stored = records(db_url)
    assert len(stored) == writers * sum(batches)

    # Each writer's events are all there, exactly once, at the positions it was told,
    # in version order, each batch in one contiguous run of positions.
    by_stream: dict[str, list] = defaultdict(list)
    for record in stored:
        by_stream[record.stream_id].append(record)
    assert sorted(by_stream) == sorted(f"writer:{w}" for w in appended)
    for writer, told in appended.items():
        mine = by_stream[f"writer:{writer}"]
        assert [r.stream_version for r in mine] == list(range(1, sum(batches) + 1))
        assert [json.loads(r.state)["n"] for r in mine] == list(range(1, sum(batches) + 1))
        expected_positions = [first + i for first, size in told for i in range(size)]
        assert [r.position for r in mine] == expected_positions
        assert [size for _, size in told] == batches

    # Every checkpoint taken while the log was growing verifies, and signs the
    # root of exactly the prefix it names.
    recorder = LedgerRecorder(Database(db_url))
    try:
        stored_checkpoints = recorder.checkpoints()
    finally:
        recorder.database.dispose()
    assert sorted(cid for cid, _ in taken) == [cid for cid, _, _, _ in stored_checkpoints]
    assert report.checkpoints_checked == len(taken)
    verifier = load_verifier(key_path)
    leaves = [r.leaf_input() for r in stored]
    for _, size, _, note in stored_checkpoints:
        assert open_checkpoint(note, [verifier]).root_hash == merkle_root(leaves[:size])


def test_four_writers_and_two_checkpointers_at_once(initialised) -> None:
    db_url, key_path = initialised
    batches = writer_batches(3)
    jobs = [(workers.append_batches, (db_url, f"w{i}", batches)) for i in range(4)]
    jobs += [(workers.take_checkpoints, (db_url, str(key_path), 3)) for _ in range(2)]
    results = run_spawned(jobs)
    check_concurrent_history(db_url, key_path, results, writers=4, batches=batches,
                             checkpointers=2, checkpoints_each=3)


@pytest.mark.soak
def test_eight_writers_and_three_checkpointers_for_longer(initialised) -> None:
    db_url, key_path = initialised
    batches = writer_batches(40)
    jobs = [(workers.append_batches, (db_url, f"w{i}", batches)) for i in range(8)]
    jobs += [(workers.take_checkpoints, (db_url, str(key_path), 20)) for _ in range(3)]
    results = run_spawned(jobs, timeout=900)
    check_concurrent_history(db_url, key_path, results, writers=8, batches=batches,
                             checkpointers=3, checkpoints_each=20)


def test_two_processes_writing_one_stream_version_one_wins_one_conflicts(initialised) -> None:
    db_url, key_path = initialised
    jobs = [(workers.race_for_version, (db_url, "race:1", 1, who)) for who in ("a", "b", "c", "d")]
    results = run_spawned(jobs)
    outcomes = sorted(r[0] for r in results)
    assert outcomes == ["conflict", "conflict", "conflict", "won"], results
    for kind, _, detail in results:
        if kind == "conflict":
            assert "retry" in detail
    winner = next(r for r in results if r[0] == "won")
    stored = records(db_url)
    assert [(r.position, r.stream_id, r.stream_version) for r in stored] == [(0, "race:1", 1)]
    assert json.loads(stored[0].state) == {"by": winner[1]}
    assert_whole(db_url, key_path)
    # Each loser retries at the next version (what reloading the aggregate gives) and succeeds.
    recorder = LedgerRecorder(Database(db_url))
    try:
        losers = sorted(r[1] for r in results if r[0] == "conflict")
        for version, who in enumerate(losers, start=2):
            recorder.insert_events([workers.stored_event("race:1", version, {"by": who})])
    finally:
        recorder.database.dispose()
    stored = records(db_url)
    assert [(r.stream_version, json.loads(r.state)["by"]) for r in stored] == [
        (1, winner[1]), *((v, who) for v, who in enumerate(losers, start=2))]
    assert_whole(db_url, key_path)


# -- two people changing the same challenge through the real command line ---------------


@contextlib.contextmanager
def append_lock_held(db_url: str) -> Iterator[None]:
    """Hold the ledger's append lock (what a long append by a third writer does)."""
    if db_url.startswith("sqlite:///"):
        conn = sqlite3.connect(db_url.removeprefix("sqlite:///"), timeout=30, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            conn.execute("ROLLBACK")
            conn.close()
    else:
        import psycopg

        with psycopg.connect(db_url.replace("postgresql+psycopg://", "postgresql://")) as conn:
            conn.execute("SELECT size FROM ledger_head WHERE id = 1 FOR UPDATE")
            yield
            conn.rollback()


def wait_until_both_wait_for_the_lock(db_url: str, processes: list[subprocess.Popen[str]]) -> None:
    """Both CLI processes have loaded the challenge and now wait to append.

    SQLite: each sits in SQLite's busy handler (asleep in the kernel, Linux
    ``/proc/PID/wchan``) for several samples in a row; a process only sleeps
    there when it asks for the write lock. PostgreSQL: two backends wait on a
    lock in the head row's ``UPDATE``.
    """
    deadline = time.monotonic() + 60
    asleep = 0
    while time.monotonic() < deadline:
        for process in processes:
            assert process.poll() is None, process.communicate()
        if db_url.startswith("sqlite:///"):
            states = [Path(f"/proc/{p.pid}/wchan").read_text() for p in processes]
            asleep = asleep + 1 if all("nanosleep" in s for s in states) else 0
            if asleep >= 5:
                return
        else:
            import psycopg

            with psycopg.connect(db_url.replace("postgresql+psycopg://", "postgresql://")) as conn:
                waiting = conn.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND query LIKE 'UPDATE ledger_head%%'").fetchone()
            if waiting is not None and waiting[0] >= 2:
                return
        time.sleep(0.05)
    raise AssertionError("the two writers never both waited for the append lock")


def test_two_partners_responding_at_once_one_wins_the_other_is_told_to_retry(initialised) -> None:
    db_url, key_path = initialised
    run = cli_runner(db_url, key_path)
    set_up_partnership(run)
    before = len(records(db_url))
    responses = {
        "sam-hughes": ["respond", CHALLENGE, "--response", "The council agrees.", "--on", "2019-09-05"],
        "kate-mills": ["respond", CHALLENGE, "--response", "Health agrees.", "--on", "2019-09-05"],
    }

    def argv(actor: str) -> list[str]:
        return [str(SCRUTINY), "--db", db_url, "--key", str(key_path), "--as", actor,
                "challenge", *responses[actor]]

    with append_lock_held(db_url):
        processes = {actor: subprocess.Popen(argv(actor), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                             text=True, env=cli_env())
                     for actor in responses}
        try:
            wait_until_both_wait_for_the_lock(db_url, list(processes.values()))
        except BaseException:
            for process in processes.values():
                process.kill()
            raise
    outcomes = {actor: (p.wait(timeout=60), *p.communicate(timeout=60)) for actor, p in processes.items()}
    assert sorted(code for code, _, _ in outcomes.values()) == [0, 1], outcomes
    loser = next(actor for actor, (code, _, _) in outcomes.items() if code == 1)
    _, out, err = outcomes[loser]
    assert out == ""
    assert len(err.strip().splitlines()) == 1 and err.startswith("Error: "), err
    assert re.search(r"retry", err) and re.search(r"another writer|conflict", err), err
    assert "Traceback" not in err
    assert len(records(db_url)) == before + 1  # the loser wrote nothing

    # The loser simply runs the same command again, and it is recorded.
    retried = subprocess.run(argv(loser), capture_output=True, text=True, timeout=60, env=cli_env())
    assert retried.returncode == 0, retried.stderr
    stream = [r for r in records(db_url) if r.stream_id == f"challenge:{CHALLENGE}"]
    assert [r.stream_version for r in stream] == [1, 2, 3]
    responded = [json.loads(r.state) for r in stream[1:]]
    assert sorted(event["organisation_id"] for event in responded) == ["somerset-ccg",
                                                                        "somerset-county-council"]
    assert_whole(db_url, key_path)


def test_checkpoints_signed_at_the_same_moment_are_all_stored(initialised) -> None:
    """Four processes sign checkpoints at once: each is stored under its own id."""
    db_url, key_path = initialised
    recorder = LedgerRecorder(Database(db_url))
    try:
        append(recorder, 10, batch=5)
    finally:
        recorder.database.dispose()
    results = run_spawned([(workers.take_checkpoints, (db_url, str(key_path), 10)) for _ in range(4)])
    errors = [r for r in results if r[0] == "error"]
    assert not errors, errors
    taken = sorted(c for r in results for c in r[2])
    assert [cid for cid, _ in taken] == list(range(1, 41))
    assert assert_whole(db_url, key_path).checkpoints_checked == 40
