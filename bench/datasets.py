"""Realistic ledgers of any size, built fast: real domain events, batched appends.

Events are produced by the write side's own aggregates (so every one is
valid), encoded by the ledger's mapper and appended in batches of 1,000
through the ledger's recorder. Authorisation is not checked here: the point is
a log of realistic shape and size for measuring reads, proofs and rebuilds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

from eventsourcing.persistence import JSONTranscoder

from ledger.domain.base import CanonicalJSONMapper, DomainEvent
from ledger.domain.challenges import Challenge
from ledger.domain.organisations import Organisation
from ledger.domain.people import Person
from ledger.storage.recorder import LedgerRecorder

PARTNERS = (
    ("somerset-county-council", "Somerset County Council", "local_authority"),
    ("avon-and-somerset-constabulary", "Avon and Somerset Constabulary", "police"),
    ("somerset-ccg", "Somerset Clinical Commissioning Group", "health"),
)
SUBJECT = ("Evidence that the threshold for a rapid review was applied consistently in the "
           "quarter, with the reasons recorded for each referral not taken forward.")


def domain_events(count: int) -> Iterator[DomainEvent]:
    """``count`` valid events: partners and people first, then challenge lifecycles."""
    by: dict[str, Any] = {"actor_id": "bench-setup", "actor_role": "setup"}
    start = date(2019, 6, 3)
    organisations = []
    produced = 0
    for key, name, role in PARTNERS:
        org = Organisation.new(key)
        yield org.register(name=name, kind="safeguarding_partner", statutory_role=role,
                           occurred_on=start, **by)
        organisations.append(org)
        produced += 1
    scrutineer = Person.new("bench-scrutineer")
    yield scrutineer.appoint(role="independent_scrutineer", organisation=organisations[0],
                             display_name="Bench Scrutineer", occurred_on=start, **by)
    produced += 1
    as_scrutineer: dict[str, Any] = {"actor_id": "bench-scrutineer", "actor_role": "independent_scrutineer"}
    as_partner: dict[str, Any] = {"actor_id": "bench-partner", "actor_role": "lead_safeguarding_partner"}
    number = 0
    while produced < count:
        number += 1
        day = start + timedelta(days=30 + (number % 500))
        challenge = Challenge.new(f"CH-{2019 + number % 5}-{number:06x}")
        steps: list[Callable[[], DomainEvent]] = [
            lambda: challenge.raise_challenge(raised_by="bench-scrutineer", partners=organisations[:2],
                                              subject=SUBJECT, tier=1 + number % 3,
                                              respond_within_working_days=10, occurred_on=day,
                                              **as_scrutineer),
            lambda: challenge.respond(organisation_id=organisations[0].key, response="Agreed; see plan.",
                                      occurred_on=day + timedelta(days=5), **as_partner),
            lambda: challenge.respond(organisation_id=organisations[1].key, response="Noted.",
                                      occurred_on=day + timedelta(days=6), **as_partner),
            lambda: challenge.resolve(outcome="accepted", agreed_actions=("Audit in Q3",),
                                      occurred_on=day + timedelta(days=9), **as_partner),
        ]
        for step in steps:
            if produced >= count:
                break
            yield step()
            produced += 1


def fill(recorder: LedgerRecorder, count: int, batch: int = 1000) -> int:
    """Append ``count`` realistic events; returns the log size."""
    mapper = CanonicalJSONMapper(transcoder=JSONTranscoder())
    pending = []
    for event in domain_events(count):
        pending.append(mapper.to_stored_event(event))
        if len(pending) == batch:
            recorder.insert_events(pending)
            pending = []
    if pending:
        recorder.insert_events(pending)
    return recorder.size()
