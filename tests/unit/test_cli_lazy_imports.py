"""``scrutiny --help`` imports click and the command table, not the commands.

Each check runs the command line in a new interpreter (``sys.modules`` of this
test process holds whatever earlier tests imported) and reads back which
modules were imported once the command line had finished.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest

from commands.cli.catalogue import ROOT_COMMANDS
from commands.cli.lazy import Entry, LazyCommands, resolve
from commands.cli.main import cli
from commands.cli.registry import ACT_GROUPS

HEAVY = ("sqlalchemy", "eventsourcing", "pydantic", "cryptography", "fastapi", "starlette",
         "uvicorn", "jinja2", "psycopg", "ledger", "projections")
MARKER = "--- modules imported ---"
RUN_AND_LIST_MODULES = f"""
import json, sys
from commands.cli.main import cli
# Not standalone: click returns (the exit code of --help, a command's return
# value) instead of exiting, and lets a failure through as a traceback.
result = cli(sys.argv[1:], prog_name="scrutiny", standalone_mode=False)
print({MARKER!r})
print(json.dumps({{"exit_code": result if isinstance(result, int) else 0,
                  "modules": sorted(sys.modules)}}))
"""


def run_scrutiny(*args: str) -> tuple[str, int, set[str]]:
    """The output, the exit code and the imported modules of ``scrutiny ARGS``."""
    done = subprocess.run([sys.executable, "-c", RUN_AND_LIST_MODULES, *args],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    output, _marker, listing = done.stdout.partition(MARKER + "\n")
    result = json.loads(listing)
    return output, result["exit_code"], set(result["modules"])


def heavy_among(modules: set[str]) -> set[str]:
    return {name for name in modules if name.split(".")[0] in HEAVY}


def test_the_help_lists_every_command_without_importing_one() -> None:
    output, code, modules = run_scrutiny("--help")
    assert code == 0
    assert "Usage: scrutiny [OPTIONS] COMMAND [ARGS]..." in output
    listed = output.partition("Commands:\n")[2]
    names = sorted(entry.name for entry in ROOT_COMMANDS)
    assert [line.split()[0] for line in listed.splitlines()] == names
    assert heavy_among(modules) == set()
    assert {name for name in modules if name.startswith("commands.")} == {
        "commands.cli", "commands.cli.catalogue", "commands.cli.lazy", "commands.cli.main"}


@pytest.mark.parametrize("group", ["challenge", "activity", "witness", "token"])
def test_a_group_help_imports_that_group_only_and_nothing_heavy(group: str) -> None:
    output, code, modules = run_scrutiny(group, "--help")
    assert code == 0
    assert f"Usage: scrutiny {group} [OPTIONS]" in output
    assert heavy_among(modules) == set()
    others = {f"commands.cli.{name}" for name in ("admin", "bundles", "cases", "proofs")}
    assert not modules & others


def test_a_real_command_still_runs_and_imports_what_it_needs(tmp_path: Path) -> None:
    database = tmp_path / "ledger.sqlite3"
    output, code, modules = run_scrutiny(
        "--db", f"sqlite:///{database}", "--key", str(tmp_path / "signing.key"), "init", "--json")
    assert code == 0
    assert json.loads(output)["key_created"] is True
    assert database.exists() and (tmp_path / "signing.key").exists()
    assert {"sqlalchemy", "eventsourcing", "cryptography"} <= {m.split(".")[0] for m in modules}
    assert "fastapi" not in modules


def test_an_unknown_command_is_still_one_line_and_exit_2() -> None:
    done = subprocess.run([sys.executable, "-c", "from commands.cli.main import main; main()",
                           "chalenge"], capture_output=True, text=True, check=False)
    assert done.returncode == 2
    assert done.stderr == "Error: No such command 'chalenge'. Did you mean 'challenge'? " \
                          "(see 'scrutiny --help')\n"


@pytest.mark.parametrize("entry", ROOT_COMMANDS, ids=lambda entry: entry.name)
def test_each_row_of_the_catalogue_is_the_command_it_names(entry: Entry) -> None:
    command = cli.commands[entry.name]
    assert command is resolve(entry.location)
    assert command.name == entry.name
    stand_in = click.Command(entry.name, help=entry.summary)
    for limit in (20, 45, 60, 1_000):  # the listing cuts each summary to the terminal's width
        assert stand_in.get_short_help_str(limit) == command.get_short_help_str(limit)
    if entry.acts or entry.subcommands or entry.listing:
        assert isinstance(command, click.Group)


def test_the_catalogue_names_each_command_once_and_the_act_groups_are_groups() -> None:
    names = [entry.name for entry in ROOT_COMMANDS]
    assert len(names) == len(set(names))
    assert [group.name for group in ACT_GROUPS] == [e.name for e in ROOT_COMMANDS if e.acts]
    assert all(isinstance(group, click.Group) for group in ACT_GROUPS)
    for group, listing in (("challenge", "list"), ("case", "show"), ("audit", "list")):
        assert listing in cli.commands[group].commands  # type: ignore[attr-defined]


def test_listing_or_testing_names_loads_nothing_and_reading_one_loads_it() -> None:
    commands = LazyCommands(ROOT_COMMANDS)
    assert list(commands) == [entry.name for entry in ROOT_COMMANDS]
    assert "verify" in commands and "nosuch" not in commands
    assert commands.get("nosuch") is None
    stand_in = commands.preview("verify")
    assert stand_in is not cli.commands["verify"] and stand_in.params == []
    assert commands["verify"] is cli.commands["verify"]
    assert commands.preview("verify") is commands["verify"]
    with pytest.raises(KeyError):
        commands["nosuch"]


def test_the_help_is_the_same_before_and_after_every_command_is_loaded() -> None:
    script = """
from click.testing import CliRunner
from commands.cli.main import cli
before = CliRunner().invoke(cli, ["--help"], terminal_width=60).output
dict(cli.commands.items())  # loads every command
after = CliRunner().invoke(cli, ["--help"], terminal_width=60).output
assert before == after, (before, after)
print(after)
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert "verify-backup" in done.stdout
