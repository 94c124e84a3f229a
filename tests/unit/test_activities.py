"""Scrutiny activity at each tier, regional activity, moderation and CDOP links."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from ledger.domain.acting import Stamp
from ledger.domain.activities import Activity, RegionalScrutinyActivityHeld
from ledger.domain.base import Aggregate, Tier
from ledger.domain.kinds import TIER_OF, ActivityKind, kinds_at
from ledger.domain.learning import LearningLink
from ledger.domain.moderation import Moderation, conflicts
from ledger.domain.organisations import Organisation
from ledger.domain.people import Person
from ledger.domain.regional import TermsOfReference
from ledger.errors import RefusedError

BY: dict[str, Any] = {"actor_id": "jane-porter", "actor_role": "business_unit"}


def organisation(key: str, kind: str, on: date = date(2019, 6, 3)) -> Organisation:
    org = Organisation.new(key)
    org.register(name=key, kind=kind, statutory_role=None, occurred_on=on, **BY)
    return org


SSCP = organisation("sscp", "local_body")
BRISTOL = organisation("bristol-city-council", "regional_partner")
NORTH = organisation("north-somerset-council", "regional_partner")
DORSET = organisation("dorset-council", "independent_body")
CDOP = organisation("somerset-cdop", "local_body")
LATE = organisation("late-agency", "relevant_agency", on=date(2020, 1, 1))


def by(actor: str, day: str) -> Stamp:
    return Stamp(actor, "independent_scrutineer", date.fromisoformat(day))


def assert_refused(aggregate: Aggregate, act: Callable[[], object], match: str) -> None:
    aggregate.collect_events()
    version = aggregate.version
    with pytest.raises(RefusedError, match=match):
        act()
    assert aggregate.version == version
    assert aggregate.collect_events() == []


def person(key: str, role: str, org: Organisation, on: str = "2019-09-02") -> Person:
    p = Person.new(key)
    p.appoint(role, org, display_name=key, occurred_on=date.fromisoformat(on), **BY)
    return p


def test_every_kind_of_the_tier_table_has_its_tier() -> None:
    assert {k.value for k in kinds_at(Tier.EXECUTIVE)} == {
        "executive_attendance", "risk_management", "cspr_decision_making",
        "disagreement_resolution"}
    assert len(kinds_at(Tier.STRATEGIC_PARTNERSHIP)) == 5
    assert len(kinds_at(Tier.DELIVERY)) == 5
    assert set(TIER_OF) == set(ActivityKind)
    assert all(kind.label for kind in ActivityKind)


def test_an_activity_takes_the_tier_of_its_kind() -> None:
    activity = Activity.new("ACT-2019-01")
    event = activity.hold(kind="look_and_see", tier=None, title="Front door visit",
                          organisations=[SSCP], findings=["Waits are long."],
                          at=by("helen-morgan", "2020-02-05"))
    assert (event.tier, event.scrutineer_id) == (Tier.DELIVERY, "helen-morgan")
    assert event.findings == ("Waits are long.",)


def test_a_kind_that_does_not_fit_the_tier_is_refused_naming_the_fitting_kinds() -> None:
    activity = Activity.new("ACT-2019-01")
    assert_refused(
        activity,
        lambda: activity.hold(kind="look_and_see", tier=1, title="t", organisations=[],
                              findings=[], at=by("helen-morgan", "2020-02-05")),
        "look_and_see is a tier 3 activity, not tier 1; tier 1 activities are "
        "executive_attendance, risk_management",
    )


def test_an_activity_naming_an_organisation_before_it_existed_is_refused() -> None:
    activity = Activity.new("ACT-2019-01")
    assert_refused(
        activity,
        lambda: activity.hold(kind="practitioner_contact", tier=3, title="t",
                              organisations=[LATE], findings=[], at=by("helen-morgan",
                                                                       "2019-12-31")),
        "late-agency was not registered on 2019-12-31",
    )
    assert_refused(
        activity,
        lambda: activity.hold(kind="cspr_scrutiny", tier=2, title="t", organisations=[],
                              findings=[], case_id="SSCP-2020-01",
                              case_opened_on=date(2020, 1, 2),
                              at=by("helen-morgan", "2020-01-01")),
        "case SSCP-2020-01 had not been notified by 2020-01-01",
    )


def terms() -> TermsOfReference:
    tor = TermsOfReference.new("TOR-2019-01")
    tor.agree(parties=[BRISTOL], scope=["section_11_peer_challenge"], contract_ref="C-1",
              summary="Reciprocal scrutiny", until=date(2020, 12, 31), at=by("ruth", "2019-11-01"))
    return tor


def test_terms_of_reference_are_agreed_with_regional_partners_only() -> None:
    tor = TermsOfReference.new("TOR-2019-02")
    assert_refused(tor, lambda: tor.agree(parties=[DORSET], scope=["look_and_see"],
                                          contract_ref="c", summary="s", until=None,
                                          at=by("ruth", "2019-11-01")),
                   "dorset-council is not a regional partner")
    assert_refused(tor, lambda: tor.agree(parties=[BRISTOL], scope=["look_and_see"],
                                          contract_ref="c", summary="s",
                                          until=date(2019, 11, 1), at=by("ruth", "2019-11-01")),
                   "must run beyond the day")


def test_regional_activity_falls_under_terms_in_force_in_scope_and_for_a_party() -> None:
    tor = terms()
    activity = Activity.new("RACT-2020-01")
    common: dict[str, Any] = {"tier": None, "title": "t", "organisations": [], "findings": []}
    assert_refused(activity, lambda: activity.hold_regional(
        terms=tor, regional_partner=BRISTOL, kind="section_11_peer_challenge",
        at=by("grace", "2021-01-01"), **common),
        r"were not in force on 2021-01-01 \(from 2019-11-01 to 2020-12-31\)")
    assert_refused(activity, lambda: activity.hold_regional(
        terms=tor, regional_partner=BRISTOL, kind="look_and_see",
        at=by("grace", "2020-01-22"), **common), "outside the scope")
    assert_refused(activity, lambda: activity.hold_regional(
        terms=tor, regional_partner=NORTH, kind="section_11_peer_challenge",
        at=by("grace", "2020-01-22"), **common), "not a party")
    event = activity.hold_regional(terms=tor, regional_partner=BRISTOL,
                                   kind="section_11_peer_challenge",
                                   at=by("grace", "2020-01-22"), **common)
    assert isinstance(event, RegionalScrutinyActivityHeld)
    assert activity.regional and activity.terms_of_reference_id == "TOR-2019-01"


def sampled(scrutineer: Person) -> Activity:
    activity = Activity.new("RACT-2020-01")
    activity.hold_regional(terms=terms(), regional_partner=BRISTOL,
                           kind="section_11_peer_challenge", tier=None, title="t",
                           organisations=[], findings=[], at=by(scrutineer.key, "2020-01-22"))
    return activity


def test_a_moderator_affiliated_with_the_scrutineers_agency_is_refused() -> None:
    scrutineer = person("grace-patel", "independent_scrutineer", BRISTOL, "2019-11-01")
    moderator = person("tom-baker", "moderator", DORSET, "2020-01-06")
    moderator.declare_interest(BRISTOL, "contract", occurred_on=date(2020, 2, 1), **BY)
    moderation = Moderation.new("MOD-2020-01")
    stamp = Stamp("tom-baker", "moderator", date(2020, 3, 10))
    assert_refused(
        moderation,
        lambda: moderation.complete(moderator=moderator, scrutineer=scrutineer, partnership=SSCP,
                                    sample=[sampled(scrutineer)], outcome="assured",
                                    findings=[], at=stamp),
        "tom-baker is not independent of grace-patel's scrutiny of sscp on 2020-03-10: "
        r"declared a contract interest in bristol-city-council \(the scrutineer's agency\)",
    )


def test_a_moderator_affiliated_with_the_partnership_is_refused_until_the_interest_ends() -> None:
    scrutineer = person("grace-patel", "independent_scrutineer", BRISTOL, "2019-11-01")
    moderator = person("tom-baker", "moderator", DORSET, "2020-01-06")
    moderator.declare_interest(SSCP, "governance", occurred_on=date(2020, 1, 6), **BY)
    stamp = Stamp("tom-baker", "moderator", date(2020, 3, 10))
    assert conflicts(moderator, scrutineer, "sscp", stamp) == [
        "declared a governance interest in sscp (the partnership being scrutinised) on 2020-01-06"
    ]
    moderator.end_interest("sscp", occurred_on=date(2020, 3, 10), **BY)
    moderation = Moderation.new("MOD-2020-01")
    event = moderation.complete(moderator=moderator, scrutineer=scrutineer, partnership=SSCP,
                                sample=[sampled(scrutineer)], outcome="assured", findings=["ok"],
                                at=stamp)
    assert (event.moderator_id, event.sample) == ("tom-baker", ("RACT-2020-01",))


def test_a_moderator_acting_for_the_partnership_is_not_independent() -> None:
    scrutineer = person("grace-patel", "independent_scrutineer", BRISTOL, "2019-11-01")
    moderator = person("tom-baker", "moderator", SSCP, "2020-01-06")
    stamp = Stamp("tom-baker", "moderator", date(2020, 3, 10))
    assert conflicts(moderator, scrutineer, "sscp", stamp) == [
        "acts for sscp (the partnership being scrutinised) as moderator since 2020-01-06"
    ]


def test_the_sample_is_the_scrutineers_own_activity() -> None:
    scrutineer = person("grace-patel", "independent_scrutineer", BRISTOL, "2019-11-01")
    other = person("helen-morgan", "independent_scrutineer", SSCP)
    moderator = person("tom-baker", "moderator", DORSET, "2020-01-06")
    moderation = Moderation.new("MOD-2020-01")
    stamp = Stamp("tom-baker", "moderator", date(2020, 3, 10))
    assert_refused(moderation, lambda: moderation.complete(
        moderator=moderator, scrutineer=other, partnership=SSCP, sample=[sampled(scrutineer)],
        outcome="assured", findings=[], at=stamp), "was not held by helen-morgan")
    assert_refused(moderation, lambda: moderation.complete(
        moderator=moderator, scrutineer=moderator, partnership=SSCP, sample=[sampled(scrutineer)],
        outcome="assured", findings=[], at=stamp), "cannot moderate their own scrutiny")


def test_a_cdop_link_names_a_local_body_and_existing_records() -> None:
    link = LearningLink.new("LINK-2020-01")
    assert_refused(link, lambda: link.link(cdop=DORSET, theme="t", learning="l", case=None,
                                           audit=None, at=by("helen", "2020-02-17")),
                   "not a local body")
    assert_refused(link, lambda: link.link(cdop=CDOP, theme="t", learning="l",
                                           case=("SSCP-2020-01", date(2020, 3, 1)), audit=None,
                                           at=by("helen", "2020-02-17")),
                   "case SSCP-2020-01 did not exist yet on 2020-02-17")
    event = link.link(cdop=CDOP, theme="Safe sleep", learning="l", case=None,
                      audit=("S11-2019", date(2019, 10, 1)), at=by("helen", "2020-02-17"))
    assert (event.cdop_id, event.audit_id) == ("somerset-cdop", "S11-2019")
