"""``scrutiny person appoint|stand-down|declare-interest|end-interest``."""

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
POOLS = ("local", "regional")
NATURES = ("employment", "governance", "contract", "personal", "other")


@click.group()
def person() -> None:
    """People: the professionals who act in the partnership, and their roles.

    A role (or a declared interest) is held from its start date up to, not
    including, its end date. Independent scrutineers belong to the local or
    the regional pool.
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
@click.option(
    "--pool",
    type=click.Choice(POOLS),
    help="For an independent scrutineer: the local or the regional pool [default: local].",
)
@act_options
@pass_settings
def appoint(
    settings: Settings,
    person_id: str,
    role: str,
    organisation_id: str,
    display_name: str | None,
    pool: str | None,
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
        pool=pool,
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


@person.command("declare-interest")
@click.argument("person_id", metavar="PERSON_ID")
@click.option(
    "--org", "organisation_id", required=True, metavar="ORG_ID",
    help="The organisation the person is affiliated with.",
)
@click.option("--nature", required=True, type=click.Choice(NATURES), help="What ties them.")
@click.option("--description", help="A short description (no personal data of others).")
@act_options
@pass_settings
def declare_interest(
    settings: Settings,
    person_id: str,
    organisation_id: str,
    nature: str,
    description: str | None,
    on: str | None,
    evidence_files: tuple[str, ...],
    as_json: bool,
) -> None:
    """Record PERSON_ID's interest in an organisation from --on.

    Needs business_unit; scrutineers, moderators and the chair may declare
    their own interests.
    """
    from commands.acts import DeclareInterest

    record_act(
        settings,
        DeclareInterest,
        on=on,
        evidence_files=evidence_files,
        as_json=as_json,
        person_id=person_id,
        organisation_id=organisation_id,
        nature=nature,
        description=description,
    )


@person.command("end-interest")
@click.argument("person_id", metavar="PERSON_ID")
@click.option(
    "--org", "organisation_id", required=True, metavar="ORG_ID",
    help="The organisation of the interest that ends.",
)
@act_options
@pass_settings
def end_interest(
    settings: Settings,
    person_id: str,
    organisation_id: str,
    on: str | None,
    evidence_files: tuple[str, ...],
    as_json: bool,
) -> None:
    """Record that PERSON_ID's interest in an organisation ended on --on (first day without)."""
    from commands.acts import EndInterest

    record_act(
        settings,
        EndInterest,
        on=on,
        evidence_files=evidence_files,
        as_json=as_json,
        person_id=person_id,
        organisation_id=organisation_id,
    )
