"""A serious incident's journey to a published review: each step and each guard."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from ledger.domain import case_events as ev
from ledger.domain.acting import Stamp
from ledger.domain.base import Aggregate, Tier
from ledger.domain.cases import Case
from ledger.domain.organisations import NationalRole, Organisation
from ledger.domain.recipients import Recipient
from ledger.errors import InvalidInputError, RefusedError

BY: dict[str, Any] = {"actor_id": "jane-porter", "actor_role": "business_unit"}
PANEL = Recipient(role=NationalRole.PRACTICE_REVIEW_PANEL, organisation_id="cspr-panel",
                  name="Child Safeguarding Practice Review Panel")
SOS = Recipient(role=NationalRole.SECRETARY_OF_STATE, organisation_id="dfe", name="DfE")


def organisation(key: str, kind: str, role: str | None = None,
                 on: date = date(2019, 6, 3)) -> Organisation:
    org = Organisation.new(key)
    org.register(name=key, kind=kind, statutory_role=role, occurred_on=on, **BY)
    org.collect_events()
    return org


SCC = organisation("somerset-county-council", "safeguarding_partner", "local_authority")
POLICE = organisation("avon-and-somerset-constabulary", "safeguarding_partner", "police")
CCG = organisation("somerset-ccg", "safeguarding_partner", "health")
TRUST = organisation("a-trust", "relevant_agency")
PARTNERS = [SCC, POLICE, CCG]


def at(day: str) -> Stamp:
    return Stamp("jane-porter", "business_unit", date.fromisoformat(day))


def assert_refused(aggregate: Aggregate, act: Callable[[], object], match: str) -> None:
    aggregate.collect_events()
    version = aggregate.version
    with pytest.raises(RefusedError, match=match):
        act()
    assert aggregate.version == version
    assert aggregate.collect_events() == []


def notified(aware: str = "2019-09-04", on: str = "2019-09-09") -> Case:
    case = Case.new("SSCP-2019-01")
    case.notify(local_authority=SCC, panel=PANEL, children=["Child A"],
                became_aware_on=date.fromisoformat(aware), summary="An incident.", at=at(on))
    return case


def reviewed_up_to(stage: str) -> Case:
    """A case taken through the journey up to ``stage`` (inclusive)."""
    case = notified()
    steps: list[tuple[str, Callable[[], object]]] = [
        ("informed", lambda: case.inform_partners(partners=[POLICE, CCG], at=at("2019-09-10"))),
        ("started", lambda: case.start_rapid_review(partners_aware_on=date(2019, 9, 10),
                                                    at=at("2019-09-12"))),
        ("completed", lambda: case.complete_rapid_review(
            facts="f", immediate_action="i", potential_improvements="p", next_steps="n",
            recommendation="local_cspr", at=at("2019-09-30"))),
        ("decided", lambda: case.decide(decision="local_cspr", criteria=["recurrent_themes"],
                                        reasons="r", partners=PARTNERS, at=at("2019-10-07"))),
        ("signed", lambda: [case.sign_decision(organisation=p, at=at("2019-10-08"))
                            for p in PARTNERS]),
        ("commissioned", lambda: case.commission(reviewer="A reviewer", scope="s", terms="t",
                                                 at=at("2019-10-14"))),
        ("drafted", lambda: case.receive_draft(draft="v1", at=at("2020-02-03"))),
        ("report signed", lambda: case.sign_off_report(note=None, at=at("2020-02-10"))),
        ("copies", lambda: case.send_copies(recipients=[PANEL, SOS],
                                            planned_publication=date(2020, 3, 2),
                                            at=at("2020-02-17"))),
        ("published", lambda: case.publish(mode="full", location="https://example.org/r",
                                           reasons=None, at=at("2020-03-02"))),
    ]
    for name, step in steps:
        step()
        if name == stage:
            break
    return case


def test_notification_stores_its_deadline_with_rule_and_edition() -> None:
    case = notified(aware="2021-12-23", on="2021-12-24")
    [event] = case.collect_events()
    assert isinstance(event, ev.IncidentNotified)
    assert event.deadline.due == date(2022, 1, 4)
    assert (event.deadline.rule_id, event.deadline.edition) == (
        "serious-incident-notification", "WT2018")
    assert event.panel_id == "cspr-panel" and event.children == ("Child A",)


def test_rapid_review_deadline_skips_the_coronation_bank_holiday() -> None:
    case = notified(aware="2023-04-24", on="2023-04-26")
    case.inform_partners(partners=[POLICE, CCG], at=at("2023-04-26"))
    event = case.start_rapid_review(partners_aware_on=date(2023, 4, 26), at=at("2023-04-27"))
    assert event.deadline.due == date(2023, 5, 19)
    assert (event.deadline.rule_id, event.deadline.edition) == ("rapid-review", "WT2018")
    [status] = [d for d in case.deadlines() if d.name == "rapid review"]
    assert status.met_on is None and status.overdue(date(2023, 5, 22))


def test_children_are_named_by_pseudonym_only_and_at_most_four() -> None:
    case = Case.new("SSCP-2019-02")
    with pytest.raises(InvalidInputError, match="is not a pseudonym"):
        case.notify(local_authority=SCC, panel=PANEL, children=["Jane Smith"],
                    became_aware_on=date(2019, 9, 4), summary="s", at=at("2019-09-05"))
    assert_refused(
        case,
        lambda: case.notify(local_authority=SCC, panel=PANEL,
                            children=["Child A", "Child B", "Child C", "Child D", "Child E"],
                            became_aware_on=date(2019, 9, 4), summary="s", at=at("2019-09-05")),
        "1 to 4 children",
    )
    assert_refused(
        case,
        lambda: case.notify(local_authority=SCC, panel=PANEL, children=["Child A", "Child A"],
                            became_aware_on=date(2019, 9, 4), summary="s", at=at("2019-09-05")),
        "each child is named once",
    )


def test_only_a_local_authority_notifies_and_never_before_becoming_aware() -> None:
    case = Case.new("SSCP-2019-02")
    assert_refused(
        case,
        lambda: case.notify(local_authority=POLICE, panel=PANEL, children=["Child A"],
                            became_aware_on=date(2019, 9, 4), summary="s", at=at("2019-09-05")),
        "only a local authority notifies",
    )
    assert_refused(
        case,
        lambda: case.notify(local_authority=SCC, panel=PANEL, children=["Child A"],
                            became_aware_on=date(2019, 9, 6), summary="s", at=at("2019-09-05")),
        "cannot notify before becoming aware",
    )


def test_each_step_follows_the_one_before() -> None:
    case = notified()
    assert_refused(case, lambda: case.start_rapid_review(partners_aware_on=date(2019, 9, 9),
                                                         at=at("2019-09-10")),
                   "stage notified, and this step follows partners_informed")
    assert_refused(case, lambda: case.decide(decision="no_review", criteria=[], reasons="r",
                                             partners=PARTNERS, at=at("2019-09-10")),
                   "follows rapid_review_completed")
    assert_refused(case, lambda: case.commission(reviewer="r", scope="s", terms="t",
                                                 at=at("2019-09-10")),
                   "only after a decision to hold a local CSPR")
    assert_refused(case, lambda: case.inform_partners(partners=[POLICE], at=at("2019-09-08")),
                   "before it began on 2019-09-09")


def test_the_decision_needs_criteria_for_a_cspr_and_each_statutory_partner() -> None:
    case = reviewed_up_to("completed")
    assert_refused(case, lambda: case.decide(decision="local_cspr", criteria=[], reasons="r",
                                             partners=PARTNERS, at=at("2019-10-07")),
                   "cites the criteria")
    assert_refused(case, lambda: case.decide(decision="no_review", criteria=[], reasons="r",
                                             partners=[SCC, POLICE], at=at("2019-10-07")),
                   "no partner named for health")
    assert_refused(case, lambda: case.decide(decision="no_review", criteria=[], reasons="r",
                                             partners=[SCC, POLICE, CCG, TRUST],
                                             at=at("2019-10-07")),
                   "a-trust is not a safeguarding partner")


def test_the_decision_sets_the_publication_deadline_and_is_signed_by_each_partner() -> None:
    case = reviewed_up_to("decided")
    assert case.decision is not None and case.decision.tier is Tier.EXECUTIVE
    deadline = case.decision.publication_deadline
    assert deadline is not None and deadline.due == date(2020, 4, 7)
    assert deadline.rule_id == "cspr-publication"
    case.sign_decision(organisation=SCC, at=at("2019-10-08"))
    assert_refused(case, lambda: case.sign_decision(organisation=SCC, at=at("2019-10-08")),
                   "already signed off")
    assert_refused(case, lambda: case.sign_decision(organisation=TRUST, at=at("2019-10-08")),
                   "a-trust is not one of the partners")
    assert_refused(case, lambda: case.commission(reviewer="r", scope="s", terms="t",
                                                 at=at("2019-10-09")),
                   "still awaits sign-off by avon-and-somerset-constabulary, somerset-ccg")


def test_copies_go_at_least_seven_working_days_before_publication() -> None:
    case = reviewed_up_to("report signed")
    assert_refused(
        case,
        lambda: case.send_copies(recipients=[PANEL, SOS], planned_publication=date(2020, 2, 25),
                                 at=at("2020-02-17")),
        "by 2020-02-14, at least 7 working days before the planned publication on 2020-02-25 "
        r"\(cspr-copies-before-publication, WT2018\)",
    )
    event = case.send_copies(recipients=[PANEL, SOS], planned_publication=date(2020, 3, 2),
                             at=at("2020-02-17"))
    assert event.deadline.due == date(2020, 2, 20)
    assert_refused(case, lambda: case.publish(mode="full", location="l", reasons=None,
                                              at=at("2020-02-25")),
                   "can be published from 2020-02-26")


def test_publishing_only_the_improvements_needs_reasons() -> None:
    case = reviewed_up_to("copies")
    assert_refused(case, lambda: case.publish(mode="improvements_only", location="l",
                                              reasons=None, at=at("2020-03-02")),
                   "needs the reasons")
    case.publish(mode="improvements_only", location="l", reasons="Identifiable family",
                 at=at("2020-03-02"))
    assert case.status == "published"
    assert_refused(case, lambda: case.delay_publication(
        reason="criminal_proceedings", details="d", expected_on=None, at=at("2020-03-03")),
        "was published on 2020-03-02")


def test_delays_recommendations_and_actions() -> None:
    case = reviewed_up_to("commissioned")
    delayed = case.delay_publication(reason="criminal_proceedings", details="Trial pending",
                                     expected_on=date(2020, 9, 1), at=at("2019-11-01"))
    assert delayed.reason is ev.DelayReason.CRIMINAL_PROCEEDINGS
    assert_refused(case, lambda: case.agree_recommendation(
        recommendation_id="R1", text="t", owner=SCC, action="a", due_on=None,
        at=at("2019-11-02")), "follow the signed-off report")
    case.receive_draft(draft="v1", at=at("2019-12-02"))
    assert_refused(case, lambda: case.receive_draft(draft="v1", at=at("2019-12-03")),
                   "already received")
    case.sign_off_report(note=None, at=at("2019-12-09"))
    case.agree_recommendation(recommendation_id="R1", text="t", owner=SCC, action="a",
                              due_on=date(2020, 3, 31), at=at("2019-12-10"))
    assert_refused(case, lambda: case.agree_recommendation(
        recommendation_id="R1", text="t", owner=SCC, action="a", due_on=None,
        at=at("2019-12-10")), "already exists")
    case.close_recommendation(recommendation_id="R1", outcome="Done", at=at("2020-01-06"))
    assert_refused(case, lambda: case.close_recommendation(recommendation_id="R1", outcome="o",
                                                           at=at("2020-01-07")),
                   "already closed")
    assert case.closed_recommendations == ("R1",)


def test_the_panel_responds_once_after_the_rapid_review() -> None:
    case = reviewed_up_to("started")
    assert_refused(case, lambda: case.record_panel_response(response="agrees", comments="c",
                                                            at=at("2019-09-20")),
                   "responds to a completed rapid review")
    case.complete_rapid_review(facts="f", immediate_action="i", potential_improvements="p",
                               next_steps="n", recommendation="national_review",
                               at=at("2019-09-30"))
    case.record_panel_response(response="national_review", comments="c", at=at("2019-10-14"))
    assert case.panel_response is ev.PanelResponse.NATIONAL_REVIEW
    assert_refused(case, lambda: case.record_panel_response(response="agrees", comments="c",
                                                            at=at("2019-10-15")),
                   "already recorded")


def test_a_published_case_reports_every_deadline_as_met() -> None:
    case = reviewed_up_to("published")
    names = {d.name: d for d in case.deadlines()}
    assert set(names) == {"notification", "partners informed", "rapid review", "publication",
                          "copies before publication"}
    assert all(d.met_on is not None for d in names.values())
    assert names["publication"].met_on == date(2020, 3, 2)
