"""Realistic ledgers of any size, built fast: real domain events, batched appends.

Events are produced by the write side's own aggregates (so every one is
valid), encoded by the ledger's mapper and appended in batches of 1,000
through the ledger's recorder. Authorisation is not checked here: the point is
a log of realistic shape and size for measuring reads, proofs and rebuilds.

The shape follows the demo: three statutory partners and a scrutineer, then
challenge lifecycles (raised, two responses, resolved); about 480 bytes of
state per ChallengeRaised and 170-220 for the others.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

from eventsourcing.persistence import JSONTranscoder, StoredEvent

from ledger.domain.base import CanonicalJSONMapper, DomainEvent
from ledger.domain.challenges import Challenge
from ledger.domain.organisations import Organisation
from ledger.domain.people import Person
from ledger.sealing import KeyRing
from ledger.storage.recorder import LedgerRecorder

PARTNERS = (
    ("somerset-county-council", "Somerset County Council", "local_authority"),
    ("avon-and-somerset-constabulary", "Avon and Somerset Constabulary", "police"),
    ("somerset-ccg", "Somerset Clinical Commissioning Group", "health"),
)
SUBJECT = ("Evidence that the threshold for a rapid review was applied consistently in the "
           "quarter, with the reasons recorded for each referral not taken forward.")
START = date(2019, 6, 3)
AS_SCRUTINEER: dict[str, Any] = {"actor_id": "bench-scrutineer", "actor_role": "independent_scrutineer"}
AS_PARTNER: dict[str, Any] = {"actor_id": "bench-partner", "actor_role": "lead_safeguarding_partner"}


class RealisticLog:
    """An endless supply of valid events, each stream id used once.

    One instance per ledger: the first events register the partners and
    appoint the scrutineer, then challenge lifecycles follow, numbered on.
    """

    def __init__(self, keys: KeyRing | None = None) -> None:
        self._keys = keys
        self._mapper: CanonicalJSONMapper[DomainEvent] | None = None
        self.organisations: list[Organisation] = []
        self._events = self._generate()
        self._raised = 0

    @property
    def mapper(self) -> CanonicalJSONMapper[DomainEvent]:
        """The ledger's mapper, sealing personal fields with the ledger's subject keys."""
        if self._mapper is None:
            if self._keys is None:
                raise RuntimeError("RealisticLog needs the ledger's subject keys to store events")
            self._mapper = CanonicalJSONMapper(self._keys, transcoder=JSONTranscoder())
        return self._mapper

    def events(self, count: int) -> list[DomainEvent]:
        return [next(self._events) for _ in range(count)]

    def stored(self, count: int) -> list[StoredEvent]:
        return [self.mapper.to_stored_event(event) for event in self.events(count)]

    def raised_challenge(self) -> tuple[Challenge, DomainEvent]:
        """A new challenge with its ChallengeRaised pending (for one save per act)."""
        self._raised += 1
        number = self._raised
        challenge = Challenge.new(f"CH-2020-A{number:06x}")
        event = challenge.raise_challenge(
            raised_by="bench-scrutineer", partners=self.partners(), subject=SUBJECT,
            tier=1 + number % 3, respond_within_working_days=10,
            occurred_on=START + timedelta(days=30 + number % 500), **AS_SCRUTINEER)
        return challenge, event

    def partners(self) -> list[Organisation]:
        if not self.organisations:
            self.events(len(PARTNERS))
        return self.organisations[:2]

    def _generate(self) -> Iterator[DomainEvent]:
        by: dict[str, Any] = {"actor_id": "bench-setup", "actor_role": "setup"}
        for key, name, role in PARTNERS:
            org = Organisation.new(key)
            event = org.register(name=name, kind="safeguarding_partner", statutory_role=role,
                                 occurred_on=START, **by)
            self.organisations.append(org)
            yield event
        scrutineer = Person.new("bench-scrutineer")
        yield scrutineer.appoint(role="independent_scrutineer", organisation=self.organisations[0],
                                 display_name="Bench Scrutineer", occurred_on=START, **by)
        number = 0
        while True:
            number += 1
            yield from self._lifecycle(number)

    def _lifecycle(self, number: int) -> Iterator[DomainEvent]:
        organisations = self.organisations
        day = START + timedelta(days=30 + (number % 500))
        challenge = Challenge.new(f"CH-{2019 + number % 5}-{number:06x}")
        steps: list[Callable[[], DomainEvent]] = [
            lambda: challenge.raise_challenge(raised_by="bench-scrutineer", partners=organisations[:2],
                                              subject=SUBJECT, tier=1 + number % 3,
                                              respond_within_working_days=10, occurred_on=day,
                                              **AS_SCRUTINEER),
            lambda: challenge.respond(organisation_id=organisations[0].key, response="Agreed; see plan.",
                                      occurred_on=day + timedelta(days=5), **AS_PARTNER),
            lambda: challenge.respond(organisation_id=organisations[1].key, response="Noted.",
                                      occurred_on=day + timedelta(days=6), **AS_PARTNER),
            lambda: challenge.resolve(outcome="accepted", agreed_actions=("Audit in Q3",),
                                      occurred_on=day + timedelta(days=9), **AS_PARTNER),
        ]
        for step in steps:
            yield step()


def domain_events(count: int) -> Iterator[DomainEvent]:
    """``count`` valid events: partners and people first, then challenge lifecycles."""
    log = RealisticLog()
    for _ in range(count):
        yield next(log._events)


def plain_fields(stored: StoredEvent) -> tuple[str, dict[str, Any]]:
    """(event type, fields) of a stored ledger event, for the plain baseline."""
    return stored.topic.rsplit(":", 1)[-1], json.loads(stored.state)


def fill(recorder: LedgerRecorder, count: int, batch: int = 1000) -> int:
    """Append ``count`` realistic events; returns the log size."""
    log = RealisticLog(recorder.subject_keys)
    remaining = count
    while remaining > 0:
        take = min(batch, remaining)
        recorder.insert_events(log.stored(take))
        remaining -= take
    return recorder.size()
