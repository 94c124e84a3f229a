"""Raising a challenge and everything that can happen to it afterwards."""

from __future__ import annotations

import secrets
from datetime import date
from typing import Annotated, Any

from pydantic import Field

from commands.acts.base import Command, Slug, acting_person, authorise_command, record
from ledger.application import ScrutinyLedger
from ledger.domain.authorisation import Act, acting_organisations
from ledger.domain.base import Tier
from ledger.domain.challenges import (
    CASE_REF_PATTERN,
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
    """Put a challenge to one or more partners, with a response due date."""

    challenge_id: str | None = Field(default=None, pattern=CHALLENGE_ID_PATTERN)
    to_partners: tuple[Slug, ...] = Field(min_length=1, max_length=50)
    subject: str = Field(min_length=1, max_length=2000)
    tier: Tier
    respond_within_working_days: int = Field(
        default=DEFAULT_RESPONSE_DAYS, ge=1, le=MAX_WORKING_DAYS
    )
    case_ref: str | None = Field(default=None, pattern=CASE_REF_PATTERN)


class RespondToChallenge(Command):
    """Record a challenged organisation's response.

    ``organisation_id`` may be left out when the responder acts for exactly
    one of the challenged organisations.
    """

    challenge_id: ChallengeKey
    organisation_id: Slug | None = None
    response: str = Field(min_length=1, max_length=5000)


class EscalateChallenge(Command):
    """Take a challenge to the Executive or to disagreement resolution."""

    challenge_id: ChallengeKey
    to: EscalationLevel
    reason: str = Field(min_length=1, max_length=2000)


class ResolveChallenge(Command):
    """Settle a challenge with its outcome and the actions agreed."""

    challenge_id: ChallengeKey
    outcome: Outcome
    agreed_actions: tuple[str, ...] = Field(default=(), max_length=50)


class WithdrawChallenge(Command):
    """Withdraw a challenge (only the person who raised it)."""

    challenge_id: ChallengeKey
    reason: str = Field(min_length=1, max_length=2000)


def new_challenge_id(on: date) -> str:
    """``CH-<year>-<6 hex digits>``."""
    return f"CH-{on.year}-{secrets.token_hex(3)}"


def raise_challenge(command: RaiseChallenge, ledger: ScrutinyLedger) -> dict[str, Any]:
    attribution = authorise_command(ledger, Act.RAISE_CHALLENGE, command)
    partners = [ledger.load(Organisation, key) for key in command.to_partners]
    key = command.challenge_id
    if key is None:
        key = new_challenge_id(command.occurred_on)
        while ledger.exists(Challenge, key):
            key = new_challenge_id(command.occurred_on)
    challenge = ledger.load(Challenge, key) if ledger.exists(Challenge, key) else Challenge.new(key)
    event = challenge.raise_challenge(
        raised_by=command.actor,
        partners=partners,
        subject=command.subject,
        tier=command.tier,
        respond_within_working_days=command.respond_within_working_days,
        case_ref=command.case_ref,
        evidence=command.evidence,
        **attribution.event_fields(),
    )
    return record(ledger, challenge, event)


def respond_to_challenge(command: RespondToChallenge, ledger: ScrutinyLedger) -> dict[str, Any]:
    challenge = ledger.load(Challenge, command.challenge_id)
    organisation_id = command.organisation_id
    if organisation_id is None:
        organisation_id = _responding_organisation(command, ledger, challenge)
    attribution = authorise_command(
        ledger, Act.RESPOND_TO_CHALLENGE, command, for_organisations={organisation_id}
    )
    event = challenge.respond(
        organisation_id, command.response, evidence=command.evidence, **attribution.event_fields()
    )
    return record(ledger, challenge, event)


def _responding_organisation(
    command: RespondToChallenge, ledger: ScrutinyLedger, challenge: Challenge
) -> str:
    person = acting_person(ledger, command.actor)
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
    authorise_command(
        ledger,
        Act.RESPOND_TO_CHALLENGE,
        command,
        for_organisations=set(challenge.to_partners),
    )
    raise AssertionError("unreachable: authorisation must have refused")  # pragma: no cover


def escalate_challenge(command: EscalateChallenge, ledger: ScrutinyLedger) -> dict[str, Any]:
    challenge = ledger.load(Challenge, command.challenge_id)
    attribution = authorise_command(ledger, Act.ESCALATE_CHALLENGE, command)
    event = challenge.escalate(
        command.to, command.reason, evidence=command.evidence, **attribution.event_fields()
    )
    return record(ledger, challenge, event)


def resolve_challenge(command: ResolveChallenge, ledger: ScrutinyLedger) -> dict[str, Any]:
    challenge = ledger.load(Challenge, command.challenge_id)
    attribution = authorise_command(ledger, Act.RESOLVE_CHALLENGE, command)
    event = challenge.resolve(
        command.outcome,
        command.agreed_actions,
        evidence=command.evidence,
        **attribution.event_fields(),
    )
    return record(ledger, challenge, event)


def withdraw_challenge(command: WithdrawChallenge, ledger: ScrutinyLedger) -> dict[str, Any]:
    challenge = ledger.load(Challenge, command.challenge_id)
    attribution = authorise_command(
        ledger, Act.WITHDRAW_CHALLENGE, command, raised_by=challenge.raised_by
    )
    event = challenge.withdraw(
        command.reason, evidence=command.evidence, **attribution.event_fields()
    )
    return record(ledger, challenge, event)
