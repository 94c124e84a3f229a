"""``scrutiny regional terms|activity|moderate``: regional scrutiny and moderation."""

from __future__ import annotations

import click

from commands.cli.acting import act_options, record_act
from commands.cli.activities import KINDS, TIER_HELP
from commands.cli.common import pass_settings
from commands.settings import Settings

OUTCOMES = ("assured", "assured_with_recommendations", "not_assured")


@click.group()
def regional() -> None:
    """Regional scrutiny of the partnership and moderation of the scrutineers.

    Regional partners scrutinise under contractual terms of reference;
    regional-pool scrutineers record the activity; moderators from
    non-related agencies moderate scrutineers (refused on a conflict of
    interest, judged from roles and declared interests on the date).
    """


@regional.command()
@click.argument("terms_id", metavar="TERMS_ID")
@click.option("--party", "parties", multiple=True, required=True, metavar="ORG_ID",
              help="A regional partner. Repeatable.")
@click.option("--scope", multiple=True, required=True, type=click.Choice(KINDS),
              help="A kind of activity covered. Repeatable.")
@click.option("--contract", "contract_ref", required=True, help="The contract reference.")
@click.option("--summary", required=True, help="What the terms cover.")
@click.option("--until", metavar="DATE", help="The last day the terms are in force.")
@act_options
@pass_settings
def terms(
    settings: Settings, terms_id: str, parties: tuple[str, ...], scope: tuple[str, ...],
    contract_ref: str, summary: str, until: str | None,
    on: str | None, evidence_files: tuple[str, ...], as_json: bool,
) -> None:
    """Agree terms of reference for regional scrutiny (lead partner or chair)."""
    from commands.acts import AgreeTerms

    record_act(
        settings, AgreeTerms, on=on, evidence_files=evidence_files, as_json=as_json,
        terms_id=terms_id, parties=parties, scope=scope, contract_ref=contract_ref,
        summary=summary, until=until,
    )


@regional.command()
@click.argument("activity_id", metavar="ACTIVITY_ID")
@click.option("--terms", "terms_id", required=True, metavar="TERMS_ID",
              help="The terms of reference it falls under.")
@click.option("--partner", "regional_partner_id", required=True, metavar="ORG_ID",
              help="The regional partner carrying it out.")
@click.option("--kind", required=True, type=click.Choice(KINDS), help="What kind of activity.")
@click.option("--tier", type=click.Choice(["1", "2", "3"]), help=TIER_HELP)
@click.option("--title", required=True, help="What was done.")
@click.option("--org", "organisations", multiple=True, metavar="ORG_ID",
              help="An organisation involved. Repeatable.")
@click.option("--finding", "findings", multiple=True, metavar="TEXT", help="Repeatable.")
@act_options
@pass_settings
def activity(
    settings: Settings, activity_id: str, terms_id: str, regional_partner_id: str, kind: str,
    tier: str | None, title: str, organisations: tuple[str, ...], findings: tuple[str, ...],
    on: str | None, evidence_files: tuple[str, ...], as_json: bool,
) -> None:
    """Record regional scrutiny of the partnership (a regional-pool scrutineer)."""
    from commands.acts import RecordRegionalActivity

    record_act(
        settings, RecordRegionalActivity, on=on, evidence_files=evidence_files,
        as_json=as_json, activity_id=activity_id, terms_id=terms_id,
        regional_partner_id=regional_partner_id, kind=kind,
        tier=None if tier is None else int(tier), title=title, organisations=organisations,
        findings=findings,
    )


@regional.command()
@click.argument("moderation_id", metavar="MODERATION_ID")
@click.option("--scrutineer", "scrutineer_id", required=True, metavar="PERSON_ID",
              help="The scrutineer moderated.")
@click.option("--partnership", "partnership_id", required=True, metavar="ORG_ID",
              help="The partnership being scrutinised.")
@click.option("--sample", multiple=True, required=True, metavar="ACTIVITY_ID",
              help="An activity of the scrutineer sampled. Repeatable.")
@click.option("--outcome", required=True, type=click.Choice(OUTCOMES), help="The outcome.")
@click.option("--finding", "findings", multiple=True, metavar="TEXT", help="Repeatable.")
@act_options
@pass_settings
def moderate(
    settings: Settings, moderation_id: str, scrutineer_id: str, partnership_id: str,
    sample: tuple[str, ...], outcome: str, findings: tuple[str, ...],
    on: str | None, evidence_files: tuple[str, ...], as_json: bool,
) -> None:
    """Record your moderation of a scrutineer (moderator role; independence checked)."""
    from commands.acts import ModerateScrutineer

    record_act(
        settings, ModerateScrutineer, on=on, evidence_files=evidence_files, as_json=as_json,
        moderation_id=moderation_id, scrutineer_id=scrutineer_id,
        partnership_id=partnership_id, sample=sample, outcome=outcome, findings=findings,
    )
