"""Helpers of the reliability tests: run processes with deadlines, check a log is whole."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pty
import signal
import subprocess
import sys
import termios
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from ledger.integrity import merkle_root
from ledger.records import StoredRecord
from ledger.storage.database import Database
from ledger.storage.recorder import LedgerRecorder

ROOT = Path(__file__).resolve().parents[2]
SCRUTINY = Path(sys.executable).with_name("scrutiny")
PROCESS_TIMEOUT = 120.0


def run_spawned(jobs: Sequence[tuple[Callable[..., None], tuple[Any, ...]]],
                timeout: float = PROCESS_TIMEOUT) -> list[tuple[Any, ...]]:
    """Run each ``target(*args, barrier, queue)`` in its own spawned process.

    The processes start their work together (a barrier, once every one has
    imported what it needs); returns one result tuple per process. Any process
    still alive at the deadline is killed and the call fails.
    """
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(len(jobs))
    results = ctx.Queue()
    processes = [ctx.Process(target=target, args=(*args, barrier, results), daemon=True)
                 for target, args in jobs]
    for process in processes:
        process.start()
    deadline = time.monotonic() + timeout
    collected: list[tuple[Any, ...]] = []
    try:
        for _ in processes:
            remaining = max(deadline - time.monotonic(), 0.1)
            collected.append(results.get(timeout=remaining))
        for process in processes:
            process.join(timeout=max(deadline - time.monotonic(), 0.1))
            assert process.exitcode == 0, f"worker exited with {process.exitcode}"
    finally:
        for process in processes:
            if process.is_alive():
                process.kill()
                process.join(5)
    return collected


def records(db_url: str) -> list[StoredRecord]:
    recorder = LedgerRecorder(Database(db_url))
    try:
        return list(recorder.iter_records())
    finally:
        recorder.database.dispose()


def assert_whole(db_url: str, key_path: Path) -> Any:
    """Verify passes, positions are dense 0..n-1, the head says n, and the stored
    root equals the RFC 9162 root of every leaf input recomputed here."""
    from commands.admin import verify

    report, _ = verify(db_url, key_path)
    assert report.ok, report.problem
    stored = records(db_url)
    assert [r.position for r in stored] == list(range(len(stored)))
    recorder = LedgerRecorder(Database(db_url))
    try:
        assert recorder.size() == len(stored) == report.size
        assert recorder.root(len(stored)) == merkle_root([r.leaf_input() for r in stored]) == report.root
    finally:
        recorder.database.dispose()
    return report


def cli_env() -> dict[str, str]:
    """The environment of a CLI subprocess: the project importable, no actor set."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCRUTINY_")}
    env["PYTHONPATH"] = str(ROOT)
    env["COLUMNS"] = "200"
    return env


def run_cli(*args: str, timeout: float = 60.0, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real ``scrutiny`` executable; never waits longer than ``timeout``."""
    return subprocess.run([str(SCRUTINY), *args], capture_output=True, text=True, timeout=timeout,
                          env=cli_env(), cwd=cwd or ROOT)


@contextlib.contextmanager
def paused_at_first_progress(argv: Sequence[str], timeout: float = 120.0) -> Iterator[subprocess.Popen[bytes]]:
    """Run ``argv`` until it prints its first progress line, and hold it there.

    The CLI prints progress only to a terminal, so stderr is a pseudo-terminal
    whose output is stopped (as by Ctrl-S): the program runs normally until its
    first progress write, which blocks in ``write(2, ...)``. That is the moment
    this yields: in the middle of the work, after its first page, by
    construction rather than by timing (Linux ``/proc/PID/syscall`` shows it).
    The process is killed on the way out.
    """
    master, slave = pty.openpty()
    termios.tcflow(slave, termios.TCOOFF)
    process = subprocess.Popen(list(argv), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=slave, env=cli_env(), cwd=ROOT)
    os.close(slave)
    try:
        deadline = time.monotonic() + timeout
        while not _blocked_writing_stderr(process.pid):
            assert process.poll() is None, f"it ended (exit {process.returncode}) before any progress"
            assert time.monotonic() < deadline, "it never reached its first progress line"
            time.sleep(0.02)
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)
        if process.stdout is not None:
            process.stdout.close()
        os.close(master)


def _blocked_writing_stderr(pid: int) -> bool:
    try:
        fields = Path(f"/proc/{pid}/syscall").read_text().split()
    except OSError:
        return False
    return fields[:2] == ["1", "0x2"]  # in write(2, ...)


def kill_9(process: subprocess.Popen[Any]) -> None:
    """SIGKILL: no handler, no cleanup, no rollback by the process itself."""
    assert process.poll() is None, "the process had already finished: nothing was interrupted"
    os.kill(process.pid, signal.SIGKILL)
    assert process.wait(timeout=30) == -signal.SIGKILL
