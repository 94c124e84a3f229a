"""The events of a serious incident's journey to a published review.

See ``ledger.domain.cases`` for the aggregate, its lifecycle and its guards.
Children are named only by pseudonym ("Child A"); the free text of these
events must hold no names, dates of birth or addresses.
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum

from pydantic import Field, field_validator

from ledger.domain.acting import KEY_PATTERN, SLUG, clean_text
from ledger.domain.base import Aggregate, DomainEvent
from ledger.domain.recipients import Recipient
from ledger.rules import Deadline

PSEUDONYM_PATTERN = r"^Child [A-Z]{1,2}[0-9]{0,2}$"
MAX_CHILDREN = 4
_SLUG = re.compile(SLUG)


class RapidReviewRecommendation(StrEnum):
    LOCAL_CSPR = "local_cspr"
    NATIONAL_REVIEW = "national_review"
    NO_REVIEW = "no_review"


class ReviewDecision(StrEnum):
    LOCAL_CSPR = "local_cspr"
    NATIONAL_REFERRAL = "national_referral"
    NO_REVIEW = "no_review"


class ReviewCriterion(StrEnum):
    """The criteria for a local review (regulation 11; Working Together ch.4)."""

    IMPROVEMENTS_NEEDED = "improvements_needed"
    RECURRENT_THEMES = "recurrent_themes"
    MULTI_AGENCY_CONCERNS = "multi_agency_concerns"
    PANEL_CONSIDERED_LOCAL = "panel_considered_local"


class PanelResponse(StrEnum):
    AGREES = "agrees"
    DISAGREES = "disagrees"
    NATIONAL_REVIEW = "national_review"


class ProgressStatus(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"


class PublicationMode(StrEnum):
    FULL = "full"
    IMPROVEMENTS_ONLY = "improvements_only"


class DelayReason(StrEnum):
    CRIMINAL_PROCEEDINGS = "criminal_proceedings"
    FAMILY_WISHES = "family_wishes"
    OTHER = "other"


def _ids(value: tuple[str, ...]) -> tuple[str, ...]:
    for item in value:
        if not _SLUG.fullmatch(item):
            raise ValueError(f"{item!r} is not an organisation id")
    return value


class IncidentNotified(DomainEvent):
    """The local authority notified the Panel of a serious incident."""

    personal_fields = ("summary",)

    local_authority_id: str = Field(pattern=SLUG)
    panel_id: str = Field(pattern=SLUG)
    children: tuple[str, ...] = Field(min_length=1, max_length=MAX_CHILDREN)
    became_aware_on: date
    summary: str = Field(min_length=1, max_length=2000)
    deadline: Deadline

    strip_summary = field_validator("summary")(clean_text)

    @field_validator("children")
    @classmethod
    def _pseudonyms(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for child in value:
            if not re.fullmatch(PSEUDONYM_PATTERN, child):
                raise ValueError(
                    f"{child!r} is not a pseudonym; name each child as 'Child A', 'Child B' ..."
                )
        return value

    @classmethod
    def creates(cls) -> type[Aggregate]:
        from ledger.domain.cases import Case

        return Case


class PartnersInformed(DomainEvent):
    """The local authority informed the other safeguarding partners."""

    partners: tuple[str, ...] = Field(min_length=1, max_length=20)
    deadline: Deadline

    check_ids = field_validator("partners")(_ids)


class RapidReviewStarted(DomainEvent):
    """The partners began a rapid review; it is due 15 working days after they knew."""

    partners_aware_on: date
    deadline: Deadline


class RapidReviewCompleted(DomainEvent):
    """The rapid review answered its four aims and was sent to the Panel."""

    personal_fields = ("facts", "immediate_action", "potential_improvements", "next_steps")

    facts: str = Field(min_length=1, max_length=5000)
    immediate_action: str = Field(min_length=1, max_length=5000)
    potential_improvements: str = Field(min_length=1, max_length=5000)
    next_steps: str = Field(min_length=1, max_length=5000)
    recommendation: RapidReviewRecommendation

    strip = field_validator(
        "facts", "immediate_action", "potential_improvements", "next_steps"
    )(clean_text)


class ReviewDecided(DomainEvent):
    """The partners decided on a local CSPR, a referral to the Panel, or no review."""

    personal_fields = ("reasons",)

    decision: ReviewDecision
    criteria: tuple[ReviewCriterion, ...] = Field(default=(), max_length=10)
    reasons: str = Field(min_length=1, max_length=5000)
    partners: tuple[str, ...] = Field(min_length=1, max_length=20)
    publication_deadline: Deadline | None = None

    strip = field_validator("reasons")(clean_text)
    check_ids = field_validator("partners")(_ids)


class DecisionSignedOff(DomainEvent):
    """One statutory partner signed off the decision."""

    organisation_id: str = Field(pattern=SLUG)


class PanelResponded(DomainEvent):
    """The Child Safeguarding Practice Review Panel's response was received."""

    personal_fields = ("comments",)

    response: PanelResponse
    comments: str = Field(min_length=1, max_length=5000)

    strip = field_validator("comments")(clean_text)


class ReviewCommissioned(DomainEvent):
    """A local CSPR was commissioned: reviewer, scope and terms."""

    personal_fields = ("scope", "terms")

    reviewer: str = Field(min_length=1, max_length=200)
    scope: str = Field(min_length=1, max_length=5000)
    terms: str = Field(min_length=1, max_length=5000)

    strip = field_validator("reviewer", "scope", "terms")(clean_text)


class ReviewProgressMonitored(DomainEvent):
    """The Executive checked the review's progress."""

    personal_fields = ("note",)

    status: ProgressStatus
    note: str = Field(min_length=1, max_length=5000)

    strip = field_validator("note")(clean_text)


class ReviewDraftReceived(DomainEvent):
    """A draft report was received from the reviewer."""

    draft: str = Field(min_length=1, max_length=100)

    strip = field_validator("draft")(clean_text)


class ReviewReportSignedOff(DomainEvent):
    """The partners signed off the final report."""

    personal_fields = ("note",)

    note: str | None = Field(default=None, min_length=1, max_length=2000)


class CopiesSentBeforePublication(DomainEvent):
    """Copies went to the Panel and the Secretary of State before publication."""

    recipients: tuple[Recipient, ...] = Field(min_length=1, max_length=10)
    planned_publication: date
    deadline: Deadline


class ReviewPublished(DomainEvent):
    """The review was published in full, or only its improvements (with reasons)."""

    personal_fields = ("reasons",)

    mode: PublicationMode
    location: str = Field(min_length=1, max_length=2000)
    reasons: str | None = Field(default=None, min_length=1, max_length=5000)


class PublicationDelayed(DomainEvent):
    """Publication was delayed, with reasons (such as criminal proceedings)."""

    personal_fields = ("details",)

    reason: DelayReason
    details: str = Field(min_length=1, max_length=5000)
    expected_on: date | None = None

    strip = field_validator("details")(clean_text)


class RecommendationAgreed(DomainEvent):
    """A recommendation of the review, and the action agreed on it."""

    personal_fields = ("text", "action")

    recommendation_id: str = Field(pattern=KEY_PATTERN)
    text: str = Field(min_length=1, max_length=5000)
    owner_id: str = Field(pattern=SLUG)
    action: str = Field(min_length=1, max_length=5000)
    due_on: date | None = None

    strip = field_validator("text", "action")(clean_text)


class RecommendationClosed(DomainEvent):
    """The action on a recommendation was completed and closed."""

    personal_fields = ("outcome",)

    recommendation_id: str = Field(pattern=KEY_PATTERN)
    outcome: str = Field(min_length=1, max_length=5000)

    strip = field_validator("outcome")(clean_text)
