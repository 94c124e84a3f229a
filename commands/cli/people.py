"""``scrutiny person appoint`` and ``scrutiny person stand-down``."""

from __future__ import annotations

import click

from commands.cli.acting import act_options, record_act
from commands.cli.common import pass_settings
from commands.settings import Settings

ROLES = (
    "independent_scrutineer",
    "partnership_chair",
    "lead_safeguarding_partner",
    "delegated_safeguarding_partner",
    "business_unit",
    "inspector",
    "moderator",
)


@click.group()
def person() -> None:
    """People: the professionals who act in the partnership, and their roles.

    A role is held from its appointment date up to, not including, the
    date the person stands down from it.
    """


@person.command()
@click.argument("person_id", metavar="PERSON_ID")
@click.option("--role", required=True, type=click.Choice(ROLES), help="The role taken up.")
@click.option(
    "--org",
    "organisation_id",
    required=True,
    metavar="ORG_ID",
    help="The organisation the person acts for in this role.",
)
@click.option(
    "--name", "display_name", help="The person's name (required for their first appointment)."
)
@act_options
@pass_settings
def appoint(
    settings: Settings,
    person_id: str,
    role: str,
    organisation_id: str,
    display_name: str | None,
    on: str | None,
    evidence_files: tuple[str, ...],
    as_json: bool,
) -> None:
    """Appoint PERSON_ID to a role from --on.

    Needs the business_unit role, except while the ledger is being set up
    (nobody yet appointed to the business unit).
    """
    from commands.acts import AppointPerson

    record_act(
        settings,
        AppointPerson,
        on=on,
        evidence_files=evidence_files,
        as_json=as_json,
        person_id=person_id,
        role=role,
        organisation_id=organisation_id,
        display_name=display_name,
    )


@person.command("stand-down")
@click.argument("person_id", metavar="PERSON_ID")
@click.option("--role", required=True, type=click.Choice(ROLES), help="The role given up.")
@act_options
@pass_settings
def stand_down(
    settings: Settings,
    person_id: str,
    role: str,
    on: str | None,
    evidence_files: tuple[str, ...],
    as_json: bool,
) -> None:
    """Stand PERSON_ID down from a role; --on is the first day without it (business_unit role)."""
    from commands.acts import StandDown

    record_act(
        settings,
        StandDown,
        on=on,
        evidence_files=evidence_files,
        as_json=as_json,
        person_id=person_id,
        role=role,
    )
