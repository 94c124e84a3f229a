"""End to end: init, checkpoint and verify through the command line, both engines."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from click.testing import CliRunner

from commands.cli.main import cli
from tests.ledger_helpers import append, drop_append_only_triggers, execute, open_recorder


def run(db_url: str, key: Path, *args: str):
    return CliRunner().invoke(cli, ["--db", db_url, "--key", str(key), *args])


def test_init_creates_the_database_and_a_private_key_it_never_overwrites(db_url: str, tmp_path: Path) -> None:
    key = tmp_path / "ledger.key"
    first = run(db_url, key, "init", "--origin", "sscp.example/scrutiny", "--json")
    assert first.exit_code == 0, first.output
    created = json.loads(first.output)
    assert created["origin"] == "sscp.example/scrutiny"
    assert created["verifier_key"].startswith("sscp.example/scrutiny+")
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    key_bytes = key.read_bytes()
    again = run(db_url, key, "init")
    assert again.exit_code == 1
    assert again.output.startswith("Error: a ledger already exists")
    assert key.read_bytes() == key_bytes


def test_checkpoint_prints_a_signed_note_that_verify_accepts(initialised, tmp_path: Path) -> None:
    db_url, key = initialised
    append(open_recorder(db_url), 5)
    result = run(db_url, key, "checkpoint")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "test.scrutiny-ledger/ledger"
    assert lines[1] == "5"
    assert lines[4].startswith("— test.scrutiny-ledger/ledger ")
    verified = run(db_url, key, "verify", "--json")
    assert verified.exit_code == 0, verified.output
    report = json.loads(verified.output)
    assert (report["ok"], report["tree_size"], report["checkpoints_checked"]) == (True, 5, 1)


def test_verify_exits_3_naming_the_first_bad_position(initialised) -> None:
    db_url, key = initialised
    recorder = open_recorder(db_url)
    append(recorder, 6)
    assert run(db_url, key, "checkpoint").exit_code == 0
    drop_append_only_triggers(recorder.database)
    execute(recorder.database, "UPDATE ledger_events SET topic = 'forged' WHERE position = 4")
    result = run(db_url, key, "verify")
    assert result.exit_code == 3
    assert "result               FAILED" in result.stdout
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert result.stderr.startswith("Error: event at position 4")


def test_verify_against_a_kept_checkpoint_catches_truncation(initialised, tmp_path: Path) -> None:
    db_url, key = initialised
    recorder = open_recorder(db_url)
    append(recorder, 4)
    kept = tmp_path / "kept.checkpoint"
    kept.write_text(run(db_url, key, "checkpoint").output, encoding="utf-8")
    assert run(db_url, key, "verify", "--against", str(kept)).exit_code == 0
    drop_append_only_triggers(recorder.database)
    execute(recorder.database, "DELETE FROM ledger_events WHERE position = 3")
    execute(recorder.database, "DELETE FROM ledger_tree WHERE (level = 0 AND idx = 3) OR level = 2")
    execute(recorder.database, "DELETE FROM ledger_checkpoints")
    execute(recorder.database, "UPDATE ledger_head SET size = 3")
    result = run(db_url, key, "verify", "--against", str(kept), "--json")
    assert result.exit_code == 3
    assert json.loads(result.stdout)["first_bad_position"] == 3


def test_verify_without_a_ledger_is_a_clear_error(tmp_path: Path) -> None:
    result = run(f"sqlite:///{tmp_path / 'none.sqlite3'}", tmp_path / "k", "verify")
    assert result.exit_code == 1
    assert result.output.startswith("Error: no ledger at")
    assert "Traceback" not in result.output


def test_a_malformed_database_url_is_bad_usage(tmp_path: Path) -> None:
    result = run("mysql://nobody@nowhere/x", tmp_path / "k", "verify")
    assert result.exit_code == 2
    assert result.output.startswith("Error: unsupported database")


def test_a_missing_against_file_is_bad_usage(initialised, tmp_path: Path) -> None:
    db_url, key = initialised
    result = run(db_url, key, "verify", "--against", str(tmp_path / "missing"))
    assert result.exit_code == 2
    assert result.output.startswith("Error: cannot read checkpoint file")


def test_help_documents_every_command() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name, command in cli.commands.items():
        assert name in result.output
        assert (command.help or "").strip(), f"{name} has no help text"


def test_reading_a_missing_ledger_creates_no_file(tmp_path: Path) -> None:
    target = tmp_path / "none.sqlite3"
    run(f"sqlite:///{target}", tmp_path / "k", "verify")
    assert not target.exists()
    assert not (tmp_path / "k").exists()


def test_usage_errors_of_any_command_are_one_line_and_exit_2(tmp_path: Path) -> None:
    for args in (["verify", "--bogus"], ["--bogus"], ["challenge", "raise", "--tier", "9"],
                 ["org", "register"], ["nonsense"]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 2, (args, result.output)
        assert result.stderr.startswith("Error: "), (args, result.output)
        assert len(result.stderr.strip().splitlines()) == 1, (args, result.output)


def test_a_bare_group_shows_its_help() -> None:
    result = CliRunner().invoke(cli, ["challenge"])
    assert "Usage:" in result.output
    assert "raise" in result.output
