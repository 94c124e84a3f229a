"""``scrutiny case ...``: a local CSPR from commissioning to closed actions."""

from __future__ import annotations

import click

from commands.cli.acting import act_options, record_act
from commands.cli.common import pass_settings
from commands.settings import Settings

STATUSES = ("on_track", "at_risk", "off_track")
MODES = ("full", "improvements_only")
DELAYS = ("criminal_proceedings", "family_wishes", "other")


@click.command()
@click.argument("case_id", metavar="CASE_ID")
@click.option("--reviewer", required=True, help="The independent reviewer.")
@click.option("--scope", required=True, help="The scope of the review.")
@click.option("--terms", required=True, help="Its terms of reference.")
@act_options
@pass_settings
def commission(
    settings: Settings, case_id: str, reviewer: str, scope: str, terms: str,
    on: str | None, evidence_files: tuple[str, ...], as_json: bool,
) -> None:
    """Commission the local CSPR once every partner signed off the decision."""
    from commands.acts import CommissionReview

    record_act(
        settings, CommissionReview, on=on, evidence_files=evidence_files, as_json=as_json,
        case_id=case_id, reviewer=reviewer, scope=scope, terms=terms,
    )


@click.command()
@click.argument("case_id", metavar="CASE_ID")
@click.option("--status", required=True, type=click.Choice(STATUSES), help="Progress status.")
@click.option("--note", required=True, help="What was found.")
@act_options
@pass_settings
def progress(
    settings: Settings, case_id: str, status: str, note: str,
    on: str | None, evidence_files: tuple[str, ...], as_json: bool,
) -> None:
    """Record a check on the review's progress."""
    from commands.acts import MonitorReview

    record_act(
        settings, MonitorReview, on=on, evidence_files=evidence_files, as_json=as_json,
        case_id=case_id, status=status, note=note,
    )


@click.command("draft-received")
@click.argument("case_id", metavar="CASE_ID")
@click.option("--draft", required=True, help="The draft's label, e.g. v1.")
@act_options
@pass_settings
def draft_received(
    settings: Settings, case_id: str, draft: str,
    on: str | None, evidence_files: tuple[str, ...], as_json: bool,
) -> None:
    """Record that a draft report was received (business unit)."""
    from commands.acts import ReceiveDraft

    record_act(
        settings, ReceiveDraft, on=on, evidence_files=evidence_files, as_json=as_json,
        case_id=case_id, draft=draft,
    )


@click.command("sign-off")
@click.argument("case_id", metavar="CASE_ID")
@click.option("--note", help="A note on the sign-off.")
@act_options
@pass_settings
def sign_off(
    settings: Settings, case_id: str, note: str | None,
    on: str | None, evidence_files: tuple[str, ...], as_json: bool,
) -> None:
    """Sign off the final report (chair or lead partner)."""
    from commands.acts import SignOffReview

    record_act(
        settings, SignOffReview, on=on, evidence_files=evidence_files, as_json=as_json,
        case_id=case_id, note=note,
    )


@click.command("send-copies")
@click.argument("case_id", metavar="CASE_ID")
@click.option("--publication-planned", "planned_publication", required=True, metavar="DATE",
              help="The planned publication date (copies go at least 7 working days before).")
@act_options
@pass_settings
def send_copies(
    settings: Settings, case_id: str, planned_publication: str,
    on: str | None, evidence_files: tuple[str, ...], as_json: bool,
) -> None:
    """Send copies to the Panel and the Secretary of State before publication."""
    from commands.acts import SendReviewCopies

    record_act(
        settings, SendReviewCopies, on=on, evidence_files=evidence_files, as_json=as_json,
        case_id=case_id, planned_publication=planned_publication,
    )


@click.command()
@click.argument("case_id", metavar="CASE_ID")
@click.option("--mode", type=click.Choice(MODES), default="full", show_default=True,
              help="The whole report, or only the improvements.")
@click.option("--where", "location", required=True, help="Where it is published.")
@click.option("--reasons", help="Why only the improvements are published (required then).")
@act_options
@pass_settings
def publish(
    settings: Settings, case_id: str, mode: str, location: str, reasons: str | None,
    on: str | None, evidence_files: tuple[str, ...], as_json: bool,
) -> None:
    """Record the publication of the review."""
    from commands.acts import PublishReview

    record_act(
        settings, PublishReview, on=on, evidence_files=evidence_files, as_json=as_json,
        case_id=case_id, mode=mode, location=location, reasons=reasons,
    )


@click.command()
@click.argument("case_id", metavar="CASE_ID")
@click.option("--reason", required=True, type=click.Choice(DELAYS), help="Why it is delayed.")
@click.option("--details", required=True, help="The reasons in words.")
@click.option("--expected-on", metavar="DATE", help="The expected publication date.")
@act_options
@pass_settings
def delay(
    settings: Settings, case_id: str, reason: str, details: str, expected_on: str | None,
    on: str | None, evidence_files: tuple[str, ...], as_json: bool,
) -> None:
    """Record that publication is delayed, with reasons (e.g. criminal proceedings)."""
    from commands.acts import DelayPublication

    record_act(
        settings, DelayPublication, on=on, evidence_files=evidence_files, as_json=as_json,
        case_id=case_id, reason=reason, details=details, expected_on=expected_on,
    )


@click.command()
@click.argument("case_id", metavar="CASE_ID")
@click.option("--id", "recommendation_id", required=True, metavar="ID", help="E.g. R1.")
@click.option("--text", required=True, help="The recommendation.")
@click.option("--owner", "owner_id", required=True, metavar="ORG_ID", help="Who owns the action.")
@click.option("--action", required=True, help="The action agreed.")
@click.option("--due-on", metavar="DATE", help="When the action is due.")
@act_options
@pass_settings
def recommend(
    settings: Settings, case_id: str, recommendation_id: str, text: str, owner_id: str,
    action: str, due_on: str | None,
    on: str | None, evidence_files: tuple[str, ...], as_json: bool,
) -> None:
    """Agree a recommendation of the signed-off review and its action."""
    from commands.acts import AgreeRecommendation

    record_act(
        settings, AgreeRecommendation, on=on, evidence_files=evidence_files, as_json=as_json,
        case_id=case_id, recommendation_id=recommendation_id, text=text, owner_id=owner_id,
        action=action, due_on=due_on,
    )


@click.command("close-action")
@click.argument("case_id", metavar="CASE_ID")
@click.option("--id", "recommendation_id", required=True, metavar="ID", help="E.g. R1.")
@click.option("--outcome", required=True, help="What was done.")
@act_options
@pass_settings
def close_action(
    settings: Settings, case_id: str, recommendation_id: str, outcome: str,
    on: str | None, evidence_files: tuple[str, ...], as_json: bool,
) -> None:
    """Close the action on a recommendation."""
    from commands.acts import CloseRecommendation

    record_act(
        settings, CloseRecommendation, on=on, evidence_files=evidence_files, as_json=as_json,
        case_id=case_id, recommendation_id=recommendation_id, outcome=outcome,
    )


def register(group: click.Group) -> None:
    for command in (commission, progress, draft_received, sign_off, send_copies, publish,
                    delay, recommend, close_action):
        group.add_command(command)
