"""Raising a challenge and everything that can happen to it afterwards."""

from __future__ import annotations

import secrets
from datetime import date
from typing import Annotated

from pydantic import Field

from commands.acts.base import Command, Key, Slug, UnitOfWork, authorise_command, handler
from ledger.domain.acting import check_existed
from ledger.domain.authorisation import Act, acting_organisations
from ledger.domain.base import DomainEvent, Tier
from ledger.domain.cases import Case
from ledger.domain.challenges import (
    CHALLENGE_ID_PATTERN,
    MAX_WORKING_DAYS,
    Challenge,
    EscalationLevel,
    Outcome,
)
from ledger.domain.organisations import Organisation
from ledger.errors import InvalidInputError

DEFAULT_RESPONSE_DAYS = 10

ChallengeKey = Annotated[str, Field(pattern=CHALLENGE_ID_PATTERN)]


class RaiseChallenge(Command):
    """Put a challenge to one or more partners, with a response due date.

    ``case_ref`` names the case (its id) of a challenge to the threshold for
    a review; the case must exist and have been notified by the date.
    """

    act = Act.RAISE_CHALLENGE

    challenge_id: str | None = Field(default=None, pattern=CHALLENGE_ID_PATTERN)
    to_partners: tuple[Slug, ...] = Field(min_length=1, max_length=50)
    subject: str = Field(min_length=1, max_length=2000)
    tier: Tier
    respond_within_working_days: int = Field(
        default=DEFAULT_RESPONSE_DAYS, ge=1, le=MAX_WORKING_DAYS
    )
    case_ref: Key | None = None


class RespondToChallenge(Command):
    """Record a challenged organisation's response.

    ``organisation_id`` may be left out when the responder acts for exactly
    one of the challenged organisations.
    """

    act = Act.RESPOND_TO_CHALLENGE

    challenge_id: ChallengeKey
    organisation_id: Slug | None = None
    response: str = Field(min_length=1, max_length=5000)


class EscalateChallenge(Command):
    """Take a challenge to the Executive or to disagreement resolution."""

    act = Act.ESCALATE_CHALLENGE

    challenge_id: ChallengeKey
    to: EscalationLevel
    reason: str = Field(min_length=1, max_length=2000)


class ResolveChallenge(Command):
    """Settle a challenge with its outcome and the actions agreed."""

    act = Act.RESOLVE_CHALLENGE

    challenge_id: ChallengeKey
    outcome: Outcome
    agreed_actions: tuple[str, ...] = Field(default=(), max_length=50)


class WithdrawChallenge(Command):
    """Withdraw a challenge (only the person who raised it)."""

    act = Act.WITHDRAW_CHALLENGE

    challenge_id: ChallengeKey
    reason: str = Field(min_length=1, max_length=2000)


def new_challenge_id(on: date) -> str:
    """``CH-<year>-<6 hex digits>``."""
    return f"CH-{on.year}-{secrets.token_hex(3)}"


@handler(RaiseChallenge)
def raise_challenge(command: RaiseChallenge, uow: UnitOfWork) -> DomainEvent:
    attribution = authorise_command(uow, command)
    partners = uow.organisations(command.to_partners)
    case = None if command.case_ref is None else uow.get(Case, command.case_ref)
    key = command.challenge_id
    if key is None:
        key = new_challenge_id(command.occurred_on)
        while uow.find(Challenge, key) is not None:
            key = new_challenge_id(command.occurred_on)
    challenge = uow.find_or_new(Challenge, key, Challenge.new)
    return challenge.raise_challenge(
        raised_by=command.actor,
        partners=partners,
        subject=command.subject,
        tier=command.tier,
        respond_within_working_days=command.respond_within_working_days,
        case_ref=command.case_ref,
        case_notified_on=None if case is None else case.opened_on,
        evidence=command.evidence,
        **attribution.event_fields(),
    )


@handler(RespondToChallenge)
def respond_to_challenge(command: RespondToChallenge, uow: UnitOfWork) -> DomainEvent:
    challenge = uow.get(Challenge, command.challenge_id)
    organisation_id = command.organisation_id
    if organisation_id is None:
        organisation_id = _responding_organisation(command, uow, challenge)
    attribution = authorise_command(uow, command, for_organisations={organisation_id})
    if organisation_id in challenge.to_partners:
        check_existed(uow.get(Organisation, organisation_id), command.occurred_on)
    return challenge.respond(
        organisation_id, command.response, evidence=command.evidence, **attribution.event_fields()
    )


def _responding_organisation(
    command: RespondToChallenge, uow: UnitOfWork, challenge: Challenge
) -> str:
    person = uow.person(command.actor)
    mine = acting_organisations(person, Act.RESPOND_TO_CHALLENGE, command.occurred_on)
    candidates = sorted(mine & set(challenge.to_partners))
    if len(candidates) == 1:
        return candidates[0]
    if len(candidates) > 1:
        raise InvalidInputError(
            f"{command.actor} acts for several challenged organisations "
            f"({', '.join(candidates)}); say which one responds"
        )
    # No candidate: let authorisation refuse, naming the organisations challenged.
    authorise_command(uow, command, for_organisations=set(challenge.to_partners))
    raise AssertionError("unreachable: authorisation must have refused")  # pragma: no cover


@handler(EscalateChallenge)
def escalate_challenge(command: EscalateChallenge, uow: UnitOfWork) -> DomainEvent:
    challenge = uow.get(Challenge, command.challenge_id)
    attribution = authorise_command(uow, command)
    return challenge.escalate(
        command.to, command.reason, evidence=command.evidence, **attribution.event_fields()
    )


@handler(ResolveChallenge)
def resolve_challenge(command: ResolveChallenge, uow: UnitOfWork) -> DomainEvent:
    challenge = uow.get(Challenge, command.challenge_id)
    attribution = authorise_command(uow, command)
    return challenge.resolve(
        command.outcome,
        command.agreed_actions,
        evidence=command.evidence,
        **attribution.event_fields(),
    )


@handler(WithdrawChallenge)
def withdraw_challenge(command: WithdrawChallenge, uow: UnitOfWork) -> DomainEvent:
    challenge = uow.get(Challenge, command.challenge_id)
    attribution = authorise_command(uow, command, raised_by=challenge.raised_by)
    return challenge.withdraw(
        command.reason, evidence=command.evidence, **attribution.event_fields()
    )
