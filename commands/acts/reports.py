"""The yearly report: period, drafts, scrutiny, sign-off, publication, recipients, boards."""

from __future__ import annotations

from pydantic import Field

from commands.acts.base import (
    Command,
    Day,
    Key,
    Slug,
    Text,
    Texts,
    UnitOfWork,
    authorise_command,
    handler,
)
from ledger.domain.authorisation import Act
from ledger.domain.base import DomainEvent
from ledger.domain.organisations import NationalRole, Organisation
from ledger.domain.people import Role
from ledger.domain.reports import YearlyReport


class OpenReport(Command):
    """Open a yearly report's period (and name the previous report, if any)."""

    act = Act.OPEN_REPORT

    report_id: Key
    period_start: Day
    period_end: Day
    previous_report_id: Key | None = None


class DraftReport(Command):
    """Record a draft of the yearly report."""

    act = Act.DRAFT_REPORT

    report_id: Key
    draft: str = Field(min_length=1, max_length=100)


class ScrutiniseReport(Command):
    """The independent scrutineer's scrutiny of the draft report."""

    act = Act.SCRUTINISE_REPORT

    report_id: Key
    conclusions: Text
    findings: Texts = ()


class SignOffReport(Command):
    """Sign off the report: a lead partner for their organisation, or the chair."""

    act = Act.SIGN_OFF_REPORT

    report_id: Key


class PublishReport(Command):
    """Publish the yearly report (and say where)."""

    act = Act.PUBLISH_REPORT

    report_id: Key
    location: str = Field(min_length=1, max_length=2000)


class SendReport(Command):
    """Send the report to a statutory recipient, resolved by role on the date."""

    act = Act.SEND_REPORT

    report_id: Key
    recipient: NationalRole


class PresentReport(Command):
    """Present the report to a local board or panel."""

    act = Act.PRESENT_REPORT

    report_id: Key
    board_id: Slug
    note: str | None = Field(default=None, min_length=1, max_length=2000)


@handler(OpenReport)
def open_report(command: OpenReport, uow: UnitOfWork) -> DomainEvent:
    attribution = authorise_command(uow, command)
    previous = (
        None
        if command.previous_report_id is None
        else uow.get(YearlyReport, command.previous_report_id)
    )
    report = uow.find_or_new(YearlyReport, command.report_id, YearlyReport.new)
    return report.open_period(
        period_start=command.period_start,
        period_end=command.period_end,
        previous=previous,
        at=attribution.stamp(command.evidence),
    )


@handler(DraftReport)
def draft_report(command: DraftReport, uow: UnitOfWork) -> DomainEvent:
    report = uow.get(YearlyReport, command.report_id)
    attribution = authorise_command(uow, command)
    return report.draft(draft=command.draft, at=attribution.stamp(command.evidence))


@handler(ScrutiniseReport)
def scrutinise_report(command: ScrutiniseReport, uow: UnitOfWork) -> DomainEvent:
    report = uow.get(YearlyReport, command.report_id)
    attribution = authorise_command(uow, command)
    return report.scrutinise(
        conclusions=command.conclusions, findings=command.findings,
        at=attribution.stamp(command.evidence),
    )


@handler(SignOffReport)
def sign_off_report(command: SignOffReport, uow: UnitOfWork) -> DomainEvent:
    report = uow.get(YearlyReport, command.report_id)
    attribution = authorise_command(uow, command)
    organisation = None
    if attribution.actor_role == Role.LEAD_SAFEGUARDING_PARTNER.value:
        assert attribution.organisation_id is not None
        organisation = uow.get(Organisation, attribution.organisation_id)
    return report.sign_off(organisation=organisation, at=attribution.stamp(command.evidence))


@handler(PublishReport)
def publish_report(command: PublishReport, uow: UnitOfWork) -> DomainEvent:
    report = uow.get(YearlyReport, command.report_id)
    attribution = authorise_command(uow, command)
    return report.publish(location=command.location, at=attribution.stamp(command.evidence))


@handler(SendReport)
def send_report(command: SendReport, uow: UnitOfWork) -> DomainEvent:
    report = uow.get(YearlyReport, command.report_id)
    attribution = authorise_command(uow, command)
    recipient = uow.recipient(command.recipient, command.occurred_on)
    return report.send(recipient=recipient, at=attribution.stamp(command.evidence))


@handler(PresentReport)
def present_report(command: PresentReport, uow: UnitOfWork) -> DomainEvent:
    report = uow.get(YearlyReport, command.report_id)
    attribution = authorise_command(uow, command)
    board = uow.get(Organisation, command.board_id)
    return report.present(board=board, note=command.note, at=attribution.stamp(command.evidence))
