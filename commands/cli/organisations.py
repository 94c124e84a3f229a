"""``scrutiny org register`` and ``scrutiny org rename``."""

from __future__ import annotations

import click

from commands.cli.acting import act_options, record_act
from commands.cli.common import pass_settings
from commands.settings import Settings

KINDS = (
    "safeguarding_partner",
    "relevant_agency",
    "regulator",
    "national_body",
    "regional_partner",
    "local_body",
    "independent_body",
)
STATUTORY_ROLES = ("local_authority", "police", "health")


@click.group()
def org() -> None:
    """Organisations: partners, agencies, regulators and other bodies.

    An organisation keeps one permanent id for life; renames are dated events.
    """


@org.command()
@click.argument("organisation_id", metavar="ORG_ID")
@click.option("--name", required=True, help="The organisation's name on the registration date.")
@click.option(
    "--kind", required=True, type=click.Choice(KINDS), help="What kind of organisation it is."
)
@click.option(
    "--statutory-role",
    type=click.Choice(STATUTORY_ROLES),
    help="For a safeguarding partner (and only then): which of the three it is.",
)
@act_options
@pass_settings
def register(
    settings: Settings,
    organisation_id: str,
    name: str,
    kind: str,
    statutory_role: str | None,
    on: str | None,
    evidence_files: tuple[str, ...],
    as_json: bool,
) -> None:
    """Register an organisation under ORG_ID (lowercase letters, digits, hyphens).

    The registration date is --on. Needs the business_unit role, except
    while the ledger is being set up (nobody yet appointed to the business unit).
    """
    from commands.acts import RegisterOrganisation

    record_act(
        settings,
        RegisterOrganisation,
        on=on,
        evidence_files=evidence_files,
        as_json=as_json,
        organisation_id=organisation_id,
        name=name,
        kind=kind,
        statutory_role=statutory_role,
    )


@org.command()
@click.argument("organisation_id", metavar="ORG_ID")
@click.option("--name", "new_name", required=True, help="The name in effect from --on.")
@act_options
@pass_settings
def rename(
    settings: Settings,
    organisation_id: str,
    new_name: str,
    on: str | None,
    evidence_files: tuple[str, ...],
    as_json: bool,
) -> None:
    """Record that ORG_ID is known by a new name from --on (business_unit role)."""
    from commands.acts import RenameOrganisation

    record_act(
        settings,
        RenameOrganisation,
        on=on,
        evidence_files=evidence_files,
        as_json=as_json,
        organisation_id=organisation_id,
        new_name=new_name,
    )
