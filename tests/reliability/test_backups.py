"""Backups: taken while the ledger is in use, verified, and restored.

SQLite: ``scrutiny backup FILE`` (the online backup API) and ``scrutiny
verify-backup FILE --against CHECKPOINT``; a restore is the backup file opened
as the ledger. PostgreSQL: ``scrutiny backup`` refuses and points to
docs/operations.md, whose pg_dump / pg_restore procedure is run here too.
"""

from __future__ import annotations

import base64

import hashlib
import json
import shutil
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bench.datasets import fill
from commands.cli.main import cli
from ledger.storage.database import Database
from ledger.storage.recorder import LedgerRecorder
from tests.conftest import PG_URL, drop_pg_schema, new_pg_schema_url
from tests.reliability.support import ROOT, assert_whole, cli_env, records, run_cli
from tests.reliability.workers import stored_event

BATCH = 100


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def one_error_line(result: Result | subprocess.CompletedProcess[str], exit_code: int) -> str:
    code = result.exit_code if isinstance(result, Result) else result.returncode
    assert code == exit_code, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    return lines[0]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class Appender:
    """A process appending whole batches (stream ``batch:<k>``) until stopped."""

    def __init__(self, db_url: str, first: int = 0) -> None:
        argv = [sys.executable, "-m", "tests.reliability.workers", "append-forever", db_url, str(BATCH),
                str(first)]
        self.process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=cli_env(),
                                        cwd=ROOT, text=True)

    def wait_for_batches(self, count: int) -> None:
        assert self.process.stdout is not None
        for _ in range(count):
            line = self.process.stdout.readline()  # a line per committed batch, or EOF if it died
            assert line, self.process.stderr.read() if self.process.stderr else "the appender died"

    def stop(self) -> None:
        assert self.process.poll() is None, "the appender stopped by itself"
        self.process.kill()
        self.process.wait(timeout=30)
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()


@pytest.fixture
def sqlite_ledger(tmp_path: Path) -> tuple[str, Path]:
    from commands.admin import init_ledger

    db_url = f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
    key_path = tmp_path / "keys" / "scrutiny.key"
    key_path.parent.mkdir()
    init_ledger(db_url, key_path, "test.scrutiny-ledger/ledger")
    recorder = LedgerRecorder(Database(db_url))
    fill(recorder, 3_000)
    recorder.database.dispose()
    return db_url, key_path


def batches_in(db_url: str) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for record in records(db_url):
        if record.stream_id.startswith("batch:"):
            found.setdefault(record.stream_id, []).append(record.stream_version)
    return found


def test_a_backup_taken_while_another_process_appends_verifies_and_restores(sqlite_ledger,
                                                                             tmp_path: Path) -> None:
    db_url, key_path = sqlite_ledger
    key = str(key_path)
    signed = invoke("--db", db_url, "--key", key, "checkpoint")
    assert signed.exit_code == 0, signed.stderr
    kept = tmp_path / "kept.checkpoint"  # the last checkpoint sent out of the partnership
    kept.write_text(signed.stdout, encoding="utf-8")
    appender = Appender(db_url)
    try:
        appender.wait_for_batches(4)
        backup = tmp_path / "backups" / "ledger-backup.sqlite3"
        backup.parent.mkdir()
        made = run_cli("--db", db_url, "--key", key, "backup", str(backup), "--json")
        assert made.returncode == 0, made.stderr
        appender.wait_for_batches(2)  # the ledger went on growing after the copy
    finally:
        appender.stop()
    described = json.loads(made.stdout)
    assert described["sha256"] == sha256(backup)
    # The signing key never travels with a backup: neither its text nor its
    # key bytes. (PRIVATE+KEY+name+id+base64: the base64 may itself hold "+".)
    encoded = key_path.read_text(encoding="utf-8").strip().split("+", 4)[4]
    copied_bytes = backup.read_bytes()
    assert encoded.encode() not in copied_bytes
    assert base64.b64decode(encoded)[1:] not in copied_bytes
    assert not list(backup.parent.glob(".*partial*"))  # only the finished file is left

    # The backup is one consistent state: whole batches only, and it verifies.
    backup_url = f"sqlite:///{backup}"
    copied = batches_in(backup_url)
    assert len(copied) >= 4 and all(versions == list(range(1, BATCH + 1)) for versions in copied.values())
    assert assert_whole(backup_url, key_path).size == described["tree_size"]
    assert len(records(backup_url)) < len(records(db_url))

    # verify-backup against the last checkpoint sent out: intact; the file is only read.
    before = sha256(backup)
    checked = invoke("--key", key, "verify-backup", str(backup), "--against", str(kept), "--json")
    assert checked.exit_code == 0, checked.stderr
    report = json.loads(checked.stdout)
    assert report["ok"] and report["against_checked"] and report["checkpoints_checked"] == 1
    assert sha256(backup) == before

    # A checkpoint of the live ledger signed after the copy covers more than the backup holds.
    later = invoke("--db", db_url, "--key", key, "checkpoint")
    assert later.exit_code == 0, later.stderr
    newer = tmp_path / "newer.checkpoint"
    newer.write_text(later.stdout, encoding="utf-8")
    stale = invoke("--key", key, "verify-backup", str(backup), "--against", str(newer))
    assert stale.exit_code == 3, stale.stderr
    assert "Error:" in stale.stderr and "removed" in stale.stderr

    # Restore: the backup file becomes the ledger; it verifies and takes new acts.
    restored = tmp_path / "restored" / "ledger.sqlite3"
    restored.parent.mkdir()
    shutil.copyfile(backup, restored)
    restored_url = f"sqlite:///{restored}"
    again = run_cli("--db", restored_url, "--key", key, "verify", "--against", str(kept))
    assert again.returncode == 0, again.stderr
    recorder = LedgerRecorder(Database(restored_url))
    try:
        size = recorder.size()
        ids = list(recorder.insert_events([stored_event("after:restore", 1, {"ok": True})]) or [])
        assert [i - 1 for i in ids] == [size]
    finally:
        recorder.database.dispose()
    signed_again = invoke("--db", restored_url, "--key", key, "checkpoint")
    assert signed_again.exit_code == 0, signed_again.stderr
    assert assert_whole(restored_url, key_path).checkpoints_checked == 2


def test_a_backup_never_overwrites_a_file(sqlite_ledger, tmp_path: Path) -> None:
    db_url, key_path = sqlite_ledger
    existing = tmp_path / "precious.sqlite3"
    existing.write_bytes(b"someone else's file")
    error = one_error_line(invoke("--db", db_url, "--key", str(key_path), "backup", str(existing)), 1)
    assert "exists" in error and "never overwrites" in error
    assert existing.read_bytes() == b"someone else's file"
    target = tmp_path / "first.sqlite3"
    assert invoke("--db", db_url, "--key", str(key_path), "backup", str(target)).exit_code == 0
    first = sha256(target)
    one_error_line(invoke("--db", db_url, "--key", str(key_path), "backup", str(target)), 1)
    assert sha256(target) == first
    assert not list(tmp_path.glob(".*partial*"))


def test_verify_backup_names_the_first_bad_position_of_a_tampered_backup(sqlite_ledger, tmp_path: Path) -> None:
    db_url, key_path = sqlite_ledger
    backup = tmp_path / "copy.sqlite3"
    assert invoke("--db", db_url, "--key", str(key_path), "backup", str(backup)).exit_code == 0
    with sqlite3.connect(backup) as conn:
        conn.execute("DROP TRIGGER ledger_events_refuse_update")
        conn.execute("UPDATE ledger_events SET topic = 'forged' WHERE position = 1234")
    result = invoke("--key", str(key_path), "verify-backup", str(backup))
    assert result.exit_code == 3
    assert "position 1234" in result.stderr and result.stderr.startswith("Error: ")


@pytest.mark.parametrize("content", [None, b"not a database at all", b""])
def test_verify_backup_of_a_missing_or_foreign_file_is_one_clear_error(tmp_path: Path, content: bytes | None) -> None:
    path = tmp_path / "backup.sqlite3"
    if content is not None:
        path.write_bytes(content)
    result = invoke("--key", str(tmp_path / "k"), "verify-backup", str(path))
    error = one_error_line(result, 1 if content is None else 2)
    assert str(path) in error


def test_a_backup_of_a_missing_ledger_is_refused(tmp_path: Path) -> None:
    result = invoke("--db", f"sqlite:///{tmp_path / 'none.sqlite3'}", "backup", str(tmp_path / "b.sqlite3"))
    assert "no ledger" in one_error_line(result, 1)
    assert sorted(p.name for p in tmp_path.iterdir()) == []


# -- PostgreSQL ---------------------------------------------------------------------------------


@pytest.mark.parametrize("engine_name", ["postgresql"])
def test_a_postgresql_ledger_is_not_backed_up_by_scrutiny_but_pointed_to_pg_dump(initialised,
                                                                                 tmp_path: Path) -> None:
    db_url, key_path = initialised
    target = tmp_path / "copy.sqlite3"
    error = one_error_line(invoke("--db", db_url, "--key", str(key_path), "backup", str(target)), 2)
    assert "pg_dump" in error and "docs/operations.md" in error
    assert not target.exists()


@pytest.fixture
def scratch_database() -> Iterator[str]:
    """An empty database on the test server (a restore must not land on the original)."""
    import psycopg

    name = f"scrutiny_restore_{uuid.uuid4().hex[:10]}"
    admin = PG_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]
    base = admin.split("?")[0].rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]


def test_the_documented_pg_dump_backup_taken_while_appending_restores_and_verifies(
        scratch_database: str, tmp_path: Path) -> None:
    from commands.admin import init_ledger, make_checkpoint

    db_url, schema = new_pg_schema_url()
    key_path = tmp_path / "scrutiny.key"
    dump = tmp_path / "sscp.dump"
    try:
        init_ledger(db_url, key_path, "test.scrutiny-ledger/ledger")
        recorder = LedgerRecorder(Database(db_url))
        fill(recorder, 2_000)
        recorder.database.dispose()
        _, note = make_checkpoint(db_url, key_path)
        kept = tmp_path / "kept.checkpoint"
        kept.write_text(note, encoding="utf-8")
        appender = Appender(db_url)
        try:
            appender.wait_for_batches(2)
            plain = PG_URL.replace("postgresql+psycopg://", "postgresql://").split("?")[0]
            dumped = subprocess.run(["pg_dump", "--format=custom", f"--schema={schema}", f"--file={dump}", plain],
                                    capture_output=True, text=True, timeout=120)
            assert dumped.returncode == 0, dumped.stderr
            appender.wait_for_batches(1)
        finally:
            appender.stop()
    finally:
        drop_pg_schema(schema)  # the original is gone: only the dump is left
    restored = subprocess.run(["pg_restore", "--no-owner", "--no-privileges", f"--dbname={scratch_database}",
                               str(dump)], capture_output=True, text=True, timeout=120)
    assert restored.returncode == 0, restored.stderr
    restored_url = f"{scratch_database}?options=-csearch_path%3D{schema}"
    checked = run_cli("--db", restored_url, "--key", str(key_path), "verify", "--against", str(kept))
    assert checked.returncode == 0, checked.stderr
    assert all(versions == list(range(1, BATCH + 1)) for versions in batches_in(restored_url).values())
    report = assert_whole(restored_url, key_path)
    assert report.size > 2_000
