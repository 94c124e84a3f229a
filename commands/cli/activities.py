"""``scrutiny activity record|cdop-link``: independent scrutiny at each tier."""

from __future__ import annotations

import inspect
from typing import Any

import click

from commands.cli.acting import act_options, record_act
from commands.cli.common import pass_settings
from commands.settings import Settings

KINDS = (
    "executive_attendance",
    "risk_management",
    "cspr_decision_making",
    "disagreement_resolution",
    "critical_friend",
    "promoting_reflection",
    "yearly_report_scrutiny",
    "cspr_scrutiny",
    "quality_and_performance",
    "children_and_families_contact",
    "practitioner_contact",
    "safeguarding_conversation",
    "section_11_peer_challenge",
    "look_and_see",
)
TIER_HELP = "1 Executive, 2 Strategic Partnership, 3 Delivery [default: the kind's tier]."


class ListingGroup(click.Group):
    """A group of acts that, named alone, runs the read command listing them.

    The read side's ``activity`` command (each scrutineer's acts per tier,
    kind and month) is attached when the group is loaded (its ``listing`` in
    ``commands.cli.catalogue``); ``attach_listing`` makes it this group's
    default, so ``scrutiny activity [--json|--csv ...]`` lists and ``scrutiny
    activity record ...`` records.
    """

    listing: click.Command | None = None

    def attach_listing(self, command: click.Command) -> None:
        if self.listing is command:
            return  # attached already: its options and help are in place
        self.listing = command
        taken = {name for param in self.params for name in param.opts}
        self.params.extend(p for p in command.params if not taken & set(p.opts))
        if command.help:
            own = inspect.cleandoc(self.help or "")
            self.help = f"{own}\n\nWithout a command: {inspect.cleandoc(command.help)}"


@click.group(cls=ListingGroup, invoke_without_command=True)
@click.pass_context
def activity(ctx: click.Context, **listing_options: Any) -> None:
    """Independent scrutiny activity at the three tiers, and CDOP learning links.

    \b
    Tier 1 Executive: executive_attendance, risk_management,
      cspr_decision_making, disagreement_resolution
    Tier 2 Strategic Partnership: critical_friend, promoting_reflection,
      yearly_report_scrutiny, cspr_scrutiny, quality_and_performance
    Tier 3 Delivery: children_and_families_contact, practitioner_contact,
      safeguarding_conversation, section_11_peer_challenge, look_and_see
    """
    if ctx.invoked_subcommand is not None:
        return
    group = ctx.command
    if isinstance(group, ListingGroup) and group.listing is not None:
        ctx.invoke(group.listing, **listing_options)
        return
    click.echo(ctx.get_help())


@activity.command("record")
@click.argument("activity_id", metavar="ACTIVITY_ID")
@click.option("--kind", required=True, type=click.Choice(KINDS), help="What kind of activity.")
@click.option("--tier", type=click.Choice(["1", "2", "3"]), help=TIER_HELP)
@click.option("--title", required=True, help="What was done (no names of children or families).")
@click.option(
    "--org", "organisations", multiple=True, metavar="ORG_ID",
    help="An organisation involved. Repeatable.",
)
@click.option("--finding", "findings", multiple=True, metavar="TEXT", help="A finding. Repeatable.")
@click.option("--case", "case_id", metavar="CASE_ID", help="A case the activity concerns.")
@act_options
@pass_settings
def record(
    settings: Settings,
    activity_id: str,
    kind: str,
    tier: str | None,
    title: str,
    organisations: tuple[str, ...],
    findings: tuple[str, ...],
    case_id: str | None,
    on: str | None,
    evidence_files: tuple[str, ...],
    as_json: bool,
) -> None:
    """Record an activity held by you as independent scrutineer; the kind must fit the tier."""
    from commands.acts import RecordActivity

    record_act(
        settings,
        RecordActivity,
        on=on,
        evidence_files=evidence_files,
        as_json=as_json,
        activity_id=activity_id,
        kind=kind,
        tier=None if tier is None else int(tier),
        title=title,
        organisations=organisations,
        findings=findings,
        case_id=case_id,
    )


@activity.command("cdop-link")
@click.argument("link_id", metavar="LINK_ID")
@click.option(
    "--cdop", "cdop_id", required=True, metavar="ORG_ID",
    help="The Child Death Overview Panel (a local body).",
)
@click.option("--theme", required=True, help="The shared theme.")
@click.option("--learning", required=True, help="The learning linked.")
@click.option("--case", "case_id", metavar="CASE_ID", help="A case it links to.")
@click.option("--audit", "audit_id", metavar="AUDIT_ID", help="An audit it links to.")
@act_options
@pass_settings
def cdop_link(
    settings: Settings,
    link_id: str,
    cdop_id: str,
    theme: str,
    learning: str,
    case_id: str | None,
    audit_id: str | None,
    on: str | None,
    evidence_files: tuple[str, ...],
    as_json: bool,
) -> None:
    """Link scrutiny with parallel learning from CDOP (scrutineer or business unit)."""
    from commands.acts import LinkCdopLearning

    record_act(
        settings,
        LinkCdopLearning,
        on=on,
        evidence_files=evidence_files,
        as_json=as_json,
        link_id=link_id,
        cdop_id=cdop_id,
        theme=theme,
        learning=learning,
        case_id=case_id,
        audit_id=audit_id,
    )
