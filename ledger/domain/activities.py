"""Independent scrutiny activity at each tier, local and regional.

Stream ids are ``activity:<id>`` (ids such as ``ACT-2019-014``). Each
activity is one act: a scrutineer held it at a tier, with findings and
evidence. The kind must be one of the tier's kinds (``ledger.domain.kinds``).

Events::

    ScrutinyActivityHeld          kind, tier, scrutineer_id, title, organisations,
                                  findings, case_id (optional)
    RegionalScrutinyActivityHeld  the same, plus terms_of_reference_id and
                                  regional_partner_id

Guards (``RefusedError``, nothing recorded):

* an id is used once;
* the kind fits the tier (when a tier is given; otherwise the kind's tier);
* every organisation named exists on the date and is named once;
* a linked case had been notified by the date;
* regional activity falls under terms of reference in force on the date,
  of a kind in their scope, for one of their parties (which exists then).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

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
    clean_texts,
)
from ledger.domain.base import Aggregate, DomainEvent, Tier
from ledger.domain.case_record import CaseRecord
from ledger.domain.kinds import TIER_OF, ActivityKind, kinds_at
from ledger.domain.organisations import Organisation, parse_choice
from ledger.domain.regional import TermsOfReference


class ScrutinyActivityHeld(DomainEvent):
    """An independent scrutineer held an activity at a tier, with findings."""

    personal_fields = ("title", "findings")

    kind: ActivityKind
    tier: Tier
    scrutineer_id: str = Field(pattern=SLUG)
    title: str = Field(min_length=1, max_length=500)
    organisations: tuple[str, ...] = Field(default=(), max_length=50)
    findings: tuple[str, ...] = Field(default=(), max_length=50)
    case_id: str | None = Field(default=None, pattern=KEY_PATTERN)

    strip_title = field_validator("title")(clean_text)
    strip_findings = field_validator("findings")(clean_texts)

    @classmethod
    def creates(cls) -> type[Aggregate]:
        return Activity

    def personal_subject(self) -> str:
        """Text about a case is that case's personal data, erased with it."""
        return CaseRecord.stream_id_for(self.case_id) if self.case_id else self.originator_id


class RegionalScrutinyActivityHeld(ScrutinyActivityHeld):
    """A regional scrutineer scrutinised the partnership under terms of reference."""

    terms_of_reference_id: str = Field(pattern=KEY_PATTERN)
    regional_partner_id: str = Field(pattern=SLUG)


class Activity(DatedAggregate):
    """One scrutiny activity."""

    stream_prefix = "activity"
    noun = "activity"

    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.kind: ActivityKind | None = None
        self.tier: Tier | None = None
        self.scrutineer_id = ""
        self.title = ""
        self.organisations: tuple[str, ...] = ()
        self.findings: tuple[str, ...] = ()
        self.case_id: str | None = None
        self.regional = False
        self.terms_of_reference_id: str | None = None

    @classmethod
    def new(cls, key: str) -> Activity:
        return cls(cls.stream_id_for(check_key(key, "activity")))

    def hold(
        self,
        *,
        kind: ActivityKind | str,
        tier: Tier | int | None,
        title: str,
        organisations: Sequence[Organisation],
        findings: Sequence[str],
        case_opened_on: date | None = None,
        case_id: str | None = None,
        at: Stamp,
    ) -> ScrutinyActivityHeld:
        """Record a local scrutineer's activity."""
        chosen_kind, chosen_tier = self._check(kind, tier, organisations, case_id,
                                               case_opened_on, at)
        return self.record(
            ScrutinyActivityHeld,
            at,
            kind=chosen_kind,
            tier=chosen_tier,
            scrutineer_id=at.actor_id,
            title=title,
            organisations=tuple(o.key for o in organisations),
            findings=tuple(findings),
            case_id=case_id,
        )

    def hold_regional(
        self,
        *,
        terms: TermsOfReference,
        regional_partner: Organisation,
        kind: ActivityKind | str,
        tier: Tier | int | None,
        title: str,
        organisations: Sequence[Organisation],
        findings: Sequence[str],
        at: Stamp,
    ) -> RegionalScrutinyActivityHeld:
        """Record regional scrutiny of the partnership under terms of reference."""
        chosen_kind, chosen_tier = self._check(kind, tier, organisations, None, None, at)
        day = at.occurred_on
        if not terms.in_force_on(day):
            until = f" to {terms.until.isoformat()}" if terms.until else ""
            began = terms.opened_on.isoformat() if terms.opened_on else "?"
            self.refuse(
                f"terms of reference {terms.key} were not in force on {day.isoformat()} "
                f"(from {began}{until})"
            )
        if chosen_kind not in terms.scope:
            self.refuse(
                f"{chosen_kind.value} is outside the scope of terms of reference {terms.key} "
                f"({', '.join(k.value for k in terms.scope)})"
            )
        if regional_partner.key not in terms.parties:
            self.refuse(
                f"{regional_partner.key} is not a party to terms of reference {terms.key}"
            )
        check_existed(regional_partner, day)
        return self.record(
            RegionalScrutinyActivityHeld,
            at,
            kind=chosen_kind,
            tier=chosen_tier,
            scrutineer_id=at.actor_id,
            title=title,
            organisations=tuple(o.key for o in organisations),
            findings=tuple(findings),
            terms_of_reference_id=terms.key,
            regional_partner_id=regional_partner.key,
        )

    def _check(
        self,
        kind: ActivityKind | str,
        tier: Tier | int | None,
        organisations: Sequence[Organisation],
        case_id: str | None,
        case_opened_on: date | None,
        at: Stamp,
    ) -> tuple[ActivityKind, Tier]:
        chosen_kind = parse_choice(ActivityKind, kind, "activity kind")
        chosen_tier = TIER_OF[chosen_kind] if tier is None else parse_choice(Tier, tier, "tier")
        self.check_new()
        if TIER_OF[chosen_kind] is not chosen_tier:
            fitting = ", ".join(k.value for k in kinds_at(chosen_tier))
            self.refuse(
                f"{chosen_kind.value} is a tier {TIER_OF[chosen_kind].value} activity, not "
                f"tier {chosen_tier.value}; tier {chosen_tier.value} activities are {fitting}"
            )
        check_each_once([o.key for o in organisations], "organisation")
        for organisation in organisations:
            check_existed(organisation, at.occurred_on)
        if case_id is not None and (case_opened_on is None or case_opened_on > at.occurred_on):
            self.refuse(f"case {case_id} had not been notified by {at.occurred_on.isoformat()}")
        return chosen_kind, chosen_tier

    def apply(self, event: DomainEvent) -> None:
        if isinstance(event, ScrutinyActivityHeld):
            self.kind = event.kind
            self.tier = event.tier
            self.scrutineer_id = event.scrutineer_id
            self.title = event.title
            self.organisations = event.organisations
            self.findings = event.findings
            self.case_id = event.case_id
            if isinstance(event, RegionalScrutinyActivityHeld):
                self.regional = True
                self.terms_of_reference_id = event.terms_of_reference_id
        else:
            super().apply(event)
        self.note_act(event)
