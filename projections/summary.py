"""A small at-a-glance summary of everything the ledger holds.

Read straight from the log (no tables of its own): every record of a ledger
stream is decoded and applied to an in-memory aggregate, exactly as the
write side rebuilds them, so the summary can never disagree with what the
guards saw, except that corrections are applied: an entry named by a
correction is read with its corrected values (the original stays in the
log). Dates such as a challenge's age and whether a deadline is overdue are
measured against ``as_of`` (a Europe/London date).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from ledger.domain.activities import Activity
from ledger.domain.audits import Audit
from ledger.domain.base import Aggregate, DomainEvent, decode_event
from ledger.domain.cases import Case
from ledger.domain.challenges import Challenge, ChallengeStatus
from ledger.domain.corrections import CORRECTION_TOPIC, Correction, EventCorrected, corrected
from ledger.domain.erasure import Erasure
from ledger.domain.inspections import Inspection
from ledger.domain.learning import LearningLink
from ledger.domain.moderation import Moderation
from ledger.domain.organisations import Organisation
from ledger.domain.people import Person
from ledger.domain.regional import TermsOfReference
from ledger.domain.reports import YearlyReport
from ledger.records import StoredRecord
from ledger.rules import DeadlineStatus
from ledger.storage.recorder import LedgerRecorder

_KINDS: dict[str, type[Aggregate]] = {
    cls.stream_prefix: cls
    for cls in (
        Organisation, Person, Challenge, Case, Audit, YearlyReport, Inspection, Activity,
        TermsOfReference, Moderation, LearningLink, Correction, Erasure,
    )
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
class OverdueDeadline:
    stream_id: str
    name: str
    due: date
    rule_id: str
    edition: str


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
    cases: dict[str, int] = field(default_factory=dict)
    audits: dict[str, int] = field(default_factory=dict)
    open_audit_actions: int = 0
    yearly_reports: dict[str, int] = field(default_factory=dict)
    inspections: dict[str, int] = field(default_factory=dict)
    activity_by_tier: dict[int, int] = field(default_factory=dict)
    regional_activities: int = 0
    moderations: int = 0
    corrections: int = 0
    erasures: int = 0
    deadlines: dict[str, int] = field(default_factory=dict)
    overdue_deadlines: tuple[OverdueDeadline, ...] = field(default=())

    @property
    def overdue(self) -> int:
        return sum(1 for item in self.open_challenges if item.overdue)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["as_of"] = self.as_of.isoformat()
        data["by_tier"] = {str(tier): counts for tier, counts in self.by_tier.items()}
        data["activity_by_tier"] = {str(t): n for t, n in self.activity_by_tier.items()}
        data["overdue"] = self.overdue
        for item in data["open_challenges"]:
            item["raised_on"] = item["raised_on"].isoformat()
            item["response_due"] = item["response_due"].isoformat()
            item["awaiting"] = list(item["awaiting"])
            item["to_partners"] = list(item["to_partners"])
        for item in data["overdue_deadlines"]:
            item["due"] = item["due"].isoformat()
        return data


def _decoded(recorder: LedgerRecorder) -> Iterator[tuple[StoredRecord, DomainEvent | None]]:
    for record in recorder.iter_records():
        prefix = record.stream_id.split(":", 1)[0]
        if prefix not in _KINDS:
            yield record, None
            continue
        yield record, decode_event(
            record.stream_id, record.stream_version, record.topic, record.state,
            recorder.subject_keys,
        )


def rebuild_aggregates(recorder: LedgerRecorder) -> tuple[int, dict[str, Aggregate]]:
    """(events read, every aggregate of the ledger by stream id), corrections applied."""
    corrections: dict[tuple[str, int], dict[str, Any]] = {}
    for record in recorder.iter_records():
        if record.topic == CORRECTION_TOPIC:
            event = decode_event(record.stream_id, record.stream_version, record.topic,
                                 record.state, recorder.subject_keys)
            assert isinstance(event, EventCorrected)
            target = (event.target_stream_id, event.target_version)
            corrections[target] = {**corrections.get(target, {}), **event.corrected_values}
    aggregates: dict[str, Aggregate] = {}
    count = 0
    for record, decoded in _decoded(recorder):
        count += 1
        if decoded is None:
            continue
        values = corrections.get((record.stream_id, record.stream_version))
        event = corrected(decoded, values) if values else decoded
        aggregates[record.stream_id] = event.mutate(aggregates.get(record.stream_id))
    return count, aggregates


def _of(aggregates: dict[str, Aggregate], cls: type[Any]) -> list[Any]:
    return [a for a in aggregates.values() if isinstance(a, cls)]


def _deadline_counts(
    aggregates: dict[str, Aggregate], as_of: date
) -> tuple[dict[str, int], tuple[OverdueDeadline, ...]]:
    counts = {"met": 0, "met_late": 0, "due": 0, "overdue": 0}
    overdue: list[OverdueDeadline] = []
    for aggregate in aggregates.values():
        provider = getattr(aggregate, "deadlines", None)
        if not callable(provider):
            continue
        item: DeadlineStatus
        for item in provider():
            if item.met_on is not None:
                counts["met" if item.met_on <= item.due else "met_late"] += 1
            elif item.overdue(as_of):
                counts["overdue"] += 1
                overdue.append(
                    OverdueDeadline(aggregate.id, item.name, item.due, item.rule_id, item.edition)
                )
            else:
                counts["due"] += 1
    return counts, tuple(sorted(overdue, key=lambda o: (o.due, o.stream_id)))


def summarise(recorder: LedgerRecorder, as_of: date) -> LedgerSummary:
    """Counts of every kind of record, the open challenges and the deadlines."""
    count, aggregates = rebuild_aggregates(recorder)
    people: list[Person] = _of(aggregates, Person)
    challenges: list[Challenge] = sorted(
        _of(aggregates, Challenge), key=lambda c: (c.raised_on or as_of, c.key)
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
    activities: list[Activity] = _of(aggregates, Activity)
    audits: list[Audit] = _of(aggregates, Audit)
    deadlines, overdue = _deadline_counts(aggregates, as_of)
    return LedgerSummary(
        as_of=as_of,
        events=count,
        organisations=len(_of(aggregates, Organisation)),
        people=len(people),
        people_in_post=sum(1 for p in people if p.roles_on(as_of)),
        challenges=len(challenges),
        by_state=by_state,
        by_tier=by_tier,
        open_challenges=tuple(open_items),
        cases=dict(Counter(c.status for c in _of(aggregates, Case))),
        audits=dict(Counter(a.status for a in audits)),
        open_audit_actions=sum(len(a.open_actions) for a in audits),
        yearly_reports=dict(Counter(r.status for r in _of(aggregates, YearlyReport))),
        inspections=dict(Counter(i.status for i in _of(aggregates, Inspection))),
        activity_by_tier={
            tier: sum(1 for a in activities if a.tier is not None and int(a.tier) == tier)
            for tier in (1, 2, 3)
        },
        regional_activities=sum(1 for a in activities if a.regional),
        moderations=len(_of(aggregates, Moderation)),
        corrections=sum(len(c.reasons) for c in _of(aggregates, Correction)),
        erasures=len(_of(aggregates, Erasure)),
        deadlines=deadlines,
        overdue_deadlines=overdue,
    )
