"""``scrutiny org register|rename|succeed|dissolve``."""

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
NATIONAL_ROLES = ("practice_review_panel", "secretary_of_state", "what_works_centre")


@click.group()
def org() -> None:
    """Organisations: partners, agencies, regulators and other bodies.

    An organisation keeps one permanent id for life; renames, successions and
    dissolutions are dated events. Acts naming an organisation are refused on
    dates it did not exist.
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
@click.option(
    "--national-role",
    type=click.Choice(NATIONAL_ROLES),
    help="For a national body: what it receives from the partnership (recipients are "
    "resolved by this role on each date).",
)
@act_options
@pass_settings
def register(
    settings: Settings,
    organisation_id: str,
    name: str,
    kind: str,
    statutory_role: str | None,
    national_role: str | None,
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
        national_role=national_role,
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


@org.command()
@click.argument("organisation_id", metavar="ORG_ID")
@click.option(
    "--by", "successor_id", required=True, metavar="ORG_ID",
    help="The successor, registered on or before --on.",
)
@act_options
@pass_settings
def succeed(
    settings: Settings,
    organisation_id: str,
    successor_id: str,
    on: str | None,
    evidence_files: tuple[str, ...],
    as_json: bool,
) -> None:
    """Record that ORG_ID was succeeded by another organisation from --on (business_unit).

    ORG_ID no longer exists from --on; the successor carries on its functions
    (e.g. somerset-ccg succeeded by nhs-somerset-icb on 2022-07-01).
    """
    from commands.acts import SucceedOrganisation

    record_act(
        settings,
        SucceedOrganisation,
        on=on,
        evidence_files=evidence_files,
        as_json=as_json,
        organisation_id=organisation_id,
        successor_id=successor_id,
    )


@org.command()
@click.argument("organisation_id", metavar="ORG_ID")
@click.option("--reason", required=True, help="Why it ended.")
@act_options
@pass_settings
def dissolve(
    settings: Settings,
    organisation_id: str,
    reason: str,
    on: str | None,
    evidence_files: tuple[str, ...],
    as_json: bool,
) -> None:
    """Record that ORG_ID ended on --on without a successor (business_unit role)."""
    from commands.acts import DissolveOrganisation

    record_act(
        settings,
        DissolveOrganisation,
        on=on,
        evidence_files=evidence_files,
        as_json=as_json,
        organisation_id=organisation_id,
        reason=reason,
    )
