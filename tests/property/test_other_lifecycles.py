"""Lifecycle properties of audits, yearly reports, organisations, people and inspections.

For random sequences of acts with random dates:

* replaying the stored events (canonical JSON) rebuilds an aggregate equal
  in state to the one built in memory;
* a refused act never changes the version and leaves no pending event;
* an accepted act is never dated before the previous one (for the
  aggregates whose acts are dated in order).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from eventsourcing.persistence import JSONTranscoder
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.domain.acting import DatedAggregate, Stamp
from ledger.domain.audits import Audit
from ledger.domain.base import Aggregate, CanonicalJSONMapper, DomainEvent
from ledger.domain.inspections import Inspection
from ledger.domain.organisations import NationalRole, Organisation
from ledger.domain.people import Person
from ledger.domain.recipients import Recipient
from ledger.domain.reports import YearlyReport
from ledger.errors import InvalidInputError, RefusedError
from tests.memory_keys import MemoryKeys

BY: dict[str, Any] = {"actor_id": "jane-porter", "actor_role": "business_unit"}
START = date(2019, 10, 1)


def organisation(key: str, kind: str, role: str | None = None) -> Organisation:
    org = Organisation.new(key)
    org.register(name=key, kind=kind, statutory_role=role, occurred_on=date(2019, 6, 3), **BY)
    return org


AGENCIES = [organisation(f"agency-{i}", "relevant_agency") for i in range(3)]
LEADS = [organisation("council", "safeguarding_partner", "local_authority"),
         organisation("police", "safeguarding_partner", "police"),
         organisation("icb", "safeguarding_partner", "health")]
REGULATORS = [organisation("ofsted", "regulator"), organisation("cqc", "regulator")]
BOARD = organisation("somerset-hwb", "local_body")
RECIPIENTS = [Recipient(role=role, organisation_id="body", name="Body") for role in NationalRole]


@dataclass(frozen=True)
class Step:
    kind: str
    shift: int
    choice: int


def steps_of(kinds: tuple[str, ...]) -> st.SearchStrategy[list[Step]]:
    step = st.builds(Step, st.sampled_from(kinds), st.integers(-5, 40), st.integers(0, 3))
    return st.lists(step, max_size=25)


def audit_acts(audit: Audit, step: Step, at: Stamp) -> Callable[[], object]:
    agency, pick = AGENCIES[step.choice % 3], step.choice
    return {
        "return": lambda: audit.submit_return(agency=agency, self_ratings={"S1": "amber",
                                                                            "S2": "red"}, at=at),
        "challenge": lambda: audit.hold_peer_challenge(agency=agency,
                                                       challengers=[AGENCIES[(pick + 1) % 3]],
                                                       notes="n", at=at),
        "moderate": lambda: audit.moderate_rating(agency=agency, standard=f"S{pick}",
                                                  rating="green", reason="r", at=at),
        "finding": lambda: audit.record_finding(finding_id=f"F{pick}", text="t", agency=None,
                                                at=at),
        "action": lambda: audit.agree_action(action_id=f"A{pick}", text="t", owner=agency,
                                             due_on=None, at=at),
        "close": lambda: audit.close_action(action_id=f"A{pick}", outcome="o", at=at),
        "complete": lambda: audit.complete(summary="s", at=at),
    }[step.kind]


def report_acts(report: YearlyReport, step: Step, at: Stamp) -> Callable[[], object]:
    pick = step.choice
    return {
        "draft": lambda: report.draft(draft=f"v{pick}", at=at),
        "scrutinise": lambda: report.scrutinise(conclusions="c", findings=[], at=at),
        "sign": lambda: report.sign_off(organisation=None if pick == 3 else LEADS[pick], at=at),
        "publish": lambda: report.publish(location="l", at=at),
        "send": lambda: report.send(recipient=RECIPIENTS[pick % 3], at=at),
        "present": lambda: report.present(board=BOARD, note=None, at=at),
    }[step.kind]


def inspection_acts(inspection: Inspection, step: Step, at: Stamp) -> Callable[[], object]:
    return {
        "findings": lambda: inspection.record_findings(findings=["f"], at=at),
        "publish": lambda: inspection.publish(
            judgement=("good", "not_graded", "inadequate", "outstanding")[step.choice],
            location="l", at=at),
        "plan": lambda: inspection.agree_action_plan(actions=["a"], owners=[AGENCIES[0]], at=at),
    }[step.kind]


def new_audit() -> Audit:
    audit = Audit.new("S11-2019")
    audit.plan(kind="section_11", title="t", agencies=AGENCIES,
               at=Stamp("jane-porter", "business_unit", START))
    return audit


def new_report() -> YearlyReport:
    # Opened near the change of edition, so sign-off follows both WT2018 and WT2023.
    report = YearlyReport.new("2023-24")
    report.open_period(period_start=date(2023, 4, 1), period_end=date(2024, 3, 31),
                       previous=None, at=Stamp("jane-porter", "business_unit",
                                               date(2023, 11, 1)))
    return report


def new_inspection() -> Inspection:
    inspection = Inspection.new("JTAI-2020-01")
    inspection.announce(kind="jtai", inspectorates=REGULATORS, theme="t",
                        starts_on=START + timedelta(days=7),
                        at=Stamp("jane-porter", "business_unit", START))
    return inspection


MAPPER: CanonicalJSONMapper[Any] = CanonicalJSONMapper(MemoryKeys(), transcoder=JSONTranscoder())
Acts = Callable[[Any, Step, Stamp], Callable[[], object]]


def check(aggregate: DatedAggregate, acts: Acts, sequence: list[Step]) -> None:
    events: list[DomainEvent] = list(aggregate.collect_events())
    assert aggregate.last_act_on is not None
    last = aggregate.last_act_on
    for step in sequence:
        on = last + timedelta(days=step.shift)
        version = aggregate.version
        try:
            acts(aggregate, step, Stamp("jane-porter", "business_unit", on))()
        except (RefusedError, InvalidInputError):
            assert aggregate.version == version
            assert aggregate.collect_events() == []
            continue
        assert on >= last
        new = aggregate.collect_events()
        assert len(new) == 1 and aggregate.version == version + 1
        events.extend(new)
        last = on
    assert_replays_equal(aggregate, events)


def assert_replays_equal(aggregate: Aggregate, events: list[DomainEvent]) -> None:
    rebuilt: Any = None
    for event in events:
        rebuilt = MAPPER.to_domain_event(MAPPER.to_stored_event(event)).mutate(rebuilt)
    assert type(rebuilt) is type(aggregate)
    assert {k: v for k, v in vars(rebuilt).items() if k != "_pending"} == {
        k: v for k, v in vars(aggregate).items() if k != "_pending"
    }


@settings(max_examples=120, deadline=None)
@given(steps_of(("return", "challenge", "moderate", "finding", "action", "close", "complete")))
def test_an_audit_replays_equal_and_refusals_change_nothing(sequence: list[Step]) -> None:
    audit = new_audit()
    check(audit, audit_acts, sequence)
    if audit.closed_on is not None:
        assert audit.findings, "an audit completed without findings"


@settings(max_examples=120, deadline=None)
@given(steps_of(("draft", "scrutinise", "sign", "publish", "send", "present")))
def test_a_yearly_report_replays_equal_and_follows_its_edition(sequence: list[Step]) -> None:
    report = new_report()
    check(report, report_acts, sequence)
    if report.published_on is not None and report.published_on >= date(2023, 12, 15):
        assert {r.value for r in report.signed_roles} == {"local_authority", "police", "health"}


@settings(max_examples=80, deadline=None)
@given(steps_of(("findings", "publish", "plan")))
def test_an_inspection_replays_equal(sequence: list[Step]) -> None:
    inspection = new_inspection()
    check(inspection, inspection_acts, sequence)
    if inspection.judgement is not None:
        assert inspection.judgement.value == "not_graded"


@st.composite
def organisation_histories(draw: st.DrawFn) -> list[tuple[str, int]]:
    return draw(st.lists(st.tuples(st.sampled_from(("rename", "succeed", "dissolve")),
                                   st.integers(-400, 900)), max_size=8))


@settings(max_examples=120, deadline=None)
@given(organisation_histories())
def test_an_organisation_ends_once_and_replays_equal(history: list[tuple[str, int]]) -> None:
    org = organisation("somerset-ccg", "safeguarding_partner", "health")
    successor = organisation("nhs-somerset-icb", "relevant_agency")
    events = list(org.collect_events())
    for number, (kind, offset) in enumerate(history):
        on = date(2020, 1, 1) + timedelta(days=offset)
        version = org.version
        try:
            if kind == "rename":
                org.rename(f"Name {number}", occurred_on=on, **BY)
            elif kind == "succeed":
                org.succeed(successor, occurred_on=on, **BY)
            else:
                org.dissolve("ended", occurred_on=on, **BY)
        except RefusedError:
            assert org.version == version and org.collect_events() == []
            continue
        events.extend(org.collect_events())
    endings = [e for e in events if type(e).__name__ in ("OrganisationSucceeded",
                                                          "OrganisationDissolved")]
    assert len(endings) <= 1
    if org.ended_on is not None:
        assert all(effective < org.ended_on for effective, _ in org.names)
        assert not org.existed_on(org.ended_on)
    assert_replays_equal(org, events)


@settings(max_examples=120, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.integers(0, 2), st.integers(-30, 200)),
                max_size=12))
def test_interests_never_overlap_for_one_organisation(
    acts: list[tuple[bool, int, int]],
) -> None:
    person = Person.new("tom-baker")
    person.appoint("moderator", AGENCIES[0], display_name="Tom Baker", occurred_on=START, **BY)
    events = list(person.collect_events())
    for declare, which, offset in acts:
        on = START + timedelta(days=offset)
        version = person.version
        try:
            if declare:
                person.declare_interest(AGENCIES[which], "contract", occurred_on=on, **BY)
            else:
                person.end_interest(AGENCIES[which].key, occurred_on=on, **BY)
        except RefusedError:
            assert person.version == version and person.collect_events() == []
            continue
        events.extend(person.collect_events())
    for agency in AGENCIES:
        spells = sorted((i.start, i.end) for i in person.interests
                        if i.organisation_id == agency.key)
        for (_, end), (start, _) in zip(spells, spells[1:], strict=False):
            assert end is not None and end <= start
    assert_replays_equal(person, events)
