"""``scrutiny inspection ...``: Ofsted, CQC, HMICFRS, HMI Probation and JTAI inspections."""

from __future__ import annotations

import click

from commands.cli.acting import act_options, record_act
from commands.cli.common import pass_settings
from commands.settings import Settings

KINDS = ("ofsted", "cqc", "hmicfrs", "hmi_probation", "jtai")
JUDGEMENTS = ("outstanding", "good", "requires_improvement", "inadequate", "not_graded")


@click.group()
def inspection() -> None:
    """Regulatory inspections: announce -> findings -> publish -> action-plan.

    Inspectors act for their inspectorate; the business unit may record on
    their behalf. A JTAI has several inspectorates and is not graded.
    """


@inspection.command()
@click.argument("inspection_id", metavar="INSPECTION_ID")
@click.option("--kind", required=True, type=click.Choice(KINDS), help="What inspection.")
@click.option("--inspectorate", "inspectorates", multiple=True, required=True,
              metavar="ORG_ID", help="A regulator carrying it out. Repeatable.")
@click.option("--theme", required=True, help="Its theme or scope.")
@click.option("--starts-on", required=True, metavar="DATE", help="When fieldwork starts.")
@act_options
@pass_settings
def announce(
    settings: Settings, inspection_id: str, kind: str, inspectorates: tuple[str, ...],
    theme: str, starts_on: str, on: str | None, evidence_files: tuple[str, ...], as_json: bool,
) -> None:
    """Record the announcement of an inspection."""
    from commands.acts import AnnounceInspection

    record_act(
        settings, AnnounceInspection, on=on, evidence_files=evidence_files, as_json=as_json,
        inspection_id=inspection_id, kind=kind, inspectorates=inspectorates, theme=theme,
        starts_on=starts_on,
    )


@inspection.command()
@click.argument("inspection_id", metavar="INSPECTION_ID")
@click.option("--finding", "findings", multiple=True, required=True, metavar="TEXT",
              help="A finding. Repeatable.")
@act_options
@pass_settings
def findings(
    settings: Settings, inspection_id: str, findings: tuple[str, ...],
    on: str | None, evidence_files: tuple[str, ...], as_json: bool,
) -> None:
    """Record the inspection's findings."""
    from commands.acts import RecordInspectionFindings

    record_act(
        settings, RecordInspectionFindings, on=on, evidence_files=evidence_files,
        as_json=as_json, inspection_id=inspection_id, findings=findings,
    )


@inspection.command()
@click.argument("inspection_id", metavar="INSPECTION_ID")
@click.option("--judgement", required=True, type=click.Choice(JUDGEMENTS), help="The judgement.")
@click.option("--where", "location", required=True, help="Where the report is published.")
@act_options
@pass_settings
def publish(
    settings: Settings, inspection_id: str, judgement: str, location: str,
    on: str | None, evidence_files: tuple[str, ...], as_json: bool,
) -> None:
    """Record the published report and its judgement."""
    from commands.acts import PublishInspection

    record_act(
        settings, PublishInspection, on=on, evidence_files=evidence_files, as_json=as_json,
        inspection_id=inspection_id, judgement=judgement, location=location,
    )


@inspection.command("action-plan")
@click.argument("inspection_id", metavar="INSPECTION_ID")
@click.option("--action", "actions", multiple=True, required=True, metavar="TEXT",
              help="An action. Repeatable.")
@click.option("--owner", "owners", multiple=True, required=True, metavar="ORG_ID",
              help="An organisation owning actions. Repeatable.")
@act_options
@pass_settings
def action_plan(
    settings: Settings, inspection_id: str, actions: tuple[str, ...], owners: tuple[str, ...],
    on: str | None, evidence_files: tuple[str, ...], as_json: bool,
) -> None:
    """Record the partners' action plan (lead partner or chair)."""
    from commands.acts import AgreeActionPlan

    record_act(
        settings, AgreeActionPlan, on=on, evidence_files=evidence_files, as_json=as_json,
        inspection_id=inspection_id, actions=actions, owners=owners,
    )
