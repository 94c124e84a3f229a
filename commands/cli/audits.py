"""``scrutiny audit ...``: Section 11, Section 157/175, multi-agency audits and reviews."""

from __future__ import annotations

import click

from commands.cli.acting import act_options, record_act
from commands.cli.common import pass_settings
from commands.settings import Settings

KINDS = (
    "section_11",
    "section_157_175",
    "multi_agency",
    "thematic_review",
    "learning_review",
    "peer_review",
)
RATINGS = ("green", "amber", "red")


def parse_ratings(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> dict[str, str]:
    """``S1=green`` pairs as a dict (a usage error otherwise)."""
    ratings: dict[str, str] = {}
    for value in values:
        standard, sep, rating = value.partition("=")
        if not sep or not standard.strip():
            raise click.BadParameter(f"{value!r} is not STANDARD=RATING", ctx, param)
        ratings[standard.strip()] = rating.strip()
    return ratings


@click.group()
def audit() -> None:
    """Audits and reviews of practice: the partnership's local scrutiny framework.

    \b
    plan -> return (each agency, self-ratings) -> peer-challenge
    -> moderate-rating -> finding -> agree-action -> close-action; complete
    """


@audit.command()
@click.argument("audit_id", metavar="AUDIT_ID")
@click.option("--kind", required=True, type=click.Choice(KINDS), help="What kind of audit.")
@click.option("--title", required=True, help="What it looks at.")
@click.option("--agency", "agencies", multiple=True, required=True, metavar="ORG_ID",
              help="An agency taking part. Repeatable.")
@act_options
@pass_settings
def plan(
    settings: Settings, audit_id: str, kind: str, title: str, agencies: tuple[str, ...],
    on: str | None, evidence_files: tuple[str, ...], as_json: bool,
) -> None:
    """Plan an audit (business unit or chair); 157/175 audits cover education providers."""
    from commands.acts import PlanAudit

    record_act(
        settings, PlanAudit, on=on, evidence_files=evidence_files, as_json=as_json,
        audit_id=audit_id, kind=kind, title=title, agencies=agencies,
    )


@audit.command("return")
@click.argument("audit_id", metavar="AUDIT_ID")
@click.option("--org", "organisation_id", required=True, metavar="ORG_ID",
              help="The agency returning.")
@click.option("--rating", "self_ratings", multiple=True, required=True,
              metavar="STANDARD=RATING", callback=parse_ratings,
              help="A self-rating (green, amber, red) of a standard, e.g. S1=green. Repeatable.")
@act_options
@pass_settings
def return_(
    settings: Settings, audit_id: str, organisation_id: str, self_ratings: dict[str, str],
    on: str | None, evidence_files: tuple[str, ...], as_json: bool,
) -> None:
    """Record an agency's return with its self-ratings."""
    from commands.acts import SubmitReturn

    record_act(
        settings, SubmitReturn, on=on, evidence_files=evidence_files, as_json=as_json,
        audit_id=audit_id, organisation_id=organisation_id, self_ratings=self_ratings,
    )


@audit.command("peer-challenge")
@click.argument("audit_id", metavar="AUDIT_ID")
@click.option("--org", "organisation_id", required=True, metavar="ORG_ID",
              help="The agency whose return is challenged.")
@click.option("--challenger", "challengers", multiple=True, required=True, metavar="ORG_ID",
              help="A challenging agency. Repeatable.")
@click.option("--notes", required=True, help="What was challenged and concluded.")
@act_options
@pass_settings
def peer_challenge(
    settings: Settings, audit_id: str, organisation_id: str, challengers: tuple[str, ...],
    notes: str, on: str | None, evidence_files: tuple[str, ...], as_json: bool,
) -> None:
    """Record multi-agency peer challenge of an agency's return (tier 3)."""
    from commands.acts import HoldPeerChallenge

    record_act(
        settings, HoldPeerChallenge, on=on, evidence_files=evidence_files, as_json=as_json,
        audit_id=audit_id, organisation_id=organisation_id, challengers=challengers, notes=notes,
    )


@audit.command("moderate-rating")
@click.argument("audit_id", metavar="AUDIT_ID")
@click.option("--org", "organisation_id", required=True, metavar="ORG_ID", help="The agency.")
@click.option("--standard", required=True, help="The standard moderated.")
@click.option("--rating", required=True, type=click.Choice(RATINGS), help="The moderated rating.")
@click.option("--reason", required=True, help="Why.")
@act_options
@pass_settings
def moderate_rating(
    settings: Settings, audit_id: str, organisation_id: str, standard: str, rating: str,
    reason: str, on: str | None, evidence_files: tuple[str, ...], as_json: bool,
) -> None:
    """Record the moderated rating of one standard of an agency's return."""
    from commands.acts import ModerateRating

    record_act(
        settings, ModerateRating, on=on, evidence_files=evidence_files, as_json=as_json,
        audit_id=audit_id, organisation_id=organisation_id, standard=standard, rating=rating,
        reason=reason,
    )


@audit.command()
@click.argument("audit_id", metavar="AUDIT_ID")
@click.option("--id", "finding_id", required=True, metavar="ID", help="E.g. F1.")
@click.option("--text", required=True, help="The finding.")
@click.option("--org", "organisation_id", metavar="ORG_ID", help="The agency it concerns.")
@act_options
@pass_settings
def finding(
    settings: Settings, audit_id: str, finding_id: str, text: str,
    organisation_id: str | None, on: str | None, evidence_files: tuple[str, ...], as_json: bool,
) -> None:
    """Record a finding of the audit."""
    from commands.acts import RecordAuditFinding

    record_act(
        settings, RecordAuditFinding, on=on, evidence_files=evidence_files, as_json=as_json,
        audit_id=audit_id, finding_id=finding_id, text=text, organisation_id=organisation_id,
    )


@audit.command("agree-action")
@click.argument("audit_id", metavar="AUDIT_ID")
@click.option("--id", "action_id", required=True, metavar="ID", help="E.g. A1.")
@click.option("--text", required=True, help="The action.")
@click.option("--owner", "owner_id", required=True, metavar="ORG_ID", help="Who owns it.")
@click.option("--due-on", metavar="DATE", help="When it is due.")
@act_options
@pass_settings
def agree_action(
    settings: Settings, audit_id: str, action_id: str, text: str, owner_id: str,
    due_on: str | None, on: str | None, evidence_files: tuple[str, ...], as_json: bool,
) -> None:
    """Agree an action arising from the audit."""
    from commands.acts import AgreeAuditAction

    record_act(
        settings, AgreeAuditAction, on=on, evidence_files=evidence_files, as_json=as_json,
        audit_id=audit_id, action_id=action_id, text=text, owner_id=owner_id, due_on=due_on,
    )


@audit.command("close-action")
@click.argument("audit_id", metavar="AUDIT_ID")
@click.option("--id", "action_id", required=True, metavar="ID", help="E.g. A1.")
@click.option("--outcome", required=True, help="What was done.")
@act_options
@pass_settings
def close_action(
    settings: Settings, audit_id: str, action_id: str, outcome: str,
    on: str | None, evidence_files: tuple[str, ...], as_json: bool,
) -> None:
    """Close an action of the audit (also after the audit is completed)."""
    from commands.acts import CloseAuditAction

    record_act(
        settings, CloseAuditAction, on=on, evidence_files=evidence_files, as_json=as_json,
        audit_id=audit_id, action_id=action_id, outcome=outcome,
    )


@audit.command()
@click.argument("audit_id", metavar="AUDIT_ID")
@click.option("--summary", required=True, help="The audit's conclusions.")
@act_options
@pass_settings
def complete(
    settings: Settings, audit_id: str, summary: str,
    on: str | None, evidence_files: tuple[str, ...], as_json: bool,
) -> None:
    """Complete the audit (it needs at least one finding)."""
    from commands.acts import CompleteAudit

    record_act(
        settings, CompleteAudit, on=on, evidence_files=evidence_files, as_json=as_json,
        audit_id=audit_id, summary=summary,
    )
