"""Registers the integrity commands: prove, export, verify-bundle, key, witness."""

from __future__ import annotations

import click

from commands.cli.bundles import export, verify_bundle
from commands.cli.keys import key
from commands.cli.proofs import prove
from commands.cli.witness import witness


def register(root: click.Group) -> None:
    """Add every integrity command to the root group."""
    for command in (prove, export, verify_bundle, key, witness):
        root.add_command(command)
