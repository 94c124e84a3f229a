"""Regional scrutiny: terms of reference with regional partners.

Regional partners (Bristol, North Somerset, South Gloucestershire, Bath and
North East Somerset) may scrutinise Somerset under contractual terms of
reference. Stream ids are ``tor:<id>``.

Events::

    TermsOfReferenceAgreed   parties (regional partners), scope (activity kinds),
                             contract_ref, summary, until (optional last day)

Terms are in force from their agreement date up to and including ``until``.
Regional scrutiny activity (``ledger.domain.activities``) must fall under
terms in force on its date, be of a kind in their scope and be carried out
for one of their parties.

Guards: at least one party, each a regional partner that exists on the date
and is named once; a scope of at least one activity kind; ``until`` after the
agreement date; an id is agreed once.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from pydantic import Field, field_validator

from ledger.domain.acting import (
    SLUG,
    DatedAggregate,
    Stamp,
    check_each_once,
    check_existed,
    check_key,
    clean_text,
)
from ledger.domain.base import Aggregate, DomainEvent
from ledger.domain.kinds import ActivityKind
from ledger.domain.organisations import Organisation, OrganisationKind, parse_choice


class TermsOfReferenceAgreed(DomainEvent):
    """Terms under which regional partners scrutinise the partnership."""

    parties: tuple[str, ...] = Field(min_length=1, max_length=20)
    scope: tuple[ActivityKind, ...] = Field(min_length=1, max_length=20)
    contract_ref: str = Field(min_length=1, max_length=200)
    summary: str = Field(min_length=1, max_length=2000)
    until: date | None = None

    strip_summary = field_validator("summary", "contract_ref")(clean_text)

    @field_validator("parties")
    @classmethod
    def _parties_are_ids(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for party in value:
            if not re.fullmatch(SLUG, party):
                raise ValueError(f"{party!r} is not an organisation id")
        return value

    @classmethod
    def creates(cls) -> type[Aggregate]:
        return TermsOfReference


class TermsOfReference(DatedAggregate):
    """One set of terms of reference for regional scrutiny."""

    stream_prefix = "tor"
    noun = "terms of reference"

    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.parties: tuple[str, ...] = ()
        self.scope: tuple[ActivityKind, ...] = ()
        self.until: date | None = None
        self.contract_ref = ""

    @classmethod
    def new(cls, key: str) -> TermsOfReference:
        return cls(cls.stream_id_for(check_key(key, "terms of reference")))

    def agree(
        self,
        *,
        parties: Sequence[Organisation],
        scope: Sequence[ActivityKind | str],
        contract_ref: str,
        summary: str,
        until: date | None,
        at: Stamp,
    ) -> TermsOfReferenceAgreed:
        kinds = tuple(parse_choice(ActivityKind, kind, "activity kind") for kind in scope)
        self.check_new()
        if not parties:
            self.refuse("terms of reference need at least one regional partner")
        check_each_once([p.key for p in parties], "party")
        for party in parties:
            check_existed(party, at.occurred_on)
            if party.kind is not OrganisationKind.REGIONAL_PARTNER:
                self.refuse(f"{party.key} is not a regional partner")
        if not kinds:
            self.refuse("terms of reference cover at least one kind of activity")
        check_each_once([k.value for k in kinds], "activity kind")
        if until is not None and until <= at.occurred_on:
            self.refuse("terms of reference must run beyond the day they are agreed")
        return self.record(
            TermsOfReferenceAgreed,
            at,
            parties=tuple(p.key for p in parties),
            scope=kinds,
            contract_ref=contract_ref,
            summary=summary,
            until=until,
        )

    def in_force_on(self, day: date) -> bool:
        return (
            self.opened_on is not None
            and self.opened_on <= day
            and (self.until is None or day <= self.until)
        )

    def apply(self, event: DomainEvent) -> None:
        if isinstance(event, TermsOfReferenceAgreed):
            self.parties = event.parties
            self.scope = event.scope
            self.until = event.until
            self.contract_ref = event.contract_ref
        else:
            super().apply(event)
        self.note_act(event)
