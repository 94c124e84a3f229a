"""End to end: prove, export, verify-bundle, key rotate and witness through the command line."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from commands.cli.main import cli
from ledger.integrity import verify_consistency, verify_inclusion
from tests.integration.test_bundles import CASE, record_events, vkey_of

#: Engine-independent behaviour runs on SQLite only, to keep the suite fast; the
#: tests without this mark run on both engines.
SQLITE_ONLY = pytest.mark.parametrize("engine_name", ["sqlite"])

NEW_COMMANDS = {
    "prove": ("inclusion", "consistency"),
    "export": (),
    "verify-bundle": (),
    "key": ("rotate",),
    "witness": ("cosign", "collect", "key"),
}


def run(db_url: str, key: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db", db_url, "--key", str(key), *args])


@pytest.fixture
def ledger(initialised: tuple[str, Path]) -> tuple[str, Path]:
    db_url, key = initialised
    record_events(db_url, 7)
    assert run(db_url, key, "checkpoint").exit_code == 0
    record_events(db_url, 5, start=7)
    return db_url, key


def one_error_line(result: Result, code: int, starts: str) -> None:
    assert result.exit_code == code, result.output
    assert result.stderr.startswith(f"Error: {starts}"), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_prove_inclusion_defaults_to_the_latest_checkpoint_and_verifies_with_the_rfc_alone(
    ledger,
) -> None:
    db_url, key = ledger
    result = run(db_url, key, "prove", "inclusion", "3", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["leaf_index"], data["tree_size"]) == (
        3,
        7,
    )  # the checkpoint's size, not the log's 12
    leaf = base64.b64decode(data["leaf_input"])
    digest = hashlib.sha256(b"\x00" + leaf).digest()
    assert base64.b64encode(digest).decode() == data["leaf_hash"]
    proof = [base64.b64decode(h) for h in data["proof"]]
    assert verify_inclusion(digest, 3, 7, proof, base64.b64decode(data["root"]))
    assert data["checkpoint"].splitlines()[2] == data["root"]  # the signed root
    text = run(db_url, key, "prove", "inclusion", "3", "--size", "12")
    assert text.exit_code == 0 and "inclusion of position 3 in 12 events" in text.stdout


@SQLITE_ONLY
def test_prove_consistency_verifies_with_the_rfc_alone(ledger) -> None:
    db_url, key = ledger
    result = run(db_url, key, "prove", "consistency", "7", "12", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert verify_consistency(
        7,
        12,
        base64.b64decode(data["old_root"]),
        base64.b64decode(data["new_root"]),
        [base64.b64decode(h) for h in data["proof"]],
    )
    assert data["old_checkpoint"] is not None and data["new_checkpoint"] is None


@pytest.mark.parametrize(
    "args, code, message",
    [
        (("prove", "inclusion", "x"), 2, "POSITION must be a whole number"),
        (("prove", "inclusion", "-1"), 2, "No such option"),
        (("prove", "inclusion", "1", "--size", "07"), 2, "--size must be a whole number"),
        (
            ("prove", "inclusion", "1", "--size", "13"),
            1,
            "size 13 is beyond the log, which holds 12",
        ),
        (("prove", "inclusion", "7"), 1, "position 7 is not in a tree of 7"),
        (
            ("prove", "consistency", "0", "5"),
            2,
            "a consistency proof needs an old size of at least 1",
        ),
        (("prove", "consistency", "6", "5"), 2, "the old size 6 is larger"),
        (("prove", "consistency", "5", "99"), 1, "new size 99 is beyond the log"),
        (("prove", "consistency", "5", "1.0"), 2, "NEW must be a whole number"),
    ],
)
@SQLITE_ONLY
def test_prove_refuses_what_it_cannot_prove(
    ledger, args: tuple[str, ...], code: int, message: str
) -> None:
    db_url, key = ledger
    one_error_line(run(db_url, key, *args), code, message)


@SQLITE_ONLY
def test_prove_without_a_checkpoint_asks_for_one(initialised) -> None:
    db_url, key = initialised
    record_events(db_url, 2)
    one_error_line(
        run(db_url, key, "prove", "inclusion", "0"), 1, "the ledger has no checkpoint yet"
    )


def test_export_and_verify_bundle_round_trip(ledger, tmp_path: Path) -> None:
    db_url, key = ledger
    result = run(db_url, key, "export", str(tmp_path / "b"), "--checkpoint", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["events"] == 12
    checked = CliRunner().invoke(cli, ["verify-bundle", str(tmp_path / "b"), "--key", f"{key}.pub"])
    assert checked.exit_code == 0, checked.output
    assert checked.stdout.splitlines()[0].split() == ["result", "INTACT"]
    assert checked.stderr == ""
    again = run(db_url, key, "export", str(tmp_path / "b"))
    one_error_line(again, 1, f"{tmp_path / 'b'} is not empty")
    nowhere = run(db_url, key, "export", str(tmp_path / "no" / "such"))
    one_error_line(nowhere, 2, "cannot export into")
    assert not (tmp_path / "no").exists()
    case = run(db_url, key, "export", str(tmp_path / "c"), "--case", CASE)
    assert case.exit_code == 0 and "partial" in case.stdout


@SQLITE_ONLY
def test_verify_bundle_failure_is_one_line_and_exit_3(ledger, tmp_path: Path) -> None:
    db_url, key = ledger
    assert run(db_url, key, "export", str(tmp_path / "b")).exit_code == 0
    events = tmp_path / "b" / "events.jsonl"
    lines = events.read_text(encoding="utf-8").splitlines(keepends=True)
    events.write_text("".join(lines[:2] + lines[3:]), encoding="utf-8")
    result = CliRunner().invoke(cli, ["verify-bundle", str(tmp_path / "b"), "--key", vkey_of(key)])
    one_error_line(
        result, 3, "events: events.jsonl line 3 holds position 3 where position 2 was expected"
    )
    assert "FAILED (events)" in result.stdout


@SQLITE_ONLY
def test_key_rotate_prints_the_handover_and_clear_instructions(ledger, tmp_path: Path) -> None:
    db_url, key = ledger
    new_key = tmp_path / "next.key"
    result = run(
        db_url, key, "key", "rotate", "--new-key", str(new_key), "--reason", "staff change"
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.count("\u2014 test.scrutiny-ledger/ledger ") == 2  # signed by both keys
    assert f"From now on use --key {new_key}" in result.stderr
    assert "nothing was overwritten" in result.stderr
    assert stat.S_IMODE(os.stat(new_key).st_mode) == 0o600
    one_error_line(run(db_url, key, "checkpoint"), 1, "the key test.scrutiny-ledger/ledger+")
    assert run(db_url, new_key, "checkpoint").exit_code == 0
    assert run(db_url, key, "verify").exit_code == 0
    one_error_line(run(db_url, key, "key", "rotate", "--new-key", str(new_key)), 1, "the key ")


@SQLITE_ONLY
def test_a_witness_cosigns_through_the_command_line(ledger, tmp_path: Path) -> None:
    db_url, key = ledger
    wkey = tmp_path / "w.key"
    made = CliRunner().invoke(
        cli, ["witness", "key", "new", "partner.example/witness", "--key", str(wkey), "--json"]
    )
    assert made.exit_code == 0, made.output
    assert stat.S_IMODE(os.stat(wkey).st_mode) == 0o600
    checkpoint = tmp_path / "cp"
    checkpoint.write_text(run(db_url, key, "checkpoint").stdout, encoding="utf-8")
    args = [
        "witness",
        "cosign",
        str(checkpoint),
        "--key",
        str(wkey),
        "--state",
        str(tmp_path / "state"),
    ]
    one_error_line(run(db_url, key, *args), 1, "this witness follows no log")
    cosigned = run(db_url, key, *args, "--log-key", f"{key}.pub")
    assert cosigned.exit_code == 0, cosigned.output
    assert cosigned.stdout.startswith(checkpoint.read_text(encoding="utf-8"))
    assert cosigned.stdout.splitlines()[-1].startswith("\u2014 partner.example/witness ")
    (tmp_path / "cosigned").write_text(cosigned.stdout, encoding="utf-8")
    witness_vkey = json.loads(made.stdout)["verifier_key"]
    collected = run(
        db_url, key, "witness", "collect", str(tmp_path / "cosigned"), "--witness", witness_vkey
    )
    assert collected.exit_code == 0, collected.output
    assert run(db_url, key, "export", str(tmp_path / "b")).exit_code == 0
    checked = CliRunner().invoke(
        cli,
        ["verify-bundle", str(tmp_path / "b"), "--key", vkey_of(key), "--witness", f"{wkey}.pub"],
    )
    assert checked.exit_code == 0, checked.output
    assert "partner.example/witness+" in checked.stdout
    stale = run(db_url, key, *args)  # the same checkpoint again: same size, same root
    assert stale.exit_code == 0


def test_every_new_command_has_help() -> None:
    for name, subcommands in NEW_COMMANDS.items():
        assert name in cli.commands
        result = CliRunner().invoke(cli, [name, "--help"])
        assert result.exit_code == 0 and len(result.output) > 200, name
        for sub in subcommands:
            assert CliRunner().invoke(cli, [name, sub, "--help"]).exit_code == 0, (name, sub)
    text = " ".join(CliRunner().invoke(cli, ["prove", "inclusion", "--help"]).output.split())
    assert "N defaults to the size of the latest checkpoint" in text
