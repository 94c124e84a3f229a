"""Registers the domain command groups on the root group.

Every act is ``scrutiny GROUP COMMAND``; ``ACT_GROUPS`` are those groups. A
command registered later under the name of one of them (the read side's
``activity`` listing) does not replace the group: it becomes the group's
listing, run when the group is named without a command (see
``commands.cli.activities.ListingGroup``).
"""

from __future__ import annotations

import click

from commands.cli.activities import ListingGroup, activity
from commands.cli.audits import audit
from commands.cli.cases import case
from commands.cli.challenges import challenge
from commands.cli.corrections import correct
from commands.cli.demo import demo
from commands.cli.imports import import_
from commands.cli.inspections import inspection
from commands.cli.organisations import org
from commands.cli.people import person
from commands.cli.regional import regional
from commands.cli.reports import report

# The groups whose commands are acts (each "group command" is an Act).
ACT_GROUPS: tuple[click.Group, ...] = (
    org, person, activity, challenge, case, audit, report, inspection, regional, correct,
)


def register(root: click.Group) -> None:
    """Add every domain command group (kept in one place so none is forgotten)."""
    for command in (*ACT_GROUPS, import_, demo):
        root.add_command(command)
    _keep_act_groups(root)


def _keep_act_groups(root: click.Group) -> None:
    """A later command named like an act group becomes that group's listing."""
    original = root.add_command
    groups = {group.name: group for group in ACT_GROUPS}

    def add_command(command: click.Command, name: str | None = None) -> None:
        group = groups.get(name or command.name)
        if isinstance(group, ListingGroup) and command is not group:
            group.attach_listing(command)
            return
        original(command, name)

    setattr(root, "add_command", add_command)


__all__ = ["ACT_GROUPS", "register"]
