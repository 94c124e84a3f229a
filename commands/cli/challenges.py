"""``scrutiny challenge raise|respond|escalate|resolve|withdraw``."""

from __future__ import annotations

import click

from commands.cli.acting import act_options, record_act
from commands.cli.common import pass_settings
from commands.settings import Settings

LEVELS = ("executive", "disagreement_resolution")
OUTCOMES = ("accepted", "partly_accepted", "not_accepted")


@click.group()
def challenge() -> None:
    """Challenges put to partners by a scrutineer or the chair.

    Lifecycle: open -> responded -> escalated -> resolved; withdrawn at any
    point before it is resolved. Acts on a challenge are dated in order.
    """


@challenge.command("raise")
@click.option(
    "--id", "challenge_id", metavar="ID", help="Challenge id [default: CH-<year>-<6 hex digits>]."
)
@click.option(
    "--to",
    "to_partners",
    multiple=True,
    required=True,
    metavar="ORG_ID",
    help="A challenged organisation. Repeatable.",
)
@click.option(
    "--subject",
    required=True,
    help="What is challenged (1-2000 characters; no names of children or families).",
)
@click.option(
    "--tier",
    required=True,
    type=click.Choice(["1", "2", "3"]),
    help="1 Executive, 2 Strategic Partnership, 3 Delivery.",
)
@click.option(
    "--respond-within",
    "respond_within",
    type=int,
    default=10,
    show_default=True,
    metavar="DAYS",
    help="Working days (England and Wales) allowed for a response; local policy.",
)
@click.option(
    "--case",
    "--case-ref",
    "case_ref",
    metavar="CASE_ID",
    help="The case id (e.g. SSCP-2019-01) of a challenge to the threshold for a "
    "review; the case must have been notified by --on.",
)
@act_options
@pass_settings
def raise_(
    settings: Settings,
    challenge_id: str | None,
    to_partners: tuple[str, ...],
    subject: str,
    tier: str,
    respond_within: int,
    case_ref: str | None,
    on: str | None,
    evidence_files: tuple[str, ...],
    as_json: bool,
) -> None:
    """Raise a challenge (independent_scrutineer or partnership_chair).

    The response is due --respond-within working days after --on.
    """
    from commands.acts import RaiseChallenge

    record_act(
        settings,
        RaiseChallenge,
        on=on,
        evidence_files=evidence_files,
        as_json=as_json,
        challenge_id=challenge_id,
        to_partners=to_partners,
        subject=subject,
        tier=int(tier),
        respond_within_working_days=respond_within,
        case_ref=case_ref,
    )


@challenge.command()
@click.argument("challenge_id", metavar="CHALLENGE_ID")
@click.option("--response", required=True, help="The organisation's response (1-5000 characters).")
@click.option(
    "--org",
    "organisation_id",
    metavar="ORG_ID",
    help="The responding organisation [default: the one you act for].",
)
@act_options
@pass_settings
def respond(
    settings: Settings,
    challenge_id: str,
    response: str,
    organisation_id: str | None,
    on: str | None,
    evidence_files: tuple[str, ...],
    as_json: bool,
) -> None:
    """Record a challenged organisation's response.

    Needs the lead or delegated safeguarding partner role for that organisation.
    """
    from commands.acts import RespondToChallenge

    record_act(
        settings,
        RespondToChallenge,
        on=on,
        evidence_files=evidence_files,
        as_json=as_json,
        challenge_id=challenge_id,
        organisation_id=organisation_id,
        response=response,
    )


@challenge.command()
@click.argument("challenge_id", metavar="CHALLENGE_ID")
@click.option(
    "--to", "to", required=True, type=click.Choice(LEVELS), help="Where the challenge goes."
)
@click.option("--reason", required=True, help="Why it is escalated.")
@act_options
@pass_settings
def escalate(
    settings: Settings,
    challenge_id: str,
    to: str,
    reason: str,
    on: str | None,
    evidence_files: tuple[str, ...],
    as_json: bool,
) -> None:
    """Escalate a challenge to the Executive or to disagreement resolution.

    Disagreement resolution comes only after a response or after the
    Executive. Needs independent_scrutineer, partnership_chair or
    lead_safeguarding_partner.
    """
    from commands.acts import EscalateChallenge

    record_act(
        settings,
        EscalateChallenge,
        on=on,
        evidence_files=evidence_files,
        as_json=as_json,
        challenge_id=challenge_id,
        to=to,
        reason=reason,
    )


@challenge.command()
@click.argument("challenge_id", metavar="CHALLENGE_ID")
@click.option(
    "--outcome", required=True, type=click.Choice(OUTCOMES), help="How the challenge was settled."
)
@click.option(
    "--action",
    "agreed_actions",
    multiple=True,
    metavar="TEXT",
    help="An action agreed. Repeatable.",
)
@act_options
@pass_settings
def resolve(
    settings: Settings,
    challenge_id: str,
    outcome: str,
    agreed_actions: tuple[str, ...],
    on: str | None,
    evidence_files: tuple[str, ...],
    as_json: bool,
) -> None:
    """Resolve a responded or escalated challenge.

    Needs partnership_chair or lead_safeguarding_partner.
    """
    from commands.acts import ResolveChallenge

    record_act(
        settings,
        ResolveChallenge,
        on=on,
        evidence_files=evidence_files,
        as_json=as_json,
        challenge_id=challenge_id,
        outcome=outcome,
        agreed_actions=agreed_actions,
    )


@challenge.command()
@click.argument("challenge_id", metavar="CHALLENGE_ID")
@click.option("--reason", required=True, help="Why it is withdrawn.")
@act_options
@pass_settings
def withdraw(
    settings: Settings,
    challenge_id: str,
    reason: str,
    on: str | None,
    evidence_files: tuple[str, ...],
    as_json: bool,
) -> None:
    """Withdraw a challenge that is not yet resolved (only the person who raised it)."""
    from commands.acts import WithdrawChallenge

    record_act(
        settings,
        WithdrawChallenge,
        on=on,
        evidence_files=evidence_files,
        as_json=as_json,
        challenge_id=challenge_id,
        reason=reason,
    )
