"""Audits and reviews of practice: the partnership's local scrutiny framework.

Stream ids are ``audit:<id>`` (such as ``S11-2019``). Kinds: Section 11
audits (with multi-agency peer challenge), Section 157/175 audits of
education providers, multi-agency audits, thematic reviews, learning reviews
and peer reviews.

Events::

    AuditPlanned            kind, title, agencies
    AgencyReturnSubmitted   organisation_id, self_ratings {standard: green|amber|red}
    PeerChallengeHeld       organisation_id, challengers, notes          (tier 3)
    RatingModerated         organisation_id, standard, self_rating, moderated_rating, reason
    AuditFindingRecorded    finding_id, text, organisation_id
    AuditActionAgreed       action_id, text, owner_id, due_on
    AuditActionClosed       action_id, outcome
    AuditCompleted          summary

Guards (``RefusedError``, nothing recorded): an id is planned once; the
agencies exist on the date, each named once, and a Section 157/175 audit
covers relevant agencies (education providers) only; returns come from the
audit's agencies, once each; peer challenge and moderation follow that
agency's return, and a standard is moderated once; ids of findings and
actions are used once; only an open action is closed; nothing but closing
actions happens after completion, which needs at least one finding; acts
are dated in order; every organisation named exists on the date.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from enum import StrEnum

from pydantic import Field, field_validator

from ledger.domain.acting import (
    KEY_PATTERN,
    SLUG,
    DatedAggregate,
    Stamp,
    check_each_once,
    check_existed,
    check_key,
    clean_text,
)
from ledger.domain.base import Aggregate, DomainEvent, Tier
from ledger.domain.organisations import Organisation, OrganisationKind, parse_choice

STANDARD_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,49}$"


class AuditKind(StrEnum):
    SECTION_11 = "section_11"
    SECTION_157_175 = "section_157_175"
    MULTI_AGENCY = "multi_agency"
    THEMATIC_REVIEW = "thematic_review"
    LEARNING_REVIEW = "learning_review"
    PEER_REVIEW = "peer_review"


class Rating(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"


class AuditPlanned(DomainEvent):
    personal_fields = ("title",)

    kind: AuditKind
    title: str = Field(min_length=1, max_length=500)
    agencies: tuple[str, ...] = Field(min_length=1, max_length=200)

    strip = field_validator("title")(clean_text)

    @classmethod
    def creates(cls) -> type[Aggregate]:
        return Audit


class AgencyReturnSubmitted(DomainEvent):
    organisation_id: str = Field(pattern=SLUG)
    self_ratings: dict[str, Rating] = Field(min_length=1, max_length=100)

    @field_validator("self_ratings")
    @classmethod
    def _standards(cls, value: dict[str, Rating]) -> dict[str, Rating]:
        for standard in value:
            if not re.fullmatch(STANDARD_PATTERN, standard):
                raise ValueError(f"{standard!r} is not a standard (letters, digits, . _ -)")
        return value


class PeerChallengeHeld(DomainEvent):
    personal_fields = ("notes",)

    organisation_id: str = Field(pattern=SLUG)
    challengers: tuple[str, ...] = Field(min_length=1, max_length=20)
    notes: str = Field(min_length=1, max_length=5000)

    strip = field_validator("notes")(clean_text)


class RatingModerated(DomainEvent):
    personal_fields = ("reason",)

    organisation_id: str = Field(pattern=SLUG)
    standard: str = Field(pattern=STANDARD_PATTERN)
    self_rating: Rating
    moderated_rating: Rating
    reason: str = Field(min_length=1, max_length=2000)

    strip = field_validator("reason")(clean_text)


class AuditFindingRecorded(DomainEvent):
    personal_fields = ("text",)

    finding_id: str = Field(pattern=KEY_PATTERN)
    text: str = Field(min_length=1, max_length=5000)
    organisation_id: str | None = Field(default=None, pattern=SLUG)

    strip = field_validator("text")(clean_text)


class AuditActionAgreed(DomainEvent):
    personal_fields = ("text",)

    action_id: str = Field(pattern=KEY_PATTERN)
    text: str = Field(min_length=1, max_length=2000)
    owner_id: str = Field(pattern=SLUG)
    due_on: date | None = None

    strip = field_validator("text")(clean_text)


class AuditActionClosed(DomainEvent):
    personal_fields = ("outcome",)

    action_id: str = Field(pattern=KEY_PATTERN)
    outcome: str = Field(min_length=1, max_length=2000)

    strip = field_validator("outcome")(clean_text)


class AuditCompleted(DomainEvent):
    personal_fields = ("summary",)

    summary: str = Field(min_length=1, max_length=5000)

    strip = field_validator("summary")(clean_text)


class Audit(DatedAggregate):
    """One audit or review of practice."""

    stream_prefix = "audit"
    noun = "audit"

    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.kind: AuditKind | None = None
        self.title = ""
        self.agencies: tuple[str, ...] = ()
        self.returns: dict[str, dict[str, Rating]] = {}
        self.challenged: tuple[str, ...] = ()
        self.moderated: dict[str, dict[str, Rating]] = {}
        self.findings: tuple[str, ...] = ()
        self.open_actions: tuple[str, ...] = ()
        self.closed_actions: tuple[str, ...] = ()
        self.closed_on: date | None = None

    @property
    def status(self) -> str:
        return "completed" if self.closed_on is not None else "open"

    @classmethod
    def new(cls, key: str) -> Audit:
        return cls(cls.stream_id_for(check_key(key, "audit")))

    def plan(
        self, *, kind: AuditKind | str, title: str, agencies: Sequence[Organisation], at: Stamp
    ) -> AuditPlanned:
        chosen = parse_choice(AuditKind, kind, "audit kind")
        self.check_new()
        if not agencies:
            self.refuse("an audit covers at least one agency")
        check_each_once([a.key for a in agencies], "agency")
        for agency in agencies:
            check_existed(agency, at.occurred_on)
            if (
                chosen is AuditKind.SECTION_157_175
                and agency.kind is not OrganisationKind.RELEVANT_AGENCY
            ):
                self.refuse(
                    f"a Section 157/175 audit covers education providers (relevant agencies); "
                    f"{agency.key} is not one"
                )
        return self.record(
            AuditPlanned, at, kind=chosen, title=title, agencies=tuple(a.key for a in agencies)
        )

    def submit_return(
        self, *, agency: Organisation, self_ratings: Mapping[str, Rating | str], at: Stamp
    ) -> AgencyReturnSubmitted:
        ratings = {k: parse_choice(Rating, v, "rating") for k, v in self_ratings.items()}
        self._check_running("take a return for", at)
        self._check_agency(agency, at)
        if agency.key in self.returns:
            self.refuse(f"{agency.key} has already submitted its return to {self.key}")
        if not ratings:
            self.refuse("a return rates at least one standard")
        return self.record(
            AgencyReturnSubmitted, at, organisation_id=agency.key, self_ratings=ratings
        )

    def hold_peer_challenge(
        self,
        *,
        agency: Organisation,
        challengers: Sequence[Organisation],
        notes: str,
        at: Stamp,
    ) -> PeerChallengeHeld:
        self._check_running("hold peer challenge in", at)
        self._check_returned(agency, at)
        if not challengers:
            self.refuse("peer challenge needs at least one challenging agency")
        check_each_once([c.key for c in challengers], "challenger")
        for challenger in challengers:
            check_existed(challenger, at.occurred_on)
            if challenger.key == agency.key:
                self.refuse(f"{agency.key} cannot peer-challenge its own return")
        return self.record(
            PeerChallengeHeld,
            at,
            tier=Tier.DELIVERY,
            organisation_id=agency.key,
            challengers=tuple(c.key for c in challengers),
            notes=notes,
        )

    def moderate_rating(
        self,
        *,
        agency: Organisation,
        standard: str,
        rating: Rating | str,
        reason: str,
        at: Stamp,
    ) -> RatingModerated:
        chosen = parse_choice(Rating, rating, "rating")
        self._check_running("moderate a rating in", at)
        self._check_returned(agency, at)
        ratings = self.returns[agency.key]
        if standard not in ratings:
            self.refuse(
                f"{agency.key} did not rate standard {standard!r} "
                f"(it rated {', '.join(sorted(ratings))})"
            )
        if standard in self.moderated.get(agency.key, {}):
            self.refuse(f"{agency.key}'s rating of {standard!r} is already moderated")
        return self.record(
            RatingModerated,
            at,
            organisation_id=agency.key,
            standard=standard,
            self_rating=ratings[standard],
            moderated_rating=chosen,
            reason=reason,
        )

    def record_finding(
        self, *, finding_id: str, text: str, agency: Organisation | None, at: Stamp
    ) -> AuditFindingRecorded:
        self._check_running("record a finding of", at)
        if finding_id in self.findings:
            self.refuse(f"finding {finding_id} of {self.key} already exists")
        if agency is not None:
            self._check_agency(agency, at)
        return self.record(
            AuditFindingRecorded,
            at,
            finding_id=finding_id,
            text=text,
            organisation_id=None if agency is None else agency.key,
        )

    def agree_action(
        self,
        *,
        action_id: str,
        text: str,
        owner: Organisation,
        due_on: date | None,
        at: Stamp,
    ) -> AuditActionAgreed:
        self._check_running("agree an action of", at)
        if action_id in self.open_actions + self.closed_actions:
            self.refuse(f"action {action_id} of {self.key} already exists")
        check_existed(owner, at.occurred_on)
        if due_on is not None and due_on < at.occurred_on:
            self.refuse("an action cannot be due before it is agreed")
        return self.record(
            AuditActionAgreed, at, action_id=action_id, text=text, owner_id=owner.key,
            due_on=due_on,
        )

    def close_action(self, *, action_id: str, outcome: str, at: Stamp) -> AuditActionClosed:
        self.check_open("close an action of", at.occurred_on)
        if action_id not in self.open_actions:
            state = "already closed" if action_id in self.closed_actions else "not agreed"
            self.refuse(f"action {action_id} of {self.key} is {state}")
        return self.record(AuditActionClosed, at, action_id=action_id, outcome=outcome)

    def complete(self, *, summary: str, at: Stamp) -> AuditCompleted:
        self._check_running("complete", at)
        if not self.findings:
            self.refuse(f"{self.key} has no findings yet; record them before completing it")
        return self.record(AuditCompleted, at, summary=summary)

    def _check_running(self, verb: str, at: Stamp) -> None:
        self.check_open(verb, at.occurred_on)
        if self.closed_on is not None:
            self.refuse(f"cannot {verb} {self.key}: it was completed on "
                        f"{self.closed_on.isoformat()}")

    def _check_agency(self, agency: Organisation, at: Stamp) -> None:
        if agency.key not in self.agencies:
            self.refuse(f"{agency.key} is not one of the agencies of {self.key}")
        check_existed(agency, at.occurred_on)

    def _check_returned(self, agency: Organisation, at: Stamp) -> None:
        self._check_agency(agency, at)
        if agency.key not in self.returns:
            self.refuse(f"{agency.key} has not submitted its return to {self.key}")

    def apply(self, event: DomainEvent) -> None:
        if isinstance(event, AuditPlanned):
            self.kind = event.kind
            self.title = event.title
            self.agencies = event.agencies
        elif isinstance(event, AgencyReturnSubmitted):
            self.returns = {**self.returns, event.organisation_id: dict(event.self_ratings)}
        elif isinstance(event, PeerChallengeHeld):
            self.challenged = (*self.challenged, event.organisation_id)
        elif isinstance(event, RatingModerated):
            moderated = dict(self.moderated.get(event.organisation_id, {}))
            moderated[event.standard] = event.moderated_rating
            self.moderated = {**self.moderated, event.organisation_id: moderated}
        elif isinstance(event, AuditFindingRecorded):
            self.findings = (*self.findings, event.finding_id)
        elif isinstance(event, AuditActionAgreed):
            self.open_actions = (*self.open_actions, event.action_id)
        elif isinstance(event, AuditActionClosed):
            self.open_actions = tuple(a for a in self.open_actions if a != event.action_id)
            self.closed_actions = (*self.closed_actions, event.action_id)
        elif isinstance(event, AuditCompleted):
            self.closed_on = event.occurred_on
        else:
            super().apply(event)
        self.note_act(event)
