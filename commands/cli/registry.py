"""The groups of acts, loaded: ``ACT_GROUPS``.

Every act is ``scrutiny GROUP COMMAND``; ``ACT_GROUPS`` are those groups (the
rows of ``commands.cli.catalogue`` marked ``acts=True``), taken from the root
group so that they hold the read side's listings too (``challenge list``,
``case show``, ``audit list``, ``activity`` named alone). Importing this
module imports every group of acts: the command line itself never does.
"""

from __future__ import annotations

import click

from commands.cli.catalogue import ROOT_COMMANDS
from commands.cli.main import cli


def _act_groups() -> tuple[click.Group, ...]:
    groups = []
    for entry in ROOT_COMMANDS:
        if entry.acts:
            group = cli.commands[entry.name]
            if not isinstance(group, click.Group):
                raise TypeError(f"{entry.location} is marked acts=True but is not a group")
            groups.append(group)
    return tuple(groups)


# The groups whose commands are acts (each "group command" is an Act).
ACT_GROUPS: tuple[click.Group, ...] = _act_groups()

__all__ = ["ACT_GROUPS"]
