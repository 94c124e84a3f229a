"""The state of a case, rebuilt from its events, and the guards its steps share.

``Case`` (``ledger.domain.cases``) adds the acts; this base class holds what
they read: the state ``apply`` builds from the events of
``ledger.domain.case_events``, the deadlines the case carries, and the guards
several steps share.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from ledger.domain import case_events as ev
from ledger.domain.acting import DatedAggregate, Stamp, check_each_once, check_existed
from ledger.domain.base import DomainEvent
from ledger.domain.organisations import Organisation, OrganisationKind
from ledger.rules import DeadlineStatus


class CaseRecord(DatedAggregate):
    """A case's state and shared guards (see ``Case``)."""

    stream_prefix = "case"
    noun = "case"

    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.status = "notified"
        self.local_authority_id = ""
        self.children: tuple[str, ...] = ()
        self.became_aware_on: date | None = None
        self.notification: ev.IncidentNotified | None = None
        self.informed: ev.PartnersInformed | None = None
        self.rapid_review: ev.RapidReviewStarted | None = None
        self.rapid_review_completed_on: date | None = None
        self.recommendation: ev.RapidReviewRecommendation | None = None
        self.decision: ev.ReviewDecided | None = None
        self.decided_on: date | None = None
        self.signed_by: tuple[str, ...] = ()
        self.panel_response: ev.PanelResponse | None = None
        self.commissioned_on: date | None = None
        self.drafts: tuple[str, ...] = ()
        self.report_signed_off_on: date | None = None
        self.copies: ev.CopiesSentBeforePublication | None = None
        self.copies_sent_on: date | None = None
        self.published_on: date | None = None
        self.delays: int = 0
        self.open_recommendations: tuple[str, ...] = ()
        self.closed_recommendations: tuple[str, ...] = ()

    # -- shared guards ----------------------------------------------------------

    def _check_step(self, verb: str, at: Stamp, *, after: str) -> None:
        self.check_open(verb, at.occurred_on)
        if self.status != after:
            self.refuse(
                f"cannot {verb} case {self.key} now: it is at stage {self.status}, "
                f"and this step follows {after}"
            )

    def _check_partners(self, partners: Sequence[Organisation], on: date) -> None:
        if not partners:
            self.refuse("name at least one safeguarding partner")
        check_each_once([p.key for p in partners], "partner")
        for partner in partners:
            check_existed(partner, on)
            if partner.kind is not OrganisationKind.SAFEGUARDING_PARTNER:
                self.refuse(f"{partner.key} is not a safeguarding partner")

    def _check_review_running(self, verb: str, at: Stamp) -> None:
        self.check_open(verb, at.occurred_on)
        if self.commissioned_on is None:
            self.refuse(f"cannot {verb} {self.key}: no review has been commissioned")
        if self.published_on is not None:
            self.refuse(
                f"cannot {verb} {self.key}: the review was published on "
                f"{self.published_on.isoformat()}"
            )

    # -- queries ----------------------------------------------------------------

    def deadlines(self) -> list[DeadlineStatus]:
        """Every deadline the case carries and when it was met."""
        found: list[DeadlineStatus] = []
        if self.notification is not None:
            found.append(
                DeadlineStatus.of(
                    "notification", self.notification.deadline, self.notification.occurred_on
                )
            )
        if self.informed is not None:
            found.append(
                DeadlineStatus.of("partners informed", self.informed.deadline,
                                  self.informed.occurred_on)
            )
        if self.rapid_review is not None:
            found.append(
                DeadlineStatus.of(
                    "rapid review", self.rapid_review.deadline, self.rapid_review_completed_on
                )
            )
        if self.decision is not None and self.decision.publication_deadline is not None:
            found.append(
                DeadlineStatus.of(
                    "publication", self.decision.publication_deadline, self.published_on
                )
            )
        if self.copies is not None:
            found.append(
                DeadlineStatus.of("copies before publication", self.copies.deadline,
                                  self.copies.occurred_on)
            )
        return found

    # -- state ------------------------------------------------------------------

    def apply(self, event: DomainEvent) -> None:  # noqa: C901 - one branch per event
        if isinstance(event, ev.IncidentNotified):
            self.notification = event
            self.local_authority_id = event.local_authority_id
            self.children = event.children
            self.became_aware_on = event.became_aware_on
        elif isinstance(event, ev.PartnersInformed):
            self.informed = event
            self.status = "partners_informed"
        elif isinstance(event, ev.RapidReviewStarted):
            self.rapid_review = event
            self.status = "rapid_review"
        elif isinstance(event, ev.RapidReviewCompleted):
            self.rapid_review_completed_on = event.occurred_on
            self.recommendation = event.recommendation
            self.status = "rapid_review_completed"
        elif isinstance(event, ev.ReviewDecided):
            self.decision = event
            self.decided_on = event.occurred_on
            self.status = f"decided_{event.decision.value}"
        elif isinstance(event, ev.DecisionSignedOff):
            self.signed_by = (*self.signed_by, event.organisation_id)
        elif isinstance(event, ev.PanelResponded):
            self.panel_response = event.response
        elif isinstance(event, ev.ReviewCommissioned):
            self.commissioned_on = event.occurred_on
            self.status = "commissioned"
        elif isinstance(event, ev.ReviewProgressMonitored):
            pass
        elif isinstance(event, ev.ReviewDraftReceived):
            self.drafts = (*self.drafts, event.draft)
            self.status = "draft_received"
        elif isinstance(event, ev.ReviewReportSignedOff):
            self.report_signed_off_on = event.occurred_on
            self.status = "signed_off"
        elif isinstance(event, ev.CopiesSentBeforePublication):
            self.copies = event
            self.copies_sent_on = event.occurred_on
            self.status = "copies_sent"
        elif isinstance(event, ev.ReviewPublished):
            self.published_on = event.occurred_on
            self.status = "published"
        elif isinstance(event, ev.PublicationDelayed):
            self.delays += 1
        elif isinstance(event, ev.RecommendationAgreed):
            self.open_recommendations = (*self.open_recommendations, event.recommendation_id)
        elif isinstance(event, ev.RecommendationClosed):
            self.open_recommendations = tuple(
                r for r in self.open_recommendations if r != event.recommendation_id
            )
            self.closed_recommendations = (
                *self.closed_recommendations,
                event.recommendation_id,
            )
        else:
            super().apply(event)
        self.note_act(event)
