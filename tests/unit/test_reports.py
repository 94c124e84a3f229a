"""The yearly report: sign-off by edition, publication, recipients and boards."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from ledger.domain.acting import Stamp
from ledger.domain.base import Aggregate
from ledger.domain.organisations import NationalRole, Organisation
from ledger.domain.recipients import Recipient
from ledger.domain.reports import YearlyReport
from ledger.errors import RefusedError

BY: dict[str, Any] = {"actor_id": "jane-porter", "actor_role": "business_unit"}


def organisation(key: str, kind: str, role: str | None = None) -> Organisation:
    org = Organisation.new(key)
    org.register(name=key, kind=kind, statutory_role=role, occurred_on=date(2019, 6, 3), **BY)
    return org


SCC = organisation("somerset-council", "safeguarding_partner", "local_authority")
POLICE = organisation("police", "safeguarding_partner", "police")
ICB = organisation("icb", "safeguarding_partner", "health")
HWB = organisation("somerset-hwb", "local_body")
OFSTED = organisation("ofsted", "regulator")
PANEL = Recipient(role=NationalRole.PRACTICE_REVIEW_PANEL, organisation_id="cspr-panel", name="P")
WWC = Recipient(role=NationalRole.WHAT_WORKS_CENTRE, organisation_id="foundations", name="F")
SOS = Recipient(role=NationalRole.SECRETARY_OF_STATE, organisation_id="dfe", name="DfE")


def at(day: str) -> Stamp:
    return Stamp("jane-porter", "business_unit", date.fromisoformat(day))


def assert_refused(aggregate: Aggregate, act: Callable[[], object], match: str) -> None:
    aggregate.collect_events()
    version = aggregate.version
    with pytest.raises(RefusedError, match=match):
        act()
    assert aggregate.version == version
    assert aggregate.collect_events() == []


def scrutinised(key: str, start: str, end: str, on: str) -> YearlyReport:
    report = YearlyReport.new(key)
    report.open_period(period_start=date.fromisoformat(start), period_end=date.fromisoformat(end),
                       previous=None, at=at(on))
    report.draft(draft="v1", at=at(on))
    report.scrutinise(conclusions="Fair.", findings=["More impact."], at=at(on))
    return report


def test_under_wt2018_one_sign_off_by_the_chair_suffices() -> None:
    report = scrutinised("2019-20", "2019-09-29", "2020-03-31", "2020-08-24")
    event = report.sign_off(organisation=None, at=at("2020-09-07"))
    assert event.edition == "WT2018"
    published = report.publish(location="https://example.org/2019-20", at=at("2020-09-28"))
    assert published.copies_deadline.due == date(2020, 10, 5)
    assert published.copies_deadline.rule_id == "yearly-report-copies"


def test_under_wt2023_each_lead_partner_signs_off_before_publication() -> None:
    report = scrutinised("2023-24", "2023-04-01", "2024-03-31", "2024-07-01")
    assert_refused(report, lambda: report.sign_off(organisation=None, at=at("2024-07-08")),
                   "under WT2023 each lead safeguarding partner signs off")
    report.sign_off(organisation=SCC, at=at("2024-07-08"))
    report.sign_off(organisation=POLICE, at=at("2024-07-09"))
    assert_refused(report, lambda: report.sign_off(organisation=POLICE, at=at("2024-07-10")),
                   "police has already signed off")
    assert_refused(report, lambda: report.publish(location="l", at=at("2024-07-15")),
                   "missing: health")
    report.sign_off(organisation=ICB, at=at("2024-07-10"))
    report.publish(location="l", at=at("2024-07-15"))
    assert report.status == "published"


def test_the_report_is_scrutinised_before_sign_off_and_published_before_it_is_sent() -> None:
    report = YearlyReport.new("2019-20")
    report.open_period(period_start=date(2019, 9, 29), period_end=date(2020, 3, 31),
                       previous=None, at=at("2020-04-01"))
    assert_refused(report, lambda: report.scrutinise(conclusions="c", findings=[],
                                                     at=at("2020-04-02")), "no draft")
    report.draft(draft="v1", at=at("2020-08-03"))
    assert_refused(report, lambda: report.sign_off(organisation=None, at=at("2020-08-04")),
                   "after the independent scrutineer's scrutiny")
    assert_refused(report, lambda: report.send(recipient=PANEL, at=at("2020-08-04")),
                   "sent once published")


def test_it_goes_to_the_panel_and_the_what_works_centre_each_once() -> None:
    report = scrutinised("2019-20", "2019-09-29", "2020-03-31", "2020-08-24")
    report.sign_off(organisation=None, at=at("2020-09-07"))
    report.publish(location="l", at=at("2020-09-28"))
    sent = report.send(recipient=WWC, at=at("2020-10-06"))
    assert sent.deadline.due == date(2020, 10, 5)
    assert_refused(report, lambda: report.send(recipient=WWC, at=at("2020-10-07")),
                   "already sent to the what_works_centre")
    assert_refused(report, lambda: report.send(recipient=SOS, at=at("2020-10-07")),
                   "not secretary_of_state")
    late = {d.name: d for d in report.deadlines()}["sent to what_works_centre"]
    assert late.met_on == date(2020, 10, 6) and late.met_on > late.due


def test_it_is_presented_to_local_boards_each_once() -> None:
    report = scrutinised("2019-20", "2019-09-29", "2020-03-31", "2020-08-24")
    report.sign_off(organisation=None, at=at("2020-09-07"))
    report.present(board=HWB, note=None, at=at("2020-10-08"))
    assert_refused(report, lambda: report.present(board=HWB, note=None, at=at("2020-10-09")),
                   "already presented to somerset-hwb")
    assert_refused(report, lambda: report.present(board=OFSTED, note=None, at=at("2020-10-09")),
                   "not a local board")


def test_the_next_report_is_due_twelve_months_after_the_previous_publication() -> None:
    first = scrutinised("2019-20", "2019-09-29", "2020-03-31", "2020-08-24")
    first.sign_off(organisation=None, at=at("2020-09-07"))
    nxt = YearlyReport.new("2020-21")
    assert_refused(nxt, lambda: nxt.open_period(period_start=date(2020, 4, 1),
                                                period_end=date(2021, 3, 31), previous=first,
                                                at=at("2020-09-08")),
                   "had not been published")
    first.publish(location="l", at=at("2020-09-28"))
    assert_refused(nxt, lambda: nxt.open_period(period_start=date(2020, 3, 1),
                                                period_end=date(2021, 3, 31), previous=first,
                                                at=at("2021-04-01")),
                   "start after the previous report's period")
    opened = nxt.open_period(period_start=date(2020, 4, 1), period_end=date(2021, 3, 31),
                             previous=first, at=at("2021-04-01"))
    assert opened.publication_deadline is not None
    assert opened.publication_deadline.due == date(2021, 9, 28)
