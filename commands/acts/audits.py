"""Audits and reviews of practice: plan, returns, challenge, findings, actions."""

from __future__ import annotations

from pydantic import Field

from commands.acts.base import Command, Day, Key, Slug, Text, UnitOfWork, authorise_command, handler
from ledger.domain.audits import STANDARD_PATTERN, Audit, AuditKind, Rating
from ledger.domain.authorisation import Act
from ledger.domain.base import DomainEvent
from ledger.domain.organisations import Organisation
from ledger.domain.people import Role


class PlanAudit(Command):
    """Plan an audit or review of practice and the agencies it covers."""

    act = Act.PLAN_AUDIT

    audit_id: Key
    kind: AuditKind
    title: str = Field(min_length=1, max_length=500)
    agencies: tuple[Slug, ...] = Field(min_length=1, max_length=200)


class SubmitReturn(Command):
    """Record an agency's return with its self-ratings of each standard."""

    act = Act.SUBMIT_RETURN

    audit_id: Key
    organisation_id: Slug
    self_ratings: dict[str, Rating] = Field(min_length=1, max_length=100)


class HoldPeerChallenge(Command):
    """Record multi-agency peer challenge of an agency's return."""

    act = Act.HOLD_PEER_CHALLENGE

    audit_id: Key
    organisation_id: Slug
    challengers: tuple[Slug, ...] = Field(min_length=1, max_length=20)
    notes: Text


class ModerateRating(Command):
    """Record the moderated rating of one standard of an agency's return."""

    act = Act.MODERATE_RATING

    audit_id: Key
    organisation_id: Slug
    standard: str = Field(pattern=STANDARD_PATTERN)
    rating: Rating
    reason: str = Field(min_length=1, max_length=2000)


class RecordAuditFinding(Command):
    """Record a finding of the audit (optionally about one agency)."""

    act = Act.RECORD_AUDIT_FINDING

    audit_id: Key
    finding_id: Key
    text: Text
    organisation_id: Slug | None = None


class AgreeAuditAction(Command):
    """Agree an action arising from the audit, its owner and due date."""

    act = Act.AGREE_AUDIT_ACTION

    audit_id: Key
    action_id: Key
    text: str = Field(min_length=1, max_length=2000)
    owner_id: Slug
    due_on: Day | None = None


class CloseAuditAction(Command):
    """Close an action of the audit."""

    act = Act.CLOSE_AUDIT_ACTION

    audit_id: Key
    action_id: Key
    outcome: str = Field(min_length=1, max_length=2000)


class CompleteAudit(Command):
    """Complete the audit with a summary."""

    act = Act.COMPLETE_AUDIT

    audit_id: Key
    summary: Text


@handler(PlanAudit)
def plan_audit(command: PlanAudit, uow: UnitOfWork) -> DomainEvent:
    attribution = authorise_command(uow, command)
    agencies = uow.organisations(command.agencies)
    audit = uow.find_or_new(Audit, command.audit_id, Audit.new)
    return audit.plan(
        kind=command.kind, title=command.title, agencies=agencies,
        at=attribution.stamp(command.evidence),
    )


@handler(SubmitReturn)
def submit_return(command: SubmitReturn, uow: UnitOfWork) -> DomainEvent:
    audit = uow.get(Audit, command.audit_id)
    attribution = authorise_command(
        uow,
        command,
        for_organisations={command.organisation_id},
        bound_roles={Role.LEAD_SAFEGUARDING_PARTNER, Role.DELEGATED_SAFEGUARDING_PARTNER},
    )
    agency = uow.get(Organisation, command.organisation_id)
    return audit.submit_return(
        agency=agency, self_ratings=command.self_ratings, at=attribution.stamp(command.evidence)
    )


@handler(HoldPeerChallenge)
def hold_peer_challenge(command: HoldPeerChallenge, uow: UnitOfWork) -> DomainEvent:
    audit = uow.get(Audit, command.audit_id)
    attribution = authorise_command(uow, command)
    agency = uow.get(Organisation, command.organisation_id)
    challengers = uow.organisations(command.challengers)
    return audit.hold_peer_challenge(
        agency=agency, challengers=challengers, notes=command.notes,
        at=attribution.stamp(command.evidence),
    )


@handler(ModerateRating)
def moderate_rating(command: ModerateRating, uow: UnitOfWork) -> DomainEvent:
    audit = uow.get(Audit, command.audit_id)
    attribution = authorise_command(uow, command)
    agency = uow.get(Organisation, command.organisation_id)
    return audit.moderate_rating(
        agency=agency, standard=command.standard, rating=command.rating, reason=command.reason,
        at=attribution.stamp(command.evidence),
    )


@handler(RecordAuditFinding)
def record_audit_finding(command: RecordAuditFinding, uow: UnitOfWork) -> DomainEvent:
    audit = uow.get(Audit, command.audit_id)
    attribution = authorise_command(uow, command)
    agency = None if command.organisation_id is None else uow.get(
        Organisation, command.organisation_id
    )
    return audit.record_finding(
        finding_id=command.finding_id, text=command.text, agency=agency,
        at=attribution.stamp(command.evidence),
    )


@handler(AgreeAuditAction)
def agree_audit_action(command: AgreeAuditAction, uow: UnitOfWork) -> DomainEvent:
    audit = uow.get(Audit, command.audit_id)
    attribution = authorise_command(uow, command)
    owner = uow.get(Organisation, command.owner_id)
    return audit.agree_action(
        action_id=command.action_id, text=command.text, owner=owner, due_on=command.due_on,
        at=attribution.stamp(command.evidence),
    )


@handler(CloseAuditAction)
def close_audit_action(command: CloseAuditAction, uow: UnitOfWork) -> DomainEvent:
    audit = uow.get(Audit, command.audit_id)
    attribution = authorise_command(uow, command)
    return audit.close_action(
        action_id=command.action_id, outcome=command.outcome,
        at=attribution.stamp(command.evidence),
    )


@handler(CompleteAudit)
def complete_audit(command: CompleteAudit, uow: UnitOfWork) -> DomainEvent:
    audit = uow.get(Audit, command.audit_id)
    attribution = authorise_command(uow, command)
    return audit.complete(summary=command.summary, at=attribution.stamp(command.evidence))
