"""The authorisation table: the code, docs/authorisation.md and the command line agree."""

from __future__ import annotations

from pathlib import Path

import click

from commands.acts import COMMANDS
from commands.cli.registry import ACT_GROUPS
from ledger.domain.authorisation import PERMISSIONS, Act, authorisation_table

DOC = Path(__file__).resolve().parents[2] / "docs" / "authorisation.md"


def table_rows(text: str) -> dict[str, tuple[str, str]]:
    rows: dict[str, tuple[str, str]] = {}
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 3 or cells[0] in ("act", "---"):
            continue
        rows[cells[0]] = (cells[1], cells[2])
    return rows


def records_an_act(command: click.Command) -> bool:
    """Every act takes --on and --evidence; a read command a group may also hold does not."""
    options = {opt for param in command.params for opt in param.opts}
    return {"--on", "--evidence"} <= options


def cli_acts() -> set[str]:
    import commands.cli.main  # noqa: F401 - the whole tree, read commands included

    return {
        f"{group.name} {name}"
        for group in ACT_GROUPS
        for name, command in group.commands.items()
        if records_an_act(command)
    }


def test_the_groups_hold_nothing_but_acts_and_read_listings() -> None:
    for group in ACT_GROUPS:
        for name, command in group.commands.items():
            assert records_an_act(command) or "--json" in {
                opt for param in command.params for opt in param.opts
            }, f"{group.name} {name}"


def test_the_document_prints_exactly_the_table_of_the_code() -> None:
    assert authorisation_table() in DOC.read_text(encoding="utf-8")


def test_every_act_of_the_command_line_is_in_the_table_and_vice_versa() -> None:
    documented = table_rows(DOC.read_text(encoding="utf-8"))
    assert set(documented) == cli_acts()
    assert {act.value for act in Act} == cli_acts()


def test_the_documented_roles_are_the_roles_the_code_checks() -> None:
    documented = table_rows(DOC.read_text(encoding="utf-8"))
    for act, permission in PERMISSIONS.items():
        roles, condition = documented[act.value]
        assert roles.split(", ") == [role.value for role in permission.roles]
        assert condition == permission.condition


def test_every_act_has_a_command_model_and_a_handler() -> None:
    assert set(COMMANDS) == set(Act)
    assert all(command.act is act for act, command in COMMANDS.items())


def test_the_user_guide_names_every_act_as_a_command_and_as_an_import_line() -> None:
    guide = (DOC.parent / "domain.md").read_text(encoding="utf-8")
    for act in Act:
        assert f"`{act.value} " in guide or f"`{act.value}`" in guide, act.value
        assert f"`{act.import_name}`" in guide, act.import_name
