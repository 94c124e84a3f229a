"""``scrutiny report ...``: the partnership's yearly report."""

from __future__ import annotations

import click

from commands.cli.acting import act_options, record_act
from commands.cli.common import pass_settings
from commands.settings import Settings

RECIPIENTS = ("practice_review_panel", "what_works_centre")


@click.group()
def report() -> None:
    """The yearly report.

    \b
    open -> draft -> scrutinise (independent scrutineer) -> sign-off
    -> publish -> send (Panel, What Works Centre / Foundations) ; present

    Under WT2023 (from 2023-12-15) each lead partner signs off. Copies are due
    7 calendar days after publication; the next report 12 months after.
    """


@report.command("open")
@click.argument("report_id", metavar="REPORT_ID")
@click.option("--from", "period_start", required=True, metavar="DATE", help="Period start.")
@click.option("--to", "period_end", required=True, metavar="DATE", help="Period end.")
@click.option("--previous", "previous_report_id", metavar="REPORT_ID",
              help="The previous report (its publication starts the 12 months).")
@act_options
@pass_settings
def open_(
    settings: Settings, report_id: str, period_start: str, period_end: str,
    previous_report_id: str | None, on: str | None, evidence_files: tuple[str, ...],
    as_json: bool,
) -> None:
    """Open a yearly report's period (business unit)."""
    from commands.acts import OpenReport

    record_act(
        settings, OpenReport, on=on, evidence_files=evidence_files, as_json=as_json,
        report_id=report_id, period_start=period_start, period_end=period_end,
        previous_report_id=previous_report_id,
    )


@report.command()
@click.argument("report_id", metavar="REPORT_ID")
@click.option("--draft", required=True, help="The draft's label, e.g. v1.")
@act_options
@pass_settings
def draft(
    settings: Settings, report_id: str, draft: str,
    on: str | None, evidence_files: tuple[str, ...], as_json: bool,
) -> None:
    """Record a draft of the report (business unit)."""
    from commands.acts import DraftReport

    record_act(
        settings, DraftReport, on=on, evidence_files=evidence_files, as_json=as_json,
        report_id=report_id, draft=draft,
    )


@report.command()
@click.argument("report_id", metavar="REPORT_ID")
@click.option("--conclusions", required=True, help="The scrutineer's conclusions.")
@click.option("--finding", "findings", multiple=True, metavar="TEXT", help="Repeatable.")
@act_options
@pass_settings
def scrutinise(
    settings: Settings, report_id: str, conclusions: str, findings: tuple[str, ...],
    on: str | None, evidence_files: tuple[str, ...], as_json: bool,
) -> None:
    """Record the independent scrutineer's scrutiny of the draft."""
    from commands.acts import ScrutiniseReport

    record_act(
        settings, ScrutiniseReport, on=on, evidence_files=evidence_files, as_json=as_json,
        report_id=report_id, conclusions=conclusions, findings=findings,
    )


@report.command("sign-off")
@click.argument("report_id", metavar="REPORT_ID")
@act_options
@pass_settings
def sign_off(
    settings: Settings, report_id: str,
    on: str | None, evidence_files: tuple[str, ...], as_json: bool,
) -> None:
    """Sign off the report: a lead partner for their organisation, or the chair (WT2018)."""
    from commands.acts import SignOffReport

    record_act(
        settings, SignOffReport, on=on, evidence_files=evidence_files, as_json=as_json,
        report_id=report_id,
    )


@report.command()
@click.argument("report_id", metavar="REPORT_ID")
@click.option("--where", "location", required=True, help="Where it is published.")
@act_options
@pass_settings
def publish(
    settings: Settings, report_id: str, location: str,
    on: str | None, evidence_files: tuple[str, ...], as_json: bool,
) -> None:
    """Record the publication of the report (business unit or chair)."""
    from commands.acts import PublishReport

    record_act(
        settings, PublishReport, on=on, evidence_files=evidence_files, as_json=as_json,
        report_id=report_id, location=location,
    )


@report.command()
@click.argument("report_id", metavar="REPORT_ID")
@click.option("--to", "recipient", required=True, type=click.Choice(RECIPIENTS),
              help="The statutory recipient, resolved by role on --on.")
@act_options
@pass_settings
def send(
    settings: Settings, report_id: str, recipient: str,
    on: str | None, evidence_files: tuple[str, ...], as_json: bool,
) -> None:
    """Record that the report was sent to a statutory recipient (business unit)."""
    from commands.acts import SendReport

    record_act(
        settings, SendReport, on=on, evidence_files=evidence_files, as_json=as_json,
        report_id=report_id, recipient=recipient,
    )


@report.command()
@click.argument("report_id", metavar="REPORT_ID")
@click.option("--to", "board_id", required=True, metavar="ORG_ID",
              help="The board or panel (a local body).")
@click.option("--note", help="A note on the presentation.")
@act_options
@pass_settings
def present(
    settings: Settings, report_id: str, board_id: str, note: str | None,
    on: str | None, evidence_files: tuple[str, ...], as_json: bool,
) -> None:
    """Record the presentation of the report to a board (e.g. Health and Wellbeing Board)."""
    from commands.acts import PresentReport

    record_act(
        settings, PresentReport, on=on, evidence_files=evidence_files, as_json=as_json,
        report_id=report_id, board_id=board_id, note=note,
    )
