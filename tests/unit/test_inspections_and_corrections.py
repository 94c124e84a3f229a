"""Inspections from announcement to action plan; corrections that name what they correct."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest

from ledger.domain.acting import Stamp
from ledger.domain.base import Aggregate, today_in_london
from ledger.domain.challenges import Challenge, ChallengeRaised
from ledger.domain.corrections import Correction, EventCorrected, corrected
from ledger.domain.inspections import Inspection
from ledger.domain.organisations import Organisation
from ledger.errors import InvalidInputError, RefusedError

BY: dict[str, Any] = {"actor_id": "jane-porter", "actor_role": "business_unit"}


def organisation(key: str, kind: str) -> Organisation:
    org = Organisation.new(key)
    org.register(name=key, kind=kind, statutory_role=None, occurred_on=date(2019, 6, 3), **BY)
    return org


OFSTED = organisation("ofsted", "regulator")
CQC = organisation("cqc", "regulator")
COUNCIL = organisation("a-council", "relevant_agency")


def at(day: str) -> Stamp:
    return Stamp("jane-porter", "business_unit", date.fromisoformat(day))


def assert_refused(aggregate: Aggregate, act: Callable[[], object], match: str) -> None:
    aggregate.collect_events()
    version = aggregate.version
    with pytest.raises(RefusedError, match=match):
        act()
    assert aggregate.version == version
    assert aggregate.collect_events() == []


def test_a_jtai_has_several_inspectorates_and_no_grade() -> None:
    jtai = Inspection.new("JTAI-2020-01")
    assert_refused(jtai, lambda: jtai.announce(kind="jtai", inspectorates=[OFSTED], theme="t",
                                               starts_on=date(2020, 3, 2), at=at("2020-02-24")),
                   "at least two inspectorates")
    assert_refused(jtai, lambda: jtai.announce(kind="ofsted", inspectorates=[OFSTED, CQC],
                                               theme="t", starts_on=date(2020, 3, 2),
                                               at=at("2020-02-24")), "make a jtai")
    assert_refused(jtai, lambda: jtai.announce(kind="jtai", inspectorates=[OFSTED, COUNCIL],
                                               theme="t", starts_on=date(2020, 3, 2),
                                               at=at("2020-02-24")),
                   "a-council is not a regulator")
    jtai.announce(kind="jtai", inspectorates=[OFSTED, CQC], theme="Mental health",
                  starts_on=date(2020, 3, 2), at=at("2020-02-24"))
    assert_refused(jtai, lambda: jtai.record_findings(findings=["f"], at=at("2020-02-28")),
                   "starts on 2020-03-02; findings follow")
    assert_refused(jtai, lambda: jtai.publish(judgement="good", location="l", at=at("2020-03-06")),
                   "no findings yet")
    jtai.record_findings(findings=["Strong leadership."], at=at("2020-03-06"))
    assert_refused(jtai, lambda: jtai.publish(judgement="good", location="l", at=at("2020-05-05")),
                   "not graded")
    assert_refused(jtai, lambda: jtai.agree_action_plan(actions=["a"], owners=[COUNCIL],
                                                        at=at("2020-05-05")),
                   "follows its published report")
    jtai.publish(judgement="not_graded", location="https://example.org", at=at("2020-05-05"))
    jtai.agree_action_plan(actions=["Reduce waits."], owners=[COUNCIL], at=at("2020-06-01"))
    assert jtai.status == "action_plan_agreed"
    assert_refused(jtai, lambda: jtai.agree_action_plan(actions=["a"], owners=[COUNCIL],
                                                        at=at("2020-06-02")), "already agreed")


def raised_challenge() -> ChallengeRaised:
    challenge = Challenge.new("CH-2019-0c5a01")
    event = challenge.raise_challenge(
        raised_by="helen-morgan", partners=[COUNCIL], subject="Thresholds", tier=1,
        respond_within_working_days=10, occurred_on=date(2019, 10, 14),
        actor_id="helen-morgan", actor_role="independent_scrutineer")
    return event


def test_a_correction_records_new_and_previous_values_and_the_reason() -> None:
    target = raised_challenge()
    correction = Correction.new(target.originator_id, target.originator_version)
    assert correction.id == "correction:challenge:CH-2019-0c5a01@1"
    event = correction.correct(target=target, position=7, values={"subject": "Thresholds for "
                               "a CSPR"}, reason="Typo", at=at("2019-10-15"))
    assert isinstance(event, EventCorrected)
    assert event.corrected_values == {"subject": "Thresholds for a CSPR"}
    assert event.previous_values == {"subject": "Thresholds"}
    assert (event.target_stream_id, event.target_version, event.target_position) == (
        "challenge:CH-2019-0c5a01", 1, 7)
    view = corrected(target, correction.values)
    assert isinstance(view, ChallengeRaised) and view.subject == "Thresholds for a CSPR"
    assert target.subject == "Thresholds"  # the original is untouched
    second = correction.correct(target=target, position=None, values={"tier": 2},
                                reason="Tier 2 forum", at=at("2019-10-16"))
    assert second.previous_values == {"tier": 1}
    assert correction.values == {"subject": "Thresholds for a CSPR", "tier": 2}


def test_a_correction_must_name_real_fields_keep_attribution_and_change_something() -> None:
    target = raised_challenge()
    correction = Correction.new(target.originator_id, 1)
    with pytest.raises(InvalidInputError, match="ChallengeRaised has no field 'colour'"):
        correction.correct(target=target, position=None, values={"colour": "red"}, reason="r",
                           at=at("2019-10-15"))
    with pytest.raises(InvalidInputError, match="tier"):
        correction.correct(target=target, position=None, values={"tier": 9}, reason="r",
                           at=at("2019-10-15"))
    assert_refused(correction, lambda: correction.correct(
        target=target, position=None, values={"actor_id": "someone-else"}, reason="r",
        at=at("2019-10-15")), "identifies or attributes the entry")
    assert_refused(correction, lambda: correction.correct(
        target=target, position=None, values={"subject": "Thresholds"}, reason="r",
        at=at("2019-10-15")), "must change at least one value")
    assert_refused(correction, lambda: correction.correct(
        target=target, position=None, values={"subject": "New"}, reason="r",
        at=at("2019-10-13")), "cannot be dated before the entry it corrects")
    tomorrow = (today_in_london() + timedelta(days=1)).isoformat()
    with pytest.raises(InvalidInputError, match="cannot be in the future"):
        correction.correct(target=target, position=None, values={"occurred_on": tomorrow},
                           reason="r", at=at("2019-10-15"))


def test_a_correction_cannot_itself_be_corrected() -> None:
    target = raised_challenge()
    first = Correction.new(target.originator_id, 1)
    event = first.correct(target=target, position=None, values={"subject": "New"}, reason="r",
                          at=at("2019-10-15"))
    again = Correction.new(event.originator_id, 1)
    assert_refused(again, lambda: again.correct(target=event, position=None,
                                                values={"reason": "other"}, reason="r",
                                                at=at("2019-10-16")),
                   "a correction entry cannot itself be corrected")
