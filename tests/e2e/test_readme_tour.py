"""The README's five-minute tour runs as written (docs that cannot drift)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from commands.cli.main import cli

README = Path(__file__).resolve().parents[2] / "README.md"


def tour_commands() -> list[list[str]]:
    text = README.read_text(encoding="utf-8")
    section = text.split("## A five-minute tour", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block, "the tour has no sh block"
    joined = block.group(1).replace("\\\n", " ")
    commands = []
    for line in joined.splitlines():
        if line.strip().startswith("scrutiny "):
            commands.append(shlex.split(line, comments=True)[1:])
    return commands


def test_the_tour_has_the_steps_it_promises() -> None:
    commands = tour_commands()
    assert len(commands) >= 8
    assert commands[0][0] == "init"
    assert commands[-1][0] == "verify"


def test_the_readme_tour_runs_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for variable in ("SCRUTINY_DB", "SCRUTINY_KEY", "SCRUTINY_ACTOR"):
        monkeypatch.delenv(variable, raising=False)
    runner = CliRunner()
    for args in tour_commands():
        redirect = None
        if ">" in args:
            at = args.index(">")
            args, redirect = args[:at], args[at + 1]
        result = runner.invoke(cli, args)
        assert result.exit_code == 0, f"scrutiny {' '.join(args)}\n{result.output}"
        if redirect:
            (tmp_path / redirect).write_text(result.stdout, encoding="utf-8")
    assert (tmp_path / "scrutiny.sqlite3").exists()
    assert "intact" in result.stdout


def test_the_readme_refusal_example_is_refused_as_described(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    test_the_readme_tour_runs_as_written(tmp_path, monkeypatch)
    text = README.read_text(encoding="utf-8")
    example = re.search(r"`(scrutiny --as scrutineer-amy challenge resolve[^`]*)`", text)
    assert example
    result = CliRunner().invoke(cli, shlex.split(example.group(1))[1:])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: scrutineer-amy does not hold any of the roles")
