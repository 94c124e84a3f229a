"""A small at-a-glance summary of organisations, people and challenges.

Read straight from the log (no tables of its own yet): every record of an
organisation, person or challenge stream is decoded and applied to an
in-memory aggregate, exactly as the write side rebuilds them, so the summary
can never disagree with what the guards see. Dates such as a challenge's age
are measured against ``as_of`` (a Europe/London date).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from ledger.domain.base import Aggregate, decode_event
from ledger.domain.challenges import Challenge, ChallengeStatus
from ledger.domain.organisations import Organisation
from ledger.domain.people import Person
from ledger.storage.recorder import LedgerRecorder

_KINDS: dict[str, type[Aggregate]] = {
    Organisation.stream_prefix: Organisation,
    Person.stream_prefix: Person,
    Challenge.stream_prefix: Challenge,
}
STATES = tuple(status.value for status in ChallengeStatus)


@dataclass(frozen=True)
class OpenChallenge:
    """A challenge not yet resolved or withdrawn, as of a date."""

    challenge_id: str
    tier: int
    status: str
    raised_on: date
    age_days: int
    response_due: date
    overdue: bool
    awaiting: tuple[str, ...]
    to_partners: tuple[str, ...]
    case_ref: str | None


@dataclass(frozen=True)
class LedgerSummary:
    as_of: date
    events: int
    organisations: int
    people: int
    people_in_post: int
    challenges: int
    by_state: dict[str, int]
    by_tier: dict[int, dict[str, int]]
    open_challenges: tuple[OpenChallenge, ...] = field(default=())

    @property
    def overdue(self) -> int:
        return sum(1 for item in self.open_challenges if item.overdue)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["as_of"] = self.as_of.isoformat()
        data["by_tier"] = {str(tier): counts for tier, counts in self.by_tier.items()}
        data["overdue"] = self.overdue
        for item in data["open_challenges"]:
            item["raised_on"] = item["raised_on"].isoformat()
            item["response_due"] = item["response_due"].isoformat()
            item["awaiting"] = list(item["awaiting"])
            item["to_partners"] = list(item["to_partners"])
        return data


def rebuild_aggregates(recorder: LedgerRecorder) -> tuple[int, dict[str, Aggregate]]:
    """(events read, every organisation, person and challenge by stream id)."""
    aggregates: dict[str, Aggregate] = {}
    count = 0
    for record in recorder.iter_records():
        count += 1
        prefix = record.stream_id.split(":", 1)[0]
        if prefix not in _KINDS:
            continue
        event = decode_event(record.stream_id, record.stream_version, record.topic, record.state)
        aggregates[record.stream_id] = event.mutate(aggregates.get(record.stream_id))
    return count, aggregates


def summarise(recorder: LedgerRecorder, as_of: date) -> LedgerSummary:
    """Counts of organisations, people and challenges, and the open challenges."""
    count, aggregates = rebuild_aggregates(recorder)
    organisations = [a for a in aggregates.values() if isinstance(a, Organisation)]
    people = [a for a in aggregates.values() if isinstance(a, Person)]
    challenges = sorted(
        (a for a in aggregates.values() if isinstance(a, Challenge)),
        key=lambda c: (c.raised_on or as_of, c.key),
    )
    by_state = {state: 0 for state in STATES}
    by_tier: dict[int, dict[str, int]] = {tier: {s: 0 for s in STATES} for tier in (1, 2, 3)}
    open_items: list[OpenChallenge] = []
    for item in challenges:
        assert item.tier is not None and item.raised_on is not None
        assert item.response_due is not None
        by_state[item.status.value] += 1
        by_tier[int(item.tier)][item.status.value] += 1
        if not item.status.closed:
            open_items.append(
                OpenChallenge(
                    challenge_id=item.key,
                    tier=int(item.tier),
                    status=item.status.value,
                    raised_on=item.raised_on,
                    age_days=(as_of - item.raised_on).days,
                    response_due=item.response_due,
                    overdue=item.is_overdue(as_of),
                    awaiting=item.awaiting(),
                    to_partners=item.to_partners,
                    case_ref=item.case_ref,
                )
            )
    return LedgerSummary(
        as_of=as_of,
        events=count,
        organisations=len(organisations),
        people=len(people),
        people_in_post=sum(1 for p in people if p.roles_on(as_of)),
        challenges=len(challenges),
        by_state=by_state,
        by_tier=by_tier,
        open_challenges=tuple(open_items),
    )
