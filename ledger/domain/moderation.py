"""Moderation of independent scrutineers by non-related agencies.

The regional consortium moderates its independent scrutineers: a moderator
samples a scrutineer's activity and records an outcome. Stream ids are
``moderation:<id>``.

Events::

    ModerationCompleted   moderator_id, scrutineer_id, partnership_id, sample
                          (activity ids), outcome, findings

Independence, judged on the moderation date from roles and declared
interests (``Person.affiliations_on``): the moderator must not be affiliated
with the scrutineer's agency (the organisation of any of their independent
scrutineer appointments up to that date) nor with the partnership being
scrutinised. Such a conflict refuses the act and names it.

Other guards: an id is used once; the moderator is not the scrutineer; the
partnership exists on the date; the sample holds at least one activity, each
named once, each held by the scrutineer on or before the date.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
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
    clean_texts,
)
from ledger.domain.activities import Activity
from ledger.domain.base import Aggregate, DomainEvent
from ledger.domain.organisations import Organisation, parse_choice
from ledger.domain.people import Person, Role


class ModerationOutcome(StrEnum):
    ASSURED = "assured"
    ASSURED_WITH_RECOMMENDATIONS = "assured_with_recommendations"
    NOT_ASSURED = "not_assured"


class ModerationCompleted(DomainEvent):
    personal_fields = ("findings",)

    moderator_id: str = Field(pattern=SLUG)
    scrutineer_id: str = Field(pattern=SLUG)
    partnership_id: str = Field(pattern=SLUG)
    sample: tuple[str, ...] = Field(min_length=1, max_length=100)
    outcome: ModerationOutcome
    findings: tuple[str, ...] = Field(default=(), max_length=50)

    strip = field_validator("findings")(clean_texts)

    @field_validator("sample")
    @classmethod
    def _activity_ids(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for item in value:
            if not re.fullmatch(KEY_PATTERN, item):
                raise ValueError(f"{item!r} is not an activity id")
        return value

    @classmethod
    def creates(cls) -> type[Aggregate]:
        return Moderation


def conflicts(
    moderator: Person, scrutineer: Person, partnership_id: str, stamp: Stamp
) -> list[str]:
    """Each way the moderator is affiliated with the scrutineer's agency or the partnership."""
    day = stamp.occurred_on
    agencies = {
        spell.organisation_id
        for spell in scrutineer.appointments
        if spell.role is Role.INDEPENDENT_SCRUTINEER and spell.start <= day
    }
    watched = {org: "the scrutineer's agency" for org in agencies}
    watched.setdefault(partnership_id, "the partnership being scrutinised")
    found: list[str] = []
    for spell in moderator.appointments_on(day):
        if spell.organisation_id in watched:
            found.append(
                f"acts for {spell.organisation_id} ({watched[spell.organisation_id]}) as "
                f"{spell.role.value} since {spell.start.isoformat()}"
            )
    for interest in moderator.interests_on(day):
        if interest.organisation_id in watched:
            found.append(
                f"declared a {interest.nature.value} interest in {interest.organisation_id} "
                f"({watched[interest.organisation_id]}) on {interest.start.isoformat()}"
            )
    return found


class Moderation(DatedAggregate):
    """One moderation of one scrutineer's activity."""

    stream_prefix = "moderation"
    noun = "moderation"

    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.moderator_id = ""
        self.scrutineer_id = ""
        self.outcome: ModerationOutcome | None = None
        self.sample: tuple[str, ...] = ()

    @classmethod
    def new(cls, key: str) -> Moderation:
        return cls(cls.stream_id_for(check_key(key, "moderation")))

    def complete(
        self,
        *,
        moderator: Person,
        scrutineer: Person,
        partnership: Organisation,
        sample: Sequence[Activity],
        outcome: ModerationOutcome | str,
        findings: Sequence[str],
        at: Stamp,
    ) -> ModerationCompleted:
        chosen = parse_choice(ModerationOutcome, outcome, "moderation outcome")
        self.check_new()
        if moderator.id == scrutineer.id:
            self.refuse(f"{moderator.key} cannot moderate their own scrutiny")
        check_existed(partnership, at.occurred_on)
        if not sample:
            self.refuse("a moderation samples at least one activity")
        check_each_once([a.key for a in sample], "activity")
        for activity in sample:
            if activity.scrutineer_id != scrutineer.key:
                self.refuse(f"activity {activity.key} was not held by {scrutineer.key}")
            if activity.opened_on is None or activity.opened_on > at.occurred_on:
                self.refuse(f"activity {activity.key} had not been held by "
                            f"{at.occurred_on.isoformat()}")
        found = conflicts(moderator, scrutineer, partnership.key, at)
        if found:
            self.refuse(
                f"{moderator.key} is not independent of {scrutineer.key}'s scrutiny of "
                f"{partnership.key} on {at.occurred_on.isoformat()}: " + "; ".join(found)
            )
        return self.record(
            ModerationCompleted,
            at,
            moderator_id=moderator.key,
            scrutineer_id=scrutineer.key,
            partnership_id=partnership.key,
            sample=tuple(a.key for a in sample),
            outcome=chosen,
            findings=tuple(findings),
        )

    def apply(self, event: DomainEvent) -> None:
        if isinstance(event, ModerationCompleted):
            self.moderator_id = event.moderator_id
            self.scrutineer_id = event.scrutineer_id
            self.outcome = event.outcome
            self.sample = event.sample
        else:
            super().apply(event)
        self.note_act(event)
