"""A serious incident from notification to the decision on a review."""

from __future__ import annotations

import re

from pydantic import Field, field_validator

from commands.acts.base import (
    ActDate,
    Command,
    Key,
    Slug,
    Text,
    UnitOfWork,
    authorise_command,
    handler,
)
from ledger.domain.authorisation import Act
from ledger.domain.base import DomainEvent
from ledger.domain.case_events import (
    MAX_CHILDREN,
    PSEUDONYM_PATTERN,
    PanelResponse,
    RapidReviewRecommendation,
    ReviewCriterion,
    ReviewDecision,
)
from ledger.domain.cases import Case
from ledger.domain.organisations import NationalRole, Organisation


class NotifyIncident(Command):
    """The local authority notifies the Panel of a serious incident.

    Children are named only by pseudonym ("Child A"), one to four of them.
    The Panel is resolved by its national role on the date.
    """

    act = Act.NOTIFY_INCIDENT

    case_id: Key
    local_authority_id: Slug
    children: tuple[str, ...] = Field(min_length=1, max_length=MAX_CHILDREN)
    became_aware_on: ActDate
    summary: str = Field(min_length=1, max_length=2000)

    @field_validator("children")
    @classmethod
    def _pseudonyms_only(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for child in value:
            if not re.fullmatch(PSEUDONYM_PATTERN, child):
                raise ValueError(
                    f"{child!r} is not a pseudonym; name each child as 'Child A', "
                    "'Child B' ... never by name"
                )
        return value


class InformPartners(Command):
    """The local authority informs the other safeguarding partners."""

    act = Act.INFORM_PARTNERS

    case_id: Key
    partners: tuple[Slug, ...] = Field(min_length=1, max_length=20)


class StartRapidReview(Command):
    """The partners start a rapid review (due 15 working days after they knew)."""

    act = Act.START_RAPID_REVIEW

    case_id: Key
    partners_aware_on: ActDate


class CompleteRapidReview(Command):
    """The rapid review answers its four aims and recommends what follows."""

    act = Act.COMPLETE_RAPID_REVIEW

    case_id: Key
    facts: Text
    immediate_action: Text
    potential_improvements: Text
    next_steps: Text
    recommendation: RapidReviewRecommendation


class DecideReview(Command):
    """Decide on a local CSPR (citing the criteria), a national referral, or no review."""

    act = Act.DECIDE_REVIEW

    case_id: Key
    decision: ReviewDecision
    criteria: tuple[ReviewCriterion, ...] = Field(default=(), max_length=10)
    reasons: Text
    partners: tuple[Slug, ...] = Field(min_length=1, max_length=20)


class SignDecision(Command):
    """A lead safeguarding partner signs off the decision for their organisation."""

    act = Act.SIGN_DECISION

    case_id: Key
    organisation_id: Slug | None = None


class RecordPanelResponse(Command):
    """Record the Child Safeguarding Practice Review Panel's response."""

    act = Act.RECORD_PANEL_RESPONSE

    case_id: Key
    response: PanelResponse
    comments: Text


@handler(NotifyIncident)
def notify_incident(command: NotifyIncident, uow: UnitOfWork) -> DomainEvent:
    attribution = authorise_command(uow, command, for_organisations={command.local_authority_id})
    local_authority = uow.get(Organisation, command.local_authority_id)
    panel = uow.recipient(NationalRole.PRACTICE_REVIEW_PANEL, command.occurred_on)
    case = uow.find_or_new(Case, command.case_id, Case.new)
    return case.notify(
        local_authority=local_authority,
        panel=panel,
        children=command.children,
        became_aware_on=command.became_aware_on,
        summary=command.summary,
        at=attribution.stamp(command.evidence),
    )


@handler(InformPartners)
def inform_partners(command: InformPartners, uow: UnitOfWork) -> DomainEvent:
    case = uow.get(Case, command.case_id)
    attribution = authorise_command(uow, command, for_organisations={case.local_authority_id})
    partners = uow.organisations(command.partners)
    return case.inform_partners(partners=partners, at=attribution.stamp(command.evidence))


@handler(StartRapidReview)
def start_rapid_review(command: StartRapidReview, uow: UnitOfWork) -> DomainEvent:
    case = uow.get(Case, command.case_id)
    attribution = authorise_command(uow, command)
    return case.start_rapid_review(
        partners_aware_on=command.partners_aware_on, at=attribution.stamp(command.evidence)
    )


@handler(CompleteRapidReview)
def complete_rapid_review(command: CompleteRapidReview, uow: UnitOfWork) -> DomainEvent:
    case = uow.get(Case, command.case_id)
    attribution = authorise_command(uow, command)
    return case.complete_rapid_review(
        facts=command.facts,
        immediate_action=command.immediate_action,
        potential_improvements=command.potential_improvements,
        next_steps=command.next_steps,
        recommendation=command.recommendation,
        at=attribution.stamp(command.evidence),
    )


@handler(DecideReview)
def decide_review(command: DecideReview, uow: UnitOfWork) -> DomainEvent:
    case = uow.get(Case, command.case_id)
    attribution = authorise_command(uow, command)
    partners = uow.organisations(command.partners)
    return case.decide(
        decision=command.decision,
        criteria=command.criteria,
        reasons=command.reasons,
        partners=partners,
        at=attribution.stamp(command.evidence),
    )


@handler(SignDecision)
def sign_decision(command: SignDecision, uow: UnitOfWork) -> DomainEvent:
    case = uow.get(Case, command.case_id)
    partners = set(case.decision.partners) if case.decision is not None else set()
    if command.organisation_id is not None:
        partners = {command.organisation_id}
    attribution = authorise_command(uow, command, for_organisations=partners)
    assert attribution.organisation_id is not None
    organisation = uow.get(Organisation, attribution.organisation_id)
    return case.sign_decision(organisation=organisation, at=attribution.stamp(command.evidence))


@handler(RecordPanelResponse)
def record_panel_response(command: RecordPanelResponse, uow: UnitOfWork) -> DomainEvent:
    case = uow.get(Case, command.case_id)
    attribution = authorise_command(uow, command)
    return case.record_panel_response(
        response=command.response, comments=command.comments,
        at=attribution.stamp(command.evidence),
    )


__all__ = [
    "CompleteRapidReview",
    "DecideReview",
    "InformPartners",
    "NotifyIncident",
    "RecordPanelResponse",
    "SignDecision",
    "StartRapidReview",
]
