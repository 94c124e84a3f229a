"""Independent scrutiny activity and links with CDOP learning."""

from __future__ import annotations

from pydantic import Field

from commands.acts.base import Command, Key, Slug, Texts, UnitOfWork, authorise_command, handler
from ledger.domain.activities import Activity
from ledger.domain.audits import Audit
from ledger.domain.authorisation import Act
from ledger.domain.base import DomainEvent, Tier
from ledger.domain.cases import Case
from ledger.domain.kinds import ActivityKind
from ledger.domain.learning import LearningLink
from ledger.domain.organisations import Organisation


class RecordActivity(Command):
    """Record an independent scrutineer's activity at a tier, with findings.

    ``tier`` may be left out: it is then the tier of the kind.
    """

    act = Act.RECORD_ACTIVITY

    activity_id: Key
    kind: ActivityKind
    tier: Tier | None = None
    title: str = Field(min_length=1, max_length=500)
    organisations: tuple[Slug, ...] = Field(default=(), max_length=50)
    findings: Texts = ()
    case_id: Key | None = None


class LinkCdopLearning(Command):
    """Link scrutiny with parallel learning from the Child Death Overview Panel."""

    act = Act.LINK_CDOP_LEARNING

    link_id: Key
    cdop_id: Slug
    theme: str = Field(min_length=1, max_length=500)
    learning: str = Field(min_length=1, max_length=5000)
    case_id: Key | None = None
    audit_id: Key | None = None


@handler(RecordActivity)
def record_activity(command: RecordActivity, uow: UnitOfWork) -> DomainEvent:
    attribution = authorise_command(uow, command)
    organisations = uow.organisations(command.organisations)
    case = None if command.case_id is None else uow.get(Case, command.case_id)
    activity = uow.find_or_new(Activity, command.activity_id, Activity.new)
    return activity.hold(
        kind=command.kind,
        tier=command.tier,
        title=command.title,
        organisations=organisations,
        findings=command.findings,
        case_id=command.case_id,
        case_opened_on=None if case is None else case.opened_on,
        at=attribution.stamp(command.evidence),
    )


@handler(LinkCdopLearning)
def link_cdop_learning(command: LinkCdopLearning, uow: UnitOfWork) -> DomainEvent:
    attribution = authorise_command(uow, command)
    cdop = uow.get(Organisation, command.cdop_id)
    case = None if command.case_id is None else uow.get(Case, command.case_id)
    audit = None if command.audit_id is None else uow.get(Audit, command.audit_id)
    link = uow.find_or_new(LearningLink, command.link_id, LearningLink.new)
    return link.link(
        cdop=cdop,
        theme=command.theme,
        learning=command.learning,
        case=None if case is None else (case.key, case.opened_on),
        audit=None if audit is None else (audit.key, audit.opened_on),
        at=attribution.stamp(command.evidence),
    )
