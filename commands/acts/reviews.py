"""A local child safeguarding practice review, from commissioning to closed actions."""

from __future__ import annotations

from pydantic import Field

from commands.acts.base import (
    Command,
    Day,
    Key,
    Slug,
    Text,
    UnitOfWork,
    authorise_command,
    handler,
)
from ledger.domain.authorisation import Act
from ledger.domain.base import DomainEvent
from ledger.domain.case_events import DelayReason, ProgressStatus, PublicationMode
from ledger.domain.cases import Case
from ledger.domain.organisations import NationalRole, Organisation

CSPR_COPY_RECIPIENTS = (NationalRole.PRACTICE_REVIEW_PANEL, NationalRole.SECRETARY_OF_STATE)


class CommissionReview(Command):
    """Commission the local CSPR: reviewer, scope and terms."""

    act = Act.COMMISSION_REVIEW

    case_id: Key
    reviewer: str = Field(min_length=1, max_length=200)
    scope: Text
    terms: Text


class MonitorReview(Command):
    """Record a check on the review's progress."""

    act = Act.MONITOR_REVIEW

    case_id: Key
    status: ProgressStatus
    note: Text


class ReceiveDraft(Command):
    """Record that a draft report was received from the reviewer."""

    act = Act.RECEIVE_DRAFT

    case_id: Key
    draft: str = Field(min_length=1, max_length=100)


class SignOffReview(Command):
    """Sign off the final report of the review."""

    act = Act.SIGN_OFF_REVIEW

    case_id: Key
    note: str | None = Field(default=None, min_length=1, max_length=2000)


class SendReviewCopies(Command):
    """Send copies to the Panel and the Secretary of State before publication.

    Both are resolved by national role on the date sent. The copies must go
    at least 7 working days before ``planned_publication``.
    """

    act = Act.SEND_REVIEW_COPIES

    case_id: Key
    planned_publication: Day


class PublishReview(Command):
    """Publish the review, in full or only its improvements (with reasons)."""

    act = Act.PUBLISH_REVIEW

    case_id: Key
    mode: PublicationMode = PublicationMode.FULL
    location: str = Field(min_length=1, max_length=2000)
    reasons: str | None = Field(default=None, min_length=1, max_length=5000)


class DelayPublication(Command):
    """Record that publication is delayed, and why."""

    act = Act.DELAY_PUBLICATION

    case_id: Key
    reason: DelayReason
    details: Text
    expected_on: Day | None = None


class AgreeRecommendation(Command):
    """Agree a recommendation of the review and the action on it."""

    act = Act.AGREE_RECOMMENDATION

    case_id: Key
    recommendation_id: Key
    text: Text
    owner_id: Slug
    action: Text
    due_on: Day | None = None


class CloseRecommendation(Command):
    """Close the action on a recommendation."""

    act = Act.CLOSE_RECOMMENDATION

    case_id: Key
    recommendation_id: Key
    outcome: Text


@handler(CommissionReview)
def commission_review(command: CommissionReview, uow: UnitOfWork) -> DomainEvent:
    case = uow.get(Case, command.case_id)
    attribution = authorise_command(uow, command)
    return case.commission(
        reviewer=command.reviewer, scope=command.scope, terms=command.terms,
        at=attribution.stamp(command.evidence),
    )


@handler(MonitorReview)
def monitor_review(command: MonitorReview, uow: UnitOfWork) -> DomainEvent:
    case = uow.get(Case, command.case_id)
    attribution = authorise_command(uow, command)
    return case.monitor_progress(
        status=command.status, note=command.note, at=attribution.stamp(command.evidence)
    )


@handler(ReceiveDraft)
def receive_draft(command: ReceiveDraft, uow: UnitOfWork) -> DomainEvent:
    case = uow.get(Case, command.case_id)
    attribution = authorise_command(uow, command)
    return case.receive_draft(draft=command.draft, at=attribution.stamp(command.evidence))


@handler(SignOffReview)
def sign_off_review(command: SignOffReview, uow: UnitOfWork) -> DomainEvent:
    case = uow.get(Case, command.case_id)
    attribution = authorise_command(uow, command)
    return case.sign_off_report(note=command.note, at=attribution.stamp(command.evidence))


@handler(SendReviewCopies)
def send_review_copies(command: SendReviewCopies, uow: UnitOfWork) -> DomainEvent:
    case = uow.get(Case, command.case_id)
    attribution = authorise_command(uow, command)
    recipients = [uow.recipient(role, command.occurred_on) for role in CSPR_COPY_RECIPIENTS]
    return case.send_copies(
        recipients=recipients,
        planned_publication=command.planned_publication,
        at=attribution.stamp(command.evidence),
    )


@handler(PublishReview)
def publish_review(command: PublishReview, uow: UnitOfWork) -> DomainEvent:
    case = uow.get(Case, command.case_id)
    attribution = authorise_command(uow, command)
    return case.publish(
        mode=command.mode, location=command.location, reasons=command.reasons,
        at=attribution.stamp(command.evidence),
    )


@handler(DelayPublication)
def delay_publication(command: DelayPublication, uow: UnitOfWork) -> DomainEvent:
    case = uow.get(Case, command.case_id)
    attribution = authorise_command(uow, command)
    return case.delay_publication(
        reason=command.reason, details=command.details, expected_on=command.expected_on,
        at=attribution.stamp(command.evidence),
    )


@handler(AgreeRecommendation)
def agree_recommendation(command: AgreeRecommendation, uow: UnitOfWork) -> DomainEvent:
    case = uow.get(Case, command.case_id)
    attribution = authorise_command(uow, command)
    owner = uow.get(Organisation, command.owner_id)
    return case.agree_recommendation(
        recommendation_id=command.recommendation_id,
        text=command.text,
        owner=owner,
        action=command.action,
        due_on=command.due_on,
        at=attribution.stamp(command.evidence),
    )


@handler(CloseRecommendation)
def close_recommendation(command: CloseRecommendation, uow: UnitOfWork) -> DomainEvent:
    case = uow.get(Case, command.case_id)
    attribution = authorise_command(uow, command)
    return case.close_recommendation(
        recommendation_id=command.recommendation_id, outcome=command.outcome,
        at=attribution.stamp(command.evidence),
    )
