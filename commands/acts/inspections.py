"""Inspections: announced, findings, report published, action plan agreed."""

from __future__ import annotations

from pydantic import Field

from commands.acts.base import (
    Command,
    Day,
    Key,
    Slug,
    Texts,
    UnitOfWork,
    authorise_command,
    handler,
)
from ledger.domain.authorisation import Act
from ledger.domain.base import DomainEvent
from ledger.domain.inspections import Inspection, InspectionKind, Judgement
from ledger.domain.people import Role

INSPECTOR_ONLY = {Role.INSPECTOR}


class AnnounceInspection(Command):
    """Record that an inspection was announced, by whom, and when it starts."""

    act = Act.ANNOUNCE_INSPECTION

    inspection_id: Key
    kind: InspectionKind
    inspectorates: tuple[Slug, ...] = Field(min_length=1, max_length=10)
    theme: str = Field(min_length=1, max_length=500)
    starts_on: Day


class RecordInspectionFindings(Command):
    """Record the inspection's findings."""

    act = Act.RECORD_INSPECTION_FINDINGS

    inspection_id: Key
    findings: Texts = Field(min_length=1)


class PublishInspection(Command):
    """Record the published report and its judgement."""

    act = Act.PUBLISH_INSPECTION

    inspection_id: Key
    judgement: Judgement
    location: str = Field(min_length=1, max_length=2000)


class AgreeActionPlan(Command):
    """Record the partners' action plan in response to the report."""

    act = Act.AGREE_ACTION_PLAN

    inspection_id: Key
    actions: Texts = Field(min_length=1)
    owners: tuple[Slug, ...] = Field(min_length=1, max_length=20)


@handler(AnnounceInspection)
def announce_inspection(command: AnnounceInspection, uow: UnitOfWork) -> DomainEvent:
    attribution = authorise_command(
        uow, command, for_organisations=set(command.inspectorates), bound_roles=INSPECTOR_ONLY
    )
    inspectorates = uow.organisations(command.inspectorates)
    inspection = uow.find_or_new(Inspection, command.inspection_id, Inspection.new)
    return inspection.announce(
        kind=command.kind,
        inspectorates=inspectorates,
        theme=command.theme,
        starts_on=command.starts_on,
        at=attribution.stamp(command.evidence),
    )


@handler(RecordInspectionFindings)
def record_inspection_findings(command: RecordInspectionFindings, uow: UnitOfWork) -> DomainEvent:
    inspection = uow.get(Inspection, command.inspection_id)
    attribution = authorise_command(
        uow, command, for_organisations=set(inspection.inspectorates), bound_roles=INSPECTOR_ONLY
    )
    return inspection.record_findings(
        findings=command.findings, at=attribution.stamp(command.evidence)
    )


@handler(PublishInspection)
def publish_inspection(command: PublishInspection, uow: UnitOfWork) -> DomainEvent:
    inspection = uow.get(Inspection, command.inspection_id)
    attribution = authorise_command(
        uow, command, for_organisations=set(inspection.inspectorates), bound_roles=INSPECTOR_ONLY
    )
    return inspection.publish(
        judgement=command.judgement, location=command.location,
        at=attribution.stamp(command.evidence),
    )


@handler(AgreeActionPlan)
def agree_action_plan(command: AgreeActionPlan, uow: UnitOfWork) -> DomainEvent:
    inspection = uow.get(Inspection, command.inspection_id)
    attribution = authorise_command(uow, command)
    owners = uow.organisations(command.owners)
    return inspection.agree_action_plan(
        actions=command.actions, owners=owners, at=attribution.stamp(command.evidence)
    )
