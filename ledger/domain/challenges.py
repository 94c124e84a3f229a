"""Challenges: a scrutineer or the chair challenges one or more partners.

Stream ids are ``challenge:<id>`` (ids such as ``CH-2019-3fa2c1``).

Events (each carries the challenge's tier)::

    ChallengeRaised     raised_by, to_partners, subject, tier, case_ref,
                        respond_within_working_days, response_due, due_rule,
                        due_edition
    ChallengeResponded  organisation_id, response
    ChallengeEscalated  to (executive | disagreement_resolution), reason
    ChallengeResolved   outcome (accepted | partly_accepted | not_accepted),
                        agreed_actions
    ChallengeWithdrawn  reason

The response is due ``respond_within_working_days`` working days (England and
Wales, see ``ledger.calendar``) after the raising date; the rule is local
policy (``challenge-response``, edition ``SSCP`` of ``ledger.rules``), so the
event records the number of days, the rule and its edition.

A challenge to the threshold for a review names its case (``case_ref``, the
case id): the case must have been notified by the raising date.

The lifecycle::

    open ──respond──> responded ──escalate──> escalated ──resolve──> resolved
      │                  │  └─────────resolve──────────────────────────^
      ├──escalate (executive only)──> escalated
      └── withdraw (from open, responded or escalated) ──> withdrawn

Rules, each a guard that raises ``RefusedError`` naming it and records nothing:

* nothing can be done to a resolved or withdrawn challenge;
* a challenge goes to at least one partner, each named once, each existing
  on the raising date; only a challenged organisation can respond;
* a linked case had been notified by the raising date;
* each challenged organisation responds at most once per stage, a stage
  being the time before the first escalation and after each escalation (so
  a partner may answer again once the challenge has been escalated);
* escalation only goes up, one level at a time or straight to the top:
  to the Executive from open or responded; to the disagreement-resolution
  process only once a partner has responded or the Executive has had it
  (a challenge nobody has answered goes to the Executive first), and never
  twice to the same level;
* a challenge is resolved only after a response or an escalation;
* acts on one challenge are dated in order: none before the raising date,
  none before the previous act's date, so the history read "as of" any date
  is the state the guards saw.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from pydantic import Field, field_validator

from ledger.domain.base import Aggregate, DomainEvent, EvidenceRef, Tier
from ledger.domain.organisations import Organisation, parse_choice
from ledger.errors import InvalidInputError
from ledger.rules import deadline

CHALLENGE_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9-]{1,62}$"
_CHALLENGE_ID = re.compile(CHALLENGE_ID_PATTERN)
CASE_REF_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9 ./_-]{0,79}$"
SLUG = r"^[a-z0-9][a-z0-9-]{1,62}$"
DUE_RULE = "challenge-response"
MAX_WORKING_DAYS = 260


class ChallengeStatus(StrEnum):
    OPEN = "open"
    RESPONDED = "responded"
    ESCALATED = "escalated"
    RESOLVED = "resolved"
    WITHDRAWN = "withdrawn"

    @property
    def closed(self) -> bool:
        return self in (ChallengeStatus.RESOLVED, ChallengeStatus.WITHDRAWN)


class EscalationLevel(StrEnum):
    """Where a challenge goes when a response does not settle it, lowest first."""

    EXECUTIVE = "executive"
    DISAGREEMENT_RESOLUTION = "disagreement_resolution"

    @property
    def rank(self) -> int:
        return list(EscalationLevel).index(self)


class Outcome(StrEnum):
    ACCEPTED = "accepted"
    PARTLY_ACCEPTED = "partly_accepted"
    NOT_ACCEPTED = "not_accepted"


def _stripped(value: str) -> str:
    if not value.strip():
        raise ValueError("cannot be blank")
    return value.strip()


class ChallengeRaised(DomainEvent):
    """A challenge was put to one or more partners, with a response due date."""

    personal_fields = ("subject",)

    raised_by: str = Field(pattern=SLUG)
    to_partners: tuple[str, ...] = Field(min_length=1, max_length=50)
    subject: str = Field(min_length=1, max_length=2000)
    tier: Tier
    respond_within_working_days: int = Field(ge=1, le=MAX_WORKING_DAYS)
    response_due: date
    due_rule: str = Field(default=DUE_RULE, min_length=1, max_length=100)
    due_edition: str | None = Field(default=None, min_length=1, max_length=20)
    case_ref: str | None = Field(default=None, pattern=CASE_REF_PATTERN)

    strip_subject = field_validator("subject")(_stripped)

    @field_validator("to_partners")
    @classmethod
    def _partners_are_ids(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for partner in value:
            if not re.fullmatch(SLUG, partner):
                raise ValueError(f"{partner!r} is not an organisation id")
        return value

    @classmethod
    def creates(cls) -> type[Aggregate]:
        return Challenge


class ChallengeResponded(DomainEvent):
    """A challenged organisation answered the challenge."""

    personal_fields = ("response",)

    organisation_id: str = Field(pattern=SLUG)
    response: str = Field(min_length=1, max_length=5000)

    strip_response = field_validator("response")(_stripped)


class ChallengeEscalated(DomainEvent):
    """The challenge was taken to the Executive or to disagreement resolution."""

    personal_fields = ("reason",)

    to: EscalationLevel
    reason: str = Field(min_length=1, max_length=2000)

    strip_reason = field_validator("reason")(_stripped)


class ChallengeResolved(DomainEvent):
    """The challenge was settled, with the outcome and any actions agreed."""

    personal_fields = ("agreed_actions",)

    outcome: Outcome
    agreed_actions: tuple[str, ...] = Field(default=(), max_length=50)

    @field_validator("agreed_actions")
    @classmethod
    def _actions_are_short_text(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        actions = tuple(action.strip() for action in value)
        if any(not action or len(action) > 500 for action in actions):
            raise ValueError("each agreed action must be 1 to 500 characters")
        return actions


class ChallengeWithdrawn(DomainEvent):
    """The person who raised the challenge withdrew it."""

    personal_fields = ("reason",)

    reason: str = Field(min_length=1, max_length=2000)

    strip_reason = field_validator("reason")(_stripped)


@dataclass(frozen=True)
class Response:
    organisation_id: str
    on: date
    stage: int


@dataclass(frozen=True)
class Escalation:
    to: EscalationLevel
    on: date


def check_challenge_id(value: str) -> str:
    if not isinstance(value, str) or not _CHALLENGE_ID.fullmatch(value):
        raise InvalidInputError(
            f"challenge id {value!r} must be 2-63 letters, digits or hyphens, "
            "starting with a letter or digit"
        )
    return value


class Challenge(Aggregate):
    """One challenge and everything that happened to it."""

    stream_prefix = "challenge"

    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.status = ChallengeStatus.OPEN
        self.raised_by = ""
        self.raised_in_role = ""
        self.raised_on: date | None = None
        self.to_partners: tuple[str, ...] = ()
        self.subject = ""
        self.tier: Tier | None = None
        self.case_ref: str | None = None
        self.respond_within_working_days = 0
        self.response_due: date | None = None
        self.responses: list[Response] = []
        self.escalations: list[Escalation] = []
        self.outcome: Outcome | None = None
        self.agreed_actions: tuple[str, ...] = ()
        self.closed_on: date | None = None
        self.last_act_on: date | None = None

    # -- commands -----------------------------------------------------------------

    @classmethod
    def new(cls, key: str) -> Challenge:
        """A blank challenge with a valid id, ready to be raised."""
        return cls(cls.stream_id_for(check_challenge_id(key)))

    def raise_challenge(
        self,
        *,
        raised_by: str,
        partners: Sequence[Organisation],
        subject: str,
        tier: Tier | int,
        respond_within_working_days: int,
        case_ref: str | None = None,
        case_notified_on: date | None = None,
        actor_id: str,
        actor_role: str,
        occurred_on: date,
        evidence: tuple[EvidenceRef, ...] = (),
    ) -> ChallengeRaised:
        """Raise the challenge; ``case_notified_on`` is when ``case_ref`` was notified."""
        tier = parse_choice(Tier, tier, "tier")
        if isinstance(respond_within_working_days, bool) or not (
            isinstance(respond_within_working_days, int)
            and 1 <= respond_within_working_days <= MAX_WORKING_DAYS
        ):
            raise InvalidInputError(
                f"respond within must be 1 to {MAX_WORKING_DAYS} working days, "
                f"not {respond_within_working_days!r}"
            )
        if self.raised_on is not None:
            self.refuse(
                f"challenge {self.key} was already raised on {self.raised_on.isoformat()}; "
                "choose another id"
            )
        if not partners:
            self.refuse("a challenge must be put to at least one partner")
        ids = [partner.key for partner in partners]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            self.refuse(f"each partner is challenged once; repeated: {', '.join(repeated)}")
        for partner in partners:
            absence = partner.absence_on(occurred_on)
            if absence is not None:
                self.refuse(absence)
        if case_ref is not None and (case_notified_on is None or case_notified_on > occurred_on):
            self.refuse(f"case {case_ref} had not been notified by {occurred_on.isoformat()}")
        due = deadline(DUE_RULE, occurred_on, limit=respond_within_working_days)
        return self.trigger(
            ChallengeRaised,
            raised_by=raised_by,
            to_partners=tuple(ids),
            subject=subject,
            tier=tier,
            respond_within_working_days=respond_within_working_days,
            response_due=due.due,
            due_rule=due.rule_id,
            due_edition=due.edition,
            case_ref=case_ref,
            actor_id=actor_id,
            actor_role=actor_role,
            occurred_on=occurred_on,
            evidence=evidence,
        )

    def respond(
        self,
        organisation_id: str,
        response: str,
        *,
        actor_id: str,
        actor_role: str,
        occurred_on: date,
        evidence: tuple[EvidenceRef, ...] = (),
    ) -> ChallengeResponded:
        self._check_can_act("respond to", occurred_on)
        if organisation_id not in self.to_partners:
            self.refuse(
                f"only a challenged organisation can respond: {organisation_id} is not one of "
                f"{', '.join(self.to_partners)}"
            )
        stage = self.stage
        if any(r.organisation_id == organisation_id and r.stage == stage for r in self.responses):
            self.refuse(
                f"{organisation_id} has already responded to {self.key} at this stage; "
                "a partner responds once before escalation and once after each escalation"
            )
        return self.trigger(
            ChallengeResponded,
            organisation_id=organisation_id,
            response=response,
            tier=self.tier,
            actor_id=actor_id,
            actor_role=actor_role,
            occurred_on=occurred_on,
            evidence=evidence,
        )

    def escalate(
        self,
        to: EscalationLevel | str,
        reason: str,
        *,
        actor_id: str,
        actor_role: str,
        occurred_on: date,
        evidence: tuple[EvidenceRef, ...] = (),
    ) -> ChallengeEscalated:
        level = parse_choice(EscalationLevel, to, "escalation")
        self._check_can_act("escalate", occurred_on)
        current = self.escalation_level
        if current is not None and level.rank <= current.rank:
            self.refuse(
                f"escalation only goes up: {self.key} is already escalated to {current.value}"
            )
        if (
            level is EscalationLevel.DISAGREEMENT_RESOLUTION
            and not self.responses
            and current is None
        ):
            self.refuse(
                "a challenge goes to disagreement resolution only after a partner has "
                "responded or the Executive has considered it; escalate to executive first"
            )
        return self.trigger(
            ChallengeEscalated,
            to=level,
            reason=reason,
            tier=self.tier,
            actor_id=actor_id,
            actor_role=actor_role,
            occurred_on=occurred_on,
            evidence=evidence,
        )

    def resolve(
        self,
        outcome: Outcome | str,
        agreed_actions: Sequence[str] = (),
        *,
        actor_id: str,
        actor_role: str,
        occurred_on: date,
        evidence: tuple[EvidenceRef, ...] = (),
    ) -> ChallengeResolved:
        outcome = parse_choice(Outcome, outcome, "outcome")
        self._check_can_act("resolve", occurred_on)
        if self.status is ChallengeStatus.OPEN:
            self.refuse(
                f"{self.key} cannot be resolved before a partner has responded "
                "or it has been escalated"
            )
        return self.trigger(
            ChallengeResolved,
            outcome=outcome,
            agreed_actions=tuple(agreed_actions),
            tier=self.tier,
            actor_id=actor_id,
            actor_role=actor_role,
            occurred_on=occurred_on,
            evidence=evidence,
        )

    def withdraw(
        self,
        reason: str,
        *,
        actor_id: str,
        actor_role: str,
        occurred_on: date,
        evidence: tuple[EvidenceRef, ...] = (),
    ) -> ChallengeWithdrawn:
        self._check_can_act("withdraw", occurred_on)
        return self.trigger(
            ChallengeWithdrawn,
            reason=reason,
            tier=self.tier,
            actor_id=actor_id,
            actor_role=actor_role,
            occurred_on=occurred_on,
            evidence=evidence,
        )

    def _check_can_act(self, verb: str, occurred_on: date) -> None:
        if self.raised_on is None:
            self.refuse(f"challenge {self.key} has not been raised")
        if self.status.closed:
            self.refuse(
                f"cannot {verb} {self.key}: it was {self.status.value} "
                f"on {self.closed_on.isoformat() if self.closed_on else 'an earlier date'}"
            )
        assert self.raised_on is not None and self.last_act_on is not None
        if occurred_on < self.raised_on:
            self.refuse(
                f"cannot {verb} {self.key} on {occurred_on.isoformat()}: "
                f"that is before it was raised on {self.raised_on.isoformat()}"
            )
        if occurred_on < self.last_act_on:
            self.refuse(
                f"cannot {verb} {self.key} on {occurred_on.isoformat()}: acts on a challenge "
                f"are dated in order and its last act was on {self.last_act_on.isoformat()}"
            )

    # -- queries ------------------------------------------------------------------

    @property
    def stage(self) -> int:
        """0 before any escalation, then the number of escalations so far."""
        return len(self.escalations)

    @property
    def escalation_level(self) -> EscalationLevel | None:
        return self.escalations[-1].to if self.escalations else None

    def awaiting(self) -> tuple[str, ...]:
        """Challenged organisations that have not responded at all yet."""
        answered = {r.organisation_id for r in self.responses}
        return tuple(p for p in self.to_partners if p not in answered)

    def is_overdue(self, on: date) -> bool:
        """Still open to a partner who has not responded, after the due date."""
        return (
            not self.status.closed
            and self.response_due is not None
            and on > self.response_due
            and bool(self.awaiting())
        )

    # -- state --------------------------------------------------------------------

    def apply(self, event: DomainEvent) -> None:
        if isinstance(event, ChallengeRaised):
            self.raised_by = event.raised_by
            self.raised_in_role = event.actor_role
            self.raised_on = event.occurred_on
            self.to_partners = event.to_partners
            self.subject = event.subject
            self.tier = event.tier
            self.case_ref = event.case_ref
            self.respond_within_working_days = event.respond_within_working_days
            self.response_due = event.response_due
        elif isinstance(event, ChallengeResponded):
            self.responses.append(Response(event.organisation_id, event.occurred_on, self.stage))
            if self.status is ChallengeStatus.OPEN:
                self.status = ChallengeStatus.RESPONDED
        elif isinstance(event, ChallengeEscalated):
            self.escalations.append(Escalation(event.to, event.occurred_on))
            self.status = ChallengeStatus.ESCALATED
        elif isinstance(event, ChallengeResolved):
            self.status = ChallengeStatus.RESOLVED
            self.outcome = event.outcome
            self.agreed_actions = event.agreed_actions
            self.closed_on = event.occurred_on
        elif isinstance(event, ChallengeWithdrawn):
            self.status = ChallengeStatus.WITHDRAWN
            self.closed_on = event.occurred_on
        else:
            super().apply(event)
            return
        self.last_act_on = event.occurred_on
