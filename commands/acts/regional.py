"""Regional scrutiny: terms of reference, regional activity, moderation."""

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
from ledger.domain.activities import Activity
from ledger.domain.authorisation import Act
from ledger.domain.base import DomainEvent, Tier
from ledger.domain.kinds import ActivityKind
from ledger.domain.moderation import Moderation, ModerationOutcome
from ledger.domain.organisations import Organisation
from ledger.domain.people import Person, ScrutineerPool
from ledger.domain.regional import TermsOfReference


class AgreeTerms(Command):
    """Agree contractual terms of reference with regional partners."""

    act = Act.AGREE_TERMS

    terms_id: Key
    parties: tuple[Slug, ...] = Field(min_length=1, max_length=20)
    scope: tuple[ActivityKind, ...] = Field(min_length=1, max_length=20)
    contract_ref: str = Field(min_length=1, max_length=200)
    summary: str = Field(min_length=1, max_length=2000)
    until: Day | None = None


class RecordRegionalActivity(Command):
    """Record a regional scrutineer's scrutiny of the partnership under terms of reference."""

    act = Act.RECORD_REGIONAL_ACTIVITY

    activity_id: Key
    terms_id: Key
    regional_partner_id: Slug
    kind: ActivityKind
    tier: Tier | None = None
    title: str = Field(min_length=1, max_length=500)
    organisations: tuple[Slug, ...] = Field(default=(), max_length=50)
    findings: Texts = ()


class ModerateScrutineer(Command):
    """Record the moderation of a scrutineer's sampled activity (by the moderator)."""

    act = Act.MODERATE_SCRUTINEER

    moderation_id: Key
    scrutineer_id: Slug
    partnership_id: Slug
    sample: tuple[Key, ...] = Field(min_length=1, max_length=100)
    outcome: ModerationOutcome
    findings: Texts = ()


@handler(AgreeTerms)
def agree_terms(command: AgreeTerms, uow: UnitOfWork) -> DomainEvent:
    attribution = authorise_command(uow, command)
    parties = uow.organisations(command.parties)
    terms = uow.find_or_new(TermsOfReference, command.terms_id, TermsOfReference.new)
    return terms.agree(
        parties=parties,
        scope=command.scope,
        contract_ref=command.contract_ref,
        summary=command.summary,
        until=command.until,
        at=attribution.stamp(command.evidence),
    )


@handler(RecordRegionalActivity)
def record_regional_activity(command: RecordRegionalActivity, uow: UnitOfWork) -> DomainEvent:
    attribution = authorise_command(uow, command, pool=ScrutineerPool.REGIONAL)
    terms = uow.get(TermsOfReference, command.terms_id)
    partner = uow.get(Organisation, command.regional_partner_id)
    organisations = uow.organisations(command.organisations)
    activity = uow.find_or_new(Activity, command.activity_id, Activity.new)
    return activity.hold_regional(
        terms=terms,
        regional_partner=partner,
        kind=command.kind,
        tier=command.tier,
        title=command.title,
        organisations=organisations,
        findings=command.findings,
        at=attribution.stamp(command.evidence),
    )


@handler(ModerateScrutineer)
def moderate_scrutineer(command: ModerateScrutineer, uow: UnitOfWork) -> DomainEvent:
    attribution = authorise_command(uow, command)
    moderator = uow.get(Person, command.actor)
    scrutineer = uow.get(Person, command.scrutineer_id)
    partnership = uow.get(Organisation, command.partnership_id)
    sample = [uow.get(Activity, key) for key in command.sample]
    moderation = uow.find_or_new(Moderation, command.moderation_id, Moderation.new)
    return moderation.complete(
        moderator=moderator,
        scrutineer=scrutineer,
        partnership=partnership,
        sample=sample,
        outcome=command.outcome,
        findings=command.findings,
        at=attribution.stamp(command.evidence),
    )
