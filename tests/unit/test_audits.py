"""Audits and reviews of practice: plan, returns, peer challenge, moderation, actions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from ledger.domain.acting import Stamp
from ledger.domain.audits import Audit, Rating
from ledger.domain.base import Aggregate, Tier
from ledger.domain.organisations import Organisation
from ledger.errors import RefusedError

BY: dict[str, Any] = {"actor_id": "jane-porter", "actor_role": "business_unit"}


def organisation(key: str, kind: str = "relevant_agency", on: date = date(2019, 6, 3)
                 ) -> Organisation:
    org = Organisation.new(key)
    org.register(name=key, kind=kind, statutory_role=None, occurred_on=on, **BY)
    return org


SCHOOL = organisation("a-school")
COLLEGE = organisation("a-college")
PROBATION = organisation("probation")
HWB = organisation("somerset-hwb", "local_body")


def at(day: str) -> Stamp:
    return Stamp("jane-porter", "business_unit", date.fromisoformat(day))


def assert_refused(aggregate: Aggregate, act: Callable[[], object], match: str) -> None:
    aggregate.collect_events()
    version = aggregate.version
    with pytest.raises(RefusedError, match=match):
        act()
    assert aggregate.version == version
    assert aggregate.collect_events() == []


def planned(kind: str = "section_11") -> Audit:
    audit = Audit.new("S11-2019")
    audit.plan(kind=kind, title="Section 11 audit", agencies=[SCHOOL, PROBATION],
               at=at("2019-10-01"))
    return audit


def test_a_section_157_175_audit_covers_education_providers_only() -> None:
    audit = Audit.new("S175-2020")
    assert_refused(audit, lambda: audit.plan(kind="section_157_175", title="t",
                                             agencies=[SCHOOL, HWB], at=at("2020-01-13")),
                   "somerset-hwb is not one")
    audit.plan(kind="section_157_175", title="t", agencies=[SCHOOL, COLLEGE], at=at("2020-01-13"))
    assert audit.agencies == ("a-school", "a-college")


def test_returns_peer_challenge_and_moderation_follow_each_other() -> None:
    audit = planned()
    assert_refused(audit, lambda: audit.submit_return(agency=COLLEGE, self_ratings={"S1": "red"},
                                                      at=at("2019-11-01")),
                   "a-college is not one of the agencies")
    assert_refused(audit, lambda: audit.hold_peer_challenge(
        agency=PROBATION, challengers=[SCHOOL], notes="n", at=at("2019-11-01")),
        "has not submitted its return")
    audit.submit_return(agency=PROBATION, self_ratings={"S1": "amber", "S2": "red"},
                        at=at("2019-11-15"))
    assert_refused(audit, lambda: audit.submit_return(agency=PROBATION, self_ratings={"S1": "red"},
                                                      at=at("2019-11-16")),
                   "already submitted")
    challenge = audit.hold_peer_challenge(agency=PROBATION, challengers=[SCHOOL], notes="n",
                                          at=at("2019-12-04"))
    assert challenge.tier is Tier.DELIVERY
    assert_refused(audit, lambda: audit.hold_peer_challenge(
        agency=PROBATION, challengers=[PROBATION], notes="n", at=at("2019-12-04")),
        "cannot peer-challenge its own return")
    moderated = audit.moderate_rating(agency=PROBATION, standard="S2", rating="amber",
                                      reason="Evidence", at=at("2019-12-04"))
    assert (moderated.self_rating, moderated.moderated_rating) == (Rating.RED, Rating.AMBER)
    assert_refused(audit, lambda: audit.moderate_rating(
        agency=PROBATION, standard="S2", rating="green", reason="r", at=at("2019-12-05")),
        "already moderated")
    assert_refused(audit, lambda: audit.moderate_rating(
        agency=PROBATION, standard="S9", rating="green", reason="r", at=at("2019-12-05")),
        r"did not rate standard 'S9' \(it rated S1, S2\)")


def test_completion_needs_a_finding_and_ends_everything_but_closing_actions() -> None:
    audit = planned()
    assert_refused(audit, lambda: audit.complete(summary="s", at=at("2019-12-10")),
                   "has no findings yet")
    audit.record_finding(finding_id="F1", text="Supervision varies.", agency=None,
                         at=at("2019-12-10"))
    assert_refused(audit, lambda: audit.record_finding(finding_id="F1", text="t", agency=None,
                                                       at=at("2019-12-10")), "already exists")
    audit.agree_action(action_id="A1", text="A standard", owner=PROBATION,
                       due_on=date(2020, 3, 31), at=at("2019-12-16"))
    assert_refused(audit, lambda: audit.agree_action(action_id="A2", text="t", owner=PROBATION,
                                                     due_on=date(2019, 12, 1),
                                                     at=at("2019-12-16")),
                   "cannot be due before it is agreed")
    audit.complete(summary="Adequate", at=at("2020-01-15"))
    assert audit.status == "completed"
    assert_refused(audit, lambda: audit.record_finding(finding_id="F2", text="t", agency=None,
                                                       at=at("2020-01-16")),
                   "it was completed on 2020-01-15")
    audit.close_action(action_id="A1", outcome="Adopted", at=at("2020-03-30"))
    assert audit.open_actions == () and audit.closed_actions == ("A1",)
    assert_refused(audit, lambda: audit.close_action(action_id="A1", outcome="o",
                                                     at=at("2020-03-31")), "already closed")


def test_an_agency_that_no_longer_exists_cannot_return() -> None:
    audit = planned()
    ended = organisation("probation")
    ended.dissolve("unified", occurred_on=date(2019, 11, 1), **BY)
    assert_refused(audit, lambda: audit.submit_return(
        agency=ended, self_ratings={"S1": "green"}, at=at("2019-11-15")),
        "probation no longer existed on 2019-11-15")
