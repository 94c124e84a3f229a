"""Properties of a case's lifecycle under random sequences of acts and dates.

* Replaying the stored events (canonical JSON, as the recorder keeps them)
  rebuilds a case equal in state to the one built in memory.
* A refused act never changes the version and leaves no pending event.
* Dates never go backwards along a case; each stage is reached only after
  the one before it; publication comes at least 7 working days after the
  copies, and only after every partner signed off the decision.

Checked through the mapper for many sequences, and through a real ledger
(SQLite and PostgreSQL) for a few.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from eventsourcing.persistence import JSONTranscoder
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commands.admin import init_ledger
from ledger.calendar import add_working_days
from ledger.domain.acting import Stamp
from ledger.domain.base import CanonicalJSONMapper, DomainEvent
from ledger.domain.cases import Case
from ledger.domain.organisations import NationalRole, Organisation
from ledger.domain.recipients import Recipient
from ledger.errors import InvalidInputError, RefusedError
from tests.memory_keys import MemoryKeys
from tests.conftest import ENGINES, drop_pg_schema, make_db_url

BY: dict[str, Any] = {"actor_id": "jane-porter", "actor_role": "business_unit"}
START = date(2019, 9, 9)
PANEL = Recipient(role=NationalRole.PRACTICE_REVIEW_PANEL, organisation_id="cspr-panel", name="P")
SOS = Recipient(role=NationalRole.SECRETARY_OF_STATE, organisation_id="dfe", name="S")


def partner(key: str, role: str) -> Organisation:
    org = Organisation.new(key)
    org.register(name=key, kind="safeguarding_partner", statutory_role=role,
                 occurred_on=date(2019, 6, 3), **BY)
    return org


SCC = partner("somerset-county-council", "local_authority")
POLICE = partner("avon-and-somerset-constabulary", "police")
CCG = partner("somerset-ccg", "health")
PARTNERS = (SCC, POLICE, CCG)

STEPS = (
    "inform", "start", "complete", "decide", "sign", "panel", "commission", "progress",
    "draft", "sign_off", "copies", "publish", "delay", "recommend", "close",
)


@dataclass(frozen=True)
class Step:
    kind: str
    shift: int  # days after the previous accepted act (negative: backdated)
    choice: int  # picks a partner, a decision, a mode ...


steps = st.builds(Step, st.sampled_from(STEPS), st.integers(-3, 25), st.integers(0, 5))
PIPELINE = (
    "inform", "start", "complete", "decide", "sign", "sign", "sign", "panel", "commission",
    "progress", "delay", "draft", "sign_off", "copies", "publish", "recommend", "close",
)


@st.composite
def journeys(draw: st.DrawFn) -> list[Step]:
    """Mostly the journey in order, with steps left out and random acts in between."""
    sequence: list[Step] = []
    signed = 0
    for kind in PIPELINE:
        if draw(st.integers(0, 9)) > 0:
            choice = signed if kind == "sign" else draw(st.integers(0, 5))
            signed += kind == "sign"
            sequence.append(Step(kind, draw(st.integers(0, 20)), choice))
        sequence.extend(draw(st.lists(steps, max_size=1)))
    return sequence


def perform(case: Case, step: Step, on: date) -> None:
    at = Stamp("jane-porter", "business_unit", on)
    pick = step.choice
    actions: dict[str, Callable[[], object]] = {
        "inform": lambda: case.inform_partners(partners=[POLICE, CCG], at=at),
        "start": lambda: case.start_rapid_review(partners_aware_on=on - timedelta(days=pick),
                                                 at=at),
        "complete": lambda: case.complete_rapid_review(
            facts="f", immediate_action="i", potential_improvements="p", next_steps="n",
            recommendation=("local_cspr", "national_review", "no_review")[pick % 3], at=at),
        "decide": lambda: case.decide(
            decision=("local_cspr", "local_cspr", "national_referral", "no_review")[pick % 4],
            criteria=["recurrent_themes"] if pick % 4 < 2 else [], reasons="r",
            partners=list(PARTNERS[: 3 if pick else 2]), at=at),
        "sign": lambda: case.sign_decision(organisation=PARTNERS[pick % 3], at=at),
        "panel": lambda: case.record_panel_response(response="agrees", comments="c", at=at),
        "commission": lambda: case.commission(reviewer="r", scope="s", terms="t", at=at),
        "progress": lambda: case.monitor_progress(status="on_track", note="n", at=at),
        "draft": lambda: case.receive_draft(draft=f"v{pick}", at=at),
        "sign_off": lambda: case.sign_off_report(note=None, at=at),
        "copies": lambda: case.send_copies(recipients=[PANEL, SOS],
                                           planned_publication=on + timedelta(days=7 + pick * 3),
                                           at=at),
        "publish": lambda: case.publish(mode=("full", "improvements_only")[pick % 2],
                                        location="l", reasons="r" if pick % 4 == 1 else None,
                                        at=at),
        "delay": lambda: case.delay_publication(reason="criminal_proceedings", details="d",
                                                expected_on=on + timedelta(days=30), at=at),
        "recommend": lambda: case.agree_recommendation(
            recommendation_id=f"R{pick}", text="t", owner=SCC, action="a", due_on=None, at=at),
        "close": lambda: case.close_recommendation(recommendation_id=f"R{pick}", outcome="o",
                                                   at=at),
    }
    actions[step.kind]()


def notified(key: str = "SSCP-2019-01") -> Case:
    case = Case.new(key)
    case.notify(local_authority=SCC, panel=PANEL, children=["Child A"],
                became_aware_on=START - timedelta(days=3), summary="s",
                at=Stamp("jane-porter", "business_unit", START))
    return case


def run_steps(case: Case, sequence: list[Step]) -> list[DomainEvent]:
    """Apply each step; check the refusal properties; return every accepted event."""
    accepted: list[DomainEvent] = list(case.collect_events())
    last = START
    for step in sequence:
        on = last + timedelta(days=step.shift)
        version, status = case.version, case.status
        try:
            perform(case, step, on)
        except (RefusedError, InvalidInputError):
            assert case.version == version
            assert case.collect_events() == []
            continue
        assert on >= last, "an act was accepted with a date before the previous act"
        new = case.collect_events()
        assert len(new) == 1 and case.version == version + 1
        check_stage_order(case, status, step.kind)
        accepted.extend(new)
        last = on
    return accepted


def check_stage_order(case: Case, before: str, kind: str) -> None:
    if kind == "start":
        assert before == "partners_informed"
    if kind == "commission":
        assert case.decision is not None and set(case.signed_by) == set(case.decision.partners)
    if kind == "publish":
        assert case.copies_sent_on is not None and case.published_on is not None
        assert case.published_on >= add_working_days(case.copies_sent_on, 7)


def state(case: Case) -> dict[str, Any]:
    return {k: v for k, v in vars(case).items() if k != "_pending"}


MAPPER: CanonicalJSONMapper[Any] = CanonicalJSONMapper(MemoryKeys(), transcoder=JSONTranscoder())


@settings(max_examples=150, deadline=None)
@given(st.one_of(journeys(), st.lists(steps, max_size=30)))
def test_replaying_the_stored_events_rebuilds_the_same_case(sequence: list[Step]) -> None:
    case = notified()
    events = run_steps(case, sequence)
    rebuilt: Any = None
    for event in events:
        rebuilt = MAPPER.to_domain_event(MAPPER.to_stored_event(event)).mutate(rebuilt)
    assert isinstance(rebuilt, Case)
    assert state(rebuilt) == state(case)
    assert rebuilt.version == len(events)


@settings(max_examples=100, deadline=None)
@given(journeys())
def test_every_deadline_met_names_its_rule_and_edition(sequence: list[Step]) -> None:
    case = notified()
    run_steps(case, sequence)
    for deadline in case.deadlines():
        assert deadline.rule_id and deadline.edition in ("WT2018", "WT2023")
        assert deadline.met_on is None or deadline.met_on >= START


@pytest.fixture(scope="module", params=ENGINES)
def stored_ledger(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
                  ) -> Iterator[Any]:
    from ledger.application import open_ledger

    directory: Path = tmp_path_factory.mktemp(f"case-lifecycle-{request.param}")
    url, schema = make_db_url(str(request.param), directory)
    init_ledger(url, directory / "scrutiny.key", "test.scrutiny-ledger/cases")
    app = open_ledger(url)
    try:
        yield app
    finally:
        app.close()
        if schema is not None:
            drop_pg_schema(schema)


_IDS = itertools.count(1)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(journeys())
def test_a_stored_case_loads_equal_to_the_one_built_in_memory(
    stored_ledger: Any, sequence: list[Step]
) -> None:
    key = f"SSCP-2019-{next(_IDS):04d}"
    case = notified(key)
    stored_ledger.record(case)
    last = START
    for step in sequence:
        on = last + timedelta(days=step.shift)
        version = case.version
        before = stored_ledger.ledger_recorder.max_notification_id()
        try:
            perform(case, step, on)
        except (RefusedError, InvalidInputError):
            assert case.version == version
            assert stored_ledger.ledger_recorder.max_notification_id() == before
            continue
        stored_ledger.record(case)
        last = on
    assert state(stored_ledger.load(Case, key)) == state(case)
