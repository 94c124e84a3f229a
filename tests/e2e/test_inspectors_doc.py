"""docs/inspectors.md runs as written: every command of its sh blocks, in order.

The walkthrough's situation is set up first (a ledger in the working
directory, a checkpoint kept from a previous visit, the partnership's key
obtained independently, the standalone checker), then each command must end
with the exit status the page gives it (0 unless the line says
``# exit status N``). ``scrutiny`` commands run in-process (as the README
tour test does, to keep the suite fast); every other line runs in bash, so
``python3 verify_bundle.py`` runs exactly as an inspector would run it.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from commands.admin import init_ledger, make_checkpoint
from commands.cli.main import cli
from tests.integration.test_bundles import record_events, stored_note

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "inspectors.md"
EXPECTED = re.compile(r"#\s*exit status (\d+)\s*$")


def doc_commands() -> list[tuple[str, int]]:
    text = DOC.read_text(encoding="utf-8")
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", text, re.S):
        for line in block.replace("\\\n", " ").splitlines():
            if not line.strip() or line.strip().startswith("#"):
                continue
            expected = EXPECTED.search(line)
            commands.append((line, int(expected.group(1)) if expected else 0))
    return commands


def test_the_walkthrough_covers_what_it_promises() -> None:
    commands = [command for command, _ in doc_commands()]
    assert any(
        c.startswith("scrutiny export") and "--case" in c and "--since" in c for c in commands
    )
    assert any(c.startswith("python3 verify_bundle.py") and "--against" in c for c in commands)
    assert any("--witness" in c and c.startswith("python3 verify_bundle.py") for c in commands)
    assert any(code == 3 for _, code in doc_commands())
    assert any(c.startswith("scrutiny verify-bundle") for c in commands)


def test_every_command_of_the_inspectors_walkthrough_runs_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db_url = f"sqlite:///{tmp_path / 'scrutiny.sqlite3'}"
    key = tmp_path / "scrutiny.key"
    init_ledger(db_url, key, "sscp.example.org/scrutiny")
    record_events(db_url, 8)
    make_checkpoint(db_url, key)
    (tmp_path / "kept.checkpoint").write_text(stored_note(db_url), encoding="utf-8")
    record_events(db_url, 12, start=8)
    shutil.copy(f"{key}.pub", tmp_path / "partnership.pub")
    shutil.copy(ROOT / "tools" / "verify_bundle.py", tmp_path / "verify_bundle.py")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCRUTINY_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    monkeypatch.chdir(tmp_path)
    for variable in [k for k in os.environ if k.startswith("SCRUTINY_")]:
        monkeypatch.delenv(variable)
    outputs, errors = [], []
    for command, expected in doc_commands():
        if command.startswith("scrutiny "):
            args = shlex.split(command, comments=True)[1:]
            redirect = None
            if ">" in args:
                at = args.index(">")
                args, redirect = args[:at], args[at + 1]
            result = CliRunner().invoke(cli, args)
            code, stdout, stderr = result.exit_code, result.stdout, result.stderr
            if redirect:
                (tmp_path / redirect).write_text(stdout, encoding="utf-8")
        else:
            done = subprocess.run(
                ["bash", "-c", command],
                cwd=tmp_path,
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
            )
            code, stdout, stderr = done.returncode, done.stdout, done.stderr
        assert code == expected, f"{command}\nexit status {code}\n{stdout}\n{stderr}"
        outputs.append(stdout)
        errors.append(stderr)
    assert any("result         INTACT" in out for out in outputs)
    assert any("FAILED (events)" in out for out in outputs)
    expected_error = (
        "Error: events: events.jsonl line 3 (position 2): field 'version' disagrees with leaf_input"
    )
    assert any(expected_error in err for err in errors)
    assert (tmp_path / "witness-state").is_dir() and (
        tmp_path / "case-bundle" / "consistency.json"
    ).is_file()
