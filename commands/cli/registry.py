"""Registers the domain command groups on the root group."""

from __future__ import annotations

import click

from commands.cli.challenges import challenge
from commands.cli.demo import demo
from commands.cli.organisations import org
from commands.cli.people import person


def register(root: click.Group) -> None:
    """Add every domain command group (kept in one place so none is forgotten)."""
    for command in (org, person, challenge, demo):
        root.add_command(command)
