"""``scrutiny case ...``: a serious incident, from notification to the decision on a review.

The review itself (commission to closed actions) is in ``commands.cli.reviews``.
"""

from __future__ import annotations

import click

from commands.cli.acting import act_options, record_act
from commands.cli.common import pass_settings
from commands.settings import Settings

RECOMMENDATIONS = ("local_cspr", "national_review", "no_review")
DECISIONS = ("local_cspr", "national_referral", "no_review")
CRITERIA = (
    "improvements_needed",
    "recurrent_themes",
    "multi_agency_concerns",
    "panel_considered_local",
)
PANEL_RESPONSES = ("agrees", "disagrees", "national_review")


@click.group()
def case() -> None:
    """Serious incidents and child safeguarding practice reviews (CSPRs).

    \b
    notify -> inform-partners -> rapid-review-start -> rapid-review-complete
    -> decide -> sign-decision (each partner) [-> panel-response]
    -> commission -> progress* -> draft-received -> sign-off -> send-copies
    -> publish [delay*] -> recommend* -> close-action*

    Children are named only by pseudonym ("Child A"). Deadlines (5 and 15
    working days, 6 months, copies at least 7 working days before
    publication) are computed by the rules of the edition in force and stored.
    """


@case.command()
@click.argument("case_id", metavar="CASE_ID")
@click.option(
    "--la", "local_authority_id", required=True, metavar="ORG_ID",
    help="The notifying local authority.",
)
@click.option(
    "--child", "children", multiple=True, required=True, metavar="PSEUDONYM",
    help="A child, by pseudonym only (\"Child A\"). One to four.",
)
@click.option("--aware-on", "became_aware_on", required=True, metavar="DATE",
              help="When the local authority became aware (the 5 working days count from it).")
@click.option("--summary", required=True, help="What happened, pseudonymously.")
@act_options
@pass_settings
def notify(
    settings: Settings,
    case_id: str,
    local_authority_id: str,
    children: tuple[str, ...],
    became_aware_on: str,
    summary: str,
    on: str | None,
    evidence_files: tuple[str, ...],
    as_json: bool,
) -> None:
    """Record the local authority's notification of a serious incident to the Panel.

    Lead or delegated safeguarding partner for that local authority.
    """
    from commands.acts import NotifyIncident

    record_act(
        settings, NotifyIncident, on=on, evidence_files=evidence_files, as_json=as_json,
        case_id=case_id, local_authority_id=local_authority_id, children=children,
        became_aware_on=became_aware_on, summary=summary,
    )


@case.command("inform-partners")
@click.argument("case_id", metavar="CASE_ID")
@click.option("--partner", "partners", multiple=True, required=True, metavar="ORG_ID",
              help="A safeguarding partner informed. Repeatable.")
@act_options
@pass_settings
def inform_partners(
    settings: Settings,
    case_id: str,
    partners: tuple[str, ...],
    on: str | None,
    evidence_files: tuple[str, ...],
    as_json: bool,
) -> None:
    """Record that the local authority informed the safeguarding partners."""
    from commands.acts import InformPartners

    record_act(
        settings, InformPartners, on=on, evidence_files=evidence_files, as_json=as_json,
        case_id=case_id, partners=partners,
    )


@case.command("rapid-review-start")
@click.argument("case_id", metavar="CASE_ID")
@click.option("--aware-on", "partners_aware_on", required=True, metavar="DATE",
              help="When the partners became aware (the 15 working days count from it).")
@act_options
@pass_settings
def rapid_review_start(
    settings: Settings,
    case_id: str,
    partners_aware_on: str,
    on: str | None,
    evidence_files: tuple[str, ...],
    as_json: bool,
) -> None:
    """Record the start of the rapid review and its deadline."""
    from commands.acts import StartRapidReview

    record_act(
        settings, StartRapidReview, on=on, evidence_files=evidence_files, as_json=as_json,
        case_id=case_id, partners_aware_on=partners_aware_on,
    )


@case.command("rapid-review-complete")
@click.argument("case_id", metavar="CASE_ID")
@click.option("--facts", required=True, help="Aim 1: the facts, as far as readily established.")
@click.option("--immediate-action", required=True,
              help="Aim 2: immediate action needed for children's safety; learning shared.")
@click.option("--improvements", "potential_improvements", required=True,
              help="Aim 3: the potential for identifying improvements.")
@click.option("--next-steps", required=True, help="Aim 4: the next steps.")
@click.option("--recommendation", required=True, type=click.Choice(RECOMMENDATIONS),
              help="What the rapid review recommends.")
@act_options
@pass_settings
def rapid_review_complete(
    settings: Settings,
    case_id: str,
    facts: str,
    immediate_action: str,
    potential_improvements: str,
    next_steps: str,
    recommendation: str,
    on: str | None,
    evidence_files: tuple[str, ...],
    as_json: bool,
) -> None:
    """Record the completed rapid review (sent to the Panel) with its four aims answered."""
    from commands.acts import CompleteRapidReview

    record_act(
        settings, CompleteRapidReview, on=on, evidence_files=evidence_files, as_json=as_json,
        case_id=case_id, facts=facts, immediate_action=immediate_action,
        potential_improvements=potential_improvements, next_steps=next_steps,
        recommendation=recommendation,
    )


@case.command()
@click.argument("case_id", metavar="CASE_ID")
@click.option("--decision", required=True, type=click.Choice(DECISIONS), help="The decision.")
@click.option("--criterion", "criteria", multiple=True, type=click.Choice(CRITERIA),
              help="A criterion for a local review met (regulation 11). Repeatable.")
@click.option("--reasons", required=True, help="The reasons for the decision.")
@click.option("--partner", "partners", multiple=True, required=True, metavar="ORG_ID",
              help="A statutory partner who signs off the decision (one of each). Repeatable.")
@act_options
@pass_settings
def decide(
    settings: Settings,
    case_id: str,
    decision: str,
    criteria: tuple[str, ...],
    reasons: str,
    partners: tuple[str, ...],
    on: str | None,
    evidence_files: tuple[str, ...],
    as_json: bool,
) -> None:
    """Record the decision on a local CSPR (chair or lead partner); a CSPR cites criteria."""
    from commands.acts import DecideReview

    record_act(
        settings, DecideReview, on=on, evidence_files=evidence_files, as_json=as_json,
        case_id=case_id, decision=decision, criteria=criteria, reasons=reasons,
        partners=partners,
    )


@case.command("sign-decision")
@click.argument("case_id", metavar="CASE_ID")
@click.option("--org", "organisation_id", metavar="ORG_ID",
              help="The partner signing [default: the one you are lead partner for].")
@act_options
@pass_settings
def sign_decision(
    settings: Settings,
    case_id: str,
    organisation_id: str | None,
    on: str | None,
    evidence_files: tuple[str, ...],
    as_json: bool,
) -> None:
    """Sign off the decision for your organisation (lead safeguarding partner)."""
    from commands.acts import SignDecision

    record_act(
        settings, SignDecision, on=on, evidence_files=evidence_files, as_json=as_json,
        case_id=case_id, organisation_id=organisation_id,
    )


@case.command("panel-response")
@click.argument("case_id", metavar="CASE_ID")
@click.option("--response", required=True, type=click.Choice(PANEL_RESPONSES),
              help="The Panel's response.")
@click.option("--comments", required=True, help="What the Panel said.")
@act_options
@pass_settings
def panel_response(
    settings: Settings,
    case_id: str,
    response: str,
    comments: str,
    on: str | None,
    evidence_files: tuple[str, ...],
    as_json: bool,
) -> None:
    """Record the Child Safeguarding Practice Review Panel's response (business unit)."""
    from commands.acts import RecordPanelResponse

    record_act(
        settings, RecordPanelResponse, on=on, evidence_files=evidence_files, as_json=as_json,
        case_id=case_id, response=response, comments=comments,
    )


from commands.cli import reviews as _reviews  # noqa: E402

_reviews.register(case)
