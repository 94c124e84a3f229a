"""A ledger made by an older version: refused with a clear way out, upgraded without loss."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from commands.admin import make_checkpoint, upgrade_ledger, verify
from commands.cli.main import cli
from ledger.application import open_ledger
from ledger.errors import StorageError
from ledger.storage.database import Database
from tests.ledger_helpers import append, open_recorder


def make_it_old(db_url: str) -> None:
    """What a ledger created before subject keys and REPLACE triggers looks like."""
    database = Database(db_url)
    try:
        with database.write() as conn:
            if database.is_sqlite:
                for trigger in ("erase_only", "refuse_delete", "refuse_replace"):
                    conn.exec_driver_sql(f"DROP TRIGGER ledger_subject_keys_{trigger}")
                conn.exec_driver_sql("DROP TRIGGER ledger_events_refuse_replace")
            conn.exec_driver_sql("DROP TABLE ledger_subject_keys")
    finally:
        database.dispose()


def test_an_older_ledger_is_refused_then_upgraded_and_keeps_every_record(
    initialised: tuple[str, Path]
) -> None:
    db_url, key_path = initialised
    recorder = open_recorder(db_url)
    try:
        append(recorder, 7, batch=3)
    finally:
        recorder.database.dispose()
    make_checkpoint(db_url, key_path)
    make_it_old(db_url)

    with pytest.raises(StorageError, match="older version .* ledger_subject_keys.*scrutiny upgrade"):
        open_ledger(db_url)
    result = CliRunner().invoke(cli, ["--db", db_url, "status"])
    assert result.exit_code == 1 and "scrutiny upgrade" in result.stderr

    added = upgrade_ledger(db_url)
    assert "table ledger_subject_keys" in added
    if db_url.startswith("sqlite"):
        assert "trigger ledger_events_refuse_replace" in added
    assert upgrade_ledger(db_url) == []
    again = CliRunner().invoke(cli, ["--db", db_url, "upgrade"])
    assert again.exit_code == 0 and "nothing to add" in again.stdout
    report, _ = verify(db_url, key_path)
    assert report.ok and report.size == 7 and report.checkpoints_checked == 1
    open_ledger(db_url).close()
