"""Registers the domain command groups on the root group.

Every act is ``scrutiny GROUP COMMAND``; ``ACT_GROUPS`` are those groups. The
read side attaches its ``activity`` listing to the ``activity`` group (see
``commands.cli.activities.ListingGroup`` and ``commands.cli.reads.register``).
"""

from __future__ import annotations

import click

from commands.cli.activities import activity
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


__all__ = ["ACT_GROUPS", "register"]
