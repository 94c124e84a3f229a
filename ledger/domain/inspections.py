"""Regulatory inspections that contribute to scrutiny (Ofsted, CQC, HMICFRS,
HMI Probation, and joint targeted area inspections by several of them).

Stream ids are ``inspection:<id>`` (such as ``JTAI-2020-01``).

Events::

    InspectionAnnounced          kind, inspectorates, theme, starts_on
    InspectionFindingsRecorded   findings
    InspectionReportPublished    judgement, location
    InspectionActionPlanAgreed   actions, owners

Guards (``RefusedError``, nothing recorded): an id is announced once; the
inspectorates are regulators that exist on the date, each named once; a JTAI
has at least two, any other kind exactly one; the inspection starts on or
after its announcement; findings come before the report, which is published
once and, for a JTAI, is not graded; the action plan follows the report,
once, with owners that exist on the date; acts are dated in order.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from enum import StrEnum

from pydantic import Field, field_validator

from ledger.domain.acting import (
    DatedAggregate,
    Stamp,
    check_each_once,
    check_existed,
    check_key,
    clean_text,
    clean_texts,
)
from ledger.domain.base import Aggregate, DomainEvent
from ledger.domain.organisations import Organisation, OrganisationKind, parse_choice


class InspectionKind(StrEnum):
    OFSTED = "ofsted"
    CQC = "cqc"
    HMICFRS = "hmicfrs"
    HMI_PROBATION = "hmi_probation"
    JTAI = "jtai"


class Judgement(StrEnum):
    OUTSTANDING = "outstanding"
    GOOD = "good"
    REQUIRES_IMPROVEMENT = "requires_improvement"
    INADEQUATE = "inadequate"
    NOT_GRADED = "not_graded"


class InspectionAnnounced(DomainEvent):
    kind: InspectionKind
    inspectorates: tuple[str, ...] = Field(min_length=1, max_length=10)
    theme: str = Field(min_length=1, max_length=500)
    starts_on: date

    strip = field_validator("theme")(clean_text)

    @classmethod
    def creates(cls) -> type[Aggregate]:
        return Inspection


class InspectionFindingsRecorded(DomainEvent):
    personal_fields = ("findings",)

    findings: tuple[str, ...] = Field(min_length=1, max_length=100)

    strip = field_validator("findings")(clean_texts)


class InspectionReportPublished(DomainEvent):
    judgement: Judgement
    location: str = Field(min_length=1, max_length=2000)

    strip = field_validator("location")(clean_text)


class InspectionActionPlanAgreed(DomainEvent):
    personal_fields = ("actions",)

    actions: tuple[str, ...] = Field(min_length=1, max_length=100)
    owners: tuple[str, ...] = Field(min_length=1, max_length=20)

    strip = field_validator("actions")(clean_texts)


class Inspection(DatedAggregate):
    """One inspection and what followed it."""

    stream_prefix = "inspection"
    noun = "inspection"

    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.status = "announced"
        self.kind: InspectionKind | None = None
        self.inspectorates: tuple[str, ...] = ()
        self.starts_on: date | None = None
        self.findings: tuple[str, ...] = ()
        self.judgement: Judgement | None = None
        self.published_on: date | None = None
        self.action_plan_on: date | None = None

    @classmethod
    def new(cls, key: str) -> Inspection:
        return cls(cls.stream_id_for(check_key(key, "inspection")))

    def announce(
        self,
        *,
        kind: InspectionKind | str,
        inspectorates: Sequence[Organisation],
        theme: str,
        starts_on: date,
        at: Stamp,
    ) -> InspectionAnnounced:
        chosen = parse_choice(InspectionKind, kind, "inspection kind")
        self.check_new()
        check_each_once([i.key for i in inspectorates], "inspectorate")
        for inspectorate in inspectorates:
            check_existed(inspectorate, at.occurred_on)
            if inspectorate.kind is not OrganisationKind.REGULATOR:
                self.refuse(f"{inspectorate.key} is not a regulator")
        if chosen is InspectionKind.JTAI and len(inspectorates) < 2:
            self.refuse("a joint targeted area inspection is carried out by at least two "
                        "inspectorates")
        if chosen is not InspectionKind.JTAI and len(inspectorates) != 1:
            self.refuse(f"a {chosen.value} inspection has one inspectorate; "
                        "several together make a jtai")
        if starts_on < at.occurred_on:
            self.refuse("an inspection starts on or after its announcement")
        return self.record(
            InspectionAnnounced,
            at,
            kind=chosen,
            inspectorates=tuple(i.key for i in inspectorates),
            theme=theme,
            starts_on=starts_on,
        )

    def record_findings(
        self, *, findings: Sequence[str], at: Stamp
    ) -> InspectionFindingsRecorded:
        self.check_open("record findings of", at.occurred_on)
        assert self.starts_on is not None
        if at.occurred_on < self.starts_on:
            self.refuse(f"{self.key} starts on {self.starts_on.isoformat()}; findings follow")
        if self.published_on is not None:
            self.refuse(f"the report of {self.key} is already published")
        if not findings:
            self.refuse("record at least one finding")
        return self.record(InspectionFindingsRecorded, at, findings=tuple(findings))

    def publish(
        self, *, judgement: Judgement | str, location: str, at: Stamp
    ) -> InspectionReportPublished:
        chosen = parse_choice(Judgement, judgement, "judgement")
        self.check_open("publish the report of", at.occurred_on)
        if not self.findings:
            self.refuse(f"{self.key} has no findings yet; the report follows them")
        if self.published_on is not None:
            self.refuse(f"the report of {self.key} is already published")
        if self.kind is InspectionKind.JTAI and chosen is not Judgement.NOT_GRADED:
            self.refuse("a joint targeted area inspection is not graded: use not_graded")
        return self.record(InspectionReportPublished, at, judgement=chosen, location=location)

    def agree_action_plan(
        self, *, actions: Sequence[str], owners: Sequence[Organisation], at: Stamp
    ) -> InspectionActionPlanAgreed:
        self.check_open("agree the action plan of", at.occurred_on)
        if self.published_on is None:
            self.refuse(f"the action plan of {self.key} follows its published report")
        if self.action_plan_on is not None:
            self.refuse(f"the action plan of {self.key} was already agreed")
        if not actions or not owners:
            self.refuse("an action plan has at least one action and one owner")
        check_each_once([o.key for o in owners], "owner")
        for owner in owners:
            check_existed(owner, at.occurred_on)
        return self.record(
            InspectionActionPlanAgreed,
            at,
            actions=tuple(actions),
            owners=tuple(o.key for o in owners),
        )

    def apply(self, event: DomainEvent) -> None:
        if isinstance(event, InspectionAnnounced):
            self.kind = event.kind
            self.inspectorates = event.inspectorates
            self.starts_on = event.starts_on
        elif isinstance(event, InspectionFindingsRecorded):
            self.findings = (*self.findings, *event.findings)
            self.status = "findings_recorded"
        elif isinstance(event, InspectionReportPublished):
            self.judgement = event.judgement
            self.published_on = event.occurred_on
            self.status = "published"
        elif isinstance(event, InspectionActionPlanAgreed):
            self.action_plan_on = event.occurred_on
            self.status = "action_plan_agreed"
        else:
            super().apply(event)
        self.note_act(event)
