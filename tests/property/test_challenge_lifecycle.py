"""Properties of the challenge lifecycle under random sequences of acts.

* Replaying the stored events (encoded canonically, as the recorder keeps
  them) rebuilds an aggregate equal in state to the one built in memory.
* A refused act never changes the version and leaves no pending event.
* Once resolved or withdrawn, every further act is refused; dates never go
  backwards along a challenge's history.

The first property is checked through the mapper for many sequences, and
through a real ledger (SQLite and PostgreSQL) for a few.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from eventsourcing.persistence import JSONTranscoder
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commands.admin import init_ledger
from ledger.application import ScrutinyLedger, open_ledger
from ledger.domain.base import CanonicalJSONMapper, DomainEvent, Tier
from ledger.domain.challenges import Challenge, ChallengeStatus
from ledger.domain.organisations import Organisation
from ledger.errors import InvalidInputError, RefusedError
from tests.memory_keys import MemoryKeys
from tests.conftest import ENGINES, drop_pg_schema, make_db_url

RAISED_ON = date(2019, 10, 14)
PARTNERS = ("somerset-county-council", "avon-and-somerset-constabulary")
OUTSIDER = "somerset-ccg"
BY: dict[str, Any] = {"actor_id": "someone", "actor_role": "independent_scrutineer"}


def organisation(key: str) -> Organisation:
    org = Organisation.new(key)
    org.register(
        name=key, kind="relevant_agency", statutory_role=None, occurred_on=date(2019, 6, 3), **BY
    )
    return org


@dataclass(frozen=True)
class Step:
    kind: str  # respond | escalate | resolve | withdraw
    shift: int  # days after the previous act (negative: backdated)
    organisation: str = ""
    level: str = ""
    outcome: str = ""


steps = st.one_of(
    st.builds(
        Step,
        st.just("respond"),
        st.integers(-3, 20),
        organisation=st.sampled_from((*PARTNERS, OUTSIDER)),
    ),
    st.builds(
        Step,
        st.just("escalate"),
        st.integers(-3, 20),
        level=st.sampled_from(("executive", "disagreement_resolution")),
    ),
    st.builds(
        Step,
        st.just("resolve"),
        st.integers(-3, 20),
        outcome=st.sampled_from(("accepted", "partly_accepted", "not_accepted")),
    ),
    st.builds(Step, st.just("withdraw"), st.integers(-3, 20)),
)


def raised(key: str) -> Challenge:
    challenge = Challenge.new(key)
    challenge.raise_challenge(
        raised_by="helen-morgan",
        partners=[organisation(p) for p in PARTNERS],
        subject="Threshold for a CSPR",
        tier=Tier.EXECUTIVE,
        respond_within_working_days=10,
        occurred_on=RAISED_ON,
        **BY,
    )
    return challenge


def perform(challenge: Challenge, step: Step, on: date) -> None:
    if step.kind == "respond":
        challenge.respond(step.organisation, "A response.", occurred_on=on, **BY)
    elif step.kind == "escalate":
        challenge.escalate(step.level, "Not settled.", occurred_on=on, **BY)
    elif step.kind == "resolve":
        challenge.resolve(step.outcome, ["An action."], occurred_on=on, **BY)
    else:
        challenge.withdraw("Superseded.", occurred_on=on, **BY)


def run_steps(challenge: Challenge, sequence: list[Step]) -> list[DomainEvent]:
    """Apply each step; check the refusal properties; return every accepted event."""
    accepted: list[DomainEvent] = list(challenge.collect_events())
    last = RAISED_ON
    for step in sequence:
        on = last + timedelta(days=step.shift)
        version, closed = challenge.version, challenge.status.closed
        try:
            perform(challenge, step, on)
        except (RefusedError, InvalidInputError):
            assert challenge.version == version
            assert challenge.collect_events() == []
            continue
        assert not closed, "an act was accepted after the challenge was closed"
        assert on >= last, "an act was accepted with a date before the previous act"
        new = challenge.collect_events()
        assert len(new) == 1 and challenge.version == version + 1
        accepted.extend(new)
        last = on
    return accepted


def state(challenge: Challenge) -> dict[str, Any]:
    return {k: v for k, v in vars(challenge).items() if k != "_pending"}


MAPPER: CanonicalJSONMapper[Any] = CanonicalJSONMapper(MemoryKeys(), transcoder=JSONTranscoder())


@settings(max_examples=200, deadline=None)
@given(st.lists(steps, max_size=12))
def test_replaying_the_stored_events_rebuilds_the_same_challenge(sequence: list[Step]) -> None:
    challenge = raised("CH-2019-0c5a01")
    events = run_steps(challenge, sequence)
    rebuilt: Any = None
    for event in events:
        stored = MAPPER.to_stored_event(event)
        rebuilt = MAPPER.to_domain_event(stored).mutate(rebuilt)
    assert isinstance(rebuilt, Challenge)
    assert state(rebuilt) == state(challenge)
    assert rebuilt.version == len(events)


@settings(max_examples=300, deadline=None)
@given(st.lists(steps, max_size=12))
def test_the_status_follows_the_lifecycle(sequence: list[Step]) -> None:
    challenge = raised("CH-2019-0c5a01")
    run_steps(challenge, sequence)
    if challenge.status is ChallengeStatus.OPEN:
        assert not challenge.responses and not challenge.escalations
    if challenge.status is ChallengeStatus.RESPONDED:
        assert challenge.responses and not challenge.escalations
    if challenge.status is ChallengeStatus.ESCALATED:
        assert challenge.escalations
    if challenge.status is ChallengeStatus.RESOLVED:
        assert challenge.outcome is not None
        assert challenge.responses or challenge.escalations
    levels = [e.to.rank for e in challenge.escalations]
    assert levels == sorted(set(levels))
    for escalation in challenge.escalations:
        if escalation.to.value == "disagreement_resolution":
            earlier = [r for r in challenge.responses if r.on <= escalation.on]
            assert earlier or levels[0] == 0
    stages = [(r.organisation_id, r.stage) for r in challenge.responses]
    assert len(stages) == len(set(stages))
    assert all(r.organisation_id in PARTNERS for r in challenge.responses)


# -- the same property through a real ledger ----------------------------------------


@pytest.fixture(scope="module", params=ENGINES)
def stored_ledger(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ScrutinyLedger]:
    directory: Path = tmp_path_factory.mktemp(f"lifecycle-{request.param}")
    url, schema = make_db_url(str(request.param), directory)
    init_ledger(url, directory / "scrutiny.key", "test.scrutiny-ledger/lifecycle")
    app = open_ledger(url)
    try:
        yield app
    finally:
        app.close()
        if schema is not None:
            drop_pg_schema(schema)


_IDS = itertools.count(1)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.lists(steps, max_size=8))
def test_a_stored_challenge_loads_equal_to_the_one_built_in_memory(
    stored_ledger: ScrutinyLedger, sequence: list[Step]
) -> None:
    key = f"CH-2019-{next(_IDS):06x}"
    challenge = raised(key)
    stored_ledger.record(challenge)
    last = RAISED_ON
    for step in sequence:
        on = last + timedelta(days=step.shift)
        version = challenge.version
        before = stored_ledger.ledger_recorder.max_notification_id()
        try:
            perform(challenge, step, on)
        except (RefusedError, InvalidInputError):
            assert challenge.version == version
            assert stored_ledger.ledger_recorder.max_notification_id() == before
            continue
        stored_ledger.record(challenge)
        last = on
    loaded = stored_ledger.load(Challenge, key)
    assert state(loaded) == state(challenge)
