"""The partnership's yearly report, from its period to the boards it is presented to.

Stream ids are ``report:<id>`` (such as ``2019-20``).

Events::

    ReportPeriodOpened       period_start, period_end, previous_report_id,
                             publication_deadline (12 calendar months after the
                             previous report's publication, if there was one)
    ReportDrafted            draft
    ReportScrutinised        conclusions, findings                 (tier 2)
    YearlyReportSignedOff    organisation_id, statutory_role, edition
    YearlyReportPublished    location, copies_deadline (7 calendar days)
    YearlyReportSent         recipient (role, organisation resolved by date), deadline
    ReportPresented          board_id, note

Sign-off follows the edition of Working Together in force on the day of
publication: under WT2018 one sign-off (the chair's or a lead partner's)
suffices; under WT2023 (from 2023-12-15) the lead partner of each of the
three statutory partners signs it off.

Recipients: the Panel and the What Works Centre for Children's Social Care
(Foundations from 2023-06-06), each resolved by national role on the day it
is sent (``ledger.domain.recipients``), each once.

Guards (``RefusedError``, nothing recorded): an id is opened once; the period
ends after it starts and after the previous report's period; a previous
report is one already published; drafts until sign-off; scrutiny follows a
draft, once; sign-off follows scrutiny, once per organisation, before
publication; publication follows the sign-offs the edition requires; sending
and presenting follow publication (presenting: sign-off); boards are local
bodies that exist on the date, each presented to once; acts dated in order.
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
    check_existed,
    check_key,
    clean_text,
    clean_texts,
)
from ledger.domain.base import Aggregate, DomainEvent, Tier
from ledger.domain.organisations import (
    NationalRole,
    Organisation,
    OrganisationKind,
    StatutoryRole,
)
from ledger.domain.recipients import Recipient
from ledger.rules import Deadline, DeadlineStatus, deadline, edition_on

YEARLY_REPORT_RECIPIENTS = (NationalRole.PRACTICE_REVIEW_PANEL, NationalRole.WHAT_WORKS_CENTRE)
EACH_LEAD_PARTNER_SIGNS = frozenset({"WT2023"})


class ReportPeriodOpened(DomainEvent):
    period_start: date
    period_end: date
    previous_report_id: str | None = Field(default=None, pattern=KEY_PATTERN)
    publication_deadline: Deadline | None = None

    @classmethod
    def creates(cls) -> type[Aggregate]:
        return YearlyReport


class ReportDrafted(DomainEvent):
    draft: str = Field(min_length=1, max_length=100)

    strip = field_validator("draft")(clean_text)


class ReportScrutinised(DomainEvent):
    personal_fields = ("conclusions", "findings")

    conclusions: str = Field(min_length=1, max_length=5000)
    findings: tuple[str, ...] = Field(default=(), max_length=50)

    strip = field_validator("conclusions")(clean_text)
    strip_findings = field_validator("findings")(clean_texts)


class YearlyReportSignedOff(DomainEvent):
    organisation_id: str | None = Field(default=None, pattern=SLUG)
    statutory_role: StatutoryRole | None = None
    edition: str = Field(min_length=1, max_length=20)


class YearlyReportPublished(DomainEvent):
    location: str = Field(min_length=1, max_length=2000)
    copies_deadline: Deadline

    strip = field_validator("location")(clean_text)


class YearlyReportSent(DomainEvent):
    recipient: Recipient
    deadline: Deadline


class ReportPresented(DomainEvent):
    personal_fields = ("note",)

    board_id: str = Field(pattern=SLUG)
    note: str | None = Field(default=None, min_length=1, max_length=2000)


class YearlyReport(DatedAggregate):
    """One yearly report of the partnership."""

    stream_prefix = "report"
    noun = "yearly report"

    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.status = "open"
        self.period_start: date | None = None
        self.period_end: date | None = None
        self.publication_deadline: Deadline | None = None
        self.drafts: tuple[str, ...] = ()
        self.scrutinised_on: date | None = None
        self.signed_by: tuple[str, ...] = ()
        self.signed_roles: tuple[StatutoryRole, ...] = ()
        self.published_on: date | None = None
        self.copies_deadline: Deadline | None = None
        self.sent: dict[NationalRole, date] = {}
        self.presented_to: tuple[str, ...] = ()

    @classmethod
    def new(cls, key: str) -> YearlyReport:
        return cls(cls.stream_id_for(check_key(key, "yearly report")))

    def open_period(
        self,
        *,
        period_start: date,
        period_end: date,
        previous: YearlyReport | None,
        at: Stamp,
    ) -> ReportPeriodOpened:
        self.check_new()
        if period_end <= period_start:
            self.refuse("a report's period ends after it starts")
        due = None
        if previous is not None:
            if previous.published_on is None or previous.published_on > at.occurred_on:
                self.refuse(f"the previous report {previous.key} had not been published by "
                            f"{at.occurred_on.isoformat()}")
            assert previous.published_on is not None and previous.period_end is not None
            if period_start <= previous.period_end:
                self.refuse(f"the period must start after the previous report's period ended "
                            f"on {previous.period_end.isoformat()}")
            due = deadline("yearly-report-publication", previous.published_on)
        return self.record(
            ReportPeriodOpened,
            at,
            period_start=period_start,
            period_end=period_end,
            previous_report_id=None if previous is None else previous.key,
            publication_deadline=due,
        )

    def draft(self, *, draft: str, at: Stamp) -> ReportDrafted:
        self._check_unpublished("draft", at)
        if self.signed_by:
            self.refuse(f"{self.key} is already signed off; no further drafts")
        if draft.strip() in self.drafts:
            self.refuse(f"draft {draft.strip()!r} of {self.key} already exists")
        return self.record(ReportDrafted, at, draft=draft)

    def scrutinise(
        self, *, conclusions: str, findings: Sequence[str], at: Stamp
    ) -> ReportScrutinised:
        self._check_unpublished("scrutinise", at)
        if not self.drafts:
            self.refuse(f"{self.key} has no draft to scrutinise")
        if self.scrutinised_on is not None:
            self.refuse(f"{self.key} was already scrutinised on "
                        f"{self.scrutinised_on.isoformat()}")
        return self.record(
            ReportScrutinised,
            at,
            tier=Tier.STRATEGIC_PARTNERSHIP,
            conclusions=conclusions,
            findings=tuple(findings),
        )

    def sign_off(self, *, organisation: Organisation | None, at: Stamp) -> YearlyReportSignedOff:
        self._check_unpublished("sign off", at)
        if self.scrutinised_on is None:
            self.refuse(f"{self.key} is signed off after the independent scrutineer's scrutiny")
        edition = edition_on(at.occurred_on).edition_id
        key = "chair" if organisation is None else organisation.key
        if organisation is not None:
            check_existed(organisation, at.occurred_on)
        elif edition in EACH_LEAD_PARTNER_SIGNS:
            self.refuse(f"under {edition} each lead safeguarding partner signs off the report")
        if key in self.signed_by:
            self.refuse(f"{key} has already signed off {self.key}")
        return self.record(
            YearlyReportSignedOff,
            at,
            organisation_id=None if organisation is None else organisation.key,
            statutory_role=None if organisation is None else organisation.statutory_role,
            edition=edition,
        )

    def publish(self, *, location: str, at: Stamp) -> YearlyReportPublished:
        self._check_unpublished("publish", at)
        if not self.signed_by:
            self.refuse(f"{self.key} is published once signed off")
        edition = edition_on(at.occurred_on).edition_id
        if edition in EACH_LEAD_PARTNER_SIGNS:
            missing = [r.value for r in StatutoryRole if r not in self.signed_roles]
            if missing:
                self.refuse(
                    f"under {edition} the lead partner of each statutory partner signs off "
                    f"the report before publication; missing: {', '.join(missing)}"
                )
        return self.record(
            YearlyReportPublished,
            at,
            location=location,
            copies_deadline=deadline("yearly-report-copies", at.occurred_on),
        )

    def send(self, *, recipient: Recipient, at: Stamp) -> YearlyReportSent:
        self.check_open("send", at.occurred_on)
        if self.published_on is None or self.copies_deadline is None:
            self.refuse(f"{self.key} is sent once published")
        assert self.copies_deadline is not None
        if recipient.role not in YEARLY_REPORT_RECIPIENTS:
            roles = ", ".join(r.value for r in YEARLY_REPORT_RECIPIENTS)
            self.refuse(f"the yearly report goes to {roles}, not {recipient.role.value}")
        if recipient.role in self.sent:
            self.refuse(f"{self.key} was already sent to the {recipient.role.value} on "
                        f"{self.sent[recipient.role].isoformat()}")
        return self.record(
            YearlyReportSent, at, recipient=recipient, deadline=self.copies_deadline
        )

    def present(self, *, board: Organisation, note: str | None, at: Stamp) -> ReportPresented:
        self.check_open("present", at.occurred_on)
        if not self.signed_by:
            self.refuse(f"{self.key} is presented once signed off")
        check_existed(board, at.occurred_on)
        if board.kind is not OrganisationKind.LOCAL_BODY:
            self.refuse(f"{board.key} is not a local board or panel")
        if board.key in self.presented_to:
            self.refuse(f"{self.key} was already presented to {board.key}")
        return self.record(ReportPresented, at, board_id=board.key, note=note)

    def _check_unpublished(self, verb: str, at: Stamp) -> None:
        self.check_open(verb, at.occurred_on)
        if self.published_on is not None:
            self.refuse(f"cannot {verb} {self.key}: it was published on "
                        f"{self.published_on.isoformat()}")

    def deadlines(self) -> list[DeadlineStatus]:
        found: list[DeadlineStatus] = []
        if self.publication_deadline is not None:
            found.append(
                DeadlineStatus.of("publication", self.publication_deadline, self.published_on)
            )
        if self.copies_deadline is not None:
            for role in YEARLY_REPORT_RECIPIENTS:
                found.append(
                    DeadlineStatus.of(f"sent to {role.value}", self.copies_deadline,
                                      self.sent.get(role))
                )
        return found

    def apply(self, event: DomainEvent) -> None:
        if isinstance(event, ReportPeriodOpened):
            self.period_start = event.period_start
            self.period_end = event.period_end
            self.publication_deadline = event.publication_deadline
        elif isinstance(event, ReportDrafted):
            self.drafts = (*self.drafts, event.draft)
            self.status = "drafted"
        elif isinstance(event, ReportScrutinised):
            self.scrutinised_on = event.occurred_on
            self.status = "scrutinised"
        elif isinstance(event, YearlyReportSignedOff):
            self.signed_by = (*self.signed_by, event.organisation_id or "chair")
            if event.statutory_role is not None:
                self.signed_roles = (*self.signed_roles, event.statutory_role)
            self.status = "signed_off"
        elif isinstance(event, YearlyReportPublished):
            self.published_on = event.occurred_on
            self.copies_deadline = event.copies_deadline
            self.status = "published"
        elif isinstance(event, YearlyReportSent):
            self.sent = {**self.sent, event.recipient.role: event.occurred_on}
        elif isinstance(event, ReportPresented):
            self.presented_to = (*self.presented_to, event.board_id)
        else:
            super().apply(event)
        self.note_act(event)
