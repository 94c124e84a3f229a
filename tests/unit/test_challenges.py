"""Challenges: the lifecycle and every guard (refused, and nothing changed)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from ledger.domain.base import Aggregate, Tier
from ledger.domain.challenges import (
    DUE_RULE,
    Challenge,
    ChallengeRaised,
    ChallengeStatus,
    EscalationLevel,
    Outcome,
)
from ledger.domain.organisations import Organisation
from ledger.errors import InvalidInputError, RefusedError

SCRUTINEER: dict[str, Any] = {"actor_id": "helen-morgan", "actor_role": "independent_scrutineer"}
LEAD: dict[str, Any] = {"actor_id": "sam-hughes", "actor_role": "lead_safeguarding_partner"}
CHAIR: dict[str, Any] = {"actor_id": "ruth-evans", "actor_role": "partnership_chair"}
RAISED_ON = date(2019, 10, 14)


def organisation(key: str, on: date = date(2019, 6, 3)) -> Organisation:
    org = Organisation.new(key)
    org.register(
        name=key,
        kind="relevant_agency",
        statutory_role=None,
        occurred_on=on,
        actor_id="jane-porter",
        actor_role="setup",
    )
    org.collect_events()
    return org


SCC = organisation("somerset-county-council")
POLICE = organisation("avon-and-somerset-constabulary")
LATE = organisation("somerset-nhs-ft", on=date(2020, 4, 1))


def raised(partners: tuple[Organisation, ...] = (SCC, POLICE), days: int = 10) -> Challenge:
    challenge = Challenge.new("CH-2019-0c5a01")
    challenge.raise_challenge(
        raised_by="helen-morgan",
        partners=partners,
        subject="Challenge to the threshold decision for a CSPR",
        tier=Tier.EXECUTIVE,
        respond_within_working_days=days,
        case_ref="SSCP-CSPR-2019-01",
        case_notified_on=date(2019, 9, 2),
        occurred_on=RAISED_ON,
        **SCRUTINEER,
    )
    challenge.collect_events()
    return challenge


def assert_refused(aggregate: Aggregate, act: Callable[[], object], match: str) -> None:
    aggregate.collect_events()
    version = aggregate.version
    with pytest.raises(RefusedError, match=match):
        act()
    assert aggregate.version == version
    assert aggregate.collect_events() == []


def respond(challenge: Challenge, org: str, on: date) -> None:
    challenge.respond(org, "Our response.", occurred_on=on, **LEAD)


def escalate(challenge: Challenge, to: str, on: date) -> None:
    challenge.escalate(to, "Not settled.", occurred_on=on, **SCRUTINEER)


# -- raising ----------------------------------------------------------------------


def test_raising_records_partners_tier_and_a_response_due_date_by_local_policy() -> None:
    challenge = Challenge.new("CH-2019-0c5a01")
    event = challenge.raise_challenge(
        raised_by="helen-morgan",
        partners=(SCC, POLICE),
        subject="  Threshold  ",
        tier=1,
        respond_within_working_days=5,
        case_ref="SSCP-CSPR-2019-01",
        case_notified_on=date(2021, 12, 1),
        occurred_on=date(2021, 12, 23),
        **SCRUTINEER,
    )
    assert isinstance(event, ChallengeRaised)
    assert event.tier is Tier.EXECUTIVE
    assert event.response_due == date(2022, 1, 4)
    assert event.respond_within_working_days == 5
    assert event.due_rule == DUE_RULE == "challenge-response"
    assert event.due_edition == "SSCP"
    assert event.subject == "Threshold"
    assert challenge.status is ChallengeStatus.OPEN
    assert challenge.to_partners == ("somerset-county-council", "avon-and-somerset-constabulary")
    assert challenge.awaiting() == challenge.to_partners


def test_a_challenge_needs_at_least_one_partner() -> None:
    challenge = Challenge.new("CH-2019-000001")
    assert_refused(
        challenge,
        lambda: challenge.raise_challenge(
            raised_by="helen-morgan",
            partners=(),
            subject="s",
            tier=1,
            respond_within_working_days=10,
            occurred_on=RAISED_ON,
            **SCRUTINEER,
        ),
        "at least one partner",
    )


def test_each_partner_is_challenged_once() -> None:
    challenge = Challenge.new("CH-2019-000001")
    assert_refused(
        challenge,
        lambda: challenge.raise_challenge(
            raised_by="helen-morgan",
            partners=(SCC, SCC),
            subject="s",
            tier=1,
            respond_within_working_days=10,
            occurred_on=RAISED_ON,
            **SCRUTINEER,
        ),
        "challenged once",
    )


def test_every_partner_must_exist_on_the_raising_date() -> None:
    challenge = Challenge.new("CH-2019-000001")
    assert_refused(
        challenge,
        lambda: challenge.raise_challenge(
            raised_by="helen-morgan",
            partners=(SCC, LATE),
            subject="s",
            tier=3,
            respond_within_working_days=10,
            occurred_on=date(2020, 3, 31),
            **SCRUTINEER,
        ),
        "somerset-nhs-ft was not registered on 2020-03-31",
    )


def test_a_challenge_cannot_be_raised_twice() -> None:
    challenge = raised()
    assert_refused(
        challenge,
        lambda: challenge.raise_challenge(
            raised_by="helen-morgan",
            partners=(SCC,),
            subject="s",
            tier=1,
            respond_within_working_days=10,
            occurred_on=RAISED_ON,
            **SCRUTINEER,
        ),
        "already raised",
    )


@pytest.mark.parametrize("days", [0, -1, 261])
def test_the_response_window_must_be_sensible(days: int) -> None:
    challenge = Challenge.new("CH-2019-000001")
    with pytest.raises(InvalidInputError, match="working days"):
        challenge.raise_challenge(
            raised_by="helen-morgan",
            partners=(SCC,),
            subject="s",
            tier=1,
            respond_within_working_days=days,
            occurred_on=RAISED_ON,
            **SCRUTINEER,
        )
    assert challenge.version == 0


def test_a_blank_subject_is_invalid_input() -> None:
    challenge = Challenge.new("CH-2019-000001")
    with pytest.raises(InvalidInputError, match="subject"):
        challenge.raise_challenge(
            raised_by="helen-morgan",
            partners=(SCC,),
            subject="   ",
            tier=1,
            respond_within_working_days=10,
            occurred_on=RAISED_ON,
            **SCRUTINEER,
        )
    assert challenge.version == 0


def test_challenge_ids_are_checked() -> None:
    with pytest.raises(InvalidInputError, match="challenge id"):
        Challenge.new("CH 2019")


def test_acts_on_a_challenge_never_raised_are_refused() -> None:
    challenge = Challenge.new("CH-2019-000001")
    assert_refused(
        challenge,
        lambda: respond(challenge, "somerset-county-council", RAISED_ON),
        "has not been raised",
    )


# -- responding -------------------------------------------------------------------


def test_a_response_moves_the_challenge_to_responded() -> None:
    challenge = raised()
    respond(challenge, "somerset-county-council", date(2019, 10, 24))
    assert challenge.status is ChallengeStatus.RESPONDED
    assert challenge.awaiting() == ("avon-and-somerset-constabulary",)
    assert challenge.version == 2


def test_only_a_challenged_organisation_can_respond() -> None:
    challenge = raised()
    assert_refused(
        challenge,
        lambda: respond(challenge, "somerset-ccg", date(2019, 10, 24)),
        "only a challenged organisation can respond",
    )


def test_a_partner_responds_once_per_stage() -> None:
    challenge = raised()
    respond(challenge, "somerset-county-council", date(2019, 10, 24))
    assert_refused(
        challenge,
        lambda: respond(challenge, "somerset-county-council", date(2019, 10, 25)),
        "already responded",
    )
    escalate(challenge, "executive", date(2019, 11, 4))
    respond(challenge, "somerset-county-council", date(2019, 11, 5))
    assert challenge.status is ChallengeStatus.ESCALATED
    assert [r.stage for r in challenge.responses] == [0, 1]


# -- escalating -------------------------------------------------------------------


def test_an_unanswered_challenge_goes_to_the_executive_first() -> None:
    challenge = raised()
    assert_refused(
        challenge,
        lambda: escalate(challenge, "disagreement_resolution", date(2019, 11, 4)),
        "escalate to executive first",
    )
    escalate(challenge, "executive", date(2019, 11, 4))
    escalate(challenge, "disagreement_resolution", date(2019, 12, 2))
    assert challenge.escalation_level is EscalationLevel.DISAGREEMENT_RESOLUTION


def test_a_response_allows_going_straight_to_disagreement_resolution() -> None:
    challenge = raised()
    respond(challenge, "somerset-county-council", date(2019, 10, 24))
    escalate(challenge, "disagreement_resolution", date(2019, 11, 4))
    assert challenge.status is ChallengeStatus.ESCALATED


@pytest.mark.parametrize(
    ("first", "again"),
    [
        ("executive", "executive"),
        ("disagreement_resolution", "executive"),
        ("disagreement_resolution", "disagreement_resolution"),
    ],
)
def test_escalation_only_goes_up(first: str, again: str) -> None:
    challenge = raised()
    respond(challenge, "somerset-county-council", date(2019, 10, 24))
    escalate(challenge, first, date(2019, 11, 4))
    assert_refused(challenge, lambda: escalate(challenge, again, date(2019, 11, 5)), "only goes up")


def test_an_unknown_escalation_level_is_invalid_input() -> None:
    challenge = raised()
    with pytest.raises(InvalidInputError, match="escalation"):
        escalate(challenge, "ombudsman", date(2019, 11, 4))
    assert challenge.version == 1


# -- resolving and withdrawing ----------------------------------------------------


def test_resolution_records_outcome_and_agreed_actions() -> None:
    challenge = raised()
    respond(challenge, "somerset-county-council", date(2019, 10, 24))
    event = challenge.resolve(
        "partly_accepted",
        [" Commission a local CSPR ", "Restate the criteria"],
        occurred_on=date(2019, 11, 21),
        **CHAIR,
    )
    assert event.agreed_actions == ("Commission a local CSPR", "Restate the criteria")
    assert event.tier is Tier.EXECUTIVE
    assert challenge.status is ChallengeStatus.RESOLVED
    assert challenge.outcome is Outcome.PARTLY_ACCEPTED
    assert challenge.closed_on == date(2019, 11, 21)


def test_an_open_challenge_cannot_be_resolved() -> None:
    challenge = raised()
    assert_refused(
        challenge,
        lambda: challenge.resolve("accepted", occurred_on=date(2019, 11, 21), **CHAIR),
        "before a partner has responded",
    )


def test_an_escalated_challenge_can_be_resolved_without_a_response() -> None:
    challenge = raised()
    escalate(challenge, "executive", date(2019, 11, 4))
    challenge.resolve("not_accepted", occurred_on=date(2019, 11, 21), **CHAIR)
    assert challenge.status is ChallengeStatus.RESOLVED


def test_blank_agreed_actions_are_invalid_input() -> None:
    challenge = raised()
    respond(challenge, "somerset-county-council", date(2019, 10, 24))
    with pytest.raises(InvalidInputError, match="agreed action"):
        challenge.resolve("accepted", ["  "], occurred_on=date(2019, 11, 21), **CHAIR)
    assert challenge.version == 2


@pytest.mark.parametrize("before", ["open", "responded", "escalated"])
def test_a_challenge_can_be_withdrawn_until_it_is_closed(before: str) -> None:
    challenge = raised()
    if before in ("responded", "escalated"):
        respond(challenge, "somerset-county-council", date(2019, 10, 24))
    if before == "escalated":
        escalate(challenge, "executive", date(2019, 11, 4))
    challenge.withdraw("Superseded", occurred_on=date(2019, 12, 2), **SCRUTINEER)
    assert challenge.status is ChallengeStatus.WITHDRAWN


def closed(how: str) -> Challenge:
    challenge = raised()
    respond(challenge, "somerset-county-council", date(2019, 10, 24))
    if how == "resolved":
        challenge.resolve("accepted", occurred_on=date(2019, 11, 1), **CHAIR)
    else:
        challenge.withdraw("Superseded", occurred_on=date(2019, 11, 1), **SCRUTINEER)
    return challenge


@pytest.mark.parametrize("how", ["resolved", "withdrawn"])
@pytest.mark.parametrize("act", ["respond", "escalate", "resolve", "withdraw"])
def test_nothing_can_be_done_after_a_challenge_is_closed(how: str, act: str) -> None:
    challenge = closed(how)
    on = date(2019, 12, 2)
    acts: dict[str, Callable[[], object]] = {
        "respond": lambda: respond(challenge, "avon-and-somerset-constabulary", on),
        "escalate": lambda: escalate(challenge, "executive", on),
        "resolve": lambda: challenge.resolve("accepted", occurred_on=on, **CHAIR),
        "withdraw": lambda: challenge.withdraw("again", occurred_on=on, **SCRUTINEER),
    }
    assert_refused(challenge, acts[act], f"it was {how} on 2019-11-01")


# -- dates ------------------------------------------------------------------------


def test_no_act_predates_the_raising() -> None:
    challenge = raised()
    assert_refused(
        challenge,
        lambda: respond(challenge, "somerset-county-council", date(2019, 10, 11)),
        "before it was raised on 2019-10-14",
    )


def test_acts_are_dated_in_order() -> None:
    challenge = raised()
    respond(challenge, "somerset-county-council", date(2019, 10, 24))
    assert_refused(
        challenge,
        lambda: escalate(challenge, "executive", date(2019, 10, 23)),
        "dated in order",
    )


def test_overdue_means_still_waiting_for_a_partner_after_the_due_date() -> None:
    challenge = raised(partners=(SCC,), days=10)
    assert challenge.response_due == date(2019, 10, 28)
    assert not challenge.is_overdue(date(2019, 10, 28))
    assert challenge.is_overdue(date(2019, 10, 29))
    respond(challenge, "somerset-county-council", date(2019, 10, 30))
    assert not challenge.is_overdue(date(2019, 10, 30))
